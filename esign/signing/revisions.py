"""What may follow a signed revision: a whitelist of the revisions this service writes.

pyHanko's difference analysis classifies changes ("form filling", "LTA updates") and accepts
some that viewers draw. Here each revision after the first signed one is compared with the one
before it, object by object, and accepted only if every changed or added object is one of:

(a) the signing of a signature field that already existed, empty, in the earlier revision: the
    field gets ``/V`` (the new signature dictionary, whose ``/ByteRange`` ends exactly at this
    revision's end) and ``/AP`` (a new appearance stream, with its new resources);
(b) validation data: the ``/DSS`` dictionary, its VRI dictionaries and their streams, whose
    certificates all chain to a configured root and whose CRLs are signed by such a certificate;
(c) a document timestamp: a new invisible field (zero-size ``/Rect``, no appearance) holding a
    ``/DocTimeStamp`` dictionary that ends at this revision's end, added to ``/Fields`` (and to
    the page's ``/Annots``, as pyHanko does);

plus the bookkeeping pyHanko does in those same revisions: ``/Info`` (``/ModDate`` and
``/Producer`` only), the catalog's ``/Version``, ``/Extensions``, ``/Metadata`` and ``/DSS``
entries and the XMP stream, and the AcroForm's ``/SigFlags``. A revision made only of that
bookkeeping is refused: the service never writes one.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass

from cryptography import x509
from cryptography.hazmat.primitives.serialization import Encoding
from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.reader import HistoricalResolver, PdfFileReader
from pyhanko.pdf_utils.xref import XRefType
from pyhanko.sign.validation.pdf_embedded import EmbeddedPdfSignature

from .report import Finding
from .structure import Layout

_CATALOG_BOOKKEEPING = frozenset({"/Version", "/Extensions", "/Metadata", "/DSS"})
_INFO_BOOKKEEPING = frozenset({"/ModDate", "/Producer"})
_FIELD_SIGNING = frozenset({"/V", "/AP"})
_ACROFORM_SIGNING = frozenset({"/SigFlags", "/Fields"})
_DSS_KEYS = frozenset({"/Type", "/Certs", "/CRLs", "/OCSPs", "/VRI"})
_VRI_KEYS = frozenset({"/Type", "/Cert", "/CRL", "/OCSP", "/TU", "/TS"})


@dataclass(frozen=True)
class RevisionCheck:
    problems: tuple[Finding, ...]
    signed_by_revision: dict[int, str]
    """Revision index → field name of the signature that ends exactly there."""


def check_revisions(
    layout: Layout,
    reader: PdfFileReader,
    sigs: Sequence[EmbeddedPdfSignature],
    *,
    roots: Sequence[bytes],
    extra_certs: Sequence[bytes] = (),
    crls: Sequence[bytes] = (),
) -> RevisionCheck:
    problems: list[Finding] = []
    by_revision: dict[int, EmbeddedPdfSignature] = {}
    for sig in sigs:
        problems.extend(_check_coverage(layout, sig))
        if sig.signed_revision in by_revision:
            problems.append(
                _problem(
                    sig.signed_revision,
                    (),
                    "hai chữ ký cùng kết thúc ở một lần sửa",
                    "two signatures end at the same revision",
                )
            )
        by_revision[sig.signed_revision] = sig
    if not sigs:
        return RevisionCheck((), {})
    pool = _TrustPool(roots, extra_certs, crls)
    first = min(by_revision)
    for index in range(first + 1, len(layout.revisions)):
        problems.extend(_check_one(layout, reader, index, by_revision.get(index), pool))
    return RevisionCheck(
        tuple(problems), {i: str(s.field_name or "") for i, s in by_revision.items()}
    )


def _problem(revision: int, objects: Sequence[int], vi: str, en: str) -> Finding:
    listed = ", ".join(str(n) for n in sorted(objects)[:12])
    suffix_vi = f" (đối tượng {listed})" if listed else ""
    suffix_en = f" (objects {listed})" if listed else ""
    return Finding(
        "revision_not_allowed",
        f"lần sửa {revision} sau khi ký: {vi}{suffix_vi}",
        f"revision {revision} after signing: {en}{suffix_en}",
        int(revision),
        tuple(sorted(int(o) for o in objects)),
    )


def _check_coverage(layout: Layout, sig: EmbeddedPdfSignature) -> Iterator[Finding]:
    """The signed bytes must be exactly a revision: from 0 to that revision's ``%%EOF``."""
    rng = [int(v) for v in sig.byte_range]
    revision = layout.revisions[sig.signed_revision]
    if len(rng) != 4 or rng[0] != 0 or rng[2] + rng[3] not in (revision.end, revision.eof_at):
        yield _problem(
            sig.signed_revision,
            (),
            f"chữ ký {sig.field_name} không phủ đúng trọn một lần sửa của tệp",
            f"signature {sig.field_name} does not cover exactly one whole revision",
        )


