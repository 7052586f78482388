"""Forgeries built by hand from genuine signed documents: incremental updates a forger appends.

pyHanko's ``IncrementalPdfFileWriter`` would normalise some of these away (duplicate entries,
objects outside the cross-reference section), so each update is written byte by byte here:
objects, a cross-reference table (entries may repeat) and a trailer with ``/Prev``.
"""

from __future__ import annotations

import io
import typing
import zlib
from collections.abc import Sequence
from dataclasses import dataclass, field

from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.reader import PdfFileReader

RED_AMOUNT = b"q 1 1 1 rg 60 700 300 60 re f Q q 1 0 0 rg 60 705 260 40 re f Q"
"""Drawn over the receipt's lines: a white patch and a red bar, visible to every reader."""


@dataclass
class Update:
    """One incremental update: objects to write, in order, and extra raw xref entries."""

    base: bytes
    objects: list[tuple[int, bytes]] = field(default_factory=list)
    repeat: list[int] = field(default_factory=list)
    """Object numbers whose xref entry is listed a second time (pointing at the first copy)."""
    trailer_extra: bytes = b""
    tail: bytes = b""

    def reader(self) -> PdfFileReader:
        return PdfFileReader(io.BytesIO(self.base), strict=False)

    def next_number(self) -> int:
        size = int(self.reader().trailer["/Size"])
        used = [n for n, _ in self.objects]
        return max([size - 1, *used]) + 1

    def add(self, body: bytes, number: int | None = None) -> int:
        number = self.next_number() if number is None else number
        self.objects.append((number, body))
        return number

    def build(self) -> bytes:
        reader = self.reader()
        out = bytearray(self.base)
        if not out.endswith(b"\n"):
            out += b"\n"
        offsets: list[tuple[int, int]] = []
        for number, body in self.objects:
            offsets.append((number, len(out)))
            out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
        first: dict[int, int] = {}
        for number, offset in offsets:
            first.setdefault(number, offset)
        entries = list(offsets) + [(n, first[n]) for n in self.repeat]
        xref_at = len(out)
        out += b"xref\n"
        for number, offset in entries:  # one subsection per entry: repeats stay repeats
            out += b"%d 1\n%010d 00000 n \n" % (number, offset)
        trailer = reader.trailer
        size = max([int(trailer["/Size"]), *(n + 1 for n, _ in offsets)])
        prev = reader.xrefs.get_startxref_for_revision(reader.xrefs.total_revisions - 1)
        root = trailer.raw_get("/Root")
        out += b"trailer\n<< /Size %d /Root %d %d R /Prev %d" % (
            size,
            root.idnum,
            root.generation,
            prev,
        )
        if "/Info" in trailer:
            info = trailer.raw_get("/Info")
            out += b" /Info %d %d R" % (info.idnum, info.generation)
        out += self.trailer_extra + b" >>\nstartxref\n%d\n%%%%EOF\n" % xref_at
        return bytes(out) + self.tail


def raw_object(pdf: bytes, number: int, revision: int | None = None) -> generic.PdfObject:
    reader = PdfFileReader(io.BytesIO(pdf), strict=False)
    resolver = reader.get_historical_resolver(
        reader.xrefs.total_revisions - 1 if revision is None else revision
    )
    found: generic.PdfObject = resolver.get_object(generic.Reference(number, 0))
    return found


def serialise(obj: generic.PdfObject) -> bytes:
    buf = io.BytesIO()
    obj.write_to_stream(buf)
    return buf.getvalue()


def first_page(pdf: bytes) -> tuple[int, generic.DictionaryObject]:
    reader = PdfFileReader(io.BytesIO(pdf), strict=False)
    ref = reader.root["/Pages"]["/Kids"].raw_get(0)
    return ref.idnum, ref.get_object()


def stream(data: bytes, extra: bytes = b"") -> bytes:
    packed = zlib.compress(data)
    return (
        b"<< /Length %d /Filter /FlateDecode %s>>\nstream\n"
        % (
            len(packed),
            extra,
        )
        + packed
        + b"\nendstream"
    )


