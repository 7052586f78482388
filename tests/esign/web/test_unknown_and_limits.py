"""Unknown tokens all get one answer; the rate limit answers 429 beyond its budget."""

from __future__ import annotations

import asyncio
import random
import string
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import func, select
from starlette.types import ASGIApp, Message, Scope

from esign.db.models import ScanRecord
from esign.web import flush_scans
from esign.web.ratelimit import RateLimiter, client_key

from .conftest import Web

URLSAFE = string.ascii_letters + string.digits + "-_"
ALPHABETS = [
    URLSAFE,
    string.digits,
    string.hexdigits,
    string.printable,  # spaces, '/', '?', '#', '%', '.', control characters
    "ăâđêôơưàảãáạằẳẵắặầẩẫấậèẻẽéẹềểễếệìỉĩíịòỏõóọồổỗốộờởỡớợùủũúụừửữứựỳỷỹýỵ🙂\u200b\x00/",
]


def _quote(token: str) -> str:
    """Percent-encode every character but letters, digits, '-' and '_' (so '.' and '..' stay
    tokens instead of becoming dot segments that the client would resolve away)."""
    return "".join(
        c
        if c.isascii() and (c.isalnum() or c in "-_")
        else "".join(f"%{b:02X}" for b in c.encode())
        for c in token
    )


async def _asgi_get(app: ASGIApp, path: str) -> tuple[int, bytes, str | None]:
    """GET ``path`` (already decoded, as a server hands it on) from an ASGI app: status, body,
    content type."""
    scope: Scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "GET",
        "scheme": "http",
        "path": path,
        "raw_path": _quote(path).encode(),
        "root_path": "",
        "query_string": b"",
        "headers": [(b"host", b"testserver")],
        "client": ("198.51.100.1", 50000),
        "server": ("testserver", 80),
    }
    start: dict[str, Any] = {}
    body: list[bytes] = []

    async def receive() -> Message:
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message: Message) -> None:
        if message["type"] == "http.response.start":
            start.update(message)
        elif message["type"] == "http.response.body":
            body.append(message.get("body", b""))

    await app(scope, receive, send)
    types = [v.decode() for k, v in start["headers"] if k == b"content-type"]
    return start["status"], b"".join(body), types[0] if types else None


def _random_tokens(real: str, n: int) -> list[str]:
    rng = random.Random(20261127)
    tokens = [
        "",
        ".",
        "..",
        "/",
        "a/b",
        "%",
        "\x00",
        real + "/",
        real + "x",
        real[:-1],
        real.upper(),
    ]
    tokens += ["A" * 16, "A" * 64, "A" * 65, real[::-1]]
    while len(tokens) < n:
        kind = rng.random()
        if kind < 0.3:  # shaped exactly like ours: 22 URL-safe characters
            tokens.append("".join(rng.choices(URLSAFE, k=22)))
        elif kind < 0.45:  # valid-looking, any allowed length
            tokens.append("".join(rng.choices(URLSAFE, k=rng.randint(16, 64))))
        else:
            alphabet = rng.choice(ALPHABETS)
            tokens.append("".join(rng.choices(alphabet, k=rng.randint(0, 120))))
    # /v/<x>/pdf is the download (same answer, but not a scan): keep to the page itself.
    return [t for t in tokens if not t.endswith("/pdf") and t != real][:n]


