"""The visual check: does the whole file show what each signed revision showed?

An incremental update appended after a signature can change what a reader draws (a total of
7.000 đ shown as 17.000 đ) while every signature stays intact. So each page of every signed
revision (``pdf[:end]``) is rendered and compared with the same page of the whole file, by two
independent renderers separately: PDFium (pypdfium2, in this process) and poppler
(``pdftoppm``, a subprocess with a timeout). Two, because a forged file may aim at one reader's
interpretation of a malformed structure. Any pixel that differs, outside the boxes where a later
legitimate signature may draw its stamp, is a difference; so is a different page count or page
size. The structural whitelist of later revisions lives elsewhere (:mod:`.verify`): this is the
independent second look.

A renderer that fails, crashes or runs out of time raises :class:`VisualCheckError`: the
verifier answers "cannot verify", never "valid".

Blind spots, by design: the allowed boxes (a later revision may draw anything inside them: the
structural whitelist must make sure only a signature's stamp does), and a change of colour
that keeps the gray level (the pages are compared in grayscale: cheaper, and an isoluminant
recolouring changes no figure).
"""

from __future__ import annotations

import io
import tempfile
import time
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from PIL import Image, ImageChops
from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.fields import enumerate_sig_fields

from .errors import VisualCheckError
from .renderers import PDFIUM_LOCK, Geometry, PdfiumDocument, PopplerJob, PopplerPages

__all__ = [
    "DEFAULT_DPI",
    "DEFAULT_TIMEOUT",
    "PageBox",
    "VisualCheckError",
    "VisualDifference",
    "rendered_changes",
    "signature_boxes",
]

DEFAULT_DPI = 100
"""Measured over all 90 ordered pairs of digits (tests/esign/signing/test_visual.py): in 10-pt
DejaVu Sans the least visible change still moves some pixel by 63 of 255 at 36 dpi, 144 at
72 dpi and 244 at 100 dpi (in 6-pt text: 8, 73, 140), with both renderers; at 20 dpi the
least moves one by 6, at 10 dpi some move none. 100 dpi keeps that margin for a few
milliseconds of CPU per A4 page (bench/bench_verify.py)."""
DEFAULT_TIMEOUT = 20.0
"""Seconds for all renderings of one file, both renderers."""
GROW_PX = 2
"""Allowed boxes grow by this many pixels on each side: anti-aliasing bleeds past the edge."""
TOLERANCE = 0
"""Largest per-pixel difference (0-255 gray levels) not counted. The same renderer draws the
same content to the same pixels (tests check it on genuine documents), so none is needed."""
POPPLER_WORKERS = 2
"""pdftoppm processes at a time: they draw while PDFium draws in this process."""


@dataclass(frozen=True, slots=True)
class PageBox:
    """A rectangle in PDF user space (points), on page ``page`` (from 0)."""

    page: int
    x0: float
    y0: float
    x1: float
    y1: float


@dataclass(frozen=True, slots=True)
class VisualDifference:
    revision: int
    """Index in the ``revisions`` argument of :func:`rendered_changes`."""
    renderer: str
    """``pdfium`` or ``poppler``."""
    page: int
    """Page index from 0; -1 when the page count differs."""
    message_vi: str
    message_en: str


def rendered_changes(
    pdf: bytes,
    *,
    revisions: Sequence[tuple[int, Sequence[PageBox]]],
    dpi: int = DEFAULT_DPI,
    timeout: float = DEFAULT_TIMEOUT,
) -> tuple[VisualDifference, ...]:
    """The visible differences between each signed revision and the whole file.

    ``revisions``: for each signed revision, the byte offset where it ends (``pdf[:end]`` is
    that revision as signed) and the boxes where later legitimate signing may draw. Each
    revision and the whole file are rendered once per renderer; a revision that is the whole
    file (nothing after it) cannot differ from it and is not rendered. Raises
    :class:`VisualCheckError` when a renderer fails or the whole check exceeds ``timeout``
    seconds; an empty tuple means no difference.
    """
    for end, _ in revisions:
        if not 0 < end <= len(pdf):
            raise VisualCheckError(
                "vị trí kết thúc phiên bản đã ký nằm ngoài tệp",
                f"revision end {end} outside the file of {len(pdf)} bytes",
            )
    ends = [*sorted({end for end, _ in revisions if end < len(pdf)}), len(pdf)]
    if len(ends) == 1:
        return ()
    deadline = time.monotonic() + timeout
    compared = [(index, end, boxes) for index, (end, boxes) in enumerate(revisions)]
    compared = [c for c in compared if c[1] < len(pdf)]
    with tempfile.TemporaryDirectory(prefix="esign-visual-") as tmp:
        jobs: _PopplerJobs | None = None
        try:
            with PDFIUM_LOCK:
                docs = _open_all(pdf, ends)
                try:
                    geometry = {
                        end: [doc.geometry(i) for i in range(doc.page_count)]
                        for end, doc in docs.items()
                    }
                    # page counts within limits: poppler draws while PDFium does
                    jobs = _PopplerJobs(pdf, ends, Path(tmp), dpi=dpi)
                    pages = {end: _PdfiumPages(doc, dpi, deadline) for end, doc in docs.items()}
                    differences = _differences("pdfium", pages, compared, geometry, len(pdf), dpi)
                finally:
                    for doc in docs.values():
                        doc.close()
            poppler = jobs.wait_all(deadline)
        finally:
            if jobs is not None:
                jobs.kill()
        differences += _differences("poppler", poppler, compared, geometry, len(pdf), dpi)
    return tuple(differences)


