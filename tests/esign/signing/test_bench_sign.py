"""The signing benchmark runs, prints both rates and the ratio per key type, and every output
of both sides validates (the speed itself is the script's business, not a test's)."""

from __future__ import annotations

import importlib.util
import re
import sys
from pathlib import Path

import pytest

SCRIPT = Path(__file__).resolve().parents[3] / "bench" / "bench_sign.py"


@pytest.mark.slow
def test_bench_sign_outputs_validate_on_both_sides(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    spec = importlib.util.spec_from_file_location("bench_sign", SCRIPT)
    assert spec is not None and spec.loader is not None
    bench = importlib.util.module_from_spec(spec)
    monkeypatch.setitem(sys.modules, "bench_sign", bench)  # its dataclasses look themselves up
    spec.loader.exec_module(bench)
    results = bench.main(["--count", "2", "--rounds", "1"])
    out = capsys.readouterr().out
    assert [r.key for r in results] == ["RSA-2048", "ECDSA P-256"]
    for r in results:
        assert (r.ours_valid, r.naive_valid, r.count) == (2, 2, 2), r
        assert r.ours_seconds > 0 and r.naive_seconds > 0
        for side in ("ours: ", "naive:"):
            assert re.search(rf"^{r.key} +{side} +\d+\.\d receipts/s", out, re.M), out
        assert re.search(rf"^{r.key} +ratio: ours/naive = \d+\.\dx", out, re.M), out
        assert f"{r.key:<12} valid: ours 2/2, naive 2/2" in out
    with capsys.disabled():  # the figures belong in the test output
        print("\n" + out.rstrip())
