"""The file's structure, read by ourselves: revisions, their cross-reference sections, and what
each one defines.

pyHanko's reader is lenient by design: it keeps one entry when an object number is listed twice
in a section, repairs a ``startxref`` that points a few bytes off, substitutes null for an object
that is referenced but not defined, and ignores bytes between revisions. Each of those lets a
forger show one reader something another does not (or something the signer never saw), so here
every revision is parsed again, entry by entry, and anything irregular is a
:class:`~esign.signing.report.Finding`.

What is checked, for every file:

- one definition per object number in each cross-reference section (table or stream);
- every in-use entry points at ``N G obj`` of that number, and the object parses to ``endobj``;
- between the objects of a revision, and between revisions, nothing but whitespace and
  comments (no object the cross-reference section does not list);
- each revision ends with ``startxref <its section>`` and ``%%EOF``; after the last one only
  line endings;
- in a signed revision, every reference reachable from the trailer names an object that this
  revision (or an earlier one) defines: an object planted as a reference before signing and
  filled in afterwards would change what the signed revision shows.
"""

from __future__ import annotations

import io
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

from pyhanko.pdf_utils import generic, misc
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.pdf_utils.xref import (
    ObjStreamRef,
    XRefBuilder,
    XRefEntry,
    XRefSectionMetaInfo,
    XRefSectionType,
    XRefType,
    parse_xref_stream,
    parse_xref_table,
    read_object_header,
)

from .report import Finding

MAX_WALK = 200_000
"""Objects a reachability walk may visit in one revision before the file is refused."""
_STARTXREF = re.compile(rb"startxref\s+(\d+)\s*%%EOF(\r\n|\r|\n)?")
_TAIL = re.compile(rb"[\r\n\t\f\x00 ]*")
_FILLER = re.compile(rb"(?:\s+|%[^\r\n]*)*\Z")  # whitespace and comments only


class StructureError(Exception):
    """The file's structure cannot be read at all: "cannot verify"."""

    def __init__(self, message_vi: str, message_en: str) -> None:
        super().__init__(message_en)
        self.message_vi, self.message_en = message_vi, message_en


@dataclass(frozen=True, slots=True)
class Entry:
    generation: int
    kind: XRefType
    offset: int | None
    """File offset of a plain object; None for free entries and objects in object streams."""
    in_stream: int | None = None
    """The object stream holding it, for compressed objects."""


@dataclass(frozen=True)
class Revision:
    index: int
    xref_offset: int
    end: int
    """Offset just after this revision's ``%%EOF`` (and its line ending)."""
    entries: dict[int, Entry] = field(repr=False)
    xref_stream: int | None = None
    """Object number of the cross-reference stream, if the section is one."""
    eof_at: int = 0
    """Offset just after this revision's ``%%EOF``, before its line ending: some signers
    sign up to there."""

    @property
    def in_use(self) -> frozenset[int]:
        return frozenset(n for n, e in self.entries.items() if e.kind is not XRefType.FREE)


@dataclass(frozen=True)
class Layout:
    revisions: tuple[Revision, ...]
    problems: tuple[Finding, ...]

    def defined_up_to(self, revision: int) -> set[int]:
        """Object numbers in use in ``revision`` (later sections may free or add others)."""
        defined: set[int] = set()
        for rev in self.revisions[: revision + 1]:
            for number, entry in rev.entries.items():
                if entry.kind is XRefType.FREE:
                    defined.discard(number)
                else:
                    defined.add(number)
        return defined


