"""init_pki_folder / open_pki_folder: what lands on disk, and that it is left alone."""

from __future__ import annotations

import json
import stat
from datetime import datetime
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.serialization import pkcs12

from certs import DEV_ARCHITECTURE, PkiFolder, Role, init_pki_folder, load_spec, open_pki_folder
from certs.errors import PkiFolderError, UnknownEntityError


@pytest.fixture(scope="module")
def dev_folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("data") / "pki"
    assert init_pki_folder(
        path, spec=load_spec(architecture=DEV_ARCHITECTURE), now=datetime.now().astimezone()
    )
    return path


def test_init_writes_the_dev_pki(dev_folder: Path) -> None:
    folder = open_pki_folder(dev_folder)
    assert folder.architecture == DEV_ARCHITECTURE
    names = {e.name for e in folder.entries()}
    assert names == {e.name for e in load_spec().entities}
    for name in names:
        assert (dev_folder / "certs" / f"{name}.pem").read_bytes().startswith(b"-----BEGIN CERT")
        assert (dev_folder / "keys" / f"{name}.p12").is_file()
    assert sorted(p.name for p in (dev_folder / "crl").iterdir()) == [
        "issuing-ca.crl",
        "root-ca.crl",
    ]
    assert [p.name for p in (dev_folder / "trust").iterdir()] == ["root-ca.pem"]
    assert folder.trust_store().roots == (folder.certificate("root-ca"),)
    assert json.loads((dev_folder / "revocations.json").read_text()) == []
    assert folder.only(Role.SEAL) == "seal"
    assert folder.names_for(Role.CHAIRMAN) == ("chairman",)


def test_secrets_are_private_and_keys_encrypted(dev_folder: Path) -> None:
    password = dev_folder / "password"
    assert stat.S_IMODE(password.stat().st_mode) == 0o600
    assert stat.S_IMODE((dev_folder / "keys").stat().st_mode) == 0o700
    for key_file in (dev_folder / "keys").iterdir():
        assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
        with pytest.raises(ValueError):
            pkcs12.load_pkcs12(key_file.read_bytes(), None)  # not readable without a password
        bundle = pkcs12.load_pkcs12(key_file.read_bytes(), password.read_bytes().strip())
        assert bundle.key is not None
    for file in dev_folder.rglob("*"):
        if file.is_file():
            assert b"PRIVATE KEY" not in file.read_bytes(), file


def test_a_second_init_leaves_it_alone(dev_folder: Path) -> None:
    before = {p: p.read_bytes() for p in dev_folder.rglob("*") if p.is_file()}
    built = init_pki_folder(dev_folder, spec=load_spec(), now=datetime.now().astimezone())
    assert built is False
    assert {p: p.read_bytes() for p in dev_folder.rglob("*") if p.is_file()} == before


def test_force_rebuilds(tmp_path: Path, pki_template: Path) -> None:
    import shutil

    path = tmp_path / "pki"
    shutil.copytree(pki_template, path)
    old_root = open_pki_folder(path).certificate("root-ca")
    assert init_pki_folder(path, spec=load_spec(), now=datetime.now().astimezone(), force=True)
    folder = open_pki_folder(path)
    assert folder.certificate("root-ca") != old_root
    assert folder.architecture == DEV_ARCHITECTURE
    assert "expired-official" not in {e.name for e in folder.entries()}
    assert not list(tmp_path.glob(".pki.building-*"))  # no staging folder left behind


def test_a_folder_with_other_files_is_not_overwritten(tmp_path: Path) -> None:
    path = tmp_path / "pki"
    path.mkdir()
    (path / "notes.txt").write_text("không phải PKI")
    with pytest.raises(PkiFolderError, match="không phải PKI"):
        init_pki_folder(path, spec=load_spec(), now=datetime.now().astimezone())
    assert (path / "notes.txt").read_text() == "không phải PKI"


def test_opening_an_empty_folder_says_run_init(tmp_path: Path) -> None:
    with pytest.raises(PkiFolderError, match="esign certs init"):
        open_pki_folder(tmp_path)


def test_corrupt_manifest(pki_folder: PkiFolder) -> None:
    (pki_folder.path / "manifest.json").write_text("{not json")
    with pytest.raises(PkiFolderError, match=r"manifest\.json"):
        pki_folder.entries()


def test_unknown_names(shared_folder: PkiFolder) -> None:
    with pytest.raises(UnknownEntityError, match="esign certs list"):
        shared_folder.entry("mayor")
    with pytest.raises(UnknownEntityError):
        shared_folder.key_store("mayor")
    with pytest.raises(UnknownEntityError):
        shared_folder.publish_crl("seal", now=datetime.now().astimezone())


def test_explicit_password(pki_template: Path) -> None:
    from certs.errors import WrongPasswordError

    folder = open_pki_folder(pki_template, password="wrong")
    with pytest.raises(WrongPasswordError):
        folder.key_store("seal")
