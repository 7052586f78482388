"""The visible signature in Vietnamese: "Ký bởi: …", "Ký ngày: …", in an embedded TrueType font.

pyHanko's own text stamps subset the font with fontTools for every signature (about 200 ms
here), and its glyph spacing is off for Vietnamese. A signer's appearance uses few characters
that are known in advance (its labels, the signer's name, digits), so the font is subset once
per character set and the same compressed font program is copied into each document; only
the text changes.
"""

from __future__ import annotations

import datetime as dt
import io
import zlib
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

from fontTools import subset
from fontTools.ttLib import TTFont
from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.content import ResourceType
from pyhanko.pdf_utils.generic import pdf_name
from pyhanko.pdf_utils.layout import BoxConstraints
from pyhanko.pdf_utils.writer import BasePdfFileWriter
from pyhanko.stamp import TextStampStyle
from pyhanko.stamp.base import BaseStamp

from receipts.calendar import VIETNAM_TZ

FONT_PATH = Path("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf")
ALWAYS = "0123456789/:.,-+() GMTKý bởingàyĐơnvịChứcụ"


@dataclass(frozen=True)
class SubsetFont:
    """A TrueType subset ready to embed as a Type0 font with Identity-H encoding."""

    name: str
    program: bytes  # zlib-compressed font program
    program_length: int
    gids: dict[str, int]
    widths: dict[int, int]  # glyph id → width in 1/1000 em
    ascent: int
    descent: int
    cap_height: int
    bbox: tuple[int, int, int, int]
    to_unicode: bytes
    _refs: dict[int, generic.IndirectObject] = field(default_factory=dict, compare=False)

    def encode(self, text: str) -> bytes:
        return b"<" + "".join(f"{self.gids[c]:04X}" for c in text).encode() + b">"

    def width(self, text: str, size: float) -> float:
        return sum(self.widths[self.gids[c]] for c in text) * size / 1000

    def reference(self, writer: BasePdfFileWriter) -> generic.IndirectObject:
        """The font's objects in ``writer``, added once per document."""
        ref = self._refs.get(id(writer))
        if ref is not None:
            return ref
        program = generic.StreamObject(
            {
                pdf_name("/Length1"): generic.NumberObject(self.program_length),
                pdf_name("/Filter"): pdf_name("/FlateDecode"),
            },
            encoded_data=self.program,
        )
        descriptor = generic.DictionaryObject(
            {
                pdf_name("/Type"): pdf_name("/FontDescriptor"),
                pdf_name("/FontName"): pdf_name("/" + self.name),
                pdf_name("/Flags"): generic.NumberObject(32),
                pdf_name("/FontBBox"): generic.ArrayObject(
                    generic.NumberObject(v) for v in self.bbox
                ),
                pdf_name("/ItalicAngle"): generic.NumberObject(0),
                pdf_name("/Ascent"): generic.NumberObject(self.ascent),
                pdf_name("/Descent"): generic.NumberObject(self.descent),
                pdf_name("/CapHeight"): generic.NumberObject(self.cap_height),
                pdf_name("/StemV"): generic.NumberObject(80),
                pdf_name("/FontFile2"): writer.add_object(program),
            }
        )
        widths = generic.ArrayObject()
        for gid in sorted(self.widths):
            widths.append(generic.NumberObject(gid))
            widths.append(generic.ArrayObject([generic.NumberObject(self.widths[gid])]))
        cid_font = generic.DictionaryObject(
            {
                pdf_name("/Type"): pdf_name("/Font"),
                pdf_name("/Subtype"): pdf_name("/CIDFontType2"),
                pdf_name("/BaseFont"): pdf_name("/" + self.name),
                pdf_name("/CIDSystemInfo"): generic.DictionaryObject(
                    {
                        pdf_name("/Registry"): generic.TextStringObject("Adobe"),
                        pdf_name("/Ordering"): generic.TextStringObject("Identity"),
                        pdf_name("/Supplement"): generic.NumberObject(0),
                    }
                ),
                pdf_name("/FontDescriptor"): writer.add_object(descriptor),
                pdf_name("/W"): widths,
                pdf_name("/CIDToGIDMap"): pdf_name("/Identity"),
            }
        )
        to_unicode = generic.StreamObject(stream_data=self.to_unicode)
        font = generic.DictionaryObject(
            {
                pdf_name("/Type"): pdf_name("/Font"),
                pdf_name("/Subtype"): pdf_name("/Type0"),
                pdf_name("/BaseFont"): pdf_name("/" + self.name),
                pdf_name("/Encoding"): pdf_name("/Identity-H"),
                pdf_name("/DescendantFonts"): generic.ArrayObject([writer.add_object(cid_font)]),
                pdf_name("/ToUnicode"): writer.add_object(to_unicode),
            }
        )
        ref = writer.add_object(font)
        if len(self._refs) > 64:  # writers are short-lived; keep the cache small
            self._refs.clear()
        self._refs[id(writer)] = ref
        return ref


