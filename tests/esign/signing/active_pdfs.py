"""Supplied PDFs carrying active content, written byte by byte so that each carries exactly
what its name says (a library would add or normalise things)."""

from __future__ import annotations

import io
from collections.abc import Callable

from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.generic import pdf_name
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter

from .conftest import simple_pdf

Objects = dict[int, bytes]
PAGE_SIZES = ((595.28, 841.89), (420.0, 595.0))
"""Two pages of different sizes (A4, A5), so that a rebuild that loses sizes is seen."""


def _content(i: int) -> bytes:
    """A visible page: a dark band, a frame and text (the renders are compared)."""
    text = f"BAN SAO GIAY TO - TRANG {i + 1}".encode()
    return (
        b"0.1 0.2 0.6 rg 40 500 300 60 re f 0 0 0 RG 4 w 30 30 350 420 re S "
        b"BT /F1 22 Tf 50 470 Td (" + text + b") Tj ET "
        b"0.8 0.1 0.1 rg 200 150 m 300 150 l 250 250 l f"
    )


def base_objects() -> Objects:
    """1 catalog, 2 pages, 3-4 page one (page, content), 5-6 page two, 7 the font."""
    objs: Objects = {
        1: b"<< /Type /Catalog /Pages 2 0 R >>",
        2: b"<< /Type /Pages /Kids [ 3 0 R 5 0 R ] /Count 2 >>",
        7: b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    }
    for i, (page, content) in enumerate(((3, 4), (5, 6))):
        w, h = PAGE_SIZES[i]
        objs[page] = (
            f"<< /Type /Page /Parent 2 0 R /MediaBox [ 0 0 {w} {h} ] "
            f"/Resources << /Font << /F1 7 0 R >> >> /Contents {content} 0 R >>"
        ).encode()
        data = _content(i)
        objs[content] = b"<< /Length %d >>\nstream\n" % len(data) + data + b"\nendstream"
    return objs


