from __future__ import annotations

import io
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.validation import DocumentSecurityStore, validate_pdf_signature
from pyhanko_certvalidator import ValidationContext

from certs import PkiFolder
from esign.signing import pki as wiring
from esign.signing.report import Indication, Verdict
from esign.signing.sign import DocumentSigner, PadesLevel
from esign.signing.verify import TrustConfig, verify

from .conftest import RECEIPT_BOX


def _pyhanko_status(pdf: bytes, folder: PkiFolder, *, index: int = 0):  # type: ignore[no-untyped-def]
    reader = PdfFileReader(io.BytesIO(pdf))
    vc = ValidationContext(
        trust_roots=list(folder.trust_store().asn1_roots),
        crls=list(wiring.crls(folder)),
        allow_fetching=False,
        revocation_mode="require",
    )
    return validate_pdf_signature(reader.embedded_signatures[index], vc)


@pytest.mark.parametrize("level", list(PadesLevel))
def test_receipt_certification_at_each_level(
    level: PadesLevel,
    make_signer: Callable[..., DocumentSigner],
    receipt_pdf: bytes,
    trust: TrustConfig,
    shared_folder: PkiFolder,
    tmp_path: Path,
) -> None:
    signed = make_signer("seal", level).certify(receipt_pdf, place=RECEIPT_BOX)
    assert signed.level is level
    assert (signed.timestamp_authority is not None) == (level is not PadesLevel.B_B)

    report = verify(signed.pdf, trust=trust, isolate=False)
    assert report.verdict is Verdict.VALID, report.message_en
    (sig,) = [s for s in report.signatures if s.kind != "document_timestamp"]
    assert sig.kind == "certification"
    assert sig.indication is Indication.TOTAL_PASSED
    assert sig.level == level.value
    assert sig.signer_name == "UBND phường Chu Văn An"
    if level is not PadesLevel.B_B:
        assert sig.timestamp_time is not None

    # pyHanko's own validator agrees.
    status = _pyhanko_status(signed.pdf, shared_folder)
    assert status.bottom_line, status.pretty_print_details()
    reader = PdfFileReader(io.BytesIO(signed.pdf))
    if level in (PadesLevel.B_LT, PadesLevel.B_LTA):
        # B-LT: the embedded revocation data alone suffice, with revocation checks on and no
        # network (no CRLs given here: only the document's DSS).
        dss_only = DocumentSecurityStore.read_dss(reader).as_validation_context(
            {
                "trust_roots": list(shared_folder.trust_store().asn1_roots),
                "allow_fetching": False,
                "revocation_mode": "require",
            }
        )
        ltv = validate_pdf_signature(reader.embedded_signatures[0], dss_only)
        assert ltv.bottom_line, ltv.pretty_print_details()
    if level is PadesLevel.B_LTA:
        assert reader.embedded_signatures[-1].sig_object_type == "/DocTimeStamp"

    # poppler, independently: integrity.
    path = tmp_path / "signed.pdf"
    path.write_bytes(signed.pdf)
    out = subprocess.run(["pdfsig", str(path)], capture_output=True, text=True, check=False).stdout
    assert "Signature is Valid" in out, out
    # A DSS or document timestamp revision follows a B-LT(A) signature.
    assert ("Total document signed" in out) == (level in (PadesLevel.B_B, PadesLevel.B_T))
