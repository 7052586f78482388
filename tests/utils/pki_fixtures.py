"""The test PKI, built once per session from the declaration (architecture ``ward-test``),
shared by the certs and esign tests (registered as a plugin in tests/conftest.py)."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.serialization import pkcs12

from certs import (
    TEST_ARCHITECTURE,
    ArchitectureSpec,
    BuiltPki,
    PkiFolder,
    build_pki,
    load_spec,
    open_pki_folder,
)
from certs.layout import write_pki
from tests.utils.certs_helpers import TOKEN_PIN
from tests.utils.softhsm import SoftHsm, SoftHsmToken, softhsm_fixture  # noqa: F401 (fixture)


@pytest.fixture(scope="session")
def now() -> datetime:
    return datetime.now(UTC).replace(microsecond=0)


@pytest.fixture(scope="session")
def test_spec() -> ArchitectureSpec:
    return load_spec(architecture=TEST_ARCHITECTURE)


@pytest.fixture(scope="session")
def test_pki(test_spec: ArchitectureSpec, now: datetime) -> BuiltPki:
    return build_pki(test_spec, now=now)


@pytest.fixture(scope="session")
def pki_template(test_pki: BuiltPki, tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("pki-template") / "pki"
    write_pki(test_pki, path)
    return path


@pytest.fixture(scope="session")
def shared_folder(pki_template: Path) -> PkiFolder:
    """For tests that only read: never revoke or import through it."""
    return open_pki_folder(pki_template)


@pytest.fixture
def pki_folder(pki_template: Path, tmp_path: Path) -> PkiFolder:
    """A private copy (no key generation) for tests that change the folder."""
    path = tmp_path / "pki"
    shutil.copytree(pki_template, path)
    return open_pki_folder(path)


@pytest.fixture(scope="session")
def token(softhsm: SoftHsm, test_pki: BuiltPki) -> Iterator[SoftHsmToken]:
    """One token holding the judicial officer (RSA) and the chairman (ECDSA), plus keys
    stored under another official's certificate: ``mismatch`` (EC key, RSA certificate) and
    ``mismatch-rsa`` (RSA key, another RSA certificate)."""
    token = softhsm.init_token("ward-officials", pin=TOKEN_PIN, so_pin="87654321")
    for index, (label, name, cert_of) in enumerate(
        [
            ("nguyen-thi-huong", "judicial-officer", "judicial-officer"),
            ("tran-van-minh", "chairman", "chairman"),
            ("mismatch", "chairman", "vice-chairman"),
            ("mismatch-rsa", "judicial-officer", "seal"),
        ],
        start=1,
    ):
        bundle = pkcs12.load_pkcs12(test_pki.export_pkcs12(name, password="t"), b"t")
        assert bundle.key is not None
        softhsm.import_key(
            token,
            label=label,
            key=bundle.key,  # type: ignore[arg-type]
            certificate=test_pki.certificate(cert_of),
            chain=test_pki.chain(cert_of)[:1] if index == 1 else (),
            object_id=bytes([index * 16]),
        )
    yield token
