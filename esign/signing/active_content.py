"""What a supplied PDF carries besides what its pages show: the scan behind
:func:`esign.signing.sanitize.find_active_content`.

A PDF made by someone else and signed by us must not run code, change what it shows, hide files,
or keep room for objects "filled in" after signing. pyHanko parses the file (strict=False, as
for signing); every object the cross-reference sections define is walked, plus the structure
itself: revisions, duplicate object numbers in one section, references to undefined objects.
"""

from __future__ import annotations

import io
import itertools
import re
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass

from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.crypt.api import AuthStatus
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.pdf_utils.xref import XRefSectionType, parse_xref_stream, parse_xref_table

from .errors import UnreadablePdfError

MAX_OBJECTS = 500_000
"""More indirect objects than this is not a document a citizen scans; it is refused."""


@dataclass(frozen=True, slots=True)
class ActiveContent:
    """One finding: what (``kind``, a stable code), where (object number, when there is one)."""

    kind: str
    object_number: int | None
    message_vi: str
    message_en: str


KINDS: dict[str, tuple[str, str]] = {
    "javascript": ("JavaScript (mã lệnh chạy trong trình đọc PDF)", "JavaScript"),
    "additional_actions": (
        "hành động tự động khi mở trang, trường hoặc tài liệu (/AA)",
        "additional actions (/AA)",
    ),
    "open_action": ("hành động khi mở tài liệu (/OpenAction)", "an open action"),
    "form_field": ("trường biểu mẫu (ô nhập, ô đánh dấu…)", "a form field"),
    "xfa": ("biểu mẫu XFA", "an XFA form"),
    "annotation": ("chú thích, liên kết vẽ thêm trên trang (/Annots)", "an annotation"),
    "embedded_file": ("tệp đính kèm nhúng trong PDF", "an embedded or attached file"),
    "launch_action": ("lệnh mở chương trình, tệp khác (/Launch)", "a launch action"),
    "uri_action": ("liên kết tới địa chỉ Internet (/URI)", "a URI action"),
    "submit_form_action": ("lệnh gửi dữ liệu biểu mẫu đi (/SubmitForm)", "a submit-form action"),
    "import_data_action": ("lệnh nạp dữ liệu từ tệp ngoài (/ImportData)", "an import-data action"),
    "remote_goto_action": ("liên kết tới tài liệu khác (/GoToR, /GoToE)", "a remote go-to action"),
    "media_action": ("lệnh phát âm thanh, video (/Rendition…)", "a multimedia action"),
    "existing_signature": ("chữ ký số đã có trong tệp", "an existing signature"),
    "encrypted": ("tệp được mã hóa (mật khẩu chủ sở hữu)", "the file is encrypted"),
    "dangling_reference": (
        "tham chiếu tới đối tượng không có trong tệp (có thể được “điền” sau khi ký)",
        "a reference to an object the file does not define (could be filled in after signing)",
    ),
    "duplicate_object": (
        "một số hiệu đối tượng được định nghĩa hai lần trong cùng một phần của tệp",
        "an object number defined twice in one cross-reference section",
    ),
    "incremental_update": (
        "tệp đã được sửa thêm sau khi tạo (cập nhật gia tăng)",
        "the file was changed after it was made (incremental update)",
    ),
}
_ACTIONS = {
    "/JavaScript": "javascript",
    "/Launch": "launch_action",
    "/URI": "uri_action",
    "/SubmitForm": "submit_form_action",
    "/ImportData": "import_data_action",
    "/GoToR": "remote_goto_action",
    "/GoToE": "remote_goto_action",
    "/Rendition": "media_action",
    "/Sound": "media_action",
    "/Movie": "media_action",
    "/RichMediaExecute": "media_action",
}
_KEYS = {
    "/JS": "javascript",
    "/JavaScript": "javascript",  # the name tree in the catalog's /Names
    "/AA": "additional_actions",
    "/OpenAction": "open_action",
    "/XFA": "xfa",
    "/EmbeddedFiles": "embedded_file",
    "/EF": "embedded_file",
}
_SUBTYPES = {"/FileAttachment": "embedded_file"}
_OBJ_HEADER = re.compile(rb"(?:^|[\r\n])[ \t]*(\d{1,10})[ \t\r\n]+(\d{1,5})[ \t\r\n]+obj\b")
_LINEARIZED = re.compile(rb"<<[^>]{0,200}?/Linearized\b")


