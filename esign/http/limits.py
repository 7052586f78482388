"""Request body limits for every endpoint that parses a body itself (JSON, forms).

FastAPI reads a JSON or form body whole before validating it: without a cap, eight 100 MB
bodies sat in memory at once (1.19 GB resident). This ASGI middleware refuses, before the
route runs:

- a JSON or URL-encoded form body over ``JSON_LIMIT`` (413, ``payload_too_large``), from its
  declared ``Content-Length`` before a byte is read, or while a chunked body streams in;
- JSON nested deeper than ``JSON_DEPTH`` (422, ``json_too_deep``): Python's parser recurses
  and a deep enough document ends in ``RecursionError``;
- a body without ``Content-Type`` (FastAPI parses it as JSON) over the upload limit, or over
  ``JSON_LIMIT`` when it is JSON.

Uploads with their own media type (multipart PDFs, ``application/pdf``, RFC 3161 and OCSP
requests) pass through: their routes cap them while they stream (``esign.web.upload``,
``esign.api.routes.pki``).
"""

from __future__ import annotations

import json
import re
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

from .errors import error_body

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

JSON_LIMIT = 1024 * 1024
"""The largest JSON or form body any endpoint needs (a receipt with 100 lines is ~30 kB)."""
JSON_DEPTH = 32
"""Our schemas nest four levels at most."""
_WITH_BODY = {"POST", "PUT", "PATCH", "DELETE"}
_STRUCTURE = re.compile(rb'[\[\]{}"\\]')


def json_depth(body: bytes) -> int:
    """The deepest nesting of arrays and objects in ``body``, strings skipped (linear, no
    recursion: it runs before the parser that would recurse)."""
    depth = deepest = 0
    in_string = False
    skip = -1
    for m in _STRUCTURE.finditer(body):
        at = m.start()
        if at == skip:
            continue
        c = body[at]
        if in_string:
            if c == 0x5C:  # backslash: the next byte is escaped
                skip = at + 1
            elif c == 0x22:
                in_string = False
        elif c == 0x22:
            in_string = True
        elif c in (0x5B, 0x7B):
            depth += 1
            deepest = max(deepest, depth)
        elif c in (0x5D, 0x7D):
            depth -= 1
    return deepest


def _media_type(scope: Scope) -> str:
    for name, value in scope.get("headers", ()):
        if name == b"content-type":
            return str(value.decode("latin-1").split(";")[0].strip().lower())
    return ""


def _declared_length(scope: Scope) -> int | None:
    for name, value in scope.get("headers", ()):
        if name == b"content-length":
            text = value.decode("latin-1").strip()
            return int(text) if text.isdigit() else None
    return None


class BodyLimits:
    """ASGI middleware: see the module docstring. ``untyped_limit``: the cap of a body without
    ``Content-Type`` (the upload limit: ``POST /api/v1/verify`` takes a bare PDF)."""

    def __init__(self, app: ASGIApp, *, untyped_limit: Callable[[], int]) -> None:
        self.app = app
        self._untyped_limit = untyped_limit

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] not in _WITH_BODY:
            await self.app(scope, receive, send)
            return
        media = _media_type(scope)
        is_json = media == "application/json" or media.endswith("+json")
        if is_json or media == "application/x-www-form-urlencoded":
            limit = JSON_LIMIT
        elif media == "":
            limit = max(JSON_LIMIT, self._untyped_limit())
        else:
            await self.app(scope, receive, send)
            return
        declared = _declared_length(scope)
        if declared is not None and declared > limit:
            await _refuse(send, limit)
            return
        chunks: list[bytes] = []
        size = 0
        while True:
            message = await receive()
            if message["type"] != "http.request":  # the client left
                return
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > limit:
                await _refuse(send, limit)
                return
            chunks.append(chunk)
            if not message.get("more_body", False):
                break
        body = b"".join(chunks)
        looks_json = is_json or (media == "" and body.lstrip()[:1] in (b"{", b"["))
        if looks_json and media == "" and size > JSON_LIMIT:
            await _refuse(send, JSON_LIMIT)
            return
        if looks_json and json_depth(body) > JSON_DEPTH:
            await _answer(
                send,
                422,
                error_body(
                    "json_too_deep",
                    f"Dữ liệu JSON lồng quá {JSON_DEPTH} cấp",
                    f"The JSON nests deeper than {JSON_DEPTH} levels",
                ),
            )
            return
        replayed = False

        async def replay() -> Message:
            nonlocal replayed
            if not replayed:
                replayed = True
                return {"type": "http.request", "body": body, "more_body": False}
            return await receive()

        await self.app(scope, replay, send)


async def _refuse(send: Send, limit: int) -> None:
    await _answer(
        send,
        413,
        error_body(
            "payload_too_large",
            f"Dữ liệu gửi lên vượt quá {limit} byte",
            f"The body exceeds {limit} bytes",
        ),
    )


async def _answer(send: Send, status: int, body: dict[str, object]) -> None:
    data = json.dumps(body, ensure_ascii=False).encode()
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [
                (b"content-type", b"application/json"),
                (b"content-length", str(len(data)).encode()),
                (b"connection", b"close"),
            ],
        }
    )
    await send({"type": "http.response.body", "body": data})


__all__ = ["JSON_DEPTH", "JSON_LIMIT", "BodyLimits", "json_depth"]