def write(objs: Objects, *, duplicate: int | None = None, body_twice: int | None = None) -> bytes:
    """A one-revision PDF. ``duplicate`` lists that object number in two subsections of the
    cross-reference table; ``body_twice`` defines that object twice in the body (the second
    one wins in the table)."""
    out = io.BytesIO()
    out.write(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n")
    offsets: dict[int, int] = {}
    for number in sorted(objs):
        if number == body_twice:
            out.write(b"%d 0 obj\n<< /Type /Decoy >>\nendobj\n" % number)
        offsets[number] = out.tell()
        out.write(b"%d 0 obj\n" % number + objs[number] + b"\nendobj\n")
    size = max(objs) + 1
    xref = out.tell()
    out.write(b"xref\n0 1\n0000000000 65535 f \n")
    for number in sorted(objs):
        out.write(b"%d 1\n%010d 00000 n \n" % (number, offsets[number]))
    if duplicate is not None:
        out.write(b"%d 1\n%010d 00000 n \n" % (duplicate, offsets[duplicate]))
    out.write(b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (size, xref))
    return out.getvalue()


def linearized() -> bytes:
    """The layout of a "fast web view" file: a linearisation dictionary first, a first-page
    cross-reference section at the top whose /Prev is the main one at the end (two sections,
    one revision)."""
    objs = base_objects()
    objs[8] = b"<< /Linearized 1 /L 0 /O 3 /E 0 /N 2 /T 0 /H [ 0 0 ] >>"
    first = (8, 1, 3, 4, 7)
    rest = sorted(set(objs) - set(first))
    out = io.BytesIO()
    out.write(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n")
    offsets: dict[int, int] = {}

    def put(number: int) -> None:
        offsets[number] = out.tell()
        out.write(b"%d 0 obj\n" % number + objs[number] + b"\nendobj\n")

    put(8)
    head_xref = out.tell()
    head_len = 200  # the first-page section is written in place afterwards, padded
    out.write(b" " * head_len + b"\n")
    for number in first[1:]:
        put(number)
    for number in rest:
        put(number)
    main_xref = out.tell()
    out.write(b"xref\n0 1\n0000000000 65535 f \n")
    for number in rest:
        out.write(b"%d 1\n%010d 00000 n \n" % (number, offsets[number]))
    out.write(b"trailer\n<< /Size 9 >>\nstartxref\n0\n%%EOF\n")
    head = b"xref\n0 0\n"
    for number in first:
        head += b"%d 1\n%010d 00000 n \n" % (number, offsets[number])
    head += b"trailer\n<< /Size 9 /Root 1 0 R /Prev %d >>\n" % main_xref
    assert len(head) <= head_len
    data = bytearray(out.getvalue())
    data[head_xref : head_xref + len(head)] = head
    data += b"startxref\n%d\n%%%%EOF\n" % head_xref
    return bytes(data)


def _with(**changes: bytes) -> Objects:
    objs = base_objects()
    for key, value in changes.items():
        objs[int(key.removeprefix("o"))] = value
    return objs


def _page_one(extra: bytes) -> bytes:
    return (
        b"<< /Type /Page /Parent 2 0 R /MediaBox [ 0 0 595.28 841.89 ] "
        b"/Resources << /Font << /F1 7 0 R >> >> /Contents 4 0 R " + extra + b" >>"
    )


def _catalog(extra: bytes) -> bytes:
    return b"<< /Type /Catalog /Pages 2 0 R " + extra + b" >>"


def _field(kind: bytes, name: bytes, extra: bytes = b"") -> bytes:
    return (
        b"<< /FT " + kind + b" /T (" + name + b") /Type /Annot /Subtype /Widget "
        b"/Rect [ 60 600 260 630 ] /P 3 0 R /F 4 " + extra + b" >>"
    )


def _update(pdf: bytes, change: Callable[[IncrementalPdfFileWriter], None]) -> bytes:
    writer = IncrementalPdfFileWriter(io.BytesIO(pdf), strict=False)
    change(writer)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def second_revision(pdf: bytes) -> bytes:
    def change(writer: IncrementalPdfFileWriter) -> None:
        writer.root[pdf_name("/Lang")] = generic.TextStringObject("vi-VN")
        writer.update_root()

    return _update(pdf, change)


JS = b"<< /S /JavaScript /JS (app.alert\\('xin chao'\\)) >>"
ACTIVE: dict[str, tuple[Callable[[], bytes], set[str]]] = {
    # name: (the file, the kinds it must be found with)
    "js_open_action": (
        lambda: write(_with(o1=_catalog(b"/OpenAction " + JS))),
        {"javascript", "open_action"},
    ),
    "js_open_action_indirect": (
        lambda: write(_with(o1=_catalog(b"/OpenAction 9 0 R"), o9=JS)),
        {"javascript", "open_action"},
    ),
    "js_page_aa": (
        lambda: write(_with(o3=_page_one(b"/AA << /O " + JS + b" >>"))),
        {"javascript", "additional_actions"},
    ),
    "js_name_tree": (
        lambda: write(
            _with(
                o1=_catalog(b"/Names << /JavaScript 10 0 R >>"),
                o10=b"<< /Names [ (chao) 9 0 R ] >>",
                o9=JS,
            )
        ),
        {"javascript"},
    ),
    "text_field": (
        lambda: write(
            _with(
                o1=_catalog(b"/AcroForm << /Fields [ 9 0 R ] >>"),
                o3=_page_one(b"/Annots [ 9 0 R ]"),
                o9=_field(b"/Tx", b"ho_ten", b"/V (Nguyen Van A)"),
            )
        ),
        {"form_field", "annotation"},
    ),
    "checkbox": (
        lambda: write(
            _with(
                o1=_catalog(b"/AcroForm << /Fields [ 9 0 R ] >>"),
                o3=_page_one(b"/Annots [ 9 0 R ]"),
                o9=_field(b"/Btn", b"dong_y", b"/V /Yes /AS /Yes"),
            )
        ),
        {"form_field", "annotation"},
    ),
    "text_field_with_kids_indirect_form": (
        lambda: write(
            _with(
                o1=_catalog(b"/AcroForm 11 0 R"),
                o11=b"<< /Fields [ 9 0 R ] >>",
                o3=_page_one(b"/Annots [ 10 0 R ]"),
                o9=b"<< /FT /Tx /T (dia_chi) /V (Van An) /Kids [ 10 0 R ] >>",
                o10=b"<< /Parent 9 0 R /Type /Annot /Subtype /Widget /Rect [ 60 600 260 630 ] "
                b"/P 3 0 R /F 4 >>",
            )
        ),
        {"form_field", "annotation"},
    ),
    "xfa_form": (
        lambda: write(
            _with(
                o1=_catalog(b"/AcroForm << /Fields [ ] /XFA 9 0 R >>"),
                o9=b"<< /Length 7 >>\nstream\n<xdp/>\n\nendstream",
            )
        ),
        {"xfa"},
    ),
    "link_uri": (
        lambda: write(
            _with(
                o3=_page_one(b"/Annots [ 9 0 R ]"),
                o9=b"<< /Type /Annot /Subtype /Link /Rect [ 40 500 340 560 ] "
                b"/A << /S /URI /URI (https://vi.example/lua-dao) >> >>",
            )
        ),
        {"annotation", "uri_action"},
    ),
    "link_launch": (
        lambda: write(
            _with(
                o3=_page_one(b"/Annots [ 9 0 R ]"),
                o9=b"<< /Type /Annot /Subtype /Link /Rect [ 40 500 340 560 ] "
                b"/A << /S /Launch /F (cmd.exe) >> >>",
            )
        ),
        {"annotation", "launch_action"},
    ),
    "submit_and_import": (
        lambda: write(
            _with(
                o3=_page_one(b"/Annots [ 9 0 R ] /AA << /C 10 0 R >>"),
                o9=b"<< /Type /Annot /Subtype /Link /Rect [ 40 500 340 560 ] "
                b"/A << /S /SubmitForm /F (https://x.example/) >> >>",
                o10=b"<< /S /ImportData /F (du-lieu.fdf) >>",
            )
        ),
        {"annotation", "submit_form_action", "import_data_action", "additional_actions"},
    ),
    "goto_remote": (
        lambda: write(
            _with(
                o1=_catalog(b"/OpenAction << /S /GoToR /F (khac.pdf) /D [ 0 /Fit ] >>"),
            )
        ),
        {"open_action", "remote_goto_action"},
    ),
    "file_attachment": (
        lambda: write(
            _with(
                o3=_page_one(b"/Annots [ 9 0 R ]"),
                o9=b"<< /Type /Annot /Subtype /FileAttachment /Rect [ 300 700 320 720 ] "
                b"/FS << /Type /Filespec /F (a.exe) /EF << /F 10 0 R >> >> >>",
                o10=b"<< /Type /EmbeddedFile /Length 2 >>\nstream\nMZ\nendstream",
            )
        ),
        {"annotation", "embedded_file"},
    ),
    "embedded_file": (
        lambda: write(
            _with(
                o1=_catalog(b"/Names << /EmbeddedFiles << /Names [ (a.txt) 9 0 R ] >> >>"),
                o9=b"<< /Type /Filespec /F (a.txt) /EF << /F 10 0 R >> >>",
                o10=b"<< /Type /EmbeddedFile /Length 3 >>\nstream\nabc\nendstream",
            )
        ),
        {"embedded_file"},
    ),
    "dangling_xobject": (
        lambda: write(
            _with(
                o3=b"<< /Type /Page /Parent 2 0 R /MediaBox [ 0 0 595.28 841.89 ] "
                b"/Resources << /Font << /F1 7 0 R >> /XObject << /X1 99 0 R >> >> "
                b"/Contents 4 0 R >>"
            )
        ),
        {"dangling_reference"},
    ),
    "dangling_in_catalog": (
        lambda: write(_with(o1=_catalog(b"/Metadata 42 0 R"))),
        {"dangling_reference"},
    ),
    "duplicate_xref_entry": (lambda: write(base_objects(), duplicate=4), {"duplicate_object"}),
    "duplicate_body_object": (
        lambda: write(base_objects(), body_twice=5),
        {"duplicate_object"},
    ),
    "second_revision": (
        lambda: second_revision(write(base_objects())),
        {"incremental_update"},
    ),
    "second_revision_of_reportlab": (
        lambda: second_revision(simple_pdf("BẢN SAO", pages=2)),
        {"incremental_update"},
    ),
}
