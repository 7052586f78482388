"""The PKI's endpoints, at the URLs written into the certificates: CRLs, CA certificates and
OCSP with no login; the TSA for the service's own authenticated clients only."""

from __future__ import annotations

import base64
import datetime as dt
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import ClassVar
from urllib.parse import quote, urlsplit

import pytest
from asn1crypto import core, tsp
from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509 import ocsp
from cryptography.x509.oid import AuthorityInformationAccessOID
from fastapi.testclient import TestClient

from certs import PkiFolder
from esign.api.routes import pki as pki_routes
from esign.app import create_app
from esign.config import Settings
from esign.db import Database
from esign.db.models import User, UserRole
from esign.service import Service
from esign.signing.timestamps import url_sources
from esign.workflows import certificates as flows
from esign.workflows.actors import SYSTEM, Actor
from esign.workflows.users import create_api_token, create_user
from receipts.catalog import default_catalog
from tests.utils.certs_helpers import IMPRINT, NONCE, ocsp_request, timestamp_request

from .conftest import PASSWORD, Api


@pytest.fixture(scope="module")
def public(pki_template: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Api]:
    """One read-only app for the module, with one user (a signing server's account, for the
    TSA); tests that change the folder use ``api`` (both databases)."""
    data = tmp_path_factory.mktemp("pki-http") / "data"
    shutil.copytree(pki_template, data / "pki")
    db = Database(f"sqlite:///{data / 'esign.sqlite3'}")
    db.migrate()
    service = Service(settings=Settings(data_dir=data), db=db, catalog=default_catalog("HD"))
    with db.transaction() as s:
        user = create_user(
            s,
            SYSTEM,
            username="maychu",
            full_name="Máy chủ ký số",
            role=UserRole.CLERK,
            password=PASSWORD,
        )
        users = {"maychu": user.id}
    with TestClient(create_app(service=service)) as client:
        yield Api(service=service, client=client, users=users)
    db.dispose()


@pytest.fixture(scope="module")
def tokens(public: Api) -> dict[str, str]:
    """API tokens of the signing server's account: one with the scope tsa, one without."""
    out: dict[str, str] = {}
    with public.service.db.transaction() as s:
        user = s.get(User, public.users["maychu"])
        assert user is not None
        for scope in ("tsa", "fees"):
            _, out[scope] = create_api_token(s, Actor.of(user), name=scope, scopes=(scope,))
    return out


TSA_QUERY = {"Content-Type": "application/timestamp-query"}


def _bearer(token: str) -> dict[str, str]:
    return {**TSA_QUERY, "Authorization": f"Bearer {token}"}


OCSP_REQUEST = {"Content-Type": "application/ocsp-request"}


def _path(url: str) -> str:
    assert url.startswith("http://127.0.0.1:8000/pki/"), url
    return urlsplit(url).path


def _ocsp_answer(content: bytes, pki: PkiFolder) -> ocsp.OCSPResponse:
    response = ocsp.load_der_ocsp_response(content)
    assert response.response_status is ocsp.OCSPResponseStatus.SUCCESSFUL
    responder = response.certificates[0]
    key = responder.public_key()
    assert isinstance(key, ec.EllipticCurvePublicKey)
    key.verify(response.signature, response.tbs_response_bytes, ec.ECDSA(hashes.SHA256()))
    assert responder == pki.certificate("ocsp")
    return response


def test_the_urls_in_a_certificate_answer_without_login(public: Api) -> None:
    pki = public.service.pki
    leaf = pki.certificate("judicial-officer")
    points = leaf.extensions.get_extension_for_class(x509.CRLDistributionPoints).value
    crl_url = points[0].full_name[0].value  # type: ignore[index]
    aia = leaf.extensions.get_extension_for_class(x509.AuthorityInformationAccess).value
    urls = {d.access_method: d.access_location.value for d in aia}

    r = public.client.get(_path(crl_url))
    assert r.status_code == 200 and r.headers["content-type"] == "application/pkix-crl"
    crl = x509.load_der_x509_crl(r.content)
    issuer = pki.certificate("issuing-ca")
    assert crl.issuer == issuer.subject and crl.is_signature_valid(issuer.public_key())  # type: ignore[arg-type]
    revoked = crl.get_revoked_certificate_by_serial_number(
        pki.certificate("revoked-official").serial_number
    )
    assert revoked is not None
    assert crl.get_revoked_certificate_by_serial_number(leaf.serial_number) is None
    assert crl.next_update_utc is not None and crl.next_update_utc > dt.datetime.now(dt.UTC)

    r = public.client.get(_path(urls[AuthorityInformationAccessOID.CA_ISSUERS]))
    assert r.status_code == 200 and r.headers["content-type"] == "application/pkix-cert"
    assert x509.load_der_x509_certificate(r.content) == issuer
    assert _path(urls[AuthorityInformationAccessOID.OCSP]) == "/pki/ocsp"

    root = x509.load_der_x509_certificate(public.client.get("/pki/ca/root-ca.cer").content)
    root_crl = x509.load_der_x509_crl(public.client.get("/pki/crl/root-ca.crl").content)
    assert root_crl.is_signature_valid(root.public_key())  # type: ignore[arg-type]