def _open_all(pdf: bytes, ends: Sequence[int]) -> dict[int, PdfiumDocument]:
    docs: dict[int, PdfiumDocument] = {}
    try:
        for end in ends:
            docs[end] = PdfiumDocument(pdf[:end])
    except BaseException:
        for doc in docs.values():
            doc.close()
        raise
    return docs


class _PdfiumPages:
    """A PDFium document seen as pages to draw, with the deadline."""

    def __init__(self, doc: PdfiumDocument, dpi: int, deadline: float) -> None:
        self.doc, self.dpi, self.deadline = doc, dpi, deadline

    def __len__(self) -> int:
        return self.doc.page_count

    def page(self, index: int) -> Image.Image:
        return self.doc.render(index, dpi=self.dpi, deadline=self.deadline)


class _PopplerJobs:
    """One pdftoppm per version, :data:`POPPLER_WORKERS` at a time, killed if not waited."""

    def __init__(self, pdf: bytes, ends: Sequence[int], folder: Path, *, dpi: int) -> None:
        self.pdf, self.folder, self.dpi = pdf, folder, dpi
        self.pending = list(ends)
        self.running: dict[int, PopplerJob] = {}
        try:
            self._start()
        except BaseException:
            self.kill()
            raise

    def _start(self) -> None:
        while self.pending and len(self.running) < POPPLER_WORKERS:
            end = self.pending.pop(0)
            self.running[end] = PopplerJob(self.pdf[:end], self.folder / str(end), dpi=self.dpi)

    def wait_all(self, deadline: float) -> dict[int, PopplerPages]:
        done = {}
        while self.running:
            end = next(iter(self.running))
            done[end] = self.running[end].wait(deadline)
            del self.running[end]
            self._start()
        return done

    def kill(self) -> None:
        for job in self.running.values():
            job.kill()
        self.running.clear()
        self.pending.clear()


class _Pages(Protocol):
    """What :func:`_differences` needs of a renderer's output: a length, each page drawn
    (or read) when asked."""

    def __len__(self) -> int: ...

    def page(self, index: int) -> Image.Image: ...


def _differences(
    renderer: str,
    drawn: Mapping[int, _Pages],
    compared: Sequence[tuple[int, int, Sequence[PageBox]]],
    geometry: dict[int, list[Geometry]],
    whole_end: int,
    dpi: int,
) -> list[VisualDifference]:
    """Each compared revision against the whole file, page by page: each page of the whole
    file is drawn once and compared with the same page of every revision while in memory."""
    name = "PDFium" if renderer == "pdfium" else "poppler"

    def found(revision: int, page: int, vi: str, en: str) -> VisualDifference:
        return VisualDifference(revision, renderer, page, f"{vi} ({name})", f"{en} ({name})")

    whole = drawn[whole_end]
    out = []
    for revision, end, _ in compared:
        before, after = len(drawn[end]), len(whole)
        if before != after:
            out.append(
                found(
                    revision,
                    -1,
                    f"số trang đã thay đổi sau khi ký: {before} → {after}",
                    f"page count changed after signing: {before} → {after}",
                )
            )
    for page in range(len(whole)):
        ends = {end for _, end, _ in compared if page < len(drawn[end])}
        if not ends:
            break
        after_image = whole.page(page)
        before_images = {end: drawn[end].page(page) for end in sorted(ends)}
        for revision, end, boxes in compared:
            if end not in ends:
                continue
            before_image = before_images[end]
            if before_image.size != after_image.size:
                out.append(
                    found(
                        revision,
                        page,
                        f"trang {page + 1}: kích thước trang đã thay đổi sau khi ký",
                        f"page {page + 1}: page size changed after signing",
                    )
                )
                continue
            allowed = [
                _to_pixels(box, geometry[end][page], scale=dpi / 72, size=before_image.size)
                for box in boxes
                if box.page == page and page < len(geometry[end])
            ]
            region = _changed_region(before_image, after_image, allowed)
            if region is not None:
                x0, y0, x1, y1 = region
                out.append(
                    found(
                        revision,
                        page,
                        f"trang {page + 1}: nội dung hiển thị đã thay đổi sau khi ký "
                        f"(vùng {x0},{y0}–{x1},{y1} điểm ảnh)",
                        f"page {page + 1}: displayed content changed after signing "
                        f"(pixels {x0},{y0}–{x1},{y1})",
                    )
                )
    return out


