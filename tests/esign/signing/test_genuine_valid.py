"""Genuine documents stay valid under the strict verifier: every template, drawn by
``receipts.pdf``, signed at every level, results after both officials, certified copies."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from esign.signing.report import Verdict
from esign.signing.sign import (
    DocumentSigner,
    PadesLevel,
    field_name_for,
    prepare_approval_fields,
)
from esign.signing.verify import TrustConfig, verify
from esign.workflows.copies import append_certification
from receipts.pdf import PageSize, SignaturePlace, render_receipt
from receipts.pdf.result import render_result
from tests.utils import pdf_samples

from .conftest import simple_pdf


@pytest.mark.parametrize("level", list(PadesLevel))
@pytest.mark.parametrize("size", [PageSize.A4, PageSize.A5])
def test_receipt_templates_at_every_level(
    level: PadesLevel,
    size: PageSize,
    make_signer: Callable[..., DocumentSigner],
    trust: TrustConfig,
) -> None:
    doc = render_receipt(
        pdf_samples.make_receipt(lines=30 if size is PageSize.A5 else 6), page_size=size
    )
    seal = doc.signature("ward")
    place = SignaturePlace.at(seal.field_name, page_index=seal.page_index, box=seal.rect.as_tuple())
    signed = make_signer("seal", level).certify(doc.pdf, place=place).pdf
    report = verify(signed, trust=trust, isolate=False)
    assert report.verdict is Verdict.VALID, report.message_en
    assert not report.problems


def _sign_result(
    pdf: bytes,
    places: list[SignaturePlace],
    make_signer: Callable[..., DocumentSigner],
    level: PadesLevel,
) -> list[bytes]:
    current = prepare_approval_fields(pdf, places)
    stages = []
    keys = {"judicial_officer": "judicial-officer", "chairman": "chairman"}
    for i, place in enumerate(places, start=1):
        assert place.role is not None
        current = (
            make_signer(keys[place.role], level)
            .approve(current, field_name=field_name_for(i, place.role), role=place.role)
            .pdf
        )
        stages.append(current)
    return stages


@pytest.mark.parametrize("level", [PadesLevel.B_B, PadesLevel.B_LTA])
@pytest.mark.parametrize("template", ["marital", "birth", "certification", "certified_copy"])
def test_result_templates_after_each_official(
    template: str, level: PadesLevel, make_signer: Callable[..., DocumentSigner], trust: TrustConfig
) -> None:
    if template == "certified_copy":
        rendered = append_certification(
            simple_pdf("BẢN SAO", pages=2), render_result(pdf_samples.certification())
        )
    else:
        rendered = render_result(getattr(pdf_samples, template)())
    places = [
        SignaturePlace.at("", page_index=p.page_index, box=p.rect.as_tuple(), role=p.role)
        for p in rendered.signatures
    ]
    stages = _sign_result(rendered.pdf, places, make_signer, level)
    *partial, full = stages
    for pdf in partial:
        report = verify(pdf, trust=trust, isolate=False)
        assert report.verdict is Verdict.INCOMPLETE, report.message_en
    report = verify(full, trust=trust, isolate=False)
    assert report.verdict is Verdict.VALID, report.message_en
    assert not report.problems and not report.awaiting
