"""The service's process-wide objects: settings, database, catalog, and the keys it signs
with. Built once per process (API worker or CLI command) and passed down; workflows still take
plain arguments. Keys and signers are loaded on first use and kept for the process's life."""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING

from receipts.catalog import Catalog, default_catalog

from .config import Settings
from .db import Database
from .errors import ConfigurationError
from .signing.levels import PadesLevel

if TYPE_CHECKING:
    from certs import PkiFolder
    from esign.seal import Keyring
    from esign.signing.sign import DocumentSigner
    from esign.signing.timestamps import TimestampSource
    from esign.signing.verify import TrustConfig


def _stamp(path: Path) -> tuple[int, int, int] | None:
    try:
        st = path.stat()
    except OSError:
        return None
    return (st.st_mtime_ns, st.st_size, st.st_ino)


def _folder_stamp(folder: Path) -> tuple[tuple[int, int, int] | None, ...]:
    """What a revocation or an import changes in a PKI folder (``certs.layout``)."""
    crl = folder / "crl"
    crls = sorted(crl.glob("*.crl")) if crl.is_dir() else []
    return tuple(_stamp(p) for p in (folder / "manifest.json", folder / "revocations.json", *crls))


@dataclass
class Service:
    settings: Settings
    db: Database
    catalog: Catalog
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)
    _keyring_lock: threading.Lock = field(default_factory=threading.Lock, repr=False)
    _keyring: Keyring | None = field(default=None, repr=False)
    _keyring_stamp: tuple[int, int, int] | None = field(default=None, repr=False)
    _trust: TrustConfig | None = field(default=None, repr=False)
    _trust_stamp: tuple[tuple[int, int, int] | None, ...] = field(default=(), repr=False)

    @classmethod
    def from_settings(cls, settings: Settings, *, migrate: bool = True) -> Service:
        settings.data_dir.mkdir(parents=True, exist_ok=True)
        db = Database(settings.effective_database_url)
        if migrate:
            db.migrate()
        return cls(settings=settings, db=db, catalog=default_catalog(settings.province))

    @cached_property
    def pki(self) -> PkiFolder:
        from certs import CertsError, open_pki_folder

        try:
            return open_pki_folder(self.settings.data_dir / "pki")
        except CertsError as exc:
            raise ConfigurationError(
                "Chưa có hạ tầng khóa trong thư mục dữ liệu: chạy `esign certs init`",
                "No PKI in the data folder: run `esign certs init`",
            ) from exc

    @property
    def keyring(self) -> Keyring:
        """The seal keys as the folder holds them now: loaded again when ``published.json``
        changed (one ``stat`` per use), so a key rotated or withdrawn by any process (``esign
        seal``, another worker) is never used to seal again; created on first use."""
        from esign.seal import PUBLISHED_FILE, Keyring

        folder = self.settings.data_dir / "seal"
        with self._keyring_lock:
            stamp = _stamp(folder / PUBLISHED_FILE)
            if self._keyring is None or stamp is None or stamp != self._keyring_stamp:
                self._keyring = Keyring.load_or_create(folder)
                self._keyring_stamp = _stamp(folder / PUBLISHED_FILE)
            return self._keyring

    @property
    def signing_level(self) -> PadesLevel:
        return self.settings.signing_level

    def timestamp_sources(self) -> tuple[TimestampSource, ...]:
        from esign.signing.pki import dev_timestamp_source
        from esign.signing.timestamps import url_sources

        s = self.settings
        if s.timestamp_urls:
            token = s.timestamp_token.get_secret_value() if s.timestamp_token else None
            return url_sources(s.timestamp_urls, token=token, own_url=s.public_url)
        return (dev_timestamp_source(self.pki),)

    @cached_property
    def seal_signer(self) -> DocumentSigner:
        """The ward's certification signer for receipts, built once."""
        from certs import Role
        from esign.signing.pki import make_signer
        from esign.units import current_unit

        with self._lock:
            pki = self.pki
            store = pki.key_store(pki.only(Role.SEAL))
            return make_signer(
                pki,
                store,
                level=self.signing_level,
                timestamp_sources=self.timestamp_sources(),
                location=current_unit(self.settings).signing_location,
            )

    @property
    def trust(self) -> TrustConfig:
        """The verifier's roots, CAs and CRLs as the PKI folder holds them now: built again when
        its manifest, register or a CRL changed (a few ``stat`` calls per use), so a certificate
        revoked by another process or host (the folder is shared) is refused here at once."""
        from esign.signing.pki import trust_config

        folder = self.settings.data_dir / "pki"
        with self._keyring_lock:
            stamp = _folder_stamp(folder)
            if self._trust is None or stamp != self._trust_stamp:
                self._trust = trust_config(self.pki)
                self._trust_stamp = stamp
            return self._trust

    def close(self) -> None:
        self.db.dispose()