def ref(number: int) -> generic.IndirectObject:
    return generic.IndirectObject(number, 0, None)  # type: ignore[arg-type]  # written only


def refs(numbers: Sequence[int]) -> generic.ArrayObject:
    return generic.ArrayObject([ref(n) for n in numbers])


def _with_entry(dictionary: generic.DictionaryObject, key: str, value: generic.PdfObject) -> bytes:
    """The dictionary written again (raw values kept) with ``key`` set to ``value``."""
    copy = generic.DictionaryObject(dict(dictionary))
    copy[generic.NameObject(key)] = value
    return serialise(copy)


def _numbers(value: generic.PdfObject | None) -> list[int]:
    if isinstance(value, generic.IndirectObject):
        value = value.get_object()
    if not isinstance(value, generic.ArrayObject):
        return []
    return [v.idnum for v in list.__iter__(value)]  # raw references


def _appearance(u: Update, drawing: bytes, box: Sequence[float]) -> int:
    x0, y0, x1, y1 = box
    return u.add(
        stream(
            drawing,
            b"/Type /XObject /Subtype /Form /BBox [%g %g %g %g] " % (x0, y0, x1, y1),
        )
    )


def _page_with_annots(pdf: bytes, u: Update, numbers: Sequence[int]) -> None:
    number, page = first_page(pdf)
    existing = _numbers(page.raw_get("/Annots")) if "/Annots" in page else []
    u.add(_with_entry(page, "/Annots", refs([*existing, *numbers])), number)


def _acroform_with_fields(pdf: bytes, u: Update, numbers: Sequence[int]) -> None:
    reader = PdfFileReader(io.BytesIO(pdf), strict=False)
    form_ref = reader.root.raw_get("/AcroForm")
    form = form_ref.get_object()
    existing = _numbers(form.raw_get("/Fields"))
    u.add(_with_entry(form, "/Fields", refs([*existing, *numbers])), form_ref.idnum)


# ---------------------------------------------------------------- family 1: annotations


def widget_as_signature_field(pdf: bytes, *, box: Sequence[float] = (60, 700, 360, 760)) -> bytes:
    """A new signature-typed widget (no /V) whose appearance paints over the amount."""
    u = Update(pdf)
    ap = _appearance(u, RED_AMOUNT, (0, 0, 612, 842))
    page_no, _ = first_page(pdf)
    fld = u.add(
        b"<< /FT /Sig /T (Sig9) /Type /Annot /Subtype /Widget /F 4 /Rect [0 0 612 842] "
        b"/P %d 0 R /AP << /N %d 0 R >> >>" % (page_no, ap)
    )
    _acroform_with_fields(pdf, u, [fld])
    _page_with_annots(pdf, u, [fld])
    return u.build()


def widget_only_in_annots(pdf: bytes) -> bytes:
    """A signature widget listed only on the page (no form field): an "unused" object to some
    readers, drawn by viewers."""
    u = Update(pdf)
    ap = _appearance(u, RED_AMOUNT, (0, 0, 612, 842))
    fld = u.add(
        b"<< /FT /Sig /Type /Annot /Subtype /Widget /F 4 /Rect [0 0 612 842] "
        b"/AP << /N %d 0 R >> >>" % ap
    )
    _page_with_annots(pdf, u, [fld])
    return u.build()


def stamp_annotation(pdf: bytes) -> bytes:
    """A plain stamp annotation with an appearance."""
    u = Update(pdf)
    ap = _appearance(u, RED_AMOUNT, (0, 0, 612, 842))
    annot = u.add(
        b"<< /Type /Annot /Subtype /Stamp /F 4 /Rect [0 0 612 842] /AP << /N %d 0 R >> >>" % ap
    )
    _page_with_annots(pdf, u, [annot])
    return u.build()


