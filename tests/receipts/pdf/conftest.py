"""Fixtures of the PDF tests; the sample documents are in tests/utils/pdf_samples.py."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.utils.pdf_samples import ARTIFACTS


@pytest.fixture(scope="session")
def artifacts() -> Path:
    """Where the screenshot tests leave their PNGs (git-ignored)."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    return ARTIFACTS
