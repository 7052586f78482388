"""The PKI's data folder: its layout, and building it into one (``esign certs init``).

Layout (``<ESIGN_DATA_DIR>/pki``)::

    manifest.json       entities: role, issuer, has key, imported; CRL numbers; TSA policy
    password            random PKCS#12 password of this development PKI (mode 0600)
    certs/NAME.pem      each certificate
    chains/NAME.pem     its issuers, nearest first, up to the root
    keys/NAME.p12       its key, certificate and chain, encrypted with ``password`` (0600)
    crl/CA.crl          the latest CRL (DER) of each CA of the ward
    trust/*.pem         the trust roots: the development root; in production the government
                        CA roots (add their PEM files here, remove the development root)
    revocations.json    the revocation register

The password file is acceptable for development only: in production pass ``password`` to
:func:`open_pki_folder` from a secret store, and keep officials' keys on their tokens.
Every file is replaced atomically (write, then rename), so a crash never leaves half a file.
"""

from __future__ import annotations

import json
import os
import secrets
import shutil
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from cryptography import x509
from cryptography.hazmat.primitives.serialization import Encoding

from .build import BuiltPki, build_pki
from .errors import PkiFolderError
from .revocation import Revocation, make_crl
from .spec import ArchitectureSpec
from .trust import load_certificates

FORMAT = 1
MANIFEST = "manifest.json"
# A CRL says when the next one is due; esign re-publishes (publish_crl) before that.
CRL_VALIDITY = timedelta(days=7)


def init_pki_folder(
    path: Path, *, spec: ArchitectureSpec, now: datetime, force: bool = False
) -> bool:
    """Build ``spec`` into ``path``; leave an existing PKI alone unless ``force``.

    Returns True when it built, False when a PKI was already there. The build happens in a
    sibling folder renamed into place at the end: an interrupted init leaves nothing behind.
    """
    path = Path(path)
    if (path / MANIFEST).is_file() and not force:
        return False
    if path.exists() and any(path.iterdir()) and not (path / MANIFEST).is_file() and not force:
        raise PkiFolderError(
            f"Thư mục {path} đã có dữ liệu nhưng không phải PKI: chọn thư mục khác hoặc --force",
            f"{path} is not empty and holds no PKI: choose another folder or use --force",
        )
    path.parent.mkdir(parents=True, exist_ok=True)
    staging = path.parent / f".{path.name}.building-{secrets.token_hex(4)}"
    try:
        write_pki(build_pki(spec, now=now), staging)
        if path.exists():
            shutil.rmtree(path)
        staging.rename(path)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return True


def write_pki(pki: BuiltPki, path: Path) -> None:
    """Write a built PKI into a new folder (keys encrypted under a fresh random password)."""
    for sub in ("certs", "chains", "crl", "trust"):
        (path / sub).mkdir(parents=True)
    (path / "keys").mkdir(mode=0o700)
    password = secrets.token_urlsafe(32)
    write_private(path / "password", password.encode())
    for name, entry in pki.issued.items():
        write_atomic(path / "certs" / f"{name}.pem", pem(entry.certificate))
        write_atomic(path / "chains" / f"{name}.pem", pem(*pki.chain(name)))
        write_private(path / "keys" / f"{name}.p12", pki.export_pkcs12(name, password=password))
    for name in pki.spec.trust:
        write_atomic(path / "trust" / f"{name}.pem", pem(pki.certificate(name)))
    manifest: dict[str, Any] = {
        "format": FORMAT,
        "architecture": pki.spec.name,
        "built_at": pki.built_at.isoformat(),
        "tsa_policy": pki.spec.tsa_policy,
        "crl_numbers": {},
        "entities": {
            name: {
                "role": entry.role.value,
                "issuer": entry.issuer,
                "has_key": True,
                "imported": False,
                "ca": pki.spec.entity(name).profile.ca,
            }
            for name, entry in pki.issued.items()
        },
    }
    write_json(path / "revocations.json", [revocation_to_json(r) for r in pki.revocations])
    for ca, entity in manifest["entities"].items():
        if entity["ca"]:
            manifest["crl_numbers"][ca] = 1
            crl = make_crl(
                issuer=pki.key_store(ca),
                revocations=[r for r in pki.revocations if r.issuer == ca],
                this_update=pki.built_at,
                next_update=pki.built_at + CRL_VALIDITY,
                number=1,
            )
            write_atomic(path / "crl" / f"{ca}.crl", crl)
    write_json(path / MANIFEST, manifest)


# ---------------------------------------------------------------- file helpers


def pem(*certificates: x509.Certificate) -> bytes:
    return b"".join(c.public_bytes(Encoding.PEM) for c in certificates)


def read_pem(path: Path) -> tuple[x509.Certificate, ...]:
    data = path.read_bytes()
    return load_certificates(data, source=str(path)) if data.strip() else ()


def write_atomic(path: Path, data: bytes, *, mode: int = 0o644) -> None:
    temporary = path.with_name(f".{path.name}.{secrets.token_hex(4)}.tmp")
    fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, mode)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
        os.replace(temporary, path)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise


def write_private(path: Path, data: bytes) -> None:
    write_atomic(path, data, mode=0o600)


def write_json(path: Path, value: object) -> None:
    write_atomic(path, json.dumps(value, ensure_ascii=False, indent=2).encode())


def revocation_to_json(revocation: Revocation) -> dict[str, Any]:
    return {
        "issuer": revocation.issuer,
        "serial_number": format(revocation.serial_number, "x"),
        "name": revocation.name,
        "reason": revocation.reason.value,
        "revoked_at": revocation.revoked_at.astimezone(UTC).isoformat(),
    }