def read_layout(pdf: bytes, reader: PdfFileReader) -> Layout:
    """Every revision's own entries (duplicates reported, not merged) and the checks that
    need no signature: offsets, gaps, revision ends, the tail."""
    problems: list[Finding] = []
    stream = io.BytesIO(pdf)
    revisions: list[Revision] = []
    previous_end = 0
    total = reader.xrefs.total_revisions
    for index in range(total):
        info = reader.xrefs.get_xref_container_info(index)
        if info.xref_section_type in (XRefSectionType.HYBRID_MAIN, XRefSectionType.HYBRID_STREAM):
            problems.append(
                _problem(
                    "hybrid_xref",
                    "tệp dùng bảng tham chiếu lai (/XRefStm), mỗi trình đọc hiểu một kiểu",
                    "the file uses a hybrid cross-reference section (/XRefStm)",
                    index,
                )
            )
        section_at = _section_start(pdf, info)
        if section_at != info.declared_startxref:
            problems.append(
                _problem(
                    "startxref_off",
                    f"lần sửa {index}: startxref trỏ sai chỗ ({info.declared_startxref})",
                    f"revision {index}: startxref points to the wrong place "
                    f"({info.declared_startxref}, section at {section_at})",
                    index,
                )
            )
        raw, stream_number, section_end = _raw_entries(stream, reader, info, section_at)
        entries: dict[int, Entry] = {}
        duplicates: set[int] = set()
        for item in raw:
            if item.idnum in entries:
                duplicates.add(item.idnum)
            entries[item.idnum] = _entry(item)
        if duplicates:
            listed = ", ".join(str(n) for n in sorted(duplicates)[:10])
            problems.append(
                _problem(
                    "duplicate_xref_entry",
                    f"lần sửa {index}: đối tượng {listed} được khai báo hai lần trong cùng một "
                    "bảng tham chiếu (mỗi trình đọc hiển thị một bản khác nhau)",
                    f"revision {index}: object {listed} is listed twice in one "
                    "cross-reference section (readers disagree on which one counts)",
                    index,
                    duplicates,
                )
            )
        end = _revision_end(pdf, section_end, info.declared_startxref)
        if end is None:
            raise StructureError(
                f"không tìm thấy phần kết (startxref, %%EOF) của lần sửa {index}",
                f"revision {index} has no startxref/%%EOF of its own",
            )
        revision = Revision(
            index, section_at, end, entries, stream_number, eof_at=_eof_at(pdf, end)
        )
        problems.extend(_check_objects(pdf, stream, reader, revision, previous_end))
        revisions.append(revision)
        previous_end = end
    if not _TAIL.fullmatch(pdf, previous_end):
        problems.append(
            _problem(
                "bytes_after_eof",
                "có dữ liệu lạ sau phần cuối tệp (%%EOF)",
                "there are bytes after the end of the file (%%EOF)",
                total - 1,
            )
        )
    return Layout(tuple(revisions), tuple(problems))


def _problem(
    code: str, vi: str, en: str, revision: int | None, objects: Iterable[int] = ()
) -> Finding:
    return Finding(code, vi, en, revision, tuple(sorted(int(o) for o in objects)))


def _entry(item: XRefEntry) -> Entry:
    if item.xref_type is XRefType.IN_OBJ_STREAM:
        assert isinstance(item.location, ObjStreamRef)
        return Entry(0, item.xref_type, None, item.location.obj_stream_id)
    offset = item.location if isinstance(item.location, int) else None
    return Entry(item.generation, item.xref_type, offset)


def _section_start(pdf: bytes, info: XRefSectionMetaInfo) -> int:
    """Where the section really starts (pyHanko records a table's start after ``xref``)."""
    if info.xref_section_type is XRefSectionType.STREAM:
        return info.start_location
    found = pdf.rfind(b"xref", 0, info.start_location)
    if found < 0:
        raise StructureError("bảng tham chiếu hỏng", "no xref table")
    return found


def _raw_entries(
    stream: io.BytesIO, reader: PdfFileReader, info: XRefSectionMetaInfo, start: int
) -> tuple[list[XRefEntry], int | None, int]:
    """All entries of one section as written (pyHanko's own parsers, before its merge)."""
    stream.seek(start)
    if info.xref_section_type is XRefSectionType.STREAM:
        builder = XRefBuilder(reader, stream, strict=False, last_startxref=start)
        ref, xref_stream = builder._read_xref_stream_object()
        entries = list(parse_xref_stream(xref_stream, strict=False))
        misc.read_non_whitespace(stream, seek_back=True)
        if stream.read(6) != b"endobj":
            raise StructureError(
                "luồng tham chiếu chéo không kết thúc đúng", f"xref stream at {start} has no endobj"
            )
        return entries, ref.idnum, stream.tell()
    if stream.read(4) != b"xref":
        raise StructureError("bảng tham chiếu hỏng", f"no xref table at {start}")
    entries = list(parse_xref_table(stream, strict=False))
    generic.DictionaryObject.read_from_stream(stream, generic.TrailerReference(reader))
    return entries, None, stream.tell()


def _revision_end(pdf: bytes, section_end: int, declared: int) -> int | None:
    match = _STARTXREF.search(pdf, section_end)
    if match is None or int(match.group(1)) != declared:
        return None
    if not _FILLER.match(pdf[section_end : match.start()]):
        return None
    return match.end()


