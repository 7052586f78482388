"""The benchmark script runs, and ours draws a receipt faster than the yardstick."""

from __future__ import annotations

import importlib.util
import re
from pathlib import Path

import pytest

SCRIPT = Path(__file__).resolve().parents[3] / "bench" / "bench_render.py"


def test_bench_render_reports_both_times_and_the_ratio(capsys: pytest.CaptureFixture[str]) -> None:
    spec = importlib.util.spec_from_file_location("bench_render", SCRIPT)
    assert spec is not None and spec.loader is not None
    bench = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(bench)
    ours, naive = bench.main(["--count", "8", "--rounds", "2"])
    out = capsys.readouterr().out
    assert re.search(r"^ours: .* (\d+\.\d+) ms per receipt", out, re.M)
    assert re.search(r"^naive: .* (\d+\.\d+) ms per receipt", out, re.M)
    assert re.search(r"^ratio: naive/ours = \d+\.\d+$", out, re.M)
    with capsys.disabled():  # the figures belong in the test output
        print("\n" + out.rstrip())
    # drawn from cached fonts, precomputed parts and a fast fixed-mask QR: clearly faster,
    # even with a 497-character QR (434-digit seal, version 11) against the yardstick's 110
    assert ours < naive