def finding(
    kind: str, object_number: int | None = None, detail_vi: str = "", detail_en: str | None = None
) -> ActiveContent:
    vi, en = KINDS[kind]
    where_vi = f" (đối tượng {object_number})" if object_number is not None else ""
    where_en = f" (object {object_number})" if object_number is not None else ""
    detail_en = detail_vi if detail_en is None else detail_en
    return ActiveContent(
        kind, object_number, f"{vi}{where_vi}{detail_vi}", f"{en}{where_en}{detail_en}"
    )


def scan(pdf: bytes) -> tuple[ActiveContent, ...]:
    try:
        reader = PdfFileReader(io.BytesIO(pdf), strict=False)
        found: list[ActiveContent] = []
        if reader.encrypted:
            # An empty user password opens the file in every viewer without asking: readable.
            if reader.decrypt("").status is AuthStatus.FAILED:
                raise UnreadablePdfError(
                    "Tệp PDF có mật khẩu, không đọc được", "The PDF is password-protected"
                )
            found.append(finding("encrypted"))
        found += _structure(reader, pdf)
        found += _objects(reader)
    except UnreadablePdfError:
        raise
    except Exception as exc:  # hostile input fails in many ways; all mean "cannot read"
        raise UnreadablePdfError(
            f"Không đọc được cấu trúc tệp PDF: {type(exc).__name__}",
            f"Cannot parse the PDF: {type(exc).__name__}: {exc}"[:300],
        ) from exc
    unique = {(f.kind, f.object_number): f for f in found}
    order = list(KINDS)
    return tuple(sorted(unique.values(), key=lambda f: (order.index(f.kind), f.object_number or 0)))


# ---------------------------------------------------------------- the file's structure


def _structure(reader: PdfFileReader, pdf: bytes) -> list[ActiveContent]:
    xrefs = reader.xrefs
    sections = xrefs.total_revisions
    found: list[ActiveContent] = []
    updates = sections - 1 - (1 if _linearized(reader, pdf) else 0)
    if updates > 0:
        found.append(finding("incremental_update", None, f": {updates} lần", f": {updates}"))
    starts: list[int] = []
    for revision in range(sections):
        info = xrefs.get_xref_container_info(revision)
        starts.append(info.start_location)
        counts = Counter(_section_numbers(reader, pdf, revision))
        found += [finding("duplicate_object", n) for n, c in sorted(counts.items()) if c > 1]
    # Object headers twice in one stretch of the file between two cross-reference sections:
    # a later definition would be a second revision, not a rewrite of this one.
    bounds = [0, *sorted(starts), len(pdf)]
    for lo, hi in itertools.pairwise(bounds):
        seen: set[int] = set()
        for match in _OBJ_HEADER.finditer(pdf, lo, hi):
            number = int(match.group(1))
            if number in seen:
                found.append(finding("duplicate_object", number))
            seen.add(number)
    return found


def _linearized(reader: PdfFileReader, pdf: bytes) -> bool:
    """A linearised file ("fast web view") has two sections and one revision: the first-page
    section at the top, read first, whose /Prev is the main one at the end. An update is always
    written after what it updates and redefines objects; this is neither."""
    xrefs = reader.xrefs
    if xrefs.total_revisions != 2 or not _LINEARIZED.search(pdf[:1024]):
        return False
    main, head = (xrefs.get_xref_container_info(r).start_location for r in (0, 1))
    shared = xrefs.explicit_refs_in_revision(0) & xrefs.explicit_refs_in_revision(1)
    return head < main and not {r for r in shared if r.idnum}


def _section_numbers(reader: PdfFileReader, pdf: bytes, revision: int) -> Iterator[int]:
    """The object numbers one cross-reference section lists, repeats included (pyHanko keeps
    the last one silently)."""
    info = reader.xrefs.get_xref_container_info(revision)
    if info.xref_section_type in (XRefSectionType.STANDARD, XRefSectionType.HYBRID_MAIN):
        stream = io.BytesIO(pdf)
        stream.seek(info.start_location)
        entries = parse_xref_table(stream, strict=False)
    else:
        assert info.stream_ref is not None
        xref_stream = reader.get_object(info.stream_ref, revision=revision)
        assert isinstance(xref_stream, generic.StreamObject)
        entries = parse_xref_stream(xref_stream, strict=False)
    for entry in entries:
        if entry.idnum != 0:
            yield entry.idnum


