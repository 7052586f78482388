from __future__ import annotations

import io
import subprocess
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.validation import validate_pdf_signature
from pyhanko_certvalidator import ValidationContext

from certs import PkiFolder
from esign.signing import pki as wiring
from esign.signing.errors import FieldOrderError, WrongSignerError
from esign.signing.report import Indication, Verdict
from esign.signing.sign import (
    DocumentSigner,
    PadesLevel,
    field_name_for,
    prepare_approval_fields,
)
from esign.signing.verify import TrustConfig, verify

from .conftest import RESULT_PLACES, simple_pdf

CHAIN = [field_name_for(1, "judicial_officer"), field_name_for(2, "chairman")]


@pytest.fixture(scope="module")
def prepared() -> bytes:
    return prepare_approval_fields(simple_pdf("TRÍCH LỤC KHAI SINH"), RESULT_PLACES)


@pytest.mark.parametrize("level", [PadesLevel.B_B, PadesLevel.B_LT])
def test_two_officials_sign_in_order(
    level: PadesLevel,
    prepared: bytes,
    make_signer: Callable[..., DocumentSigner],
    trust: TrustConfig,
    tmp_path: Path,
    shared_folder: PkiFolder,
) -> None:
    first = make_signer("judicial-officer", level).approve(
        prepared, field_name=CHAIN[0], role="judicial_officer"
    )
    # Half-signed: the first signature is valid, the document awaits the chairman.
    half = verify(first.pdf, trust=trust, isolate=False)
    assert half.verdict is Verdict.INCOMPLETE, half.message_en
    assert half.awaiting == ("Chủ tịch UBND",) and "còn chờ Chủ tịch UBND" in half.message_vi
    assert all(s.passed for s in half.signatures)
    second = make_signer("chairman", level).approve(first.pdf, field_name=CHAIN[1], role="chairman")
    report = verify(second.pdf, trust=trust, isolate=False)
    assert report.verdict is Verdict.VALID, report.message_en
    sigs = [s for s in report.signatures if s.kind != "document_timestamp"]
    assert [s.field_name for s in sigs] == CHAIN
    assert [s.signer_name for s in sigs] == ["Nguyễn Thị Hương", "Trần Văn Minh"]
    assert all(s.indication is Indication.TOTAL_PASSED for s in sigs)
    assert not sigs[0].covers_whole_file  # followed by the chairman's signature
    # pyHanko's own validator agrees for both signatures (revocation required, no network).
    reader = PdfFileReader(io.BytesIO(second.pdf))
    vc_kwargs: dict[str, Any] = {
        "trust_roots": list(shared_folder.trust_store().asn1_roots),
        "crls": list(wiring.crls(shared_folder)),
        "allow_fetching": False,
        "revocation_mode": "require",
    }
    for embedded in reader.embedded_signatures:
        if embedded.sig_object_type == "/Sig":
            status = validate_pdf_signature(embedded, ValidationContext(**vc_kwargs))
            assert status.bottom_line, status.pretty_print_details()
    path = tmp_path / "result.pdf"
    path.write_bytes(second.pdf)
    out = subprocess.run(["pdfsig", str(path)], capture_output=True, text=True, check=False).stdout
    assert out.count("Signature is Valid") == 2, out


def test_out_of_order_and_wrong_role_are_refused(
    prepared: bytes, make_signer: Callable[..., DocumentSigner]
) -> None:
    chairman = make_signer("chairman")
    with pytest.raises(FieldOrderError, match="trước"):
        chairman.approve(prepared, field_name=CHAIN[1], role="chairman")
    with pytest.raises(WrongSignerError):
        chairman.approve(prepared, field_name=CHAIN[0], role="chairman")
    first = make_signer("judicial-officer").approve(
        prepared, field_name=CHAIN[0], role="judicial_officer"
    )
    with pytest.raises(FieldOrderError, match="đã được ký"):
        make_signer("judicial-officer").approve(
            first.pdf, field_name=CHAIN[0], role="judicial_officer"
        )


def test_last_signature_locks_the_document(
    prepared: bytes, make_signer: Callable[..., DocumentSigner], trust: TrustConfig
) -> None:
    first = make_signer("judicial-officer").approve(
        prepared, field_name=CHAIN[0], role="judicial_officer"
    )
    done = make_signer("chairman").approve(first.pdf, field_name=CHAIN[1], role="chairman")
    # Someone adds a field after the lock and signs it (with a trusted key, even).
    extra = _sign_new_field(done.pdf, make_signer("vice-chairman"))
    report = verify(extra, trust=trust, isolate=False)
    assert report.verdict is Verdict.INVALID
    locked = [s for s in report.signatures if s.field_name in CHAIN]
    assert any(s.sub_indication == "DISALLOWED_CHANGES" for s in locked), report.message_en


def _sign_new_field(pdf: bytes, signer: DocumentSigner) -> bytes:
    """An approval signature in a new field, bypassing our order checks (an attacker's tool)."""
    import io

    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
    from pyhanko.sign import fields, signers

    meta = signers.PdfSignatureMetadata(field_name="Extra", subfilter=fields.SigSeedSubFilter.PADES)
    out = signers.PdfSigner(
        meta,
        signer=signer.signer,
        new_field_spec=fields.SigFieldSpec("Extra", box=(60, 200, 260, 250)),
    ).sign_pdf(IncrementalPdfFileWriter(io.BytesIO(pdf), strict=False))
    signed: bytes = out.getvalue()
    return signed
