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
"""

from __future__ import annotations

import concurrent.futures
import re
import subprocess
import tempfile
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import pypdfium2 as pdfium
from PIL import Image, ImageChops

from .errors import VisualCheckError

__all__ = [
    "DEFAULT_DPI",
    "DEFAULT_TIMEOUT",
    "PageBox",
    "VisualCheckError",
    "VisualDifference",
    "rendered_changes",
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
"""Largest per-pixel difference (0-255, per channel) not counted. The same renderer draws the
same content to the same pixels (tests check it on genuine documents), so none is needed."""
POPPLER_WORKERS = 2
"""pdftoppm processes at a time: they run while PDFium renders in this process."""

_PDFIUM_LOCK = threading.Lock()  # PDFium is not thread-safe; a service may verify in threads
_PAGE_FILE = re.compile(r"p-(\d+)\.p[gp]m\Z")


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


@dataclass(frozen=True, slots=True)
class _Geometry:
    """What maps user space to the rendered bitmap: the crop box and the page's /Rotate."""

    crop: tuple[float, float, float, float]
    rotation: int


@dataclass(frozen=True, slots=True)
class _Rendering:
    pages: tuple[Image.Image, ...]
    geometry: tuple[_Geometry, ...]  # PDFium's reading; empty for poppler


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
    with (
        tempfile.TemporaryDirectory(prefix="esign-visual-") as tmp,
        concurrent.futures.ThreadPoolExecutor(POPPLER_WORKERS) as pool,
    ):
        # poppler's subprocesses work while PDFium renders here
        poppler = {
            end: pool.submit(
                _render_poppler, pdf[:end], Path(tmp) / str(end), dpi=dpi, deadline=deadline
            )
            for end in ends
        }
        try:
            by_pdfium = {end: _render_pdfium(pdf[:end], dpi=dpi, deadline=deadline) for end in ends}
            by_poppler = {end: future.result() for end, future in poppler.items()}
        finally:
            for future in poppler.values():
                future.cancel()
    differences: list[VisualDifference] = []
    for renderer, drawn in (("pdfium", by_pdfium), ("poppler", by_poppler)):
        for index, (end, boxes) in enumerate(revisions):
            if end == len(pdf):
                continue
            differences.extend(
                _compare(
                    drawn[end],
                    drawn[len(pdf)],
                    geometry=by_pdfium[end].geometry,
                    boxes=boxes,
                    scale=dpi / 72,
                    revision=index,
                    renderer=renderer,
                )
            )
    return tuple(differences)


def _compare(
    signed: _Rendering,
    whole: _Rendering,
    *,
    geometry: Sequence[_Geometry],
    boxes: Sequence[PageBox],
    scale: float,
    revision: int,
    renderer: str,
) -> list[VisualDifference]:
    name = "PDFium" if renderer == "pdfium" else "poppler"

    def found(page: int, vi: str, en: str) -> VisualDifference:
        return VisualDifference(revision, renderer, page, f"{vi} ({name})", f"{en} ({name})")

    out = []
    if len(signed.pages) != len(whole.pages):
        out.append(
            found(
                -1,
                f"số trang đã thay đổi sau khi ký: {len(signed.pages)} → {len(whole.pages)}",
                f"page count changed after signing: {len(signed.pages)} → {len(whole.pages)}",
            )
        )
    for page, (before, after) in enumerate(zip(signed.pages, whole.pages, strict=False)):
        if before.size != after.size:
            out.append(
                found(
                    page,
                    f"trang {page + 1}: kích thước trang đã thay đổi sau khi ký",
                    f"page {page + 1}: page size changed after signing",
                )
            )
            continue
        allowed = [
            _to_pixels(box, geometry[page], scale=scale, size=before.size)
            for box in boxes
            if box.page == page and page < len(geometry)
        ]
        region = _changed_region(before, after, allowed)
        if region is not None:
            x0, y0, x1, y1 = region
            out.append(
                found(
                    page,
                    f"trang {page + 1}: nội dung hiển thị đã thay đổi sau khi ký "
                    f"(vùng {x0},{y0}–{x1},{y1} điểm ảnh)",
                    f"page {page + 1}: displayed content changed after signing "
                    f"(pixels {x0},{y0}–{x1},{y1})",
                )
            )
    return out