# ---------------------------------------------------------------- the objects


def _defined(reader: PdfFileReader, ref: generic.Reference) -> bool:
    try:
        return reader.xrefs[ref] is not None
    except KeyError:
        return False


def _objects(reader: PdfFileReader) -> list[ActiveContent]:
    xrefs = reader.xrefs
    refs: set[generic.Reference] = set()
    for revision in range(xrefs.total_revisions):
        refs |= xrefs.explicit_refs_in_revision(revision)
    live = sorted((r for r in refs if r.idnum and _defined(reader, r)), key=lambda r: r.idnum)
    if len(live) > MAX_OBJECTS:
        raise UnreadablePdfError("Tệp PDF có quá nhiều đối tượng", "The PDF has too many objects")
    found: list[ActiveContent] = []
    trailer = reader.trailer.flatten()
    for number, value in [(None, trailer), *((r.idnum, reader.get_object(r)) for r in live)]:
        found += _walk(reader, number, value)
    _check_page_tree(reader)
    found += _fields(reader)
    return found


def _loop() -> UnreadablePdfError:
    return UnreadablePdfError(
        "Tệp PDF có vòng tham chiếu trong cây trang hoặc cây trường biểu mẫu",
        "The PDF's page or form-field tree refers back to itself",
    )


def _check_page_tree(reader: PdfFileReader) -> None:
    """A page tree in which a node is reached twice is refused: the signing library would walk
    it for ever (PDFium, which draws the rebuild, stops on its own)."""
    root = reader.root
    seen: set[int] = set()
    stack = [root.raw_get("/Pages")] if "/Pages" in root else []
    while stack:
        raw = stack.pop()
        if isinstance(raw, generic.IndirectObject):
            if raw.idnum in seen:
                raise _loop()
            seen.add(raw.idnum)
        node = raw.get_object() if isinstance(raw, generic.IndirectObject) else raw
        if isinstance(node, generic.DictionaryObject):
            _climb(node)
            kids = _get(node, "/Kids")
            if isinstance(kids, generic.ArrayObject):
                stack.extend(list.__iter__(kids))


def _climb(node: generic.DictionaryObject, limit: int = 64) -> None:
    """``/Parent`` up from ``node`` must end (attributes are inherited through it)."""
    seen: set[int] = set()
    raw = node.raw_get("/Parent") if "/Parent" in node else None
    while isinstance(raw, generic.IndirectObject):
        if raw.idnum in seen or len(seen) > limit:
            raise _loop()
        seen.add(raw.idnum)
        parent = raw.get_object()
        if not isinstance(parent, generic.DictionaryObject) or "/Parent" not in parent:
            return
        raw = parent.raw_get("/Parent")


def _walk(
    reader: PdfFileReader, number: int | None, value: generic.PdfObject
) -> Iterator[ActiveContent]:
    """The direct content of one indirect object; references are checked, not followed (each
    indirect object gets its own walk)."""
    stack: list[generic.PdfObject] = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, generic.IndirectObject):
            if not _defined(reader, item.reference):
                yield finding("dangling_reference", number, f" → {item.idnum} {item.generation} R")
        elif isinstance(item, generic.DictionaryObject):
            yield from _dictionary(reader, number, item)
            stack.extend(dict.values(item))  # raw values: references stay references
        elif isinstance(item, generic.ArrayObject):
            stack.extend(list.__iter__(item))


