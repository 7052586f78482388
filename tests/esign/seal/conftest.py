"""Fixtures of the QR seal tests: a keyring in a temporary folder and a realistic receipt."""

from __future__ import annotations

from pathlib import Path

import pytest

from esign.seal import Keyring, SealClaims
from tests.esign.seal.helpers import receipt_claims


@pytest.fixture
def keyring(tmp_path: Path) -> Keyring:
    return Keyring.load_or_create(tmp_path / "seal")


@pytest.fixture
def claims() -> SealClaims:
    return receipt_claims()