def _ref_number(value: generic.PdfObject | None) -> int | None:
    return value.idnum if isinstance(value, generic.IndirectObject) else None


def _get(obj: generic.PdfObject, key: str) -> generic.PdfObject | None:
    if isinstance(obj, generic.DictionaryObject) and key in obj:
        value: generic.PdfObject = obj.raw_get(key)
        return value
    return None


def _name(obj: generic.PdfObject, key: str) -> str | None:
    """A name entry as a plain string (None if absent or not a name)."""
    value = _get(obj, key)
    return str(value) if isinstance(value, generic.NameObject) else None


def _keys(obj: generic.PdfObject) -> set[str]:
    return {str(k) for k in obj} if isinstance(obj, generic.DictionaryObject) else set()


def _changed_keys(old: generic.PdfObject, new: generic.PdfObject) -> set[str] | None:
    """Keys whose raw values differ; None if either is not a dictionary (or one is a stream
    and the other is not, or the stream data differs)."""
    if not isinstance(old, generic.DictionaryObject) or not isinstance(
        new, generic.DictionaryObject
    ):
        return None
    if isinstance(old, generic.StreamObject) != isinstance(new, generic.StreamObject):
        return None
    if (
        isinstance(old, generic.StreamObject)
        and isinstance(new, generic.StreamObject)
        and old.encoded_data != new.encoded_data
    ):
        return None
    keys = set(old) | set(new)
    return {k for k in keys if _raw(old, k) != _raw(new, k)}


def _raw(obj: generic.DictionaryObject, key: str) -> object:
    if key not in obj:
        return None
    value = obj.raw_get(key)
    return _comparable(value)


def _comparable(value: object, depth: int = 0) -> object:
    """A plain, comparable form of a raw PDF value (references stay references)."""
    if depth > 32:
        return ("deep",)
    if isinstance(value, generic.IndirectObject):
        return ("ref", value.idnum, value.generation)
    if isinstance(value, generic.StreamObject):
        return ("stream", _comparable(dict(value), depth + 1), bytes(value.encoded_data or b""))
    if isinstance(value, dict):
        return tuple(sorted((str(k), _comparable(v, depth + 1)) for k, v in value.items()))
    if isinstance(value, list):
        return tuple(_comparable(v, depth + 1) for v in value)
    return (type(value).__name__, str(value))


def _refs_in(value: generic.PdfObject, depth: int = 0) -> Iterator[int]:
    """Object numbers referenced directly inside a value (not following references)."""
    if depth > 32:
        return
    if isinstance(value, generic.IndirectObject):
        yield value.idnum
    elif isinstance(value, dict):
        for v in value.values():
            yield from _refs_in(v, depth + 1)
    elif isinstance(value, list):
        for v in value:
            yield from _refs_in(v, depth + 1)


def _obj(resolver: HistoricalResolver, number: int, generation: int = 0) -> generic.PdfObject:
    obj: generic.PdfObject = resolver.get_object(generic.Reference(number, generation))
    return obj