def test_only_the_wards_cas_are_served(public: Api) -> None:
    for path in (
        "/pki/crl/judicial-officer.crl",  # an end entity has no CRL
        "/pki/ca/judicial-officer.cer",
        "/pki/crl/nobody.crl",
        "/pki/ca/..%2Fpassword.cer",
        "/pki/crl/..%2F..%2Fmanifest.json",
    ):
        r = public.client.get(path)
        assert r.status_code == 404, path
        assert r.json()["error"]["code"] in ("not_found", "http_404"), path


def test_a_crl_close_to_its_next_update_is_published_again(
    api: Api, monkeypatch: pytest.MonkeyPatch
) -> None:
    pki = api.service.pki

    def number(der: bytes) -> int:
        crl = x509.load_der_x509_crl(der)
        return crl.extensions.get_extension_for_class(x509.CRLNumber).value.crl_number

    published = pki.crl("issuing-ca")
    assert api.client.get("/pki/crl/issuing-ca.crl").content == published  # fresh: served as is
    later = dt.datetime.now(dt.UTC) + dt.timedelta(days=6)  # a CRL lives 7 days
    assert flows.crl_is_due(published, now=later)
    monkeypatch.setattr(pki_routes, "utcnow", lambda: later)
    served = api.client.get("/pki/crl/issuing-ca.crl").content
    assert number(served) == number(published) + 1 and served == pki.crl("issuing-ca")
    fresh = x509.load_der_x509_crl(served)
    assert fresh.next_update_utc is not None and fresh.next_update_utc > later
    assert fresh.is_signature_valid(pki.certificate("issuing-ca").public_key())  # type: ignore[arg-type]
    # Once re-published it is no longer due: the next fetch gets the same CRL.
    assert api.client.get("/pki/crl/issuing-ca.crl").content == served
    with api.service.db.transaction() as s:
        assert flows.publish_crl_if_due(s, pki, "issuing-ca", now=later) == served


def test_ocsp_post_good_and_revoked(public: Api) -> None:
    pki = public.service.pki
    r = public.client.post(
        "/pki/ocsp", content=ocsp_request(pki, "judicial-officer"), headers=OCSP_REQUEST
    )
    assert r.status_code == 200 and r.headers["content-type"] == "application/ocsp-response"
    good = _ocsp_answer(r.content, pki)
    assert good.certificate_status is ocsp.OCSPCertStatus.GOOD
    assert good.serial_number == pki.certificate("judicial-officer").serial_number
    nonce = good.extensions.get_extension_for_class(x509.OCSPNonce).value.nonce
    assert nonce == NONCE

    r = public.client.post(
        "/pki/ocsp", content=ocsp_request(pki, "revoked-official"), headers=OCSP_REQUEST
    )
    revoked = _ocsp_answer(r.content, pki)
    assert revoked.certificate_status is ocsp.OCSPCertStatus.REVOKED
    assert revoked.revocation_reason is x509.ReasonFlags.key_compromise
    revocation = pki.revocation_of("revoked-official")
    assert revocation is not None and revoked.revocation_time_utc == revocation.revoked_at


