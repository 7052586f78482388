"""Random incremental updates appended to a genuine receipt: none is accepted as valid, unless
it renders pixel for pixel as the signed revision does (with both renderers)."""

from __future__ import annotations

import tempfile
from collections.abc import Callable
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from esign.signing.report import Verdict
from esign.signing.sign import DocumentSigner, PadesLevel
from esign.signing.verify import TrustConfig, verify

from . import forged_updates as F
from .conftest import RECEIPT_BOX, simple_pdf
from .test_forgeries import _images_differ


@pytest.fixture(scope="module")
def receipt(make_signer: Callable[..., DocumentSigner]) -> bytes:
    return (
        make_signer("seal", PadesLevel.B_T)
        .certify(simple_pdf("BIÊN LAI 7.000 đ"), place=RECEIPT_BOX)
        .pdf
    )


_coord = st.integers(min_value=0, max_value=600)
_colour = st.sampled_from([b"1 0 0", b"0 0 0", b"1 1 1", b"0 0.5 0"])


@st.composite
def _drawing(draw: st.DrawFn) -> bytes:
    x, y = draw(_coord), draw(_coord)
    w, h = draw(st.integers(1, 300)), draw(st.integers(1, 200))
    return b"q %s rg %d %d %d %d re f Q" % (draw(_colour), x, y, w, h)


@st.composite
def _operation(draw: st.DrawFn) -> Callable[[F.Update, bytes], None]:
    """One change in an update: a small grammar of what a forger appends."""
    kind = draw(
        st.sampled_from(
            ["annotation", "content", "info", "unreferenced", "redefine", "duplicate", "widget"]
        )
    )
    drawing = draw(_drawing())
    subtype = draw(st.sampled_from([b"/Stamp", b"/Square", b"/FreeText", b"/Widget"]))
    number = draw(st.integers(min_value=1, max_value=24))
    title = draw(st.text(min_size=1, max_size=20))

    def apply(u: F.Update, pdf: bytes) -> None:
        page_no, page = F.first_page(pdf)
        if kind in ("annotation", "widget"):
            ap = u.add(F.stream(drawing, b"/Type /XObject /Subtype /Form /BBox [0 0 612 842] "))
            extra = b"/FT /Sig " if kind == "widget" else b""
            annot = u.add(
                b"<< /Type /Annot /Subtype %s %s/F 4 /Rect [0 0 612 842] /AP << /N %d 0 R >> >>"
                % (subtype, extra, ap)
            )
            F._page_with_annots(pdf, u, [annot])
        elif kind == "content":
            content = u.add(F.stream(drawing))
            current = page.raw_get("/Contents")
            u.add(F._with_entry(page, "/Contents", F.refs([current.idnum, content])), page_no)
        elif kind == "info":
            u.add(_info(title), u.reader().trailer.raw_get("/Info").idnum)
        elif kind == "unreferenced":
            u.add(F.stream(drawing))
        elif kind == "redefine":
            u.add(b"<< /Type /XObject /Subtype /Form /BBox [0 0 612 842] >>", number)
        else:
            u.add(F.stream(drawing))
            u.repeat.append(u.objects[-1][0])

    return apply


def _info(title: str) -> bytes:
    from pyhanko.pdf_utils import generic

    return b"<< /Title " + F.serialise(generic.TextStringObject(title)) + b" >>"


@settings(
    max_examples=30,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(operations=st.lists(_operation(), min_size=1, max_size=4))
def test_random_updates_are_never_valid(
    receipt: bytes, trust: TrustConfig, operations: list[Callable[[F.Update, bytes], None]]
) -> None:
    u = F.Update(receipt)
    for apply in operations:
        apply(u, receipt)
    forged = u.build()
    report = verify(forged, trust=trust, isolate=False)
    if report.verdict is Verdict.VALID:  # only if nobody can see a difference
        with tempfile.TemporaryDirectory() as tmp:
            assert _images_differ(receipt, forged, Path(tmp)) == (False, False)
    else:
        assert report.verdict in (Verdict.INVALID, Verdict.CANNOT_VERIFY)
        assert report.message_vi and report.message_en
