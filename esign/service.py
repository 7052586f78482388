"""The service's process-wide objects: settings, database, catalog. Built once per process (API
worker or CLI command) and passed down; workflows still take plain arguments."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from receipts.catalog import Catalog, default_catalog

from .config import Settings
from .db import Database


@dataclass
class Service:
    settings: Settings
    db: Database
    catalog: Catalog
    extras: dict[str, Any] = field(default_factory=dict)
    """Lazily built parts (signers, PKI handles), cached for the life of the process."""

    @classmethod
    def from_settings(cls, settings: Settings, *, migrate: bool = True) -> Service:
        settings.data_dir.mkdir(parents=True, exist_ok=True)
        db = Database(settings.effective_database_url)
        if migrate:
            db.migrate()
        return cls(settings=settings, db=db, catalog=default_catalog(settings.province))

    def close(self) -> None:
        self.db.dispose()
