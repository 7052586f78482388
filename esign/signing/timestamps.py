"""Timestamp authorities: several may be configured, tried in order; the one used is recorded.

The development PKI's TSA answers in-process (``certs.PkiFolder.answer_timestamp``), so the
embedded default and the tests reach B-T and above with no network.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass

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

    def stamper(self) -> TimeStamper:
        if self.answer is not None:
            return _InProcessTimeStamper(self.answer)
        from pyhanko.sign.timestamps.requests_client import RequestsHTTPTimeStamper

        return RequestsHTTPTimeStamper(self.url, timeout=10)


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
