"""Ways to tamper with a signed PDF, made by the tests from our own signed files."""

from __future__ import annotations

import io
import re

from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.generic import pdf_name
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter


def _update(pdf: bytes, change) -> bytes:  # type: ignore[no-untyped-def]
    w = IncrementalPdfFileWriter(io.BytesIO(pdf), strict=False)
    change(w)
    out = io.BytesIO()
    w.write(out)
    return out.getvalue()


def flip_byte_in_signed_range(pdf: bytes) -> bytes:
    """One byte inside the first stream's data (well within the signed range, and not in the
    file's structure, so the file still parses and only the digest can tell)."""
    i = pdf.index(b"stream", pdf.index(b"obj")) + len(b"stream") + 20
    return pdf[:i] + bytes([pdf[i] ^ 0x01]) + pdf[i + 1 :]


def add_content(pdf: bytes) -> bytes:
    def change(w: IncrementalPdfFileWriter) -> None:
        stream = generic.StreamObject(stream_data=b"q 1 0 0 rg 100 400 200 50 re f Q")
        w.add_stream_to_page(0, w.add_object(stream))

    return _update(pdf, change)


def add_page(pdf: bytes) -> bytes:
    def change(w: IncrementalPdfFileWriter) -> None:
        page = generic.DictionaryObject(
            {
                pdf_name("/Type"): pdf_name("/Page"),
                pdf_name("/MediaBox"): generic.ArrayObject(
                    [generic.NumberObject(v) for v in (0, 0, 595, 842)]
                ),
                pdf_name("/Contents"): w.add_object(
                    generic.StreamObject(stream_data=b"0 0 m 100 100 l S")
                ),
                pdf_name("/Resources"): generic.DictionaryObject(),
            }
        )
        w.insert_page(page)

    return _update(pdf, change)


def add_annotation(pdf: bytes) -> bytes:
    def change(w: IncrementalPdfFileWriter) -> None:
        page_ref = w.find_page_for_modification(0)[0]
        page = page_ref.get_object()
        annot = generic.DictionaryObject(
            {
                pdf_name("/Type"): pdf_name("/Annot"),
                pdf_name("/Subtype"): pdf_name("/Text"),
                pdf_name("/Rect"): generic.ArrayObject(
                    [generic.NumberObject(v) for v in (100, 100, 120, 120)]
                ),
                pdf_name("/Contents"): generic.TextStringObject("Số tiền đã sửa: 1.000 đ"),
            }
        )
        annots = page.get("/Annots", generic.ArrayObject())
        annots = generic.ArrayObject(list(annots.get_object()) if annots else [])
        annots.append(w.add_object(annot))
        page[pdf_name("/Annots")] = annots
        w.update_container(page)

    return _update(pdf, change)


def add_form_field(pdf: bytes) -> bytes:
    def change(w: IncrementalPdfFileWriter) -> None:
        field = generic.DictionaryObject(
            {
                pdf_name("/FT"): pdf_name("/Tx"),
                pdf_name("/T"): generic.TextStringObject("amount"),
                pdf_name("/V"): generic.TextStringObject("1.000 đ"),
            }
        )
        ref = w.add_object(field)
        root = w.root
        form = root["/AcroForm"]
        fields_ = form["/Fields"]
        fields_.append(ref)
        w.update_container(form if isinstance(form, generic.DictionaryObject) else root)
        w.update_root()

    return _update(pdf, change)


def _contents_span(pdf: bytes) -> tuple[int, int]:
    m = list(re.finditer(rb"/Contents\s*<([0-9A-Fa-f]+)>", pdf))[-1]
    return m.start(1), m.end(1)


def zero_contents(pdf: bytes) -> bytes:
    a, b = _contents_span(pdf)
    return pdf[:a] + b"0" * (b - a) + pdf[b:]


def _byte_range(pdf: bytes) -> re.Match[bytes]:
    return list(re.finditer(rb"/ByteRange\s*\[\s*(\d+)\s+(\d+)\s+(\d+)\s+(\d+)\s*\]", pdf))[-1]


def _rewrite_byte_range(pdf: bytes, values: tuple[int, int, int, int]) -> bytes:
    m = _byte_range(pdf)
    old = m.group(0)
    new = b"/ByteRange [%d %d %d %d]" % values
    new = new.ljust(len(old))  # keep every offset in place
    return pdf[: m.start()] + new + pdf[m.end() :]


def shorten_byte_range(pdf: bytes) -> bytes:
    m = _byte_range(pdf)
    a, b, c, d = (int(m.group(i)) for i in range(1, 5))
    return _rewrite_byte_range(pdf, (a, b, c, d - 100))


def overlap_byte_range(pdf: bytes) -> bytes:
    m = _byte_range(pdf)
    a, b, c, d = (int(m.group(i)) for i in range(1, 5))
    return _rewrite_byte_range(pdf, (a, b + 200, c, d))


def append_after_eof(pdf: bytes) -> bytes:
    return pdf + b"\n% changed: total 1.000 d\n"
