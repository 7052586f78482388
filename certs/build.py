"""Building a declared PKI in memory: keys generated now, certificates relative to ``now``."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime

from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.hazmat.primitives.serialization import BestAvailableEncryption, pkcs12
from cryptography.x509.oid import AuthorityInformationAccessOID, NameOID

from .errors import UnknownEntityError
from .keystores import PrivateKey, SoftwareKeyStore
from .revocation import Revocation
from .spec import EXTENDED_KEY_USAGES, ArchitectureSpec, EntitySpec, KeyType, Profile, Role
from .trust import TrustStore

_NAME_OIDS = {
    "C": NameOID.COUNTRY_NAME,
    "ST": NameOID.STATE_OR_PROVINCE_NAME,
    "L": NameOID.LOCALITY_NAME,
    "O": NameOID.ORGANIZATION_NAME,
    "OU": NameOID.ORGANIZATIONAL_UNIT_NAME,
    "title": NameOID.TITLE,
    "CN": NameOID.COMMON_NAME,
    "UID": NameOID.USER_ID,
    "serialNumber": NameOID.SERIAL_NUMBER,
}


@dataclass(frozen=True)
class IssuedCertificate:
    """A certificate of the PKI and what the declaration said about it."""

    name: str
    role: Role
    issuer: str
    """Entity name of the issuer (itself for a root)."""
    certificate: x509.Certificate


class BuiltPki:
    """A PKI built in memory by :func:`build_pki`; it holds the private keys."""

    def __init__(
        self,
        *,
        spec: ArchitectureSpec,
        built_at: datetime,
        issued: Mapping[str, IssuedCertificate],
        keys: Mapping[str, PrivateKey],
        revocations: tuple[Revocation, ...],
    ) -> None:
        self.spec = spec
        self.built_at = built_at
        self.issued = dict(issued)
        self.revocations = revocations
        self.__keys = dict(keys)

    def __getitem__(self, name: str) -> IssuedCertificate:
        try:
            return self.issued[name]
        except KeyError:
            raise UnknownEntityError(
                f"PKI không có chứng thư '{name}'", f"no certificate named '{name}'"
            ) from None

    def certificate(self, name: str) -> x509.Certificate:
        return self[name].certificate

    def chain(self, name: str) -> tuple[x509.Certificate, ...]:
        """Issuer certificates of ``name``, nearest first, up to and including its root."""
        chain: list[x509.Certificate] = []
        entry = self[name]
        while entry.issuer != entry.name:
            entry = self[entry.issuer]
            chain.append(entry.certificate)
        return tuple(chain)

    def names_for(self, role: Role) -> tuple[str, ...]:
        return tuple(name for name, entry in self.issued.items() if entry.role is role)

    def key_store(self, name: str) -> SoftwareKeyStore:
        return SoftwareKeyStore(
            key=self.__keys[self[name].name],
            certificate=self.certificate(name),
            chain=self.chain(name),
        )

    def trust_store(self) -> TrustStore:
        return TrustStore(tuple(self.certificate(name) for name in self.spec.trust))

    def export_pkcs12(self, name: str, *, password: str) -> bytes:
        """The key, certificate and chain of ``name``, encrypted (AES-256, PBKDF2)."""
        entry = self[name]
        return pkcs12.serialize_key_and_certificates(
            name.encode(),
            self.__keys[name],
            entry.certificate,
            list(self.chain(name)) or None,
            BestAvailableEncryption(password.encode()),
        )


def build_pki(spec: ArchitectureSpec, *, now: datetime) -> BuiltPki:
    """Generate every key and certificate of ``spec``; validity is relative to ``now``."""
    now = now.astimezone(UTC).replace(microsecond=0)
    keys: dict[str, PrivateKey] = {}
    issued: dict[str, IssuedCertificate] = {}
    revocations: list[Revocation] = []
    ocsp_issuer = next(e.issuer for e in spec.entities if e.role is Role.OCSP)
    for entity in spec.entities:  # issuers first, by construction of the spec
        keys[entity.name] = _generate_key(entity.key_type)
        issuer_cert = None if entity.self_signed else issued[entity.issuer].certificate
        certificate = _certificate(
            entity,
            spec=spec,
            now=now,
            key=keys[entity.name],
            issuer_key=keys[entity.issuer],
            issuer_cert=issuer_cert,
            with_ocsp=entity.issuer == ocsp_issuer and entity.role is not Role.OCSP,
        )
        issued[entity.name] = IssuedCertificate(
            name=entity.name, role=entity.role, issuer=entity.issuer, certificate=certificate
        )
        if entity.revoked is not None:
            revocations.append(
                Revocation(
                    issuer=entity.issuer,
                    serial_number=certificate.serial_number,
                    name=entity.name,
                    reason=entity.revoked.reason,
                    revoked_at=now + entity.revoked.at,
                )
            )
    return BuiltPki(
        spec=spec, built_at=now, issued=issued, keys=keys, revocations=tuple(revocations)
    )


def _generate_key(key_type: KeyType) -> PrivateKey:
    if key_type is KeyType.RSA_2048:
        return rsa.generate_private_key(public_exponent=65537, key_size=2048)
    return ec.generate_private_key(ec.SECP256R1())


def _certificate(
    entity: EntitySpec,
    *,
    spec: ArchitectureSpec,
    now: datetime,
    key: PrivateKey,
    issuer_key: PrivateKey,
    issuer_cert: x509.Certificate | None,
    with_ocsp: bool,
) -> x509.Certificate:
    subject = x509.Name([x509.NameAttribute(_NAME_OIDS[a], v) for a, v in entity.subject])
    builder = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(issuer_cert.subject if issuer_cert else subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now + entity.valid_from)
        .not_valid_after(now + entity.valid_until)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), False)
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(issuer_key.public_key()), False
        )
    )
    for extension, critical in _profile_extensions(entity.profile):
        builder = builder.add_extension(extension, critical)
    if issuer_cert is not None and spec.base_url:
        base = spec.base_url
        crl_url = x509.UniformResourceIdentifier(f"{base}/crl/{entity.issuer}.crl")
        builder = builder.add_extension(
            x509.CRLDistributionPoints([x509.DistributionPoint([crl_url], None, None, None)]),
            False,
        )
        access = [
            x509.AccessDescription(
                AuthorityInformationAccessOID.CA_ISSUERS,
                x509.UniformResourceIdentifier(f"{base}/ca/{entity.issuer}.cer"),
            )
        ]
        if with_ocsp:
            access.append(
                x509.AccessDescription(
                    AuthorityInformationAccessOID.OCSP,
                    x509.UniformResourceIdentifier(f"{base}/ocsp"),
                )
            )
        builder = builder.add_extension(x509.AuthorityInformationAccess(access), False)
    return builder.sign(issuer_key, hashes.SHA256())


def _profile_extensions(profile: Profile) -> list[tuple[x509.ExtensionType, bool]]:
    usages = profile.key_usage
    extensions: list[tuple[x509.ExtensionType, bool]] = [
        (x509.BasicConstraints(ca=profile.ca, path_length=profile.path_length), True),
        (
            x509.KeyUsage(
                digital_signature="digital_signature" in usages,
                content_commitment="non_repudiation" in usages,
                key_encipherment="key_encipherment" in usages,
                data_encipherment="data_encipherment" in usages,
                key_agreement="key_agreement" in usages,
                key_cert_sign="key_cert_sign" in usages,
                crl_sign="crl_sign" in usages,
                encipher_only=False,
                decipher_only=False,
            ),
            True,
        ),
    ]
    if profile.extended_key_usage:
        oids = [x509.ObjectIdentifier(EXTENDED_KEY_USAGES[e]) for e in profile.extended_key_usage]
        extensions.append((x509.ExtendedKeyUsage(oids), profile.extended_key_usage_critical))
    if profile.ocsp_nocheck:
        extensions.append((x509.OCSPNoCheck(), False))
    return extensions
