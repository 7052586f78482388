"""The two renderers of the visual check (:mod:`.visual`): PDFium in this process (pypdfium2),
poppler's ``pdftoppm`` as a subprocess with a deadline. Both draw grayscale bitmaps of what a
viewer shows: the crop box, turned by the page's /Rotate, annotations and form fields drawn.

Pages are drawn one at a time and read back one at a time, so the memory used is a few pages
whatever the page count; a file with more than :data:`MAX_PAGES` pages, or a page larger than
:data:`MAX_PAGE_PIXELS`, is refused (:class:`VisualCheckError`) rather than drawn.
"""

from __future__ import annotations

import re
import subprocess
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType

import pypdfium2 as pdfium
from PIL import Image

from .errors import VisualCheckError

MAX_PAGES = 200
"""Pages a file may have for the visual check (our documents have 1-3, copies a few dozen)."""
MAX_PAGE_PIXELS = 50_000_000
"""Pixels of one page's bitmap (A0 at 150 dpi is 35 million): 50 MB in gray."""
MAX_SIDE = 20_000
"""Pixels of a bitmap's side that poppler draws at most (pdftoppm's -W/-H)."""

PDFIUM_LOCK = threading.RLock()
"""PDFium may not be called from two threads at once, not even on different documents, and the
API runs requests in a thread pool: every use of it in this process (rendering, sanitising,
copies, QR scans) holds this one lock. Re-entrant: a sanitiser holding it may render."""
_PAGE_FILE = re.compile(r"p-(\d+)\.pgm\Z")


@dataclass(frozen=True, slots=True)
class Geometry:
    """What maps PDF user space to a page's bitmap: the crop box and the page's /Rotate."""

    crop: tuple[float, float, float, float]
    rotation: int


def past(deadline: float, renderer: str) -> None:
    if time.monotonic() > deadline:
        raise VisualCheckError(
            f"hiển thị tệp bằng {renderer} quá thời gian cho phép",
            f"rendering with {renderer} exceeded the time budget",
        )


class PdfiumDocument:
    """One version of the file opened in PDFium; use while holding :data:`PDFIUM_LOCK`."""

    def __init__(self, data: bytes) -> None:
        try:
            self._doc = pdfium.PdfDocument(data)
            self._doc.init_forms()  # draw form fields as a viewer does
            self.page_count = len(self._doc)
        except pdfium.PdfiumError as exc:
            raise VisualCheckError(
                "PDFium không mở được tệp", f"PDFium cannot open the file: {exc}"
            ) from exc
        if self.page_count > MAX_PAGES:
            self.close()
            raise VisualCheckError(
                f"tệp có quá nhiều trang để kiểm tra hiển thị ({self.page_count})",
                f"too many pages for the visual check: {self.page_count} > {MAX_PAGES}",
            )

    def __enter__(self) -> PdfiumDocument:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def close(self) -> None:
        self._doc.close()

    def geometry(self, index: int) -> Geometry:
        page = self._doc[index]
        try:
            crop = page.get_cropbox()
            return Geometry((crop[0], crop[1], crop[2], crop[3]), page.get_rotation() % 360)
        except pdfium.PdfiumError as exc:
            raise VisualCheckError(
                "PDFium không đọc được trang", f"PDFium cannot read page {index + 1}: {exc}"
            ) from exc
        finally:
            page.close()

    def render(self, index: int, *, dpi: int, deadline: float) -> Image.Image:
        past(deadline, "PDFium")
        page = self._doc[index]
        try:
            width, height = page.get_size()
            if width * height * (dpi / 72) ** 2 > MAX_PAGE_PIXELS:
                raise VisualCheckError(
                    f"trang {index + 1} quá lớn để kiểm tra hiển thị",
                    f"page {index + 1} too large for the visual check ({width}x{height} pt)",
                )
            bitmap = page.render(scale=dpi / 72, grayscale=True, may_draw_forms=True)
            try:
                image: Image.Image = bitmap.to_pil().copy()  # the buffer goes with the bitmap
                return image
            finally:
                bitmap.close()
        except pdfium.PdfiumError as exc:
            raise VisualCheckError(
                "PDFium không hiển thị được tệp",
                f"PDFium cannot render page {index + 1}: {exc}",
            ) from exc
        finally:
            page.close()