def appearance_of_existing_field(pdf: bytes, field_name: str) -> bytes:
    """An existing (empty) signature field gets a new appearance that paints outside its box:
    no signature, only a drawing."""
    reader = PdfFileReader(io.BytesIO(pdf), strict=False)
    numbers = _numbers(reader.root["/AcroForm"].raw_get("/Fields"))
    target = next(
        n
        for n in numbers
        if str(typing.cast(generic.DictionaryObject, raw_object(pdf, n))["/T"]) == field_name
    )
    field = raw_object(pdf, target)
    assert isinstance(field, generic.DictionaryObject)
    u = Update(pdf)
    ap = _appearance(u, RED_AMOUNT, (-600, -600, 900, 900))
    u.add(
        _with_entry(field, "/AP", generic.DictionaryObject({generic.NameObject("/N"): ref(ap)})),
        target,
    )
    return u.build()


# ---------------------------------------------------------------- family 2: planted references


def plant_reference(pdf: bytes, *, kind: str) -> tuple[bytes, int]:
    """Before signing: the page refers to an object that no revision defines (``kind`` says
    where: ``contents`` array, ``annots``, ``xobject`` in the resources). Returns the file
    and the planted number."""
    u = Update(pdf)
    number, page = first_page(pdf)
    planted = u.next_number() + 40
    if kind == "contents":
        current = page.raw_get("/Contents")
        u.add(_with_entry(page, "/Contents", refs([current.idnum, planted])), number)
    elif kind == "annots":
        u.add(_with_entry(page, "/Annots", refs([planted])), number)
    elif kind == "xobject":
        # the page's resources get an XObject, and a content stream that draws it
        drawing = u.add(stream(b"q /Fx1 Do Q"))
        current = page.raw_get("/Contents")
        resources = generic.DictionaryObject(dict(page["/Resources"]))
        resources[generic.NameObject("/XObject")] = generic.DictionaryObject(
            {generic.NameObject("/Fx1"): ref(planted)}
        )
        copy = generic.DictionaryObject(dict(page))
        copy[generic.NameObject("/Contents")] = refs([current.idnum, drawing])
        copy[generic.NameObject("/Resources")] = resources
        u.add(serialise(copy), number)
    else:
        raise ValueError(kind)
    # keep /Size beyond the planted number, as a preparing tool would
    return u.build(), planted


def fill_planted(pdf: bytes, planted: int, *, kind: str) -> bytes:
    u = Update(pdf)
    if kind == "contents":
        u.add(stream(RED_AMOUNT), planted)
    elif kind == "annots":
        ap = _appearance(u, RED_AMOUNT, (0, 0, 612, 842))
        u.add(
            b"<< /Type /Annot /Subtype /Stamp /F 4 /Rect [0 0 612 842] /AP << /N %d 0 R >> >>" % ap,
            planted,
        )
    else:
        u.add(stream(RED_AMOUNT, b"/Type /XObject /Subtype /Form /BBox [0 0 612 842] "), planted)
    return u.build()


# ---------------------------------------------------------------- family 3: duplicate entries


def duplicate_page_entry(pdf: bytes) -> bytes:
    """The page is listed twice in one section: the first entry an unchanged copy, the second
    a page with an extra content stream; readers differ on which one counts."""
    number, page = first_page(pdf)
    u = Update(pdf)
    content = u.add(stream(RED_AMOUNT))
    current = page.raw_get("/Contents")
    u.add(serialise(page), number)  # the honest copy, listed first
    changed = _with_entry(page, "/Contents", refs([current.idnum, content]))
    u.add(changed, number)
    return u.build()


def duplicate_unchanged_entry(pdf: bytes) -> bytes:
    """A new content stream listed twice (same offset), added to the page."""
    number, page = first_page(pdf)
    u = Update(pdf)
    content = u.add(stream(RED_AMOUNT))
    current = page.raw_get("/Contents")
    u.add(_with_entry(page, "/Contents", refs([current.idnum, content])), number)
    u.repeat.append(content)
    return u.build()