def _to_unicode_cmap(gids: dict[str, int]) -> bytes:
    entries = "".join(
        f"<{gid:04X}> <{''.join(f'{u:04X}' for u in _utf16(c))}>\n"
        for c, gid in sorted(gids.items())
    )
    return (
        "/CIDInit /ProcSet findresource begin 12 dict begin begincmap\n"
        "/CIDSystemInfo << /Registry (Adobe) /Ordering (UCS) /Supplement 0 >> def\n"
        "/CMapName /Adobe-Identity-UCS def /CMapType 2 def\n"
        "1 begincodespacerange <0000> <FFFF> endcodespacerange\n"
        f"{len(gids)} beginbfchar\n{entries}endbfchar\n"
        "endcmap CMapName currentdict /CMap defineresource pop end end\n"
    ).encode()


def _utf16(c: str) -> list[int]:
    data = c.encode("utf-16-be")
    return [int.from_bytes(data[i : i + 2], "big") for i in range(0, len(data), 2)]


@lru_cache(maxsize=32)
def subset_font(chars: frozenset[str], *, path: Path = FONT_PATH) -> SubsetFont:
    font = TTFont(str(path))
    options = subset.Options()
    options.retain_gids = False
    options.notdef_outline = True
    options.name_IDs = []
    options.layout_features = []
    options.drop_tables += ["FFTM", "GPOS", "GSUB", "GDEF", "kern"]
    subsetter = subset.Subsetter(options)
    subsetter.populate(unicodes=[ord(c) for c in chars])
    subsetter.subset(font)
    buf = io.BytesIO()
    font.save(buf)
    program = buf.getvalue()
    cmap = font.getBestCmap()
    missing = [c for c in chars if ord(c) not in cmap]
    if missing:
        raise ValueError(f"font {path.name} lacks {''.join(missing)!r}")
    scale = 1000 / font["head"].unitsPerEm
    gids = {c: font.getGlyphID(cmap[ord(c)]) for c in chars}
    widths = {gid: round(font["hmtx"][font.getGlyphName(gid)][0] * scale) for gid in gids.values()}
    head, os2 = font["head"], font["OS/2"]
    tag = "".join(
        chr(65 + (b % 26)) for b in zlib.crc32("".join(sorted(chars)).encode()).to_bytes(4, "big")
    )
    return SubsetFont(
        name=f"ESIGN{tag[:1]}+DejaVuSans",
        program=zlib.compress(program, 9),
        program_length=len(program),
        gids=gids,
        widths=widths,
        ascent=round(os2.sTypoAscender * scale),
        descent=round(os2.sTypoDescender * scale),
        cap_height=round(getattr(os2, "sCapHeight", 700) * scale),
        bbox=tuple(round(v * scale) for v in (head.xMin, head.yMin, head.xMax, head.yMax)),  # type: ignore[arg-type]
        to_unicode=_to_unicode_cmap(gids),
    )


def signing_time_text(ts: dt.datetime) -> str:
    return ts.astimezone(VIETNAM_TZ).strftime("%d/%m/%Y %H:%M:%S (GMT+7)")


@dataclass(frozen=True)
class VietnameseStampStyle(TextStampStyle):
    """Lines "Ký bởi: <signer>", optional "Chức vụ: <title>", "Ký ngày: <time in Vietnam>".

    pyHanko hands a stamp the signing time only as formatted text: we ask for ISO 8601 and
    show it in Vietnam time, so the appearance and ``/M`` can never disagree.
    """

    signer_name: str = ""
    title: str | None = None
    timestamp_format: str = "%Y-%m-%dT%H:%M:%S%z"
    border_width: int = 1

    def lines(self, ts_text: str) -> list[str]:
        ts = dt.datetime.strptime(ts_text, self.timestamp_format)
        lines = [f"Ký bởi: {self.signer_name}"]
        if self.title:
            lines.append(f"Chức vụ: {self.title}")
        lines.append(f"Ký ngày: {signing_time_text(ts)}")
        return lines

    @property
    def font(self) -> SubsetFont:
        return subset_font(frozenset(ALWAYS + self.signer_name + (self.title or "")))

    def create_stamp(  # type: ignore[override]
        self, writer: BasePdfFileWriter, box: BoxConstraints, text_params: dict[str, Any]
    ) -> BaseStamp:
        return _VietnameseStamp(writer, self, box, self.lines(text_params["ts"]))


class _VietnameseStamp(BaseStamp):
    def __init__(
        self,
        writer: BasePdfFileWriter,
        style: VietnameseStampStyle,
        box: BoxConstraints,
        lines: list[str],
    ) -> None:
        super().__init__(writer, style, box)
        self.lines = lines
        self.font = style.font

    def _render_inner_content(self) -> list[bytes]:
        assert self.writer is not None
        self.set_resource(ResourceType.FONT, pdf_name("/F1"), self.font.reference(self.writer))
        width, height = float(self.box.width), float(self.box.height)
        pad = 4.0
        widest = max(self.font.width(line, 1) for line in self.lines)
        size = min(10.0, (width - 2 * pad) / widest, (height - 2 * pad) / (1.25 * len(self.lines)))
        leading = size * 1.25
        y = height - pad - size
        ops = [b"BT 0 0 0.55 rg /F1 %.2f Tf" % size]
        for line in self.lines:
            ops.append(b"1 0 0 1 %.2f %.2f Tm %s Tj" % (pad, y, self.font.encode(line)))
            y -= leading
        ops.append(b"ET")
        return ops