def _dictionary(
    reader: PdfFileReader, number: int | None, item: generic.DictionaryObject
) -> Iterator[ActiveContent]:
    for key, kind in _KEYS.items():
        if key in item:
            yield finding(kind, number)
    action = item.raw_get("/S") if "/S" in item else None
    if isinstance(action, generic.NameObject) and action in _ACTIONS:
        yield finding(_ACTIONS[action], number)
    subtype = item.raw_get("/Subtype") if "/Subtype" in item else None
    if isinstance(subtype, generic.NameObject) and subtype in _SUBTYPES:
        yield finding(_SUBTYPES[subtype], number)
    if "/Annots" in item:
        annots = item["/Annots"]
        if isinstance(annots, generic.ArrayObject):
            for raw in list.__iter__(annots):
                annot = raw.get_object() if isinstance(raw, generic.IndirectObject) else raw
                if not _empty_signature_widget(annot):
                    where = raw.idnum if isinstance(raw, generic.IndirectObject) else number
                    yield finding("annotation", where)


# ---------------------------------------------------------------- form fields


def _get(node: generic.DictionaryObject, key: str) -> generic.PdfObject | None:
    """``node[key]`` dereferenced, or None (pyHanko's ``.get()`` does not dereference)."""
    if key not in node:
        return None
    value: generic.PdfObject = node[key]
    return value


def _is_widget(node: generic.DictionaryObject) -> bool:
    subtype = _get(node, "/Subtype")
    return isinstance(subtype, generic.NameObject) and str(subtype) == "/Widget"


def _field_type(node: generic.DictionaryObject) -> str | None:
    """``/FT``, inherited from the parents (a few levels: a deeper chain is not a form)."""
    for _ in range(32):
        if "/FT" in node:
            kind = node.raw_get("/FT")
            return str(kind) if isinstance(kind, generic.NameObject) else None
        parent = _get(node, "/Parent")
        if not isinstance(parent, generic.DictionaryObject):
            return None
        node = parent
    return None


def _draws_nothing(appearance: generic.PdfObject) -> bool:
    """An appearance dictionary whose streams are all empty: an unsigned field we drew."""
    if not isinstance(appearance, generic.DictionaryObject):
        return False
    for key in ("/N", "/R", "/D"):
        if key not in appearance:
            continue
        entry = appearance[key]
        streams = (
            [entry]
            if isinstance(entry, generic.StreamObject)
            else [entry[k] for k in entry]
            if isinstance(entry, generic.DictionaryObject)
            else [entry]
        )
        for stream in streams:
            if not isinstance(stream, generic.StreamObject) or stream.data.strip():
                return False
    return True


def _empty_signature_widget(annot: generic.PdfObject) -> bool:
    """A widget of a signature field that shows nothing and does nothing (the empty fields the
    service prepares for officials), or of a field already signed (reported as a signature)."""
    if not isinstance(annot, generic.DictionaryObject):
        return False
    if not _is_widget(annot) or _field_type(annot) != "/Sig":
        return False
    if "/A" in annot or "/AA" in annot:
        return False
    if _signed(annot):
        return True
    return "/AP" not in annot or _draws_nothing(annot["/AP"])


def _signed(node: generic.DictionaryObject) -> bool:
    for _ in range(32):
        if "/V" in node:
            return True
        parent = _get(node, "/Parent")
        if not isinstance(parent, generic.DictionaryObject):
            return False
        node = parent
    return False


def _fields(reader: PdfFileReader) -> Iterator[ActiveContent]:
    root = reader.root
    form = _get(root, "/AcroForm")
    if not isinstance(form, generic.DictionaryObject):
        return
    fields = _get(form, "/Fields")
    if not isinstance(fields, generic.ArrayObject):
        return
    seen: set[int] = set()
    stack = list(list.__iter__(fields))
    while stack:
        raw = stack.pop()
        if isinstance(raw, generic.IndirectObject):
            if raw.idnum in seen:
                raise _loop()
            seen.add(raw.idnum)
        node = raw.get_object() if isinstance(raw, generic.IndirectObject) else raw
        if not isinstance(node, generic.DictionaryObject):
            continue
        where = raw.idnum if isinstance(raw, generic.IndirectObject) else None
        kids = _get(node, "/Kids")
        if isinstance(kids, generic.ArrayObject) and len(kids):
            stack.extend(list.__iter__(kids))
            continue
        if _field_type(node) != "/Sig":
            yield finding("form_field", where)
        elif _signed(node):
            yield finding("existing_signature", where)
        elif not _empty_signature_widget(node) and _is_widget(node):
            yield finding("form_field", where, ": ô chữ ký có hình vẽ", ": a drawn signature box")