def test_ocsp_get_form(public: Api) -> None:
    pki = public.service.pki
    encoded = base64.b64encode(ocsp_request(pki, "revoked-official")).decode()
    r = public.client.get("/pki/ocsp/" + quote(encoded, safe=""))
    assert r.status_code == 200 and r.headers["content-type"] == "application/ocsp-response"
    assert _ocsp_answer(r.content, pki).certificate_status is ocsp.OCSPCertStatus.REVOKED
    # Clients that leave base64's '/' and '+' unescaped are understood too.
    r = public.client.get("/pki/ocsp/" + encoded)
    assert _ocsp_answer(r.content, pki).certificate_status is ocsp.OCSPCertStatus.REVOKED


def test_ocsp_garbage_gets_a_malformed_request_response(public: Api) -> None:
    for r in (
        public.client.post(
            "/pki/ocsp",
            content=b"\x30\x03garbage",
            headers={"Content-Type": "application/ocsp-request"},
        ),
        public.client.post("/pki/ocsp", content=b""),
        public.client.get("/pki/ocsp/not*base64!"),
        public.client.get("/pki/ocsp/" + base64.b64encode(b"\x30\x00").decode()),
    ):
        assert r.status_code == 200 and r.headers["content-type"] == "application/ocsp-response"
        answer = ocsp.load_der_ocsp_response(r.content)
        assert answer.response_status is ocsp.OCSPResponseStatus.MALFORMED_REQUEST


def test_limits_and_media_types_are_clean_json_errors(public: Api, tokens: dict[str, str]) -> None:
    big = public.client.post(
        "/pki/ocsp", content=b"\x30" * 20_000, headers={"Content-Type": "application/ocsp-request"}
    )
    assert big.status_code == 413 and big.json()["error"]["code"] == "payload_too_large"

    def chunks() -> Iterator[bytes]:
        for _ in range(40):
            yield b"\x00" * 1024

    auth = {"Authorization": f"Bearer {tokens['tsa']}"}
    streamed = public.client.post("/pki/tsa", content=chunks(), headers=auth)
    assert streamed.status_code == 413 and "message_vi" in streamed.json()["error"]
    assert public.client.get("/pki/ocsp/" + "A" * 30_000).status_code == 413
    wrong = public.client.post(
        "/pki/tsa", content=b"x", headers={**auth, "Content-Type": "application/json"}
    )
    assert wrong.status_code == 415 and wrong.json()["error"]["code"] == "unsupported_media_type"


class _StatusOnlyResp(core.Sequence):
    _fields: ClassVar = [("status", tsp.PKIStatusInfo)]


def test_timestamp_request_answered_with_a_token(public: Api, tokens: dict[str, str]) -> None:
    r = public.client.post(
        "/pki/tsa", content=timestamp_request(nonce=424242), headers=_bearer(tokens["tsa"])
    )
    assert r.status_code == 200 and r.headers["content-type"] == "application/timestamp-reply"
    response = tsp.TimeStampResp.load(r.content)
    assert response["status"]["status"].native == "granted"
    signed = response["time_stamp_token"]["content"]
    info = signed["encap_content_info"]["content"].parsed
    assert info["message_imprint"]["hashed_message"].native == IMPRINT
    assert info["nonce"].native == 424242
    gen_time = info["gen_time"].native
    assert abs((gen_time - dt.datetime.now(dt.UTC)).total_seconds()) < 60
    tsa_cert = public.service.pki.certificate("tsa")
    signer = signed["signer_infos"][0]
    key = tsa_cert.public_key()
    assert isinstance(key, ec.EllipticCurvePublicKey)
    signed_attrs = b"\x31" + signer["signed_attrs"].dump()[1:]  # signed as a SET (RFC 5652)
    key.verify(signer["signature"].native, signed_attrs, ec.ECDSA(hashes.SHA256()))
    certs = [x509.load_der_x509_certificate(c.chosen.dump()) for c in signed["certificates"]]
    assert certs[0] == tsa_cert


def test_timestamp_garbage_and_refusals_get_a_rejection(
    public: Api, tokens: dict[str, str]
) -> None:
    for body, fail_info in (
        (b"\x30\x05hello", "bad_data_format"),
        (b"", "bad_data_format"),
        (timestamp_request(algorithm="sha1"), "bad_alg"),
    ):
        r = public.client.post("/pki/tsa", content=body, headers=_bearer(tokens["tsa"]))
        assert r.status_code == 200 and r.headers["content-type"] == "application/timestamp-reply"
        status = _StatusOnlyResp.load(r.content)["status"]
        assert status["status"].native == "rejection"
        assert status["fail_info"].native == {fail_info}


