"""A verifier that cannot be fooled: every tampered file is reported not valid, with a reason."""

from __future__ import annotations

import io
from collections.abc import Callable

import pytest
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.sign import fields, signers

from certs import PkiFolder
from esign.signing.report import Indication, Verdict
from esign.signing.sign import DocumentSigner, PadesLevel
from esign.signing.signer import StoreSigner
from esign.signing.verify import TrustConfig, verify

from . import tampering
from .conftest import RECEIPT_BOX


@pytest.fixture(scope="module")
def signed_receipt(make_signer: Callable[..., DocumentSigner], receipt_pdf: bytes) -> bytes:
    return make_signer("seal", PadesLevel.B_T).certify(receipt_pdf, place=RECEIPT_BOX).pdf


def test_untampered_is_valid(signed_receipt: bytes, trust: TrustConfig) -> None:
    assert verify(signed_receipt, trust=trust, isolate=False).verdict is Verdict.VALID


@pytest.mark.parametrize(
    ("tamper", "expected_sub"),
    [
        (tampering.flip_byte_in_signed_range, "HASH_FAILURE"),
        (tampering.add_content, "DISALLOWED_CHANGES"),
        (tampering.add_page, "DISALLOWED_CHANGES"),
        (tampering.add_annotation, "DISALLOWED_CHANGES"),
        (tampering.add_form_field, "DISALLOWED_CHANGES"),
        (tampering.zero_contents, None),
        (tampering.shorten_byte_range, None),
        (tampering.overlap_byte_range, None),
        (tampering.append_after_eof, None),
    ],
    ids=lambda v: getattr(v, "__name__", str(v)),
)
def test_tampering_is_not_valid(
    signed_receipt: bytes,
    trust: TrustConfig,
    tamper: Callable[[bytes], bytes],
    expected_sub: str | None,
) -> None:
    tampered = tamper(signed_receipt)
    assert tampered != signed_receipt
    report = verify(tampered, trust=trust, isolate=False)
    assert report.verdict is not Verdict.VALID, report
    assert report.message_vi and report.message_en
    if expected_sub is not None:
        (sig,) = report.signatures
        assert sig.indication is Indication.TOTAL_FAILED
        assert sig.sub_indication == expected_sub, sig


def test_appended_bytes_are_named(signed_receipt: bytes, trust: TrustConfig) -> None:
    report = verify(tampering.append_after_eof(signed_receipt), trust=trust, isolate=False)
    assert report.verdict is Verdict.INVALID
    assert "%%EOF" in report.message_vi


def _sign_bypassing_checks(  # type: ignore[no-untyped-def]
    pdf: bytes, store, *, field: str = "Other", certify: bool = False, drop_docmdp: bool = False
) -> bytes:
    """Sign as an attacker's tool would: no certificate check, and, with ``drop_docmdp``, the
    certification's "no changes" removed first so pyHanko agrees to sign at all."""
    w = IncrementalPdfFileWriter(io.BytesIO(pdf), strict=False)
    if drop_docmdp:
        del w.root["/Perms"]
        w.update_root()
    meta = signers.PdfSignatureMetadata(
        field_name=field, certify=certify, subfilter=fields.SigSeedSubFilter.PADES
    )
    out = signers.PdfSigner(
        meta,
        signer=StoreSigner(store),
        new_field_spec=fields.SigFieldSpec(field, box=(40, 300, 240, 350)),
    ).sign_pdf(w)
    signed: bytes = out.getvalue()
    return signed


def test_second_signature_by_an_untrusted_key_on_a_receipt(
    signed_receipt: bytes, trust: TrustConfig, shared_folder: PkiFolder
) -> None:
    twice = _sign_bypassing_checks(
        signed_receipt, shared_folder.key_store("stranger-official"), drop_docmdp=True
    )
    report = verify(twice, trust=trust, isolate=False)
    assert report.verdict is Verdict.INVALID
    first, second = report.signatures
    assert first.sub_indication == "DISALLOWED_CHANGES"  # the receipt allowed no changes
    assert second.indication is Indication.INDETERMINATE
    assert second.sub_indication == "NO_CERTIFICATE_CHAIN_FOUND"


def test_second_signature_by_an_untrusted_key_on_a_result(
    make_signer: Callable[..., DocumentSigner], trust: TrustConfig, shared_folder: PkiFolder
) -> None:
    from esign.signing.sign import field_name_for, prepare_approval_fields

    from .conftest import RESULT_PLACES, simple_pdf

    prepared = prepare_approval_fields(simple_pdf("GIẤY XÁC NHẬN"), RESULT_PLACES)
    first = make_signer("judicial-officer").approve(
        prepared, field_name=field_name_for(1, "judicial_officer"), role="judicial_officer"
    )
    # The chairman's field, signed with a key from an unrelated CA.
    w = IncrementalPdfFileWriter(io.BytesIO(first.pdf), strict=False)
    meta = signers.PdfSignatureMetadata(
        field_name=field_name_for(2, "chairman"), subfilter=fields.SigSeedSubFilter.PADES
    )
    forged = signers.PdfSigner(
        meta, signer=StoreSigner(shared_folder.key_store("stranger-official"))
    )
    pdf = forged.sign_pdf(w, existing_fields_only=True).getvalue()
    report = verify(pdf, trust=trust, isolate=False)
    assert report.verdict is Verdict.INVALID
    assert report.signatures[0].indication is Indication.TOTAL_PASSED
    assert report.signatures[1].sub_indication == "NO_CERTIFICATE_CHAIN_FOUND"
    assert report.signatures[1].signer_name == "Ngô Thị Thu"


@pytest.mark.parametrize(
    ("name", "sub"),
    [
        ("revoked-official", "REVOKED_NO_POE"),
        ("expired-official", None),
        ("stranger-official", "NO_CERTIFICATE_CHAIN_FOUND"),
        ("future-official", None),
    ],
)
def test_bad_certificates_are_not_valid(
    name: str, sub: str | None, receipt_pdf: bytes, trust: TrustConfig, shared_folder: PkiFolder
) -> None:
    pdf = _sign_bypassing_checks(receipt_pdf, shared_folder.key_store(name), certify=True)
    report = verify(pdf, trust=trust, isolate=False)
    assert report.verdict is Verdict.INVALID
    (sig,) = report.signatures
    assert sig.indication is not Indication.TOTAL_PASSED
    if sub is not None:
        assert sig.sub_indication == sub
    assert sig.message_vi and sig.message_en


def test_our_signer_refuses_bad_certificates(shared_folder: PkiFolder, receipt_pdf: bytes) -> None:
    from esign.signing import pki as wiring
    from esign.signing.errors import WrongSignerError

    for name in ("revoked-official", "expired-official", "stranger-official", "no-nonrep-official"):
        signer = wiring.make_signer(
            shared_folder, shared_folder.key_store(name), level=PadesLevel.B_B
        )
        with pytest.raises(WrongSignerError) as err:
            signer.certify(receipt_pdf, place=RECEIPT_BOX)
        assert err.value.code == "certificate_refused"
