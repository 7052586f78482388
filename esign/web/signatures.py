"""Who signed a stored document and when, read from the signed PDF itself.

The stored PDF is verified once (in this process: it is our own file) and the summary kept for a
while: a stored document never changes (a result's next signature is a new stored document),
so only the trust in its certificates can move, and ``TTL`` bounds how stale that may be.
"""

from __future__ import annotations

import datetime as dt
import threading
import time
from collections import OrderedDict
from dataclasses import dataclass

from ..service import Service
from ..signing.report import Verdict
from ..workflows.public import document_content

TTL = 600.0
MAX_ENTRIES = 2048


@dataclass(frozen=True, kw_only=True)
class SignerLine:
    name: str | None
    kind: str
    at: dt.datetime | None
    timestamped: bool
    ok: bool
    message_vi: str
    message_en: str


@dataclass(frozen=True, kw_only=True)
class SignatureSummary:
    verdict: Verdict
    lines: tuple[SignerLine, ...]

    @property
    def valid(self) -> bool:
        return self.verdict is Verdict.VALID


class SignatureCache:
    def __init__(self, *, ttl: float = TTL, max_entries: int = MAX_ENTRIES) -> None:
        self.ttl, self.max_entries = ttl, max_entries
        self._entries: OrderedDict[tuple[int, str], tuple[float, SignatureSummary]] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, service: Service, document_id: int, sha256: str) -> SignatureSummary:
        key = (document_id, sha256)
        now = time.monotonic()
        with self._lock:
            hit = self._entries.get(key)
            if hit is not None and now - hit[0] < self.ttl:
                self._entries.move_to_end(key)
                return hit[1]
        summary = _summarise(service, document_id, sha256)
        with self._lock:
            self._entries[key] = (now, summary)
            self._entries.move_to_end(key)
            while len(self._entries) > self.max_entries:
                self._entries.popitem(last=False)
        return summary


def _summarise(service: Service, document_id: int, sha256: str) -> SignatureSummary:
    from ..signing.verify import verify_in_process

    with service.db.reading() as session:
        content = document_content(session, document_id)
    if content is None:
        return SignatureSummary(verdict=Verdict.CANNOT_VERIFY, lines=())
    report = verify_in_process(content, service.trust, expected_sha256=sha256 or None)
    lines = tuple(
        SignerLine(
            name=s.signer_name,
            kind=s.kind,
            at=s.timestamp_time or s.signing_time,
            timestamped=s.timestamp_time is not None,
            ok=s.passed,
            message_vi=s.message_vi,
            message_en=s.message_en,
        )
        for s in report.signatures
    )
    return SignatureSummary(verdict=report.verdict, lines=lines)
