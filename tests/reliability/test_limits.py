"""Request limits: body size and JSON depth on every JSON endpoint, integer and date bounds
(a caller's value out of range is 422, never 500)."""

from __future__ import annotations

import json
import resource
import socket
import threading

import pytest

from esign.app import create_app
from esign.http.limits import JSON_DEPTH, JSON_LIMIT, json_depth
from tests.esign.api.conftest import Api
from tests.esign.web.server import free_port, serve

BIG = 2**63


@pytest.mark.parametrize(
    ("text", "depth"),
    [
        ('{"a": [1, {"b": 2}]}', 3),
        ('"[[[[["', 0),
        (r'{"a": "\"[[[", "b": [[]]}', 3),
        (r'["\\", [[]]]', 3),
        ("[" * 40 + "]" * 40, 40),
        ("1", 0),
    ],
)
def test_json_depth_skips_strings(text: str, depth: int) -> None:
    assert json_depth(text.encode()) == depth


@pytest.mark.parametrize(
    "path",
    ["/api/v1/receipts", "/api/v1/auth/login", "/api/v1/dossiers", "/api/v1/results"],
)
def test_large_and_deep_json_refused_before_the_route(api: Api, path: str) -> None:
    clerk = api.login("clerk")
    big = json.dumps({"payer_name": "x" * (JSON_LIMIT + 10)})
    r = clerk.post(path, content=big, headers={"content-type": "application/json"})
    assert r.status_code == 413 and r.json()["error"]["code"] == "payload_too_large"
    # Without Content-Type FastAPI parses JSON too: the same cap applies.
    r = clerk.post(path, content=big.encode())
    assert r.status_code == 413
    # A chunked body (no Content-Length) is cut off while it streams.
    r = clerk.post(
        path,
        content=iter([b'{"payer_name": "', b"x" * JSON_LIMIT, b'"}']),
        headers={"content-type": "application/json"},
    )
    assert r.status_code == 413
    deep = "[" * (JSON_DEPTH + 1) + "]" * (JSON_DEPTH + 1)
    r = clerk.post(path, content=deep, headers={"content-type": "application/json"})
    assert r.status_code == 422 and r.json()["error"]["code"] == "json_too_deep"
    # 100,000 levels: Python's parser would end in RecursionError (a 500 before).
    deeper = "[" * 100_000 + "]" * 100_000
    r = clerk.post(path, content=deeper, headers={"content-type": "application/json"})
    assert r.status_code == 422


def test_a_normal_body_still_passes(api: Api) -> None:
    clerk = api.login("clerk")
    r = clerk.post(
        "/api/v1/receipts",
        json={
            "payer_name": "Bùi Thị Trang",
            "payer_address": "Văn An",
            "payment_method": "cash",
            "fees": {"procedure_code": "CT-BS", "pages": 1, "copies": 1},
        },
    )
    assert r.status_code == 201, r.text


def _stream_chunked(port: int, path: str, total: int, answers: list[bytes]) -> None:
    """POST ``total`` bytes of JSON chunked; keep the server's first answer line."""
    with socket.create_connection(("127.0.0.1", port), timeout=30) as sock:
        sock.sendall(
            f"POST {path} HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
            "Transfer-Encoding: chunked\r\n\r\n".encode()
        )
        chunk = b"[" + b"1," * (512 * 1024)
        sent = 0
        try:
            while sent < total:
                sock.sendall(f"{len(chunk):x}\r\n".encode() + chunk + b"\r\n")
                sent += len(chunk)
        except OSError:
            pass  # the server answered 413 and closed: what we want
        try:
            answers.append(sock.recv(200))
        except OSError:
            answers.append(b"")


def test_eight_100_mb_bodies_do_not_take_the_memory(api: Api) -> None:
    app = create_app(service=api.service)
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss  # KiB
    answers: list[bytes] = []
    port = free_port()
    with serve(app, port):
        threads = [
            threading.Thread(
                target=_stream_chunked, args=(port, "/api/v1/receipts", 100 * 2**20, answers)
            )
            for _ in range(8)
        ]
        for t in threads:
            t.start()
        for t in threads:
            t.join(60)
    grown_mb = (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before) / 1024
    assert len(answers) == 8
    assert all(a.startswith(b"HTTP/1.1 413") for a in answers), answers
    assert grown_mb < 100, grown_mb


def test_out_of_range_ids_offsets_and_dates_are_422(api: Api) -> None:
    clerk = api.login("clerk", raise_server_exceptions=False)
    admin = api.login("admin", raise_server_exceptions=False)
    for client, path, params in [
        (clerk, f"/api/v1/receipts/{BIG}", {}),
        (clerk, f"/api/v1/receipts/{BIG}/pdf", {}),
        (clerk, "/api/v1/receipts", {"offset": str(BIG)}),
        (clerk, "/api/v1/receipts", {"issued_from": "0001-01-01"}),
        (clerk, "/api/v1/receipts", {"issued_to": "9999-12-31"}),
        (clerk, f"/api/v1/dossiers/{BIG}", {}),
        (clerk, "/api/v1/dossiers", {"offset": str(BIG)}),
        (admin, "/api/v1/users", {"offset": str(BIG)}),
    ]:
        r = client.get(path, params=params)
        assert r.status_code in (404, 422), (path, params, r.status_code, r.text)
        assert r.status_code != 500
    r = clerk.get(f"/api/v1/receipts/{BIG}")
    assert r.status_code == 422 and r.json()["error"]["code"] == "value_out_of_range"
    r = clerk.get("/api/v1/receipts", params={"issued_from": "0001-01-01"})
    assert r.status_code == 422, r.text