def duplicate_info_entry(pdf: bytes) -> bytes:
    """Only /Info, but listed twice with different titles."""
    reader = PdfFileReader(io.BytesIO(pdf), strict=False)
    info = reader.trailer.raw_get("/Info")
    u = Update(pdf)
    u.add(b"<< /Title (Bien lai 7.000 d) >>", info.idnum)
    u.add(b"<< /Title (Bien lai 17.000 d) >>", info.idnum)
    return u.build()


# ---------------------------------------------------------------- family 4: bookkeeping only


def info_only(pdf: bytes, title: str = "Biên lai 17.000 đ") -> bytes:
    reader = PdfFileReader(io.BytesIO(pdf), strict=False)
    info = reader.trailer.raw_get("/Info")
    u = Update(pdf)
    u.add(b"<< /Title " + serialise(generic.TextStringObject(title)) + b" >>", info.idnum)
    return u.build()


def metadata_only(pdf: bytes) -> bytes:
    reader = PdfFileReader(io.BytesIO(pdf), strict=False)
    root_ref = reader.trailer.raw_get("/Root")
    u = Update(pdf)
    xmp = (
        b'<?xpacket begin="" id="W5M0MpCehiHzreSzNTczkc9d"?><x:xmpmeta xmlns:x="adobe:ns:meta/">'
        b'<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"><rdf:Description '
        b'xmlns:dc="http://purl.org/dc/elements/1.1/"><dc:title>17.000 d</dc:title>'
        b'</rdf:Description></rdf:RDF></x:xmpmeta><?xpacket end="w"?>'
    )
    meta = u.add(
        b"<< /Type /Metadata /Subtype /XML /Length %d >>\nstream\n" % len(xmp)
        + xmp
        + b"\nendstream"
    )
    u.add(_with_entry(root_ref.get_object(), "/Metadata", ref(meta)), root_ref.idnum)
    return u.build()


def need_appearances(pdf: bytes) -> bytes:
    """/NeedAppearances true: poppler then draws the signature widgets itself (blank)."""
    reader = PdfFileReader(io.BytesIO(pdf), strict=False)
    form_ref = reader.root.raw_get("/AcroForm")
    u = Update(pdf)
    u.add(
        _with_entry(form_ref.get_object(), "/NeedAppearances", generic.BooleanObject(True)),
        form_ref.idnum,
    )
    return u.build()


def unreferenced_objects(pdf: bytes, count: int = 2) -> bytes:
    u = Update(pdf)
    for _ in range(count):
        u.add(stream(RED_AMOUNT))
    return u.build()


def eof_then_eof(pdf: bytes) -> bytes:
    """Bytes after %%EOF that end in another %%EOF (an object, no section)."""
    number, page = first_page(pdf)
    return pdf + b"%d 0 obj\n" % number + serialise(page) + b"\nendobj\n%%EOF\n"


def fake_revision_after_eof(pdf: bytes) -> bytes:
    """A trailer and startxref pointing back at the old section: no new xref."""
    reader = PdfFileReader(io.BytesIO(pdf), strict=False)
    prev = reader.xrefs.get_startxref_for_revision(reader.xrefs.total_revisions - 1)
    return pdf + b"%% 17.000 d\nstartxref\n%d\n%%%%EOF\n" % prev


def hidden_object_in_revision(pdf: bytes) -> bytes:
    """An info-only update that also carries an object its xref does not list (some readers
    rebuild the table and find it)."""
    number, page = first_page(pdf)
    updated = info_only(pdf, "x")
    cut = updated.rindex(b"\nxref\n") + 1
    hidden = b"%d 0 obj\n" % number + serialise(page) + b"\nendobj\n"
    shifted = updated[:cut] + hidden + updated[cut:]
    # fix startxref to the moved section
    start = shifted.rindex(b"startxref\n") + len(b"startxref\n")
    end = shifted.index(b"\n", start)
    return shifted[:start] + b"%d" % (cut + len(hidden)) + shifted[end:]


# ---------------------------------------------------------------- family 5: foreign validation data


