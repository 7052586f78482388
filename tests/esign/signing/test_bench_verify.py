"""The verification benchmark runs and prints every figure per document; every document
verifies as valid, pdfsig agrees, and the visual check finds nothing in them (the speed itself
is the script's business, not a test's)."""

from __future__ import annotations

import importlib.util
import re
import sys
from pathlib import Path

import pytest

SCRIPT = Path(__file__).resolve().parents[3] / "bench" / "bench_verify.py"


@pytest.mark.slow
def test_bench_verify_prints_figures_for_valid_documents(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    spec = importlib.util.spec_from_file_location("bench_verify", SCRIPT)
    assert spec is not None and spec.loader is not None
    bench = importlib.util.module_from_spec(spec)
    monkeypatch.setitem(sys.modules, "bench_verify", bench)  # its dataclasses look themselves up
    spec.loader.exec_module(bench)
    results = bench.main(["--rounds", "1"])
    out = capsys.readouterr().out
    assert [r.name for r in results] == [
        "receipt, certified, B-B",
        "receipt, certified, B-LT",
        "result, 2 signatures, B-B",
    ]
    for r in results:
        assert r.ok, r
        assert r.ours_seconds > 0 and r.pdfsig_seconds > 0
        assert r.pdfium_seconds > 0 and r.poppler_seconds > 0
    # something follows the signed revision in these two: the check rendered for real
    assert results[1].visual_seconds > 0 and results[2].visual_seconds > 0
    for label in ("ours \\(verify_in_process, no visual\\)", "visual check, both renderers"):
        assert len(re.findall(rf"^  {label} +\d+\.\d ms +\d+\.\dx$", out, re.M)) == 3, out
    assert out.count("pdfsig FILE (process)") == 3
    with capsys.disabled():  # the figures belong in the test output
        print("\n" + out.rstrip())
