"""Incremental updates written byte by byte, as a forger's tool would append them to a signed
PDF: new objects, a classic xref section and a trailer with ``/Prev``. pyHanko's writer is not
used for the update itself because it normalises some of these tricks away (it would, for
example, never write one object twice in a section)."""

from __future__ import annotations

import io
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.reader import PdfFileReader

_STARTXREF = re.compile(rb"startxref\s+(\d+)\s+%%EOF\s*\Z")


@dataclass(frozen=True)
class Page:
    """A page of the file's last revision: its object number and dictionary."""

    number: int
    dictionary: generic.DictionaryObject
    content_number: int
    """The object number of its (first) content stream."""
    content: bytes
    """All of its content, decoded."""
    first_content: bytes
    """Its first content stream, decoded."""


def serialize(obj: generic.PdfObject) -> bytes:
    out = io.BytesIO()
    obj.write_to_stream(out, None)
    return out.getvalue()


def stream(data: bytes, extra: bytes = b"") -> bytes:
    """The body of a stream object, unfiltered."""
    return b"<< /Length %d %s>>\nstream\n%s\nendstream" % (len(data), extra, data)


def _reader(pdf: bytes) -> PdfFileReader:
    return PdfFileReader(io.BytesIO(pdf), strict=False)


def pages_number(pdf: bytes) -> tuple[int, generic.DictionaryObject]:
    reader = _reader(pdf)
    ref = reader.root.raw_get("/Pages")
    assert isinstance(ref, generic.IndirectObject)
    return ref.idnum, reader.root["/Pages"]


def page(pdf: bytes, index: int = 0) -> Page:
    reader = _reader(pdf)
    kids = reader.root["/Pages"].raw_get("/Kids")
    kids = kids.get_object() if isinstance(kids, generic.IndirectObject) else kids
    ref = kids.raw_get(index)
    assert isinstance(ref, generic.IndirectObject)
    dictionary = ref.get_object()
    contents = dictionary.raw_get("/Contents")
    refs = _refs(contents)
    data = b"\n".join(r.get_object().data for r in refs)
    return Page(ref.idnum, dictionary, refs[0].idnum, data, refs[0].get_object().data)


def _refs(value: generic.PdfObject) -> list[generic.IndirectObject]:
    """The references in an array (or the one reference), not dereferenced."""
    if isinstance(value, generic.ArrayObject):
        return [value.raw_get(i) for i in range(len(value))]
    assert isinstance(value, generic.IndirectObject)
    return [value]


def next_number(pdf: bytes) -> int:
    return int(_reader(pdf).trailer["/Size"])


def append_update(
    pdf: bytes,
    objects: Sequence[tuple[int, bytes]],
    *,
    trailer: Mapping[str, bytes] | None = None,
) -> bytes:
    """``pdf`` with one more revision defining ``objects`` (number, body), in this order; a
    number given twice gets two xref subsections, the first definition listed first."""
    m = _STARTXREF.search(pdf)
    assert m is not None, "no startxref at the end"
    prev = int(m.group(1))
    reader = _reader(pdf)
    root = reader.trailer.raw_get("/Root")
    assert isinstance(root, generic.IndirectObject)
    out = bytearray(pdf if pdf.endswith(b"\n") else pdf + b"\n")
    offsets: list[tuple[int, int]] = []
    for number, body in objects:
        offsets.append((number, len(out)))
        out += b"%d 0 obj\n%s\nendobj\n" % (number, body)
    size = max([int(reader.trailer["/Size"])] + [n + 1 for n, _ in objects])
    xref = len(out)
    out += b"xref\n"
    for number, offset in offsets:
        out += b"%d 1\n%010d 00000 n\r\n" % (number, offset)
    fields = {"/Size": b"%d" % size, "/Root": b"%d 0 R" % root.idnum, "/Prev": b"%d" % prev}
    if "/ID" in reader.trailer:
        fields["/ID"] = serialize(reader.trailer["/ID"])
    fields.update(trailer or {})
    out += b"trailer\n<< " + b" ".join(k.encode() + b" " + v for k, v in fields.items())
    out += b" >>\nstartxref\n%d\n%%%%EOF\n" % xref
    return bytes(out)


def with_entries(dictionary: generic.DictionaryObject, **entries: bytes) -> bytes:
    """The dictionary serialised with some entries replaced by raw bytes."""
    parts = [b"<<"]
    for key, value in dictionary.items():
        if key.lstrip("/") in entries:
            continue
        parts.append(serialize(generic.NameObject(key)) + b" " + serialize(value))
    for key, raw in entries.items():
        parts.append(b"/" + key.encode() + b" " + raw)
    parts.append(b">>")
    return b" ".join(parts)


# -- the forgeries -------------------------------------------------------------------------