def stranger_tsa() -> tuple[bytes, bytes]:
    """A self-made TSA (certificate DER, PKCS#8 key DER) that no configuration trusts."""
    import datetime as dt

    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import rsa
    from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "TSA lạ")])
    now = dt.datetime.now(dt.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(days=1))
        .not_valid_after(now + dt.timedelta(days=30))
        .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.TIME_STAMPING]), critical=True)
        .sign(key, hashes.SHA256())
    )
    der_key = key.private_bytes(
        serialization.Encoding.DER,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    return cert.public_bytes(serialization.Encoding.DER), der_key


def untrusted_document_timestamp(pdf: bytes, tsa: tuple[bytes, bytes]) -> bytes:
    """A document timestamp (pyHanko's own writer) from a TSA nobody configured."""
    from asn1crypto import keys, x509
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
    from pyhanko.sign.signers.pdf_signer import PdfTimeStamper
    from pyhanko.sign.timestamps.dummy_client import DummyTimeStamper

    cert, key = tsa
    stamper = DummyTimeStamper(
        tsa_cert=x509.Certificate.load(cert), tsa_key=keys.PrivateKeyInfo.load(key)
    )
    writer = IncrementalPdfFileWriter(io.BytesIO(pdf), strict=False)
    out = PdfTimeStamper(stamper).timestamp_pdf(writer, "sha256")
    return bytes(out.getvalue())


def foreign_dss(pdf: bytes, certs: Sequence[bytes]) -> bytes:
    """Validation data with certificates from elsewhere (pyHanko's own DSS writer)."""
    from asn1crypto import x509
    from pyhanko.sign.validation.dss import DocumentSecurityStore

    buf = io.BytesIO(pdf)
    DocumentSecurityStore.add_dss(
        buf,
        None,
        certs=[x509.Certificate.load(c) for c in certs],
        force_write=True,
        strict=False,
    )
    return buf.getvalue()


# ---------------------------------------------------------------- family 6: unlocked last field


def prepare_unlocked(pdf: bytes, places: Sequence[object]) -> bytes:
    """Approval fields like the service's, but the last one does not lock the document (a
    document prepared elsewhere)."""
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
    from pyhanko.sign import fields

    from esign.signing.sign import field_name_for

    writer = IncrementalPdfFileWriter(io.BytesIO(pdf), strict=False)
    for i, place in enumerate(places, start=1):
        box = tuple(round(v) for v in place.rect.as_tuple())  # type: ignore[attr-defined]
        fields.append_signature_field(
            writer,
            fields.SigFieldSpec(
                field_name_for(i, place.role),  # type: ignore[attr-defined]
                on_page=0,
                box=box,  # type: ignore[arg-type]
            ),
        )
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def duplicate_in_xref_stream(pdf: bytes) -> bytes:
    """The update's section is a cross-reference stream whose /Index lists the page twice: an
    honest copy first, then a page with an extra content stream."""
    import struct

    reader = PdfFileReader(io.BytesIO(pdf), strict=False)
    number, page = first_page(pdf)
    u = Update(pdf)
    content = u.add(stream(RED_AMOUNT))
    current = page.raw_get("/Contents")
    out = bytearray(pdf)
    offsets: list[tuple[int, int]] = []
    for n, body in [
        (content, u.objects[0][1]),
        (number, serialise(page)),
        (number, _with_entry(page, "/Contents", refs([current.idnum, content]))),
    ]:
        offsets.append((n, len(out)))
        out += b"%d 0 obj\n" % n + body + b"\nendobj\n"
    xref_number = content + 1
    xref_at = len(out)
    offsets.append((xref_number, xref_at))
    data = b"".join(struct.pack(">BIH", 1, off, 0) for _, off in offsets)
    index = b" ".join(b"%d 1" % n for n, _ in offsets)
    trailer = reader.trailer
    root, info = trailer.raw_get("/Root"), trailer.raw_get("/Info")
    prev = reader.xrefs.get_startxref_for_revision(reader.xrefs.total_revisions - 1)
    out += (
        b"%d 0 obj\n<< /Type /XRef /W [1 4 2] /Index [%s] /Size %d /Root %d 0 R /Info %d 0 R "
        b"/Prev %d /Length %d >>\nstream\n"
        % (xref_number, index, xref_number + 1, root.idnum, info.idnum, prev, len(data))
    )
    out += data + b"\nendstream\nendobj\nstartxref\n%d\n%%%%EOF\n" % xref_at
    return bytes(out)


def visible_document_timestamp(pdf: bytes, timestamper: object) -> bytes:
    """A genuine document timestamp from a trusted TSA (anyone may ask one), but in a field
    made visible over the page, whose appearance paints over the amount."""
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
    from pyhanko.sign import fields
    from pyhanko.sign.signers.pdf_signer import PdfTimeStamper

    writer = IncrementalPdfFileWriter(io.BytesIO(pdf), strict=False)
    field_ref = fields.append_signature_field(
        writer, fields.SigFieldSpec("Timestamp-1", on_page=0, box=(0, 0, 612, 842))
    )
    drawing = generic.StreamObject(
        {
            generic.NameObject("/Type"): generic.NameObject("/XObject"),
            generic.NameObject("/Subtype"): generic.NameObject("/Form"),
            generic.NameObject("/BBox"): generic.ArrayObject(
                [generic.NumberObject(v) for v in (0, 0, 612, 842)]
            ),
        },
        stream_data=RED_AMOUNT,
    )
    field = field_ref.get_object() if field_ref is not None else None
    if field is None:  # pyHanko returns nothing: find the field by name
        form = writer.root["/AcroForm"]
        field = next(
            f.get_object() for f in form["/Fields"] if f.get_object()["/T"] == "Timestamp-1"
        )
    field[generic.NameObject("/AP")] = generic.DictionaryObject(
        {generic.NameObject("/N"): writer.add_object(drawing)}
    )
    field[generic.NameObject("/F")] = generic.NumberObject(4)
    writer.update_container(field)
    out = PdfTimeStamper(timestamper, field_name="Timestamp-1").timestamp_pdf(  # type: ignore[arg-type]
        writer, "sha256"
    )
    return bytes(out.getvalue())


# ---------------------------------------------------------------- malformed sections


def _last_xref_entry(pdf: bytes) -> tuple[int, int]:
    """Span of the offset digits of the last entry written by :class:`Update`."""
    at = pdf.rindex(b" 00000 n \n")
    return at - 10, at


def wrong_offset(pdf: bytes, shift: int = 3) -> bytes:
    """An update whose entry points a few bytes off its object."""
    updated = info_only(pdf, "x")
    a, b = _last_xref_entry(updated)
    return updated[:a] + b"%010d" % (int(updated[a:b]) + shift) + updated[b:]


def startxref_off(pdf: bytes, shift: int = -2) -> bytes:
    """startxref a few bytes before the section (pyHanko repairs that silently)."""
    updated = stamp_annotation(pdf)
    at = updated.rindex(b"startxref\n") + len(b"startxref\n")
    end = updated.index(b"\n", at)
    return updated[:at] + b"%d" % (int(updated[at:end]) + shift) + updated[end:]


def freed_object(pdf: bytes) -> bytes:
    """An update that frees the page's font resources (text disappears for some readers)."""
    _, page = first_page(pdf)
    fonts = page["/Resources"].raw_get("/Font")
    number = fonts.idnum if isinstance(fonts, generic.IndirectObject) else 1
    updated = info_only(pdf, "x")
    cut = updated.rindex(b"\nxref\n") + len(b"\nxref\n")
    return updated[:cut] + b"%d 1\n0000000000 00001 f \n" % number + updated[cut:]


def old_bytes_as_new(pdf: bytes) -> bytes:
    """An update whose entry for the Info object points into an earlier revision's bytes."""
    updated = info_only(pdf, "x")
    a, b = _last_xref_entry(updated)
    reader = PdfFileReader(io.BytesIO(pdf), strict=False)
    info = reader.trailer.raw_get("/Info")
    old = reader.xrefs.get_historical_ref(info.reference, 0)
    assert isinstance(old, int)
    return updated[:a] + b"%010d" % old + updated[b:]
