"""The verification children: started from any main script, any thread, without re-running
the caller's ``__main__`` (which ``multiprocessing``'s forkserver does in Python 3.11)."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.serialization import Encoding

from certs import BuiltPki
from esign.signing.report import Verdict
from esign.signing.verify import TrustConfig, verify

from .conftest import simple_pdf

ROOT = Path(__file__).resolve().parents[3]


@pytest.mark.slow
def test_an_unguarded_main_script_runs_once_and_esign_need_not_be_installed(
    tmp_path: Path,
) -> None:
    # A script with no __main__ guard, run from outside the repository, that finds esign
    # only through its own sys.path (as a checkout does without `pip install`).
    script = tmp_path / "kiem_tra.py"
    script.write_text(
        textwrap.dedent(
            f"""
            import sys
            sys.path.insert(0, {str(ROOT)!r})
            print("main ran", flush=True)
            from esign.signing.verify import TrustConfig, verify
            for data in (b"%PDF-1.7 junk", open(sys.argv[1], "rb").read()):
                print(verify(data, trust=TrustConfig(roots=())).verdict.value, flush=True)
            """
        )
    )
    unsigned = tmp_path / "unsigned.pdf"
    unsigned.write_bytes(simple_pdf())
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    done = subprocess.run(
        [sys.executable, str(script), str(unsigned)],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env=env,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines() == ["main ran", "cannot_verify", "invalid"], done.stdout


@pytest.mark.slow
def test_the_esign_console_script_verifies_through_the_children(
    tmp_path: Path, test_pki: BuiltPki
) -> None:
    # What `pip install` writes as bin/esign, run as a script (its path is the main module).
    script = tmp_path / "esign"
    script.write_text(
        "import re, sys\n"
        "from esign.cli.main import app\n"
        "if __name__ == '__main__':\n"
        "    sys.argv[0] = re.sub(r'(-script\\.pyw|\\.exe)?$', '', sys.argv[0])\n"
        "    sys.exit(app())\n"
    )
    root = tmp_path / "root.pem"
    root.write_bytes(test_pki.certificate("root-ca").public_bytes(Encoding.PEM))
    broken = tmp_path / "hong.pdf"
    broken.write_bytes(simple_pdf()[:3000])
    done = subprocess.run(
        [sys.executable, str(script), "verify", str(broken), "--trust", str(root)],
        capture_output=True,
        text=True,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        timeout=60,
        check=False,
    )
    assert done.returncode == 2, done.stdout + done.stderr
    assert "Không kiểm tra được" in done.stdout


def test_threads_share_the_children_safely(receipt_pdf: bytes, trust: TrustConfig) -> None:
    inputs = [b"", b"%PDF-1.7 junk", receipt_pdf] * 3
    with ThreadPoolExecutor(max_workers=4) as pool:
        verdicts = list(pool.map(lambda data: verify(data, trust=trust).verdict, inputs))
    assert verdicts == [Verdict.CANNOT_VERIFY, Verdict.CANNOT_VERIFY, Verdict.INVALID] * 3