def test_ten_thousand_random_tokens_get_the_same_answer(web_sqlite: Web) -> None:
    web = web_sqlite
    real = web.issue()
    web.service.settings.rate_limit_per_minute = 1_000_000
    reference = web.client.get("/v/AAAAAAAAAAAAAAAAAAAAAA")
    assert reference.status_code == 404 and "Không tìm thấy văn bản" in reference.text
    assert "AAAAAAAAAAAAAAAAAAAAAA" not in reference.text
    tokens = _random_tokens(real.token, 10_000)
    assert len(tokens) == 10_000 and len(set(tokens)) > 9_900

    # TestClient hops threads several times a request (~5 ms here), httpx's ASGI transport
    # parses URLs (~0.7 ms): the same app called as ASGI directly does 10,000 in seconds.
    async def run() -> list[tuple[int, bytes, str | None]]:
        return [await _asgi_get(web.client.app, "/v/" + token) for token in tokens]

    answers = asyncio.run(run())
    odd = [
        (t, a[0]) for t, a in zip(tokens, answers, strict=True) if a[:2] != (404, reference.content)
    ]
    assert not odd, odd[:5]
    assert {a[2] for a in answers} == {reference.headers["content-type"]}
    flush_scans(web.client.app)  # scans are written in batches, after the answer
    with web.service.db.reading() as s:
        counts = dict(
            s.execute(select(ScanRecord.result, func.count()).group_by(ScanRecord.result)).all()
        )
        assert s.scalar(select(func.max(func.length(ScanRecord.token)))) == 64
    assert set(counts) == {"unknown", "malformed"} and sum(counts.values()) == 10_001
    # And the real one still answers.
    assert web.client.get(f"/v/{real.token}").status_code == 200


def test_rate_limit_answers_429_beyond_its_budget(web_sqlite: Web) -> None:
    web = web_sqlite
    r = web.issue()
    web.service.settings.rate_limit_per_minute = 5
    for _ in range(5):
        assert web.client.get(f"/v/{r.token}").status_code == 200
    refused = web.client.get(f"/v/{r.token}")
    assert refused.status_code == 429
    assert "Bạn đã tra cứu quá nhiều lần trong thời gian ngắn" in refused.text
    assert 1 <= int(refused.headers["retry-after"]) <= 12
    assert refused.headers["content-security-policy"]
    assert "Too many requests" in web.client.get(f"/v/{r.token}?lang=en").text
    # The other public endpoints share the budget; the API answers in JSON.
    api = web.client.post("/api/v1/verify", content=b"%PDF-1.7")
    assert api.status_code == 429 and api.json()["error"]["code"] == "rate_limited"
    assert "quá nhiều lần" in api.json()["error"]["message_vi"]
    assert web.client.get(f"/v/{r.token}/pdf").status_code == 429
    assert web.client.post(f"/v/{r.token}/seal", json={"seal": r.seal}).status_code == 429
    # Refused requests are not scans; another address has its own budget.
    flush_scans(web.client.app)
    with web.service.db.reading() as s:
        assert s.scalar(select(func.count()).select_from(ScanRecord)) == 5
    other = TestClient(web.client.app, client=("203.0.113.7", 50000))
    assert other.get(f"/v/{r.token}").status_code == 200
    # Static files and the keys are not limited: a page view needs them.
    assert web.client.get("/.well-known/esign-seal-keys.json").status_code == 200


def test_token_bucket_refills() -> None:
    now = [1000.0]
    limiter = RateLimiter(60, clock=lambda: now[0])  # one a second, 60 at once
    assert all(limiter.take("a") == 0 for _ in range(60))
    assert limiter.take("a") > 0 and limiter.take("b") == 0
    now[0] += 1.0
    assert limiter.take("a") == 0 and limiter.take("a") > 0
    assert limiter.take("a", cost=10) == 10.0  # ten seconds to earn ten tokens
    assert RateLimiter.retry_after(0.2) == 1


def test_token_bucket_memory_is_bounded() -> None:
    limiter = RateLimiter(10, max_clients=100)
    for i in range(1000):
        limiter.take(f"10.0.{i // 256}.{i % 256}")
    assert len(limiter._buckets) == 100


def test_client_key() -> None:
    assert client_key("192.0.2.1") == "192.0.2.1"
    assert client_key("::ffff:192.0.2.1") == "192.0.2.1"
    # One subscriber's IPv6 /64 is one client.
    assert client_key("2001:db8:1:2:aaaa::1") == client_key("2001:db8:1:2:bbbb::2")
    assert client_key("2001:db8:1:2::1") != client_key("2001:db8:1:3::1")
    assert client_key(None) == "-" and client_key("testclient") == "testclient"