def test_the_tsa_refuses_strangers_and_tokens_without_its_scope(
    public: Api, tokens: dict[str, str]
) -> None:
    request = timestamp_request(nonce=777)
    for headers, status, code in (
        (TSA_QUERY, 401, "unauthenticated"),
        ({**TSA_QUERY, "Authorization": "Basic bWF5Y2h1Og=="}, 401, "unauthenticated"),
        (_bearer("esk_not-a-token"), 401, "unauthenticated"),
        (_bearer(tokens["fees"]), 403, "forbidden"),
    ):
        r = public.client.post("/pki/tsa", content=request, headers=headers)
        assert r.status_code == status, (headers, r.text)
        assert r.headers["content-type"].startswith("application/json")
        error = r.json()["error"]
        assert error["code"] == code and error["message_vi"] and error["message_en"]
        # No token was issued: the answer is the JSON error, nothing DER in it.
        assert b"\x30\x82" not in r.content and "time_stamp" not in r.text
    # A staff session (the clerk's pages) is one of the service's own clients too.
    session = TestClient(public.client.app)
    login = session.post("/api/v1/auth/login", json={"username": "maychu", "password": PASSWORD})
    assert login.status_code == 200
    # A POST with the cookie alone is refused (CSRF); with the session's token it is answered.
    assert session.post("/pki/tsa", content=request, headers=TSA_QUERY).status_code == 403
    csrf = {**TSA_QUERY, "X-CSRF-Token": login.headers["X-CSRF-Token"]}
    r = session.post("/pki/tsa", content=request, headers=csrf)
    assert r.status_code == 200
    info = tsp.TimeStampResp.load(r.content)["time_stamp_token"]["content"]
    assert info["encap_content_info"]["content"].parsed["nonce"].native == 777


def test_the_token_goes_only_to_our_own_tsa() -> None:
    urls = [
        "https://vanan.example.vn/pki/tsa",
        "http://127.0.0.1:8000/pki/tsa",
        "http://localhost:9000/pki/tsa",
        "https://tsa.ca-khac.example/tsa",
        "https://vanan.example.vn:8443/pki/tsa",  # another port: another origin
    ]
    sources = url_sources(urls, token="bi-mat", own_url="https://vanan.example.vn")
    assert [s.token is not None for s in sources] == [True, True, True, False, False]
    assert all("bi-mat" not in repr(s) for s in sources)  # never in logs
    assert all(s.token is None for s in url_sources(urls, own_url="https://vanan.example.vn"))


def test_the_service_stamps_its_signatures_through_its_own_http_tsa(
    public: Api, tokens: dict[str, str]
) -> None:
    """ESIGN_TIMESTAMP_URLS pointing at our own /pki/tsa, over real HTTP: with the configured
    token the seal reaches B-T; without it the TSA refuses and so does signing."""
    from esign.errors import SigningError
    from esign.signing.levels import PadesLevel
    from esign.signing.report import Verdict
    from esign.signing.verify import verify
    from receipts.pdf import SignaturePlace
    from tests.esign.signing.conftest import simple_pdf
    from tests.esign.web.server import free_port, serve

    place = SignaturePlace.at("Seal", page_index=0, box=(330, 60, 560, 120))
    with serve(public.client.app, free_port()) as base:  # type: ignore[arg-type]
        url = f"{base}/pki/tsa"

        def service(token: str | None) -> Service:
            settings = Settings(
                data_dir=public.service.settings.data_dir,
                signing_level=PadesLevel.B_T,
                public_url="https://vanan.example.vn",
                timestamp_urls=[url],
                timestamp_token=token,  # type: ignore[arg-type]
            )
            return Service(settings=settings, db=public.service.db, catalog=default_catalog("HD"))

        signed = service(tokens["tsa"]).seal_signer.certify(simple_pdf(), place=place)
        assert signed.level.value == "B-T" and signed.timestamp_authority == url
        report = verify(signed.pdf, trust=public.service.trust, isolate=False)
        assert report.verdict is Verdict.VALID, report.message_en
        assert report.signatures[0].timestamp_time is not None
        with pytest.raises(SigningError) as refused:
            service(None).seal_signer.certify(simple_pdf(), place=place)
        assert refused.value.code == "timestamp_unavailable"
