"""The reliability tests' fixtures: the API of tests/esign/api over each database."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from esign.db import Database
from tests.esign.api.conftest import Api, make_api


@pytest.fixture
def api(database: Database, tmp_path: Path, pki_template: Path) -> Iterator[Api]:
    yield from make_api(database, tmp_path, pki_template)
