"""SoftHSM2 for tests: a private token directory and tokens filled through python-pkcs11.

SoftHSM reads ``SOFTHSM2_CONF`` and scans its token directory when the module is initialised,
and python-pkcs11 loads a module once per process. So there is one :class:`SoftHsm` per test
session (the ``softhsm`` fixture): it sets ``SOFTHSM2_CONF`` before anything loads the module,
and every token is created before the first key is imported. A token created after that is
made visible by re-initialising the module, which closes every open session: create tokens
first, open key stores after.
"""

from __future__ import annotations

import os
import subprocess
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

import pkcs11
import pytest
from cryptography import x509
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.hazmat.primitives.serialization import Encoding, NoEncryption, PrivateFormat
from pkcs11 import Attribute, CertificateType, ObjectClass
from pkcs11.util.ec import decode_ec_private_key
from pkcs11.util.rsa import decode_rsa_private_key

SOFTHSM_MODULE = Path("/usr/lib/softhsm/libsofthsm2.so")


@dataclass(frozen=True)
class SoftHsmToken:
    label: str
    pin: str
    so_pin: str


class SoftHsm:
    """A SoftHSM2 configuration of its own under ``root``."""

    module = SOFTHSM_MODULE

    def __init__(self, root: Path) -> None:
        self.root = root
        tokens = root / "tokens"
        tokens.mkdir(parents=True)
        self.conf = root / "softhsm2.conf"
        self.conf.write_text(
            f"directories.tokendir = {tokens}\n"
            "objectstore.backend = file\n"
            "log.level = ERROR\n"
            "slots.removable = false\n"
        )
        os.environ["SOFTHSM2_CONF"] = str(self.conf)
        self._loaded = False

    def init_token(self, label: str, *, pin: str, so_pin: str) -> SoftHsmToken:
        command = ["softhsm2-util", "--init-token", "--free", "--label", label]
        subprocess.run(
            [*command, "--pin", pin, "--so-pin", so_pin],
            check=True,
            capture_output=True,
            env={**os.environ, "SOFTHSM2_CONF": str(self.conf)},
        )
        if self._loaded:
            pkcs11.lib(str(self.module)).reinitialize()
        return SoftHsmToken(label=label, pin=pin, so_pin=so_pin)

    def import_key(
        self,
        token: SoftHsmToken,
        *,
        label: str,
        key: rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey,
        certificate: x509.Certificate,
        chain: Sequence[x509.Certificate] = (),
        object_id: bytes = b"\x01",
    ) -> None:
        """Write a private key (sensitive, non-extractable), its certificate and a chain."""
        lib = pkcs11.lib(str(self.module))
        self._loaded = True
        session = lib.get_token(token_label=token.label).open(rw=True, user_pin=token.pin)
        try:
            # TraditionalOpenSSL: PKCS#1 for RSA, SEC 1 for EC, what python-pkcs11 decodes.
            der = key.private_bytes(Encoding.DER, PrivateFormat.TraditionalOpenSSL, NoEncryption())
            if isinstance(key, rsa.RSAPrivateKey):
                attributes = decode_rsa_private_key(der)
            else:
                attributes = decode_ec_private_key(der)
            attributes.update(
                {
                    Attribute.LABEL: label,
                    Attribute.ID: object_id,
                    Attribute.TOKEN: True,
                    Attribute.PRIVATE: True,
                    Attribute.SENSITIVE: True,
                    Attribute.EXTRACTABLE: False,
                    Attribute.SIGN: True,
                }
            )
            session.create_object(attributes)
            for index, cert in enumerate((certificate, *chain)):
                session.create_object(
                    {
                        Attribute.CLASS: ObjectClass.CERTIFICATE,
                        Attribute.CERTIFICATE_TYPE: CertificateType.X_509,
                        Attribute.TOKEN: True,
                        Attribute.LABEL: label if index == 0 else f"{label}-ca-{index}",
                        Attribute.ID: object_id if index == 0 else object_id + bytes([index]),
                        Attribute.SUBJECT: cert.subject.public_bytes(),
                        Attribute.VALUE: cert.public_bytes(Encoding.DER),
                    }
                )
        finally:
            session.close()


@pytest.fixture(scope="session", name="softhsm")
def softhsm_fixture(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SoftHsm]:
    """Import it into a conftest.py to use the ``softhsm`` fixture there."""
    previous = os.environ.get("SOFTHSM2_CONF")
    yield SoftHsm(tmp_path_factory.mktemp("softhsm"))
    if previous is None:
        os.environ.pop("SOFTHSM2_CONF", None)
    else:
        os.environ["SOFTHSM2_CONF"] = previous