@dataclass(frozen=True, slots=True)
class PopplerPages:
    """The pages pdftoppm drew, read from disk one at a time."""

    paths: tuple[Path, ...]

    def __len__(self) -> int:
        return len(self.paths)

    def page(self, index: int) -> Image.Image:
        try:
            with Image.open(self.paths[index]) as image:
                return image.copy()
        except OSError as exc:
            raise VisualCheckError(
                "không đọc được trang poppler đã vẽ", f"cannot read pdftoppm's output: {exc}"
            ) from exc


class PopplerJob:
    """One ``pdftoppm`` process drawing one version of the file into ``folder``."""

    def __init__(self, data: bytes, folder: Path, *, dpi: int) -> None:
        folder.mkdir()
        self.folder = folder
        source = folder / "in.pdf"
        source.write_bytes(data)
        # -cropbox: viewers show the crop box; pdftoppm draws the media box unless told
        command = ["pdftoppm", "-r", str(dpi), "-gray", "-cropbox", "-l", str(MAX_PAGES)]
        command += ["-W", str(MAX_SIDE), "-H", str(MAX_SIDE), str(source), str(folder / "p")]
        self._stderr = (folder / "stderr").open("wb")  # a file: a pipe could fill and block
        try:
            self._process = subprocess.Popen(
                command, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=self._stderr
            )
        except OSError as exc:
            self._stderr.close()
            raise VisualCheckError(
                "không chạy được poppler (pdftoppm)", f"cannot run pdftoppm: {exc}"
            ) from exc

    def wait(self, deadline: float) -> PopplerPages:
        try:
            status = self._process.wait(timeout=max(0.0, deadline - time.monotonic()))
        except subprocess.TimeoutExpired as exc:
            self.kill()
            raise VisualCheckError(
                "hiển thị tệp bằng poppler quá thời gian cho phép",
                "rendering with poppler (pdftoppm) exceeded the time budget",
            ) from exc
        finally:
            self._stderr.close()
        if status != 0:
            lines = (self.folder / "stderr").read_bytes().decode("utf-8", "replace").splitlines()
            raise VisualCheckError(
                f"poppler không hiển thị được tệp (mã {status})",
                f"pdftoppm failed with status {status}: {(lines or [''])[-1][:200]}",
            )
        numbered = sorted(
            (int(m.group(1)), path)
            for path in self.folder.iterdir()
            if (m := _PAGE_FILE.search(path.name)) is not None
        )
        return PopplerPages(tuple(path for _, path in numbered))

    def kill(self) -> None:
        """Stop the process if it still runs, and reap it."""
        if self._process.poll() is None:
            self._process.kill()
            self._process.wait()
        self._stderr.close()


def render_pdfium(data: bytes, *, dpi: int, deadline: float) -> list[Image.Image]:
    """Every page of ``data`` drawn by PDFium (for measurements and tests: the check itself
    draws page by page)."""
    with PDFIUM_LOCK, PdfiumDocument(data) as doc:
        return [doc.render(i, dpi=dpi, deadline=deadline) for i in range(doc.page_count)]


def render_poppler(data: bytes, folder: Path, *, dpi: int, deadline: float) -> list[Image.Image]:
    """Every page of ``data`` drawn by pdftoppm into ``folder`` (which must not exist)."""
    job = PopplerJob(data, folder, dpi=dpi)
    try:
        pages = job.wait(deadline)
    finally:
        job.kill()
    return [pages.page(i) for i in range(len(pages))]