def _check_one(
    layout: Layout,
    reader: PdfFileReader,
    index: int,
    sig: EmbeddedPdfSignature | None,
    pool: _TrustPool,
) -> Iterator[Finding]:
    revision = layout.revisions[index]
    before, after = reader.get_historical_resolver(index - 1), reader.get_historical_resolver(index)
    existed = layout.defined_up_to(index - 1)
    freed = [n for n, e in revision.entries.items() if e.kind is XRefType.FREE and n != 0]
    if freed:
        yield _problem(index, freed, "xoá đối tượng", "objects freed")
    touched = [
        n
        for n, e in revision.entries.items()
        if e.kind is not XRefType.FREE and n != 0 and n != revision.xref_stream
    ]
    root_ref = _ref_number(before.trailer_view.raw_get("/Root"))
    info_ref = _ref_number(_get(before.trailer_view, "/Info"))
    new_root = _ref_number(after.trailer_view.raw_get("/Root"))
    new_info = _ref_number(_get(after.trailer_view, "/Info"))
    if new_root != root_ref or new_info != info_ref:
        yield _problem(
            index, (), "đổi gốc tài liệu hoặc /Info", "the trailer's /Root or /Info moved"
        )
        return
    old_root = _obj(before, root_ref or 0)
    acroform_ref = _ref_number(_get(old_root, "/AcroForm"))
    dss_ref = _ref_number(_get(old_root, "/DSS"))
    metadata_ref = _ref_number(_get(old_root, "/Metadata"))
    sig_number = _ref_number(sig.sig_field.raw_get("/V")) if sig is not None else None
    is_doc_ts = sig is not None and sig.sig_object_type == "/DocTimeStamp"

    anchors: dict[int, str] = {}  # new objects may hang from these, with this role
    new_fields: set[int] = set()
    bad: list[int] = []
    substantive = False
    for number in touched:
        if number not in existed:
            continue
        generation = revision.entries[number].generation
        old, new = _obj(before, number, generation), _obj(after, number, generation)
        changed = _changed_keys(old, new)
        if number == root_ref:
            if changed is None or not changed <= _CATALOG_BOOKKEEPING:
                bad.append(number)
                continue
            for key, role in (("/DSS", "dss"), ("/Metadata", "metadata")):
                if key in changed:
                    ref = _ref_number(_get(new, key))
                    if ref is None:
                        bad.append(number)
                    else:
                        anchors[ref] = role
        elif number == info_ref:
            if changed is None or not changed <= _INFO_BOOKKEEPING:
                bad.append(number)
        elif number == acroform_ref:
            if changed is None or not changed <= _ACROFORM_SIGNING:
                bad.append(number)
                continue
            if "/Fields" in changed:
                appended = _appended(_get(old, "/Fields"), _get(new, "/Fields"))
                if appended is None or not is_doc_ts:
                    bad.append(number)
                else:
                    new_fields.update(appended)
        elif number == dss_ref:
            if changed is None or not _keys(new) <= _DSS_KEYS:
                bad.append(number)
                continue
            substantive = True
            for ref in _refs_in(new):
                anchors.setdefault(ref, "dss")
        elif number == metadata_ref:
            if not _is_xmp(new):
                bad.append(number)
        elif sig_number is not None and _ref_number(_get(new, "/V")) == sig_number:
            # (a) the field this revision's signature fills: empty before, /V and /AP only
            if (
                is_doc_ts
                or changed is None
                or not changed <= _FIELD_SIGNING
                or _get(old, "/V") is not None
                or _name(new, "/FT") != "/Sig"
            ):
                bad.append(number)
                continue
            substantive = True
            anchors[sig_number] = "signature"
            for ref in _refs_in(_get(new, "/AP") or generic.NullObject()):
                anchors.setdefault(ref, "appearance")
        elif is_doc_ts and _page_annots_only(old, new, changed):
            new_fields.update(_appended(_get(old, "/Annots"), _get(new, "/Annots")) or ())
        else:
            bad.append(number)
    if bad:
        yield _problem(
            index, bad, "sửa các đối tượng đã có", "objects changed that signing never changes"
        )
    added = {n for n in touched if n not in existed}
    if is_doc_ts and sig_number is not None:
        yield from _check_timestamp_fields(index, after, new_fields, added, sig_number)
        substantive = True
        anchors[sig_number] = "signature"
        anchors.update(dict.fromkeys(new_fields & added, "timestamp_field"))
    elif sig is not None and sig_number not in anchors:
        yield _problem(
            index,
            (),
            f"chữ ký {sig.field_name} không điền vào một ô ký trống có sẵn",
            f"signature {sig.field_name} does not fill an empty field that existed before",
        )
    reached = _reach(after, anchors, added)
    stray = sorted(added - set(reached))
    if stray:
        yield _problem(
            index,
            stray,
            "thêm đối tượng không thuộc chữ ký hay dữ liệu kiểm tra",
            "objects added that are neither signing nor validation data",
        )
    dss_objects = [n for n, role in reached.items() if role == "dss"]
    if dss_objects:
        substantive = True
        yield from _check_dss(index, after, dss_objects, pool)
    if not substantive and not bad and not stray:
        yield _problem(
            index,
            touched,
            "lần sửa không phải chữ ký, dấu thời gian hay dữ liệu kiểm tra",
            "a revision that is neither a signature, a timestamp nor validation data",
        )


