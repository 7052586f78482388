"""The RFC 3161 timestamp authority, checked by pyHanko's timestamp validation."""

from __future__ import annotations

import asyncio
from datetime import datetime

import pytest
from asn1crypto import cms, core, ocsp, tsp
from pyhanko.sign.validation.generic_cms import validate_tst_signed_data
from pyhanko_certvalidator import ValidationContext

from certs import PkiFolder
from certs.errors import MalformedRequestError
from tests.utils.certs_helpers import IMPRINT, FolderTimeStamper, timestamp_request


def token_of(response: bytes) -> cms.ContentInfo:
    parsed = tsp.TimeStampResp.load(response)
    assert parsed["status"]["status"].native == "granted"
    token: cms.ContentInfo = parsed["time_stamp_token"]
    return token


def rejection_status(response: bytes) -> tsp.PKIStatusInfo:
    # asn1crypto's TimeStampResp wrongly requires a token, so read the SEQUENCE generically.
    outer = core.Sequence.load(response)
    assert len(outer) == 1  # the status, and no token
    return tsp.PKIStatusInfo.load(outer[0].dump())


def test_pyhanko_validates_the_timestamp_token(shared_folder: PkiFolder, now: datetime) -> None:
    async def run() -> dict[str, object]:
        token = await FolderTimeStamper(shared_folder, now).async_timestamp(IMPRINT, "sha256")
        context = ValidationContext(
            trust_roots=list(shared_folder.trust_store().asn1_roots),
            moment=now,
            crls=[shared_folder.crl(), shared_folder.crl("root-ca")],
            revocation_mode="require",
        )
        status: dict[str, object] = await validate_tst_signed_data(
            token["content"], context, lambda _algorithm: IMPRINT
        )
        return status

    status = asyncio.run(run())
    assert status["intact"] is True
    assert status["valid"] is True
    assert status["trust_problem_indic"] is None
    assert status["timestamp"] == now
    signing_cert = status["signing_cert"]
    assert signing_cert.subject == shared_folder.key_store("tsa").asn1_certificate.subject  # type: ignore[attr-defined]


def test_a_wrong_imprint_is_not_intact(shared_folder: PkiFolder, now: datetime) -> None:
    token = token_of(shared_folder.answer_timestamp(timestamp_request(), now=now))
    context = ValidationContext(
        trust_roots=list(shared_folder.trust_store().asn1_roots), moment=now
    )
    status = asyncio.run(
        validate_tst_signed_data(token["content"], context, lambda _a: b"\x00" * 32)
    )
    assert status["intact"] is False


def test_token_fields(shared_folder: PkiFolder, now: datetime) -> None:
    token = token_of(shared_folder.answer_timestamp(timestamp_request(nonce=123456789), now=now))
    signed_data = token["content"]
    info = signed_data["encap_content_info"]["content"].parsed
    assert info["nonce"].native == 123456789
    assert info["policy"].native == "2.999.704.1.1"
    assert info["gen_time"].native == now
    assert info["message_imprint"]["hashed_message"].native == IMPRINT
    certs = [c.chosen for c in signed_data["certificates"]]
    tsa = shared_folder.key_store("tsa").asn1_certificate
    assert [c.dump() for c in certs] == [
        tsa.dump(),
        shared_folder.key_store("tsa").asn1_chain[0].dump(),  # the issuing CA, not the root
    ]
    attrs = {a["type"].native for a in signed_data["signer_infos"][0]["signed_attrs"]}
    assert {"content_type", "message_digest", "signing_certificate_v2"} <= attrs


def test_serial_numbers_differ(shared_folder: PkiFolder, now: datetime) -> None:
    serials = {
        token_of(shared_folder.answer_timestamp(timestamp_request(), now=now))["content"][
            "encap_content_info"
        ]["content"]
        .parsed["serial_number"]
        .native
        for _ in range(5)
    }
    assert len(serials) == 5


def test_cert_req_false_leaves_certificates_out(shared_folder: PkiFolder, now: datetime) -> None:
    token = token_of(
        shared_folder.answer_timestamp(timestamp_request(cert_req=False, nonce=None), now=now)
    )
    assert not token["content"]["certificates"]
    assert token["content"]["encap_content_info"]["content"].parsed["nonce"].native is None


@pytest.mark.parametrize(
    ("changes", "fail_info"),
    [
        ({"algorithm": "sha1"}, "bad_alg"),
        ({"req_policy": "1.2.3.4"}, "unaccepted_policy"),
        (
            {
                "extensions": [
                    {"extn_id": "1.2.3.4.5", "critical": False, "extn_value": b"\x05\x00"}
                ]
            },
            "unaccepted_extensions",
        ),
    ],
)
def test_requests_the_tsa_will_not_serve_are_rejected(
    shared_folder: PkiFolder, now: datetime, changes: dict[str, object], fail_info: str
) -> None:
    req = timestamp_request(**changes)  # type: ignore[arg-type]
    status = rejection_status(shared_folder.answer_timestamp(req, now=now))
    assert status["status"].native == "rejection"
    assert status["fail_info"].native == {fail_info}


def test_imprint_of_the_wrong_length_is_rejected(shared_folder: PkiFolder, now: datetime) -> None:
    req = tsp.TimeStampReq.load(timestamp_request())
    req["message_imprint"]["hashed_message"] = b"\x01" * 20
    status = rejection_status(shared_folder.answer_timestamp(req.dump(), now=now))
    assert status["fail_info"].native == {"bad_data_format"}


@pytest.mark.parametrize(
    "garbage",
    [
        b"",
        b"hello",
        b"\x30\x80\x00",
        ocsp.OCSPRequest({"tbs_request": {"request_list": []}}).dump(),
    ],
)
def test_garbage_is_a_clear_error(shared_folder: PkiFolder, now: datetime, garbage: bytes) -> None:
    with pytest.raises(MalformedRequestError, match="dấu thời gian"):
        shared_folder.answer_timestamp(garbage, now=now)
