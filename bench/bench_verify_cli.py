"""The command line's cold start and batch speed beside ``pdfsig``, on the same files, in one run.

The documents of ``bench_verify.py`` (a receipt certified B-B and B-LT, a result with two
approvals) are written to a temporary data folder with its development PKI; then, best of
``--rounds``, wall time of a whole process each:

- ``esign verify FILE`` (cold: the interpreter, the imports, the trust, one fork, the report);
- ``esign verify FILE…`` over ``--batch`` files in one process: the time per file;
- ``pdfsig FILE`` (poppler), the baseline, per file;
- ``esign fees list`` (cold; touches no PDF code).

Targets (issue 13): a cold ``esign verify`` under 0.5 s, ``esign fees list`` under 0.3 s, the
batch per file at most pdfsig's time. Every verification must say valid (exit status 0).

    python bench/bench_verify_cli.py [--rounds 3] [--batch 30]
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def timed(command: Sequence[str], env: dict[str, str], rounds: int) -> float:
    best = float("inf")
    for _ in range(rounds):
        t0 = time.perf_counter()
        done = subprocess.run(command, env=env, capture_output=True, check=False)
        elapsed = time.perf_counter() - t0
        if done.returncode != 0:
            raise SystemExit(f"{' '.join(command[:4])}…: exit {done.returncode}\n{done.stderr!r}")
        best = min(best, elapsed)
    return best


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--batch", type=int, default=30)
    args = parser.parse_args()
    sys.path.insert(0, str(ROOT))
    sys.path.insert(0, str(ROOT / "bench"))
    from bench_verify import make_documents

    from certs import DEV_ARCHITECTURE, init_pki_folder, load_spec, open_pki_folder

    with tempfile.TemporaryDirectory() as tmp:
        data = Path(tmp)
        init_pki_folder(
            data / "pki", spec=load_spec(architecture=DEV_ARCHITECTURE), now=dt.datetime.now(dt.UTC)
        )
        documents = make_documents(open_pki_folder(data / "pki"))
        files = []
        for i, (_, pdf, _) in enumerate(documents):
            file = data / f"doc{i}.pdf"
            file.write_bytes(pdf)
            files.append(file)
        batch = [str(files[i % len(files)]) for i in range(args.batch)]
        env = {**os.environ, "PYTHONPATH": str(ROOT), "ESIGN_DATA_DIR": str(data)}
        esign = [sys.executable, "-m", "esign"]
        print(f"wall time of a whole process, best of {args.rounds} (ratio to pdfsig):")
        for (name, _, _), file in zip(documents, files, strict=True):
            pdfsig = timed(["pdfsig", str(file)], env, args.rounds)
            cold = timed([*esign, "verify", str(file)], env, args.rounds)
            print(f"  {name}")
            print(f"    pdfsig FILE                       {pdfsig * 1e3:7.1f} ms")
            print(
                f"    esign verify FILE (cold)          {cold * 1e3:7.1f} ms  {cold / pdfsig:5.1f}×"
                f"  target < 500 ms: {'yes' if cold < 0.5 else 'NO'}"
            )
        pdfsig_all = sum(timed(["pdfsig", str(f)], env, args.rounds) for f in files) / len(files)
        whole = timed([*esign, "verify", *batch], env, 1)
        per_file = whole / len(batch)
        print(
            f"  esign verify × {len(batch)} files in one process: {whole:.2f} s, "
            f"{per_file * 1e3:.1f} ms a file; pdfsig {pdfsig_all * 1e3:.1f} ms a file "
            f"({per_file / pdfsig_all:.2f}×)"
        )
        fees = timed([*esign, "fees", "list"], env, args.rounds)
        print(
            f"  esign fees list (cold)            {fees * 1e3:7.1f} ms"
            f"  target < 300 ms: {'yes' if fees < 0.3 else 'NO'}"
        )
        bare = timed([sys.executable, "-c", "pass"], env, args.rounds)
        print(f"  python -c pass (the interpreter alone) {bare * 1e3:5.1f} ms")


if __name__ == "__main__":
    main()
