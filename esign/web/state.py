"""What the public pages keep per app (on ``app.state``): rate-limit buckets, the signature
summaries of stored documents, the published seal keys, and the verification slots.

None of it is needed for a right answer: a new process starts empty and answers the same.
"""

from __future__ import annotations

import json
import os
import threading
from dataclasses import dataclass, field
from typing import Any

from fastapi import Request

from ..seal import PUBLISHED_FILE, Keyring, PublishedKeys
from ..service import Service
from ..workflows.scan_log import ScanQueue
from .ratelimit import Limiter, make_limiter
from .signatures import SignatureCache

_create_lock = threading.Lock()


@dataclass(frozen=True)
class Published:
    document: dict[str, Any]
    body: bytes
    keys: PublishedKeys


class PublishedKeysCache:
    """The JWK Set as ``published.json`` says now, read again when that file changes.

    ``service.keyring`` is a snapshot taken when first used; a key withdrawn by another process
    (``esign seal withdraw``) must fail seals at once, so the file's stamp is checked on every
    request (one ``stat``) and the set reloaded when it moved.
    """

    def __init__(self) -> None:
        self._stamp: tuple[int, int, int] | None = None
        self._value: Published | None = None
        self._lock = threading.Lock()

    def get(self, service: Service) -> Published:
        folder = service.keyring.folder  # creates the keyring the first time
        try:
            st = os.stat(folder / PUBLISHED_FILE)
            stamp: tuple[int, int, int] | None = (st.st_mtime_ns, st.st_size, st.st_ino)
        except OSError:
            stamp = None
        with self._lock:
            if self._value is not None and stamp is not None and stamp == self._stamp:
                return self._value
        ring = Keyring.load(folder) if stamp is not None else service.keyring
        document = ring.published()
        value = Published(
            document=document,
            body=json.dumps(document, ensure_ascii=False, separators=(",", ":")).encode(),
            keys=ring.published_keys(),
        )
        with self._lock:
            self._stamp, self._value = stamp, value
        return value


def _default_slots() -> threading.BoundedSemaphore:
    return threading.BoundedSemaphore(max(2, os.cpu_count() or 2))


@dataclass
class WebState:
    limiter: Limiter
    signatures: SignatureCache = field(default_factory=SignatureCache)
    keys: PublishedKeysCache = field(default_factory=PublishedKeysCache)
    verify_slots: threading.BoundedSemaphore = field(default_factory=_default_slots)
    """Uploaded PDFs verified at once; each takes a child process and up to a few seconds."""
    rendered: dict[tuple[str, ...], bytes] = field(default_factory=dict)
    """Pages that are the same for everyone (the unknown-token answer), by language."""
    scans: ScanQueue | None = None
    """The scan records waiting for their batch write (made on first scan)."""


def service_of(request: Request) -> Service:
    service: Service = request.app.state.service
    return service


def scans_of(request: Request) -> ScanQueue:
    state = web_state(request)
    if state.scans is None:
        with _create_lock:
            if state.scans is None:
                state.scans = ScanQueue(service_of(request).db)
    return state.scans


def flush_scans(app: object, *, close: bool = False) -> None:
    """Write the queued scan records now (tests; ``close`` at shutdown also stops the thread).
    ``app``: the FastAPI app (typed loosely: a test client's ``app`` is any ASGI callable)."""
    state: WebState | None = getattr(getattr(app, "state", None), "esign_web", None)
    if state is not None and state.scans is not None:
        if close:
            state.scans.close()
        else:
            state.scans.flush()


def web_state(request: Request) -> WebState:
    """This app's state, made on first use; the limiter follows a changed rate setting."""
    service = service_of(request)
    per_minute = service.settings.rate_limit_per_minute
    state: WebState | None = getattr(request.app.state, "esign_web", None)
    if state is None or state.limiter.per_minute != max(1, per_minute):
        with _create_lock:
            state = getattr(request.app.state, "esign_web", None)
            if state is None:
                state = WebState(limiter=make_limiter(service.db, per_minute))
                request.app.state.esign_web = state
            elif state.limiter.per_minute != max(1, per_minute):
                state.limiter = make_limiter(service.db, per_minute)
    return state
