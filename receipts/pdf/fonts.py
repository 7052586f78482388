"""The TTF fonts every document is drawn with, registered once per process.

DejaVu Sans and Serif (Debian ``fonts-dejavu-core``, regular and bold) cover every Vietnamese
letter as a precomposed glyph, so NFC text needs no shaping. A TTF dropped into
``receipts/fonts/`` under the same file name wins over the system one.

Speed: reportlab builds a new TTF subset for every document (pure Python, 2-4 ms a font) and
compresses it (about 1.5 ms). Here each font starts every document's first subset with the same
fixed alphabet (ASCII, every Vietnamese letter in both cases, a few punctuation marks), so that
subset is byte-identical across documents and is built and compressed once per process. The
font embedded is still a subset (``AAAAAA+DejaVuSans``, about 230 glyphs); characters outside the
alphabet go to further subsets built per document, as reportlab does by default.
"""

from __future__ import annotations

import functools
import threading
import unicodedata
import zlib
from enum import StrEnum
from pathlib import Path
from typing import Any

from reportlab.lib.rl_accel import fp_str
from reportlab.pdfbase import pdfdoc, pdfmetrics
from reportlab.pdfbase.ttfonts import (
    FF_NONSYMBOLIC,
    FF_SYMBOLIC,
    SUBSETN,
    TTFont,
    TTFontFace,
    makeToUnicodeCMap,
)

from ..errors import DocumentError

FONT_DIRS: tuple[Path, ...] = (
    Path(__file__).resolve().parents[1] / "fonts",
    Path("/usr/share/fonts/truetype/dejavu"),
    Path("/usr/share/fonts/dejavu"),
    Path("/usr/local/share/fonts"),
)


class Face(StrEnum):
    """The four faces documents use; the value is the name registered with reportlab."""

    SANS = "WardSans"
    SANS_BOLD = "WardSans-Bold"
    SERIF = "WardSerif"
    SERIF_BOLD = "WardSerif-Bold"


_FILES: dict[Face, str] = {
    Face.SANS: "DejaVuSans.ttf",
    Face.SANS_BOLD: "DejaVuSans-Bold.ttf",
    Face.SERIF: "DejaVuSerif.ttf",
    Face.SERIF_BOLD: "DejaVuSerif-Bold.ttf",
}


def _vietnamese_letters() -> str:
    vowels = "aăâeêioôơuưy"
    tones = ("", "\u0300", "\u0301", "\u0309", "\u0303", "\u0323")
    letters = [unicodedata.normalize("NFC", v + t) for v in vowels for t in tones] + ["đ"]
    letters += [x.upper() for x in letters]
    return "".join(c for c in letters if ord(c) > 0x7F)


VIETNAMESE_LETTERS = _vietnamese_letters()
"""The 134 non-ASCII letters of Vietnamese (67 lower case, 67 upper case), NFC."""

ALPHABET = VIETNAMESE_LETTERS + "–—…“”‘’·•×°§№"
"""Assigned first in every document, so the first subset is the same each time (≤159 codes)."""

_SUBSET_CACHE_LIMIT = 32


class _CachedSubsetFace(TTFontFace):  # type: ignore[misc]
    """A face that keeps compressed subsets it has built, keyed by their character list.

    Mirrors ``TTFontFace.addSubsetObjects`` except that the font file stream arrives already
    compressed: a stream whose dictionary names its ``Filter`` is written as is by reportlab.
    """

    _subset_cache: dict[tuple[int, ...], tuple[bytes, int]]

    def addSubsetObjects(self, doc: Any, fontname: str, subset: list[int]) -> Any:
        key = tuple(subset)
        entry = self._subset_cache.get(key)
        if entry is None:
            raw = self.makeSubset(subset)
            entry = (zlib.compress(raw), len(raw))
            if len(self._subset_cache) >= _SUBSET_CACHE_LIMIT:
                self._subset_cache.pop(next(iter(self._subset_cache)))
            self._subset_cache[key] = entry
        font_file = pdfdoc.PDFStream()
        font_file.content = entry[0]
        font_file.dictionary["Length1"] = entry[1]
        font_file.dictionary["Filter"] = pdfdoc.PDFName("FlateDecode")
        font_file_ref = doc.Reference(font_file, f"fontFile:{self.filename}({fontname})")
        flags = (self.flags & ~FF_NONSYMBOLIC) | FF_SYMBOLIC
        descriptor = pdfdoc.PDFDictionary(
            {
                "Type": "/FontDescriptor",
                "Ascent": self.ascent,
                "CapHeight": self.capHeight,
                "Descent": self.descent,
                "Flags": flags,
                "FontBBox": pdfdoc.PDFArray(self.bbox),
                "FontName": pdfdoc.PDFName(fontname),
                "ItalicAngle": self.italicAngle,
                "StemV": self.stemV,
                "FontFile2": font_file_ref,
                "MissingWidth": self.defaultWidth,
            }
        )
        return doc.Reference(descriptor, "fontDescriptor:" + fontname)


class _Scratch:
    """A stand-in document (reportlab keys font state on weak references to documents)."""