def signature_boxes(
    revision: bytes, *, names: Collection[str] | None = None, empty_only: bool = True
) -> tuple[PageBox, ...]:
    """The boxes of the signature fields' widgets in ``revision`` (the bytes of a signed
    revision): where later signing may draw its stamp. By default only the fields still empty
    in that revision; only those named in ``names`` when given (the ones later revisions
    filled: each box allowed is a place the visual check does not look at). Widgets of no
    area (invisible signatures, document timestamps) are left out. Taken from the signed
    revision, so a later revision cannot move them."""
    try:
        reader = PdfFileReader(io.BytesIO(revision), strict=False)
        pages = _annotation_pages(reader)
        out = []
        for name, _value, field_ref in enumerate_sig_fields(
            reader, filled_status=False if empty_only else None
        ):
            if names is not None and name not in names:
                continue
            field = field_ref.get_object()
            kids = field.get("/Kids") if "/Rect" not in field else None
            widgets = [field_ref] if kids is None else [kids.raw_get(i) for i in range(len(kids))]
            for ref in widgets:
                widget = ref.get_object()
                x0, y0, x1, y1 = (float(v) for v in widget["/Rect"])
                if x0 == x1 or y0 == y1 or not isinstance(ref, generic.IndirectObject):
                    continue
                page = pages.get(ref.idnum)
                if page is not None:
                    out.append(PageBox(page, x0, y0, x1, y1))
    except Exception as exc:  # pyHanko's parse errors and KeyError/ValueError of a bad field
        raise VisualCheckError(
            "không đọc được các ô chữ ký của phiên bản đã ký",
            f"cannot read the signature fields of the signed revision: {exc}",
        ) from exc
    return tuple(out)


def _annotation_pages(reader: PdfFileReader) -> dict[int, int]:
    """Object number of each annotation → index of the page that lists it."""
    out: dict[int, int] = {}
    for index in range(int(reader.root["/Pages"]["/Count"])):
        page, _ = reader.find_page_for_modification(index)
        annots = page.get_object().get("/Annots")
        if isinstance(annots, generic.ArrayObject):
            for i in range(len(annots)):
                ref = annots.raw_get(i)
                if isinstance(ref, generic.IndirectObject):
                    out.setdefault(ref.idnum, index)
    return out


def _changed_region(
    before: Image.Image, after: Image.Image, allowed: Sequence[tuple[int, int, int, int]]
) -> tuple[int, int, int, int] | None:
    """The bounding box of the pixels that differ outside ``allowed``, or None."""
    diff = ImageChops.difference(before, after)
    for rect in allowed:
        diff.paste(0, rect)
    if TOLERANCE:
        diff = diff.point(_THRESHOLD)
    box = diff.getbbox()
    return None if box is None else (box[0], box[1], box[2], box[3])


_THRESHOLD: list[int] = [0 if v <= TOLERANCE else 255 for v in range(256)]


def _to_pixels(
    box: PageBox, geometry: Geometry, *, scale: float, size: tuple[int, int]
) -> tuple[int, int, int, int]:
    """The box on the bitmap: relative to the crop box's origin, turned as /Rotate turns the
    page (clockwise), scaled, grown by :data:`GROW_PX` and clipped to the bitmap."""
    cx0, cy0, cx1, cy1 = geometry.crop
    width, height = cx1 - cx0, cy1 - cy0
    xs, ys = [], []
    for x, y in ((box.x0, box.y0), (box.x1, box.y1)):
        u, v = x - cx0, y - cy0  # from the crop box's lower left corner, y up
        if geometry.rotation == 90:
            px, py = v, u
        elif geometry.rotation == 180:
            px, py = width - u, v
        elif geometry.rotation == 270:
            px, py = height - v, width - u
        else:
            px, py = u, height - v
        xs.append(px * scale)
        ys.append(py * scale)
    left = max(0, int(min(xs)) - GROW_PX)
    top = max(0, int(min(ys)) - GROW_PX)
    right = min(size[0], int(max(xs)) + 1 + GROW_PX)
    bottom = min(size[1], int(max(ys)) + 1 + GROW_PX)
    return left, top, max(left, right), max(top, bottom)
