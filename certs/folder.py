"""The PKI folder as the service sees it: certificates, key stores, trust, revocation, OCSP, TSA.

One :class:`PkiFolder` per process is enough: it caches the key stores it opens (a parsed key
per store, NOTES.md) and reads the small JSON files again on each call, so several processes
sharing the folder see each other's revocations.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from cryptography import x509

from .checks import SigningCertificateCheck, check_signing_certificate, display_name
from .errors import (
    AlreadyRevokedError,
    NotOurCertificateError,
    PkiFolderError,
    RevocationError,
    UnknownEntityError,
)
from .importing import read_certificate_bundle, slug
from .keystores import Pkcs12KeyStore, reencrypt_pkcs12
from .layout import (
    CRL_VALIDITY,
    FORMAT,
    MANIFEST,
    pem,
    read_pem,
    revocation_to_json,
    write_atomic,
    write_json,
    write_private,
)
from .ocsp import answer_ocsp
from .revocation import CLOCK_SKEW, Revocation, RevocationRegister, make_crl
from .spec import RevocationReason, Role
from .trust import TrustStore
from .tsa import answer_timestamp

_NAME = re.compile(r"^[a-z0-9][a-z0-9-]{0,62}$")


@dataclass(frozen=True)
class CertificateEntry:
    """One certificate registered in the folder."""

    name: str
    role: Role
    certificate: x509.Certificate
    issuer: str
    """Entity name of the issuer, or the issuer's subject for an imported certificate."""
    has_key: bool
    imported: bool
    is_ca: bool

    @property
    def subject(self) -> str:
        return display_name(self.certificate)


def open_pki_folder(path: Path, *, password: str | None = None) -> PkiFolder:
    """Open a folder written by ``init_pki_folder``; ``password`` defaults to its file."""
    return PkiFolder(Path(path), password=password)