class _AlphabetFirstTTFont(TTFont):  # type: ignore[misc]
    """A TTFont whose per-document code assignment starts with :data:`ALPHABET`, and whose
    per-subset PDF parts (widths array, ToUnicode map) are formatted once per process."""

    def __init__(self, name: str, path: Path) -> None:
        super().__init__(name, str(path), asciiReadable=1)
        # TTFont builds its own TTFontFace; the subclass only adds a method and a cache.
        self.face.__class__ = _CachedSubsetFace
        self.face._subset_cache = {}
        self._parts_cache: dict[tuple[int, tuple[int, ...]], tuple[bytes, bytes]] = {}
        # The codes every document gives ASCII and the alphabet, learnt from a scratch document
        scratch = _Scratch()
        super().splitString(ALPHABET, scratch)
        self._fixed_codes: dict[str, int] = {
            chr(c): n for c, n in self.state[scratch].assignments.items() if 0 < n < 256
        }
        del self.state[scratch]
        self._encoded: dict[str, bytes] = {}

    def splitString(self, text: str, doc: Any, encoding: str = "utf-8") -> Any:
        if doc not in self.state:
            super().splitString(ALPHABET, doc, encoding)
        return super().splitString(text, doc, encoding)

    def encode_line(self, text: str, doc: Any) -> list[tuple[int, bytes]]:
        """``splitString`` for drawing, with lines made of fixed codes cached across documents."""
        if doc not in self.state:
            super().splitString(ALPHABET, doc)
        encoded = self._encoded.get(text)
        if encoded is None:
            try:
                encoded = bytes([self._fixed_codes[ch] for ch in text])
            except KeyError:  # a character outside the alphabet: codes are per document
                return self.splitString(text, doc)  # type: ignore[no-any-return]
            if len(self._encoded) >= 8192:
                self._encoded.clear()
            self._encoded[text] = encoded
        return [(0, encoded)]

    def _parts(self, n: int, subset: tuple[int, ...], base_name: str) -> tuple[bytes, bytes]:
        key = (n, subset)
        parts = self._parts_cache.get(key)
        if parts is None:
            widths = " ".join(fp_str(self.face.getCharWidth(c)) for c in subset)
            cmap = makeToUnicodeCMap(base_name, list(subset))
            parts = (f"[{widths}]".encode(), zlib.compress(cmap.encode("latin-1")))
            if len(self._parts_cache) >= _SUBSET_CACHE_LIMIT:
                self._parts_cache.pop(next(iter(self._parts_cache)))
            self._parts_cache[key] = parts
        return parts

    def addObjects(self, doc: Any) -> None:
        """``TTFont.addObjects`` with the widths and ToUnicode map taken from the cache."""
        state = self._assignState(doc)
        state.frozen = 1
        for n, subset in enumerate(state.subsets):
            internal_name = self.getSubsetInternalName(n, doc)[1:]
            base_name = b"".join((SUBSETN(n), b"+", self.face.name, self.face.subfontNameX)).decode(
                "pdfdoc"
            )
            widths, cmap = self._parts(n, tuple(subset), base_name)
            pdf_font = pdfdoc.PDFTrueTypeFont()
            pdf_font.Name = internal_name
            pdf_font.BaseFont = base_name
            pdf_font.FirstChar = 0
            pdf_font.LastChar = len(subset) - 1
            pdf_font.Widths = widths  # bytes are written verbatim
            cmap_stream = pdfdoc.PDFStream()
            cmap_stream.content = cmap
            cmap_stream.dictionary["Filter"] = pdfdoc.PDFName("FlateDecode")
            pdf_font.ToUnicode = doc.Reference(cmap_stream, "toUnicodeCMap:" + base_name)
            pdf_font.FontDescriptor = self.face.addSubsetObjects(doc, base_name, subset)
            doc.Reference(pdf_font, internal_name)
            doc.idToObject["BasicFonts"].dict[internal_name] = pdf_font
        del self.state[doc]


_lock = threading.Lock()
_registered: dict[Face, _AlphabetFirstTTFont] = {}
_coverage: frozenset[int] | None = None


def font_path(face: Face) -> Path:
    """Where the TTF of ``face`` is: the first of :data:`FONT_DIRS` that has it."""
    for folder in FONT_DIRS:
        candidate = folder / _FILES[face]
        if candidate.is_file():
            return candidate
    raise DocumentError(
        f"Không tìm thấy phông chữ {_FILES[face]} (cài gói fonts-dejavu-core) / "
        f"font {_FILES[face]} not found in {', '.join(map(str, FONT_DIRS))}",
        code="font_missing",
    )


def ensure_fonts() -> None:
    """Register the four faces with reportlab, once per process (thread-safe)."""
    global _coverage
    if _coverage is not None:
        return
    with _lock:
        if _coverage is not None:
            return
        for face in Face:
            font = _AlphabetFirstTTFont(face.value, font_path(face))
            pdfmetrics.registerFont(font)
            _registered[face] = font
        # only the Basic Multilingual Plane: reportlab's ToUnicode maps write 4 hex digits
        cmaps = [
            frozenset(c for c in f.face.charToGlyph if c < 0x10000) for f in _registered.values()
        ]
        _coverage = frozenset.intersection(*cmaps)


def registered(face: Face) -> Any:
    """The reportlab font object of ``face``."""
    ensure_fonts()
    return _registered[face]


def coverage() -> frozenset[int]:
    """Code points that every face has a glyph for."""
    ensure_fonts()
    assert _coverage is not None
    return _coverage


@functools.lru_cache(maxsize=16384)
def text_width(text: str, face: Face, size: float) -> float:
    """Advance width of ``text`` in points (no kerning: reportlab draws none either).

    Cached: labels, column titles and the usual words recur in every document.
    """
    ensure_fonts()
    font = _registered[face]
    widths = font.face.charWidths
    default = font.face.defaultWidth
    return float(0.001 * size * sum(widths.get(ord(ch), default) for ch in text))