def _changed_region(
    before: Image.Image, after: Image.Image, allowed: Sequence[tuple[int, int, int, int]]
) -> tuple[int, int, int, int] | None:
    """The bounding box of the pixels that differ outside ``allowed``, or None."""
    diff = ImageChops.difference(before, after)
    if diff.mode != "L":  # the largest difference of any channel
        channels = diff.split()
        diff = channels[0]
        for channel in channels[1:]:
            diff = ImageChops.lighter(diff, channel)
    for rect in allowed:
        diff.paste(0, rect)
    if TOLERANCE:
        diff = diff.point(_THRESHOLD)
    box = diff.getbbox()
    return None if box is None else (box[0], box[1], box[2], box[3])


_THRESHOLD: list[int] = [0 if v <= TOLERANCE else 255 for v in range(256)]


def _to_pixels(
    box: PageBox, geometry: _Geometry, *, scale: float, size: tuple[int, int]
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


def _check_time(deadline: float, renderer: str) -> None:
    if time.monotonic() > deadline:
        raise VisualCheckError(
            f"hiển thị tệp bằng {renderer} quá thời gian cho phép",
            f"rendering with {renderer} exceeded the time budget",
        )


def _render_pdfium(data: bytes, *, dpi: int, deadline: float) -> _Rendering:
    pages: list[Image.Image] = []
    geometry: list[_Geometry] = []
    with _PDFIUM_LOCK:
        try:
            doc = pdfium.PdfDocument(data)
        except pdfium.PdfiumError as exc:
            raise VisualCheckError(
                "PDFium không mở được tệp", f"PDFium cannot open the file: {exc}"
            ) from exc
        try:
            doc.init_forms()  # draw form fields as a viewer does
            for index in range(len(doc)):
                _check_time(deadline, "PDFium")
                page = doc[index]
                try:
                    crop = page.get_cropbox()
                    geometry.append(
                        _Geometry((crop[0], crop[1], crop[2], crop[3]), page.get_rotation() % 360)
                    )
                    bitmap = page.render(scale=dpi / 72, grayscale=True, may_draw_forms=True)
                    # a copy: the bitmap's buffer is freed with the bitmap
                    pages.append(bitmap.to_pil().copy())
                    bitmap.close()
                finally:
                    page.close()
            _check_time(deadline, "PDFium")
        except pdfium.PdfiumError as exc:
            raise VisualCheckError(
                "PDFium không hiển thị được tệp", f"PDFium cannot render the file: {exc}"
            ) from exc
        finally:
            doc.close()
    return _Rendering(tuple(pages), tuple(geometry))


def _render_poppler(data: bytes, folder: Path, *, dpi: int, deadline: float) -> _Rendering:
    folder.mkdir()
    source = folder / "in.pdf"
    source.write_bytes(data)
    # -cropbox: viewers show the crop box; pdftoppm draws the media box unless told
    command = ["pdftoppm", "-r", str(dpi), "-gray", "-cropbox", str(source), str(folder / "p")]
    try:
        done = subprocess.run(
            command,
            capture_output=True,
            timeout=max(0.01, deadline - time.monotonic()),
            check=False,
        )
    except subprocess.TimeoutExpired as exc:
        raise VisualCheckError(
            "hiển thị tệp bằng poppler quá thời gian cho phép",
            "rendering with poppler (pdftoppm) exceeded the time budget",
        ) from exc
    except OSError as exc:
        raise VisualCheckError(
            "không chạy được poppler (pdftoppm)", f"cannot run pdftoppm: {exc}"
        ) from exc
    if done.returncode != 0:
        detail = done.stderr.decode("utf-8", "replace").strip().splitlines()[-1:] or [""]
        raise VisualCheckError(
            f"poppler không hiển thị được tệp (mã {done.returncode})",
            f"pdftoppm failed with status {done.returncode}: {detail[0]}",
        )
    numbered = sorted(
        (int(m.group(1)), path)
        for path in folder.iterdir()
        if (m := _PAGE_FILE.search(path.name)) is not None
    )
    pages = []
    for _, path in numbered:
        with Image.open(path) as image:
            pages.append(image.copy())  # read now: the folder goes away
    return _Rendering(tuple(pages), ())