class PkiFolder:
    def __init__(self, path: Path, *, password: str | None = None) -> None:
        if not (path / MANIFEST).is_file():
            raise PkiFolderError(
                f"Chưa có PKI trong {path}: chạy 'esign certs init' trước",
                f"no PKI in {path}: run 'esign certs init' first",
            )
        self.path = path
        manifest = self._manifest()
        if manifest.get("format") != FORMAT:
            raise PkiFolderError(
                f"Định dạng thư mục PKI {path} không được hỗ trợ",
                f"unsupported PKI folder format in {path}",
            )
        self.architecture: str = manifest["architecture"]
        self.built_at = datetime.fromisoformat(manifest["built_at"])
        self._password = password
        self._stores: dict[str, Pkcs12KeyStore] = {}

    # ------------------------------------------------------------ certificates and keys

    def entries(self) -> tuple[CertificateEntry, ...]:
        return tuple(self.entry(name) for name in self._manifest()["entities"])

    def entry(self, name: str) -> CertificateEntry:
        entities = self._manifest()["entities"]
        if name not in entities:
            raise UnknownEntityError(
                f"Không có chứng thư số tên '{name}' (xem 'esign certs list')",
                f"no certificate named '{name}' (see 'esign certs list')",
            )
        info = entities[name]
        return CertificateEntry(
            name=name,
            role=Role(info["role"]),
            certificate=read_pem(self.path / "certs" / f"{name}.pem")[0],
            issuer=info["issuer"],
            has_key=info["has_key"],
            imported=info["imported"],
            is_ca=info["ca"],
        )

    def names_for(self, role: Role) -> tuple[str, ...]:
        entities = self._manifest()["entities"]
        return tuple(name for name, info in entities.items() if info["role"] == role.value)

    def only(self, role: Role) -> str:
        """The one entity with ``role`` (the seal, the TSA, the OCSP responder)."""
        names = self.names_for(role)
        if len(names) != 1:
            raise PkiFolderError(
                f"Cần đúng một chứng thư vai trò {role.label_vi}, có {len(names)}",
                f"expected one certificate with role {role.value}, found {len(names)}",
            )
        return names[0]

    def certificate(self, name: str) -> x509.Certificate:
        return self.entry(name).certificate

    def chain(self, name: str) -> tuple[x509.Certificate, ...]:
        """Issuers of ``name``, nearest first, up to the root."""
        self.entry(name)
        return read_pem(self.path / "chains" / f"{name}.pem")

    def key_store(self, name: str) -> Pkcs12KeyStore:
        """The PKCS#12 key store of ``name``, opened once and cached."""
        if name not in self._stores:
            if not self.entry(name).has_key:
                raise PkiFolderError(
                    f"'{name}' không có khóa trong thư mục (khóa nằm trên thiết bị ký số?)",
                    f"'{name}' has no key in the folder (is it on a token?)",
                )
            self._stores[name] = Pkcs12KeyStore(
                self.path / "keys" / f"{name}.p12", password=self._secret()
            )
        return self._stores[name]

    def trust_store(self) -> TrustStore:
        return TrustStore.from_pem_files(sorted((self.path / "trust").glob("*.pem")))

    def check(self, name: str, *, at: datetime) -> SigningCertificateCheck:
        """:func:`check_signing_certificate` with the folder's trust and register.

        For an imported certificate the ward's register cannot speak: revocation is left to
        the caller (``result.revocation`` is None).
        """
        entry = self.entry(name)
        return check_signing_certificate(
            entry.certificate,
            trust=self.trust_store(),
            at=at,
            revocation=None if entry.imported else self.register(),
            intermediates=self.chain(name),
        )

    # ------------------------------------------------------------ revocation, OCSP, TSA

    def revocations(self) -> tuple[Revocation, ...]:
        rows = json.loads((self.path / "revocations.json").read_text(encoding="utf-8"))
        return tuple(
            Revocation(
                issuer=row["issuer"],
                serial_number=int(row["serial_number"], 16),
                name=row["name"],
                reason=RevocationReason(row["reason"]),
                revoked_at=datetime.fromisoformat(row["revoked_at"]),
            )
            for row in rows
        )

    def revocation_of(self, name: str) -> Revocation | None:
        return next((r for r in self.revocations() if r.name == name), None)

    def register(self) -> RevocationRegister:
        """The ward's revocation register: a RevocationChecker, and the OCSP responder's data."""
        entries = [e for e in self.entries() if not e.imported]
        return RevocationRegister(
            authorities={e.name: e.certificate for e in entries if e.is_ca},
            issued={
                ca.name: frozenset(
                    e.certificate.serial_number
                    for e in entries
                    if e.issuer == ca.name and e.name != ca.name
                )
                for ca in entries
                if ca.is_ca
            },
            revocations=self.revocations(),
        )

    def revoke(
        self, name: str, *, reason: RevocationReason, at: datetime, now: datetime | None = None
    ) -> Revocation:
        """Revoke ``name`` from ``at`` and publish its issuer's new CRL."""
        now = now or datetime.now(UTC)
        entry = self.entry(name)
        if entry.imported:
            raise NotOurCertificateError(
                f"'{name}' do CA khác cấp: đề nghị CA đó thu hồi",
                f"'{name}' was issued by another CA: ask that CA to revoke it",
            )
        if entry.issuer == name:
            raise RevocationError(
                "Không thể thu hồi CA gốc bằng CRL: loại bỏ nó khỏi thư mục trust/",
                "a root cannot be revoked by a CRL: remove it from trust/ instead",
            )
        if at > now + CLOCK_SKEW:
            raise RevocationError(
                "Ngày thu hồi không được ở tương lai", "the revocation date is in the future"
            )
        if self.revocation_of(name) is not None:
            raise AlreadyRevokedError(
                f"Chứng thư '{name}' đã bị thu hồi trước đó",
                f"certificate '{name}' is already revoked",
            )
        revocation = Revocation(
            issuer=entry.issuer,
            serial_number=entry.certificate.serial_number,
            name=name,
            reason=reason,
            revoked_at=at.astimezone(UTC).replace(microsecond=0),
        )
        rows = [revocation_to_json(r) for r in (*self.revocations(), revocation)]
        write_json(self.path / "revocations.json", rows)
        self.publish_crl(entry.issuer, now=now)
        return revocation

    def publish_crl(self, ca: str | None = None, *, now: datetime) -> bytes:
        """Sign a new CRL of ``ca`` (the issuing CA by default), store it, return its DER."""
        ca = ca or self.only(Role.ISSUING_CA)
        manifest = self._manifest()
        if ca not in manifest["crl_numbers"]:
            raise UnknownEntityError(
                f"'{ca}' không phải CA của phường", f"'{ca}' is not one of the ward's CAs"
            )
        number = manifest["crl_numbers"][ca] + 1
        crl = make_crl(
            issuer=self.key_store(ca),
            revocations=[r for r in self.revocations() if r.issuer == ca],
            this_update=now,
            next_update=now + CRL_VALIDITY,
            number=number,
        )
        write_atomic(self.path / "crl" / f"{ca}.crl", crl)
        manifest["crl_numbers"][ca] = number
        write_json(self.path / MANIFEST, manifest)
        return crl

    def crl(self, ca: str | None = None) -> bytes:
        """The latest published CRL (DER) of ``ca`` (the issuing CA by default)."""
        ca = ca or self.only(Role.ISSUING_CA)
        path = self.path / "crl" / f"{ca}.crl"
        if not path.is_file():
            raise UnknownEntityError(f"'{ca}' chưa có CRL", f"no CRL for '{ca}'")
        return path.read_bytes()

    def answer_ocsp(self, request: bytes, *, now: datetime) -> bytes:
        return answer_ocsp(
            request,
            responder=self.key_store(self.only(Role.OCSP)),
            register=self.register(),
            now=now,
        )

    def answer_timestamp(self, request: bytes, *, now: datetime) -> bytes:
        return answer_timestamp(
            request,
            tsa=self.key_store(self.only(Role.TSA)),
            now=now,
            policy=self._manifest()["tsa_policy"],
        )

    # ------------------------------------------------------------ importing

    def import_certificate(
        self,
        data: bytes,
        *,
        role: Role,
        now: datetime,
        name: str | None = None,
        password: str | None = None,
        source: str = "tệp",
    ) -> CertificateEntry:
        """Register an official's certificate issued elsewhere (PKCS#12, or PEM/DER + chain).

        It must chain to a root in ``trust/`` (what the file brings is only a candidate link)
        and pass the signing checks at ``now``, revocation aside.
        """
        bundle = read_certificate_bundle(data, password=password, source=source)
        name = name or slug(display_name(bundle.certificate))
        if not _NAME.match(name):
            raise PkiFolderError(
                f"Tên '{name}' không hợp lệ: chỉ chữ thường không dấu, số và '-'",
                f"invalid name '{name}': lowercase ASCII letters, digits and '-' only",
            )
        if name in self._manifest()["entities"]:
            raise PkiFolderError(
                f"Đã có chứng thư tên '{name}': chọn tên khác (--name)",
                f"a certificate named '{name}' exists: choose another (--name)",
            )
        intermediates = [*bundle.others, *(e.certificate for e in self.entries() if e.is_ca)]
        trust = self.trust_store()
        path = trust.build_path(bundle.certificate, intermediates=intermediates)
        check_signing_certificate(
            bundle.certificate, trust=trust, at=now, revocation=None, intermediates=intermediates
        ).raise_if_refused()
        write_atomic(self.path / "certs" / f"{name}.pem", pem(bundle.certificate))
        write_atomic(self.path / "chains" / f"{name}.pem", pem(*path[1:]))
        if bundle.has_key:
            blob = reencrypt_pkcs12(data, password=password, new_password=self._secret())
            write_private(self.path / "keys" / f"{name}.p12", blob)
        manifest = self._manifest()
        manifest["entities"][name] = {
            "role": role.value,
            "issuer": bundle.certificate.issuer.rfc4514_string(),
            "has_key": bundle.has_key,
            "imported": True,
            "ca": False,
        }
        write_json(self.path / MANIFEST, manifest)
        return self.entry(name)

    # ------------------------------------------------------------ internals

    def _manifest(self) -> dict[str, Any]:
        try:
            manifest: dict[str, Any] = json.loads(
                (self.path / MANIFEST).read_text(encoding="utf-8")
            )
        except (OSError, ValueError) as exc:
            raise PkiFolderError(
                f"Không đọc được {MANIFEST} trong {self.path}",
                f"cannot read {MANIFEST} in {self.path}",
            ) from exc
        return manifest

    def _secret(self) -> str:
        if self._password is not None:
            return self._password
        try:
            return (self.path / "password").read_text(encoding="utf-8").strip()
        except OSError as exc:
            raise PkiFolderError(
                f"Thiếu tệp mật khẩu khóa trong {self.path}",
                f"the key password file is missing in {self.path}",
            ) from exc

    def __repr__(self) -> str:
        return f"<PkiFolder {self.path} ({self.architecture})>"
