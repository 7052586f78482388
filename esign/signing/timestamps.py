"""Timestamp authorities: several may be configured, tried in order; the one used is recorded.

The development PKI's TSA answers in-process (``certs.PkiFolder.answer_timestamp``), so the
embedded default and the tests reach B-T and above with no network.
"""

from __future__ import annotations

import datetime as dt
import ipaddress
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from asn1crypto import cms, tsp
from pyhanko.sign.timestamps.api import TimeStamper
from pyhanko.sign.timestamps.common_utils import TimestampRequestError

Answer = Callable[[bytes], bytes]


@dataclass(frozen=True)
class TimestampSource:
    """A named TSA: an HTTP URL, or a function over DER (the in-process development TSA)."""

    name: str
    answer: Answer | None = None
    url: str | None = None
    token: str | None = field(default=None, repr=False)
    """A bearer token for a TSA that answers only authenticated clients (our own /pki/tsa)."""

    def stamper(self) -> TimeStamper:
        if self.answer is not None:
            return _InProcessTimeStamper(self.answer)
        from pyhanko.sign.timestamps.requests_client import RequestsHTTPTimeStamper

        headers = {"Authorization": f"Bearer {self.token}"} if self.token else None
        return RequestsHTTPTimeStamper(self.url, timeout=10, headers=headers)


def _origin(url: str) -> tuple[str, str, int | None]:
    parts = urlsplit(url)
    default = {"http": 80, "https": 443}.get(parts.scheme)
    return parts.scheme, (parts.hostname or "").lower(), parts.port or default


def _loopback(url: str) -> bool:
    host = urlsplit(url).hostname or ""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def url_sources(
    urls: Sequence[str], *, token: str | None = None, own_url: str | None = None
) -> tuple[TimestampSource, ...]:
    """Sources for configured TSA URLs. ``token`` (for our own /pki/tsa) goes only to URLs on
    ``own_url``'s origin or on loopback: another TSA never sees it."""
    own = _origin(own_url) if own_url else None
    return tuple(
        TimestampSource(
            name=url,
            url=url,
            token=token if token and (_loopback(url) or _origin(url) == own) else None,
        )
        for url in urls
    )


class _InProcessTimeStamper(TimeStamper):
    def __init__(self, answer: Answer) -> None:
        super().__init__()
        self._answer = answer

    async def async_request_tsa_response(self, req: tsp.TimeStampReq) -> tsp.TimeStampResp:
        try:
            return tsp.TimeStampResp.load(self._answer(req.dump()))
        except Exception as exc:  # the source is ours, but a TSA failure must fall through
            raise TimestampRequestError(f"timestamp authority failed: {exc}") from exc


class FallbackTimeStamper(TimeStamper):
    """Asks each source in order until one answers; ``used`` names it. One per signature."""

    def __init__(self, sources: Sequence[TimestampSource]) -> None:
        super().__init__()
        if not sources:
            raise ValueError("no timestamp source")
        self._sources = [(s.name, s.stamper()) for s in sources]
        self.used: str | None = None
        self.failures: list[str] = []

    async def async_timestamp(self, message_digest: bytes, md_algorithm: str) -> cms.ContentInfo:
        for name, stamper in self._sources:
            try:
                token = await stamper.async_timestamp(message_digest, md_algorithm)
            except (TimestampRequestError, OSError, ValueError) as exc:
                self.failures.append(f"{name}: {exc}")
                continue
            self.used = name
            return token
        raise TimestampRequestError("no timestamp authority answered: " + "; ".join(self.failures))


def token_time(token: cms.ContentInfo) -> dt.datetime:
    info = token["content"]["encap_content_info"]["content"].parsed
    when: dt.datetime = info["gen_time"].native
    return when