def _appended(old: generic.PdfObject | None, new: generic.PdfObject | None) -> list[int] | None:
    """References appended to an array (the rest unchanged), or None."""
    if not isinstance(new, generic.ArrayObject):
        return None
    before = list(old) if isinstance(old, generic.ArrayObject) else []
    after = list(new)
    if [_comparable(v) for v in after[: len(before)]] != [_comparable(v) for v in before]:
        return None
    added = [_ref_number(v) for v in after[len(before) :]]
    return None if any(a is None for a in added) else [a for a in added if a is not None]


def _page_annots_only(
    old: generic.PdfObject, new: generic.PdfObject, changed: set[str] | None
) -> bool:
    return (
        changed == {"/Annots"}
        and _name(new, "/Type") == "/Page"
        and _appended(_get(old, "/Annots"), _get(new, "/Annots")) is not None
    )


def _check_timestamp_fields(
    index: int, after: HistoricalResolver, fields: set[int], added: set[int], sig_number: int
) -> Iterator[Finding]:
    """(c) One new invisible field holding the document timestamp; nothing a viewer draws."""
    good = False
    for number in fields:
        field = _obj(after, number)
        rect = _get(field, "/Rect")
        zero = (
            isinstance(rect, generic.ArrayObject)
            and len(rect) == 4
            and (float(rect[0]) == float(rect[2]) or float(rect[1]) == float(rect[3]))
        )
        if (
            number in added
            and _name(field, "/FT") == "/Sig"
            and _ref_number(_get(field, "/V")) == sig_number
            and _get(field, "/AP") is None
            and _get(field, "/Kids") is None
            and zero
        ):
            good = True
            continue
        yield _problem(
            index,
            (number,),
            "thêm trường hoặc chú thích có thể hiển thị",
            "a field or annotation was added that viewers may draw",
        )
    if not good:
        yield _problem(
            index,
            (sig_number,),
            "dấu thời gian tài liệu không nằm trong một trường ẩn mới",
            "the document timestamp is not in a new invisible field",
        )


def _reach(after: HistoricalResolver, anchors: dict[int, str], added: set[int]) -> dict[int, str]:
    """New objects reachable from the anchors through new objects only, with their role."""
    reached: dict[int, str] = {}
    stack = [(n, role) for n, role in anchors.items() if n in added]
    while stack:
        number, role = stack.pop()
        if number in reached:
            continue
        reached[number] = role
        obj = _obj(after, number)
        if role == "signature" and isinstance(obj, generic.DictionaryObject):
            # /Reference → /Data points back at the catalog: not something to walk into.
            continue
        stack.extend((n, role) for n in _refs_in(obj) if n in added and n not in reached)
    return reached


