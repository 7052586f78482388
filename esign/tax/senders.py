"""Where the outbox sends a report: a folder by default, a tax-authority client later.

A sender takes one :class:`OutgoingReport` and either returns a reference (what the receiving
end called it) or raises :class:`SendError` with a message the administrator can act on. The
outbox records either outcome; a sender never touches the database.

:class:`FolderSender` writes ``<reference>.xml`` and ``<reference>.xlsx`` atomically (a
temporary file in the same folder, flushed and fsynced, then ``os.replace``): a reader of the
folder (a person, a sync job to the authority's portal) never sees half a file, and a second
send of the same report replaces it with identical bytes.
"""

from __future__ import annotations

import os
import re
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from ..errors import TaxSendError

SendError = TaxSendError
"""What a sender raises (``esign.errors.TaxSendError``)."""


@dataclass(frozen=True, slots=True, kw_only=True)
class OutgoingReport:
    reference: str
    """Unique per report: ``01-TH-BLDT_2026-12-02_1``."""
    kind: str
    xml: bytes
    xlsx: bytes


class TaxSender(Protocol):
    @property
    def name(self) -> str: ...

    def send(self, report: OutgoingReport) -> str:
        """Deliver ``report``; return the receiving end's reference, or raise SendError."""
        ...


_SAFE = re.compile(r"[^A-Za-z0-9._-]")


def file_stem(reference: str) -> str:
    return _SAFE.sub("_", reference)


def _write_atomically(path: Path, data: bytes) -> None:
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


@dataclass(frozen=True, slots=True)
class FolderSender:
    folder: Path
    name: str = "folder"

    def send(self, report: OutgoingReport) -> str:
        stem = file_stem(report.reference)
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            # The workbook first: the XML (what a sync job picks up) appears last.
            _write_atomically(self.folder / f"{stem}.xlsx", report.xlsx)
            _write_atomically(self.folder / f"{stem}.xml", report.xml)
        except OSError as exc:
            raise SendError(
                f"Không ghi được vào thư mục {self.folder}: {exc.strerror}",
                f"cannot write to {self.folder}: {exc.strerror}",
            ) from exc
        return str(self.folder / f"{stem}.xml")


OUTBOX_FOLDER = "tax-outbox"
"""Under the data folder: where the default sender writes the reports."""


def default_sender(data_dir: Path) -> FolderSender:
    """The folder sender over ``<data folder>/tax-outbox`` (until a tax-authority client)."""
    return FolderSender(data_dir / OUTBOX_FOLDER)
