"""An administrator cannot bind just any certificate to an official (issue 12): not one from
an untrusted CA, without non-repudiation, expired, the ward's own seal or TSA, or another
user's; one that does not name the official waits for a second administrator."""

from __future__ import annotations

import pytest
from cryptography.hazmat.primitives.serialization import Encoding

from esign.db.models import UserRole
from esign.workflows.actors import SYSTEM
from esign.workflows.users import create_user

from .conftest import PASSWORD, Api


def _pem(api: Api, name: str) -> str:
    return api.service.pki.certificate(name).public_bytes(Encoding.PEM).decode()


def _bind(api: Api, who: str, name: str, admin: str = "admin") -> tuple[int, str]:
    r = api.login(admin).put(
        f"/api/v1/users/{api.users[who]}/certificate", json={"certificate_pem": _pem(api, name)}
    )
    return r.status_code, r.text


@pytest.mark.parametrize(
    ("name", "code"),
    [
        ("stranger-official", "certificate_refused"),  # another root
        ("no-nonrep-official", "certificate_refused"),
        ("expired-official", "certificate_refused"),
        ("future-official", "certificate_refused"),
        ("seal", "service_certificate"),
        ("tsa", "service_certificate"),
    ],
)
def test_certificates_no_official_may_hold(api: Api, name: str, code: str) -> None:
    status, text = _bind(api, "tuphap", name)
    assert status in (409, 422) and code in text, text


def test_one_certificate_one_user_and_the_name_must_match(api: Api) -> None:
    assert _bind(api, "tuphap", "judicial-officer")[0] == 200
    status, text = _bind(api, "chutich", "judicial-officer")
    assert status == 409 and "certificate_taken" in text
    assert _bind(api, "chutich", "chairman")[0] == 200
    # The vice-chairman's certificate names Lê Thị Thu Hà, not the chairman: held.
    with api.service.db.transaction() as s:
        second = create_user(
            s,
            SYSTEM,
            username="admin2",
            full_name="Quản trị 2",
            role=UserRole.ADMIN,
            password=PASSWORD,
        )
        api.users["admin2"] = second.id
    status, text = _bind(api, "chutich", "vice-chairman")
    assert status == 202, text
    me = api.login("admin").get("/api/v1/users").json()["data"]
    chairman = next(u for u in me if u["username"] == "chutich")
    assert chairman["certificate_sha256"] is not None  # still the old one
    url = f"/api/v1/users/{api.users['chutich']}/certificate/confirm"
    assert api.login("admin").post(url).status_code == 409  # not by the one who proposed it
    confirmed = api.login("admin2").post(url)
    assert confirmed.status_code == 200, confirmed.text
    assert confirmed.json()["certificate_sha256"] != chairman["certificate_sha256"]
    assert api.login("admin2").post(url).status_code == 404  # nothing pending any more