def _is_xmp(obj: generic.PdfObject) -> bool:
    return (
        isinstance(obj, generic.StreamObject)
        and _name(obj, "/Type") == "/Metadata"
        and _name(obj, "/Subtype") == "/XML"
    )


class _TrustPool:
    """Certificates that chain to a configured root (checked by signature, not by name)."""

    def __init__(
        self, roots: Sequence[bytes], extra: Sequence[bytes], crls: Sequence[bytes]
    ) -> None:
        self.configured_crls = frozenset(crls)
        self.trusted = [x509.load_der_x509_certificate(r) for r in roots]
        self.extra = [x509.load_der_x509_certificate(c) for c in extra]

    def chains(self, cert: x509.Certificate, others: Sequence[x509.Certificate]) -> bool:
        current, seen = cert, 0
        candidates = [*self.trusted, *self.extra, *others]
        while seen < 8:
            if any(current == t for t in self.trusted):
                return True
            issuer = next((c for c in candidates if _issued_by(current, c)), None)
            if issuer is None or issuer == current:
                return any(_issued_by(current, t) for t in self.trusted)
            current, seen = issuer, seen + 1
        return False

    def signed_crl(
        self, crl: x509.CertificateRevocationList, others: Sequence[x509.Certificate]
    ) -> bool:
        """A configured CRL (verification uses those anyway), or one signed by a trusted CA."""
        if crl.public_bytes(Encoding.DER) in self.configured_crls:
            return True
        for cert in [*self.trusted, *self.extra, *others]:
            if cert.subject == crl.issuer and self.chains(cert, others):
                try:
                    if crl.is_signature_valid(cert.public_key()):  # type: ignore[arg-type]
                        return True
                except (TypeError, ValueError):
                    continue
        return False


def _issued_by(cert: x509.Certificate, issuer: x509.Certificate) -> bool:
    if cert.issuer != issuer.subject:
        return False
    try:
        cert.verify_directly_issued_by(issuer)
    except (ValueError, TypeError, Exception):
        return False
    return True


def _check_dss(
    index: int, after: HistoricalResolver, numbers: Sequence[int], pool: _TrustPool
) -> Iterator[Finding]:
    """(b) Validation data: streams of certificates, CRLs and OCSP responses, VRI
    dictionaries and arrays; every certificate chains to a configured root."""
    certs: list[tuple[int, x509.Certificate]] = []
    crls: list[tuple[int, x509.CertificateRevocationList]] = []
    bad: list[int] = []
    for number in numbers:
        obj = _obj(after, number)
        if isinstance(obj, generic.StreamObject):
            data = obj.data
            try:
                certs.append((number, x509.load_der_x509_certificate(data)))
                continue
            except ValueError:
                pass
            try:
                crls.append((number, x509.load_der_x509_crl(data)))
                continue
            except ValueError:
                pass
            try:
                from cryptography.x509 import ocsp

                ocsp.load_der_ocsp_response(data)
                continue
            except ValueError:
                bad.append(number)
        elif isinstance(obj, generic.DictionaryObject):
            if not _keys(obj) <= _VRI_KEYS | _DSS_KEYS or _name(obj, "/Type") not in (None, "/VRI"):
                bad.append(number)
        elif not isinstance(obj, generic.ArrayObject):
            bad.append(number)
    if bad:
        yield _problem(
            index, bad, "dữ liệu kiểm tra chứa đối tượng lạ", "validation data holds other objects"
        )
    others = [c for _, c in certs]
    foreign = [n for n, c in certs if not pool.chains(c, others)]
    foreign += [n for n, crl in crls if not pool.signed_crl(crl, others)]
    if foreign:
        yield _problem(
            index,
            foreign,
            "dữ liệu kiểm tra có chứng thư hoặc danh sách thu hồi không thuộc CA tin cậy",
            "validation data holds certificates or CRLs outside the configured trust roots",
        )