def _eof_at(pdf: bytes, end: int) -> int:
    """Just after ``%%EOF`` (before its line ending)."""
    return pdf.rindex(b"%%EOF", 0, end) + len(b"%%EOF")


def _check_objects(
    pdf: bytes, stream: io.BytesIO, reader: PdfFileReader, revision: Revision, start: int
) -> Iterator[Finding]:
    """Each plain object where its entry says, parsed to ``endobj``, inside its revision;
    nothing else between them."""
    spans: list[tuple[int, int]] = []
    index = revision.index
    for number, entry in sorted(revision.entries.items()):
        if entry.kind is not XRefType.STANDARD or entry.offset is None or number == 0:
            continue
        offset = entry.offset
        if not start <= offset < revision.xref_offset:
            if revision.xref_stream == number and offset == revision.xref_offset:
                continue
            yield _problem(
                "object_outside_revision",
                f"lần sửa {index}: đối tượng {number} nằm ngoài phần của lần sửa này",
                f"revision {index}: object {number} lies outside this revision's bytes",
                index,
                (number,),
            )
            continue
        end = _object_end(stream, reader, number, entry.generation, offset)
        if end is None:
            yield _problem(
                "bad_xref_offset",
                f"lần sửa {index}: vị trí khai báo của đối tượng {number} không đúng",
                f"revision {index}: the cross-reference offset of object {number} does not "
                f"point at '{number} {entry.generation} obj'",
                index,
                (number,),
            )
            continue
        spans.append((offset, end))
    if revision.xref_stream is not None:
        spans.append((revision.xref_offset, revision.xref_offset))
    spans.sort()
    cursor = start
    stray: list[int] = []
    for offset, end in spans:
        if offset < cursor:
            yield _problem(
                "overlapping_objects",
                f"lần sửa {index}: các đối tượng chồng lên nhau",
                f"revision {index}: objects overlap",
                index,
            )
        elif not _FILLER.match(pdf[cursor:offset]):
            stray.append(cursor)
        cursor = max(cursor, end)
    if cursor < revision.xref_offset and not _FILLER.match(pdf[cursor : revision.xref_offset]):
        stray.append(cursor)
    if stray:
        yield _problem(
            "unlisted_bytes",
            f"lần sửa {index}: có dữ liệu hoặc đối tượng không được khai báo "
            f"(từ vị trí {stray[0]})",
            f"revision {index}: bytes or objects its cross-reference section does not list "
            f"(at offset {stray[0]})",
            index,
        )


def _object_end(
    stream: io.BytesIO, reader: PdfFileReader, number: int, generation: int, offset: int
) -> int | None:
    try:
        stream.seek(offset)
        header = read_object_header(stream, strict=False)
        if header != (number, generation):
            return None
        generic.read_object(stream, generic.Reference(number, generation, reader))
        misc.read_non_whitespace(stream, seek_back=True)
        if stream.read(6) != b"endobj":
            return None
        return stream.tell()
    except Exception:  # any parse failure means the entry does not point at this object
        return None


def dangling_references(layout: Layout, reader: PdfFileReader, revision: int) -> set[int]:
    """Object numbers reachable from ``revision``'s trailer that no section up to it defines."""
    defined = layout.defined_up_to(revision)
    resolver = reader.get_historical_resolver(revision)
    trailer = resolver.trailer_view
    seen: set[int] = set()
    missing: set[int] = set()
    stack: list[generic.PdfObject] = [
        trailer.raw_get(k) for k in ("/Root", "/Info", "/Encrypt") if k in trailer
    ]
    budget = MAX_WALK
    while stack:
        item = stack.pop()
        if isinstance(item, generic.IndirectObject):
            number = item.idnum
            if number in seen:
                continue
            seen.add(number)
            if number not in defined:
                missing.add(number)
                continue
            budget -= 1
            if budget < 0:
                raise StructureError("tệp có quá nhiều đối tượng", "too many objects")
            item = resolver.get_object(item.reference)
        if isinstance(item, generic.DictionaryObject):  # streams too
            stack.extend(item.raw_get(k) for k in item)
        elif isinstance(item, generic.ArrayObject):
            stack.extend(item.raw_get(i) for i in range(len(item)))
    return missing