def replace_content(pdf: bytes, old: bytes, new: bytes, *, index: int = 0) -> bytes:
    """The page's content stream object redefined with ``old`` replaced by ``new``."""
    p = page(pdf, index)
    assert old in p.content, old
    dictionary = p.dictionary
    changed = p.content.replace(old, new)
    number = next_number(pdf)
    return append_update(
        pdf,
        [
            (number, stream(changed)),
            (p.number, with_entries(dictionary, Contents=b"%d 0 R" % number)),
        ],
    )


def draw_over(pdf: bytes, drawing: bytes, *, index: int = 0) -> bytes:
    """One more content stream on the page, drawn after (over) the signed content."""
    p = page(pdf, index)
    contents = p.dictionary.raw_get("/Contents")
    refs = _refs(contents)
    number = next_number(pdf)
    array = b"[" + b" ".join(b"%d 0 R" % r.idnum for r in refs) + b" %d 0 R]" % number
    return append_update(
        pdf,
        [
            (number, stream(b"q " + drawing + b" Q")),
            (p.number, with_entries(p.dictionary, Contents=array)),
        ],
    )


def white_box(rect: tuple[float, float, float, float]) -> bytes:
    x0, y0, x1, y1 = rect
    return b"1 g %.2f %.2f %.2f %.2f re f" % (x0, y0, x1 - x0, y1 - y0)


def text_drawing(text: str, x: float, y: float, size: float = 10) -> bytes:
    """Helvetica text: needs ``/F9 <Helvetica>`` in the resources (``add_annotation`` and
    ``appearance`` put it in)."""
    return b"BT /F9 %.1f Tf %.2f %.2f Td (%s) Tj ET" % (size, x, y, text.encode("latin-1"))


HELVETICA = b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>"


def add_annotation(
    pdf: bytes,
    rect: tuple[float, float, float, float],
    drawing: bytes,
    *,
    index: int = 0,
    kind: bytes = b"/Subtype /Stamp",
) -> bytes:
    """An annotation with an appearance stream (a form XObject) drawn on the page. ``kind``
    may dress it as a signature widget (``/Subtype /Widget /FT /Sig``)."""
    p = page(pdf, index)
    first = next_number(pdf)
    x0, y0, x1, y1 = rect
    form = b"/Type /XObject /Subtype /Form /BBox [0 0 %.2f %.2f] " % (x1 - x0, y1 - y0)
    form += b"/Resources << /Font << /F9 %d 0 R >> >> " % (first + 2)
    annot = b"<< /Type /Annot %s /Rect [%.2f %.2f %.2f %.2f] /F 4 " % (kind, x0, y0, x1, y1)
    annot += b"/P %d 0 R /AP << /N %d 0 R >> >>" % (p.number, first + 1)
    old = p.dictionary.raw_get("/Annots") if "/Annots" in p.dictionary else generic.ArrayObject()
    old = old.get_object() if isinstance(old, generic.IndirectObject) else old
    annots = b"[" + b" ".join(serialize(a) for a in _refs(old)) + b" %d 0 R]" % first
    return append_update(
        pdf,
        [
            (first, annot),
            (first + 1, stream(drawing, form)),
            (first + 2, HELVETICA),
            (p.number, with_entries(p.dictionary, Annots=annots)),
        ],
    )


def add_page(pdf: bytes, drawing: bytes = b"0 0 m 300 300 l S") -> bytes:
    number, pages = pages_number(pdf)
    first = next_number(pdf)
    kids = pages.raw_get("/Kids")
    new_page = b"<< /Type /Page /Parent %d 0 R /MediaBox [0 0 595.28 841.89] " % number
    new_page += b"/Contents %d 0 R /Resources << >> >>" % (first + 1)
    refs = b"[" + b" ".join(serialize(k) for k in _refs(kids.get_object())) + b" %d 0 R]" % first
    return append_update(
        pdf,
        [
            (first, new_page),
            (first + 1, stream(drawing)),
            (number, with_entries(pages, Kids=refs, Count=b"%d" % (int(pages["/Count"]) + 1))),
        ],
    )


def set_page_entries(pdf: bytes, *, index: int = 0, **entries: bytes) -> bytes:
    """A page's entries (MediaBox, CropBox, Rotate, …) replaced by raw values."""
    p = page(pdf, index)
    return append_update(pdf, [(p.number, with_entries(p.dictionary, **entries))])


def duplicate_definition(
    pdf: bytes, old: bytes, new: bytes, *, forged_first: bool, index: int = 0
) -> bytes:
    """One xref section listing the page's content stream twice, the genuine content and a
    forged one (``old`` replaced by ``new``) in the order asked. Readers disagree on which
    entry wins (measured: PDFium takes the last, poppler the first)."""
    p = page(pdf, index)
    assert old in p.first_content, old
    genuine = (p.content_number, stream(p.first_content))
    forged = (p.content_number, stream(p.first_content.replace(old, new)))
    return append_update(pdf, [forged, genuine] if forged_first else [genuine, forged])
