"""Files that must not crash or hang the verifier, made by the tests from our own PDFs."""

from __future__ import annotations

import io
import os
import re
from collections.abc import Callable

from asn1crypto import algos, cms
from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.generic import pdf_name
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter

_CONTENTS = re.compile(rb"/Contents\s*<([0-9a-fA-F]+)>")


def _update(pdf: bytes, change: Callable[[IncrementalPdfFileWriter], None]) -> bytes:
    w = IncrementalPdfFileWriter(io.BytesIO(pdf), strict=False)
    change(w)
    out = io.BytesIO()
    w.write(out)
    return out.getvalue()


def kids_loop(pdf: bytes) -> bytes:
    """The page tree's root lists itself among its kids."""

    def change(w: IncrementalPdfFileWriter) -> None:
        pages = w.root["/Pages"]
        kids = generic.ArrayObject(list(pages.raw_get("/Kids")))
        kids.append(w.root.raw_get("/Pages"))
        pages[pdf_name("/Kids")] = kids
        w.update_container(pages)

    return _update(pdf, change)


def parent_loop(pdf: bytes) -> bytes:
    """The page tree's root names itself as its parent."""

    def change(w: IncrementalPdfFileWriter) -> None:
        pages = w.root["/Pages"]
        pages[pdf_name("/Parent")] = w.root.raw_get("/Pages")
        w.update_container(pages)

    return _update(pdf, change)


def field_loop(pdf: bytes) -> bytes:
    """The first form field (the signature field) lists itself as its kid."""

    def change(w: IncrementalPdfFileWriter) -> None:
        fields = w.root["/AcroForm"]["/Fields"]
        ref = fields.raw_get(0)
        field = ref.get_object()
        field[pdf_name("/Kids")] = generic.ArrayObject([ref])
        w.update_container(field)

    return _update(pdf, change)


def prev_loop(pdf: bytes) -> bytes:
    """An update whose cross-reference section names itself as the previous one."""
    root = re.search(rb"/Root\s+(\d+ \d+ R)", pdf)
    size: list[bytes] = re.findall(rb"/Size\s+(\d+)", pdf)
    assert root is not None and size
    offset = len(pdf)
    return (
        pdf
        + b"xref\n0 1\n0000000000 65535 f \ntrailer\n<< /Size "
        + size[-1]
        + b" /Root "
        + root.group(1)
        + b" /Prev "
        + str(offset).encode()
        + b" >>\nstartxref\n"
        + str(offset).encode()
        + b"\n%%EOF\n"
    )


def _replace_contents(pdf: bytes, der: bytes) -> bytes:
    match = _CONTENTS.search(pdf)
    assert match is not None
    room = len(match.group(1))
    encoded = der.hex().encode()
    assert len(encoded) <= room
    return pdf[: match.start(1)] + encoded.ljust(room, b"0") + pdf[match.end(1) :]


def signature_der(pdf: bytes) -> bytes:
    match = _CONTENTS.search(pdf)
    assert match is not None
    return bytes.fromhex(match.group(1).decode())


def garbage_cms(pdf: bytes) -> bytes:
    """Random bytes where the CMS signature should be."""
    return _replace_contents(pdf, os.urandom(len(signature_der(pdf)) // 2))


def wrong_algorithm_cms(pdf: bytes) -> bytes:
    """A well-formed CMS whose signature algorithm says ECDSA while the certificate holds an
    RSA key: pyHanko's certificate validator stops on an ``assert``."""
    content = cms.ContentInfo.load(signature_der(pdf))
    signed_data = cms.SignedData.load(content["content"].untag().dump())
    signed_data["signer_infos"][0]["signature_algorithm"] = algos.SignedDigestAlgorithm(
        {"algorithm": "sha256_ecdsa"}
    )
    return _replace_contents(
        pdf, cms.ContentInfo({"content_type": "signed_data", "content": signed_data}).dump()
    )
