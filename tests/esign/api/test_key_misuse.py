"""An administrator cannot point a key source at any server file or load any library, and an
official's key password or PIN cannot be guessed at speed (issue 12, "Misuse by a legitimate
user")."""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path

import pytest

from esign.db.types import utcnow
from esign.workflows import throttle

from .conftest import Api
from .test_results_api import officials as officials  # the fixture: keys in pki/keys


def _put(api: Api, body: dict[str, str]) -> tuple[int, str]:
    r = api.login("admin").put(f"/api/v1/users/{api.users['tuphap']}/key-source", json=body)
    return r.status_code, r.text


def test_key_files_only_from_the_key_directory(api: Api) -> None:
    data = api.service.settings.data_dir
    keys = data / "pki" / "keys"
    (data / "outside.p12").write_bytes(b"x")
    os.symlink(data / "outside.p12", keys / "link.p12")
    outside = [
        "/etc/passwd",
        "/nonexistent/secret.p12",
        str(data / "esign.sqlite3"),
        str(data / "outside.p12"),
        str(keys / ".." / "password"),
        "../password",
        "link.p12",  # inside by name, outside once resolved
        str(keys),
    ]
    answers = set()
    for path in outside:
        status, text = _put(api, {"kind": "pkcs12", "path": path})
        assert status == 422 and "key_path_refused" in text, (path, text)
        assert path not in text and str(data) not in text
        answers.add(text)
    assert len(answers) == 1  # the same answer whether the file exists or not: no oracle
    for inside in ("chairman.p12", str(keys / "judicial-officer.p12")):
        assert _put(api, {"kind": "pkcs12", "path": inside})[0] == 204


def test_pkcs11_modules_only_from_the_allow_list(api: Api) -> None:
    body = {"kind": "pkcs11", "token_label": "t", "key_label": "k"}
    allowed = "/usr/lib/softhsm/libsofthsm2.so"
    for module in ("/usr/lib/x86_64-linux-gnu/libc.so.6", "/tmp/evil.so", allowed):
        status, text = _put(api, {**body, "module": module})
        assert status == 422 and "pkcs11_module_refused" in text, (module, text)
    api.service.settings.pkcs11_modules = [Path(allowed)]
    assert _put(api, {**body, "module": allowed})[0] == 204
    assert _put(api, {**body, "module": "/tmp/evil.so"})[0] == 422


def test_a_key_password_cannot_be_guessed_at_speed(
    api: Api, officials: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    officer = api.login("tuphap")

    def sign(secret: str) -> tuple[int, str]:
        r = officer.post("/api/v1/results/sign", json={"result_ids": [1], "secret": secret})
        return r.status_code, r.text

    answers = [sign(f"doan-{i}") for i in range(throttle.FREE + 2)]
    assert [a[0] for a in answers] == [422] * (throttle.FREE + 1) + [429]
    key_dir = str(api.service.settings.data_dir)
    assert all(key_dir not in text and ".p12" not in text for _, text in answers)
    assert sign(officials)[0] == 429  # the right one, too early
    # Every delay waited out: after LOCKOUT wrong guesses the key is locked for good.
    offset = [dt.timedelta(hours=1)]
    monkeypatch.setattr(throttle, "utcnow", lambda: utcnow() + offset[0])
    for i in range(throttle.LOCKOUT):
        offset[0] += dt.timedelta(hours=1)
        sign(f"lai-doan-{i}")
    offset[0] += dt.timedelta(days=30)
    status, text = sign(officials)
    assert status == 429 and '"locked"' in text
    admin = api.login("admin")
    key = f"signkey:{api.users['tuphap']}"
    assert admin.delete(f"/api/v1/lockouts/{key}").status_code == 204
    assert sign(officials)[0] == 200
