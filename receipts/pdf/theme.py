"""Sizes and styles per paper size, for the sans receipts and the serif result documents."""

from __future__ import annotations

from dataclasses import dataclass

from .engine import GREY, RED, PageSetup, Style
from .fonts import Face
from .geometry import MM, PageSize


@dataclass(frozen=True)
class Theme:
    size: PageSize
    left: float
    right: float
    top: float
    bottom: float
    body: Style
    bold: Style
    small: Style
    emphasis: Style  # red bold: receipt number, replacement and cancellation notices
    title: Style
    heading: Style
    qr_mm: float
    box_width: float
    box_height: float
    label_width: float

    def setup(self, *, footer_label: str, watermark: str | None) -> PageSetup:
        return PageSetup(
            size=self.size,
            left=self.left,
            right=self.right,
            top=self.top,
            bottom=self.bottom,
            footer_style=self.small,
            footer_label=footer_label,
            watermark=watermark,
        )


def _styles(regular: Face, bold: Face, base: float) -> dict[str, Style]:
    lead = base * 1.38  # ≥ 1.37 em: see blocks._baseline
    return {
        "body": Style(regular, base, lead),
        "bold": Style(bold, base, lead),
        "small": Style(regular, base * 0.84, base * 0.84 * 1.38, GREY),
        "emphasis": Style(bold, base, lead, RED),
        "title": Style(bold, base * 1.6, base * 1.6 * 1.4),
        "heading": Style(bold, base * 1.05, base * 1.05 * 1.38),
    }


def receipt_theme(size: PageSize) -> Theme:
    if size is PageSize.A4:
        return Theme(
            size,
            15 * MM,
            15 * MM,
            13 * MM,
            16 * MM,
            **_styles(Face.SANS, Face.SANS_BOLD, 9.5),
            qr_mm=36,
            box_width=64 * MM,
            box_height=22 * MM,
            label_width=42 * MM,
        )
    return Theme(
        size,
        9 * MM,
        9 * MM,
        9 * MM,
        12 * MM,
        **_styles(Face.SANS, Face.SANS_BOLD, 7.4),
        qr_mm=32,
        box_width=54 * MM,
        box_height=18 * MM,
        label_width=33 * MM,
    )


def result_theme(size: PageSize) -> Theme:
    """Administrative documents (Decree 30/2020): wider left margin for binding, serif type."""
    if size is PageSize.A4:
        return Theme(
            size,
            28 * MM,
            18 * MM,
            18 * MM,
            18 * MM,
            **_styles(Face.SERIF, Face.SERIF_BOLD, 11.5),
            qr_mm=34,
            box_width=60 * MM,
            box_height=24 * MM,
            label_width=52 * MM,
        )
    return Theme(
        size,
        16 * MM,
        10 * MM,
        11 * MM,
        13 * MM,
        **_styles(Face.SERIF, Face.SERIF_BOLD, 8.4),
        qr_mm=31,
        box_width=50 * MM,
        box_height=18 * MM,
        label_width=38 * MM,
    )
