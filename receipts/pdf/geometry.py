"""What a render returns: the PDF and where esign must put signatures, and where the QR is.

Coordinates are PDF points (1/72 inch) in the page's default user space: origin at the
bottom-left corner, y upwards, which is what pyHanko's ``SigFieldSpec(box=...)`` takes.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from enum import StrEnum

from reportlab.lib.pagesizes import A4, A5

MM = 72 / 25.4
"""Points per millimetre."""


class PageSize(StrEnum):
    """Paper sizes; A5 is for the counter printers."""

    A4 = "A4"
    A5 = "A5"

    @property
    def points(self) -> tuple[float, float]:
        """(width, height) in points, portrait."""
        width, height = A4 if self is PageSize.A4 else A5
        return (float(width), float(height))


@dataclass(frozen=True, kw_only=True)
class Rect:
    """A rectangle ``(x1, y1)``–``(x2, y2)`` in points, x1 < x2 and y1 < y2."""

    x1: float
    y1: float
    x2: float
    y2: float

    @property
    def width(self) -> float:
        return self.x2 - self.x1

    @property
    def height(self) -> float:
        return self.y2 - self.y1

    def as_tuple(self) -> tuple[float, float, float, float]:
        """``(x1, y1, x2, y2)``, e.g. for ``SigFieldSpec(box=...)``."""
        return (self.x1, self.y1, self.x2, self.y2)

    def contains(self, other: Rect, *, tolerance: float = 0.0) -> bool:
        return (
            other.x1 >= self.x1 - tolerance
            and other.y1 >= self.y1 - tolerance
            and other.x2 <= self.x2 + tolerance
            and other.y2 <= self.y2 + tolerance
        )

    @staticmethod
    def of(x: float, y: float, width: float, height: float) -> Rect:
        return Rect(x1=round(x, 2), y1=round(y, 2), x2=round(x + width, 2), y2=round(y + height, 2))


@dataclass(frozen=True, kw_only=True)
class SignaturePlace:
    """An empty box where esign creates a signature field and draws its stamp.

    ``role`` is the official's role (``"ward"`` for a receipt's seal, ``"judicial_officer"``,
    ``"chairman"``, …); ``field_name`` the PDF field name to create (``"Seal"``,
    ``"Sig_<role>"``); ``title`` and ``name`` are printed above and below the box.
    """

    role: str
    field_name: str
    title: str
    name: str
    page_index: int
    rect: Rect

    @staticmethod
    def at(
        field_name: str,
        *,
        page_index: int,
        box: tuple[float, float, float, float],
        role: str = "",
        title: str = "",
        name: str = "",
    ) -> SignaturePlace:
        """A place given by its box alone (a PDF drawn elsewhere, signed from the CLI)."""
        x1, y1, x2, y2 = box
        return SignaturePlace(
            role=role,
            field_name=field_name,
            title=title,
            name=name,
            page_index=page_index,
            rect=Rect(x1=x1, y1=y1, x2=x2, y2=y2),
        )

    def shifted(self, pages: int) -> SignaturePlace:
        """The same place once ``pages`` pages precede this document (appending a page)."""
        return dataclasses.replace(self, page_index=self.page_index + pages)


@dataclass(frozen=True, kw_only=True)
class QrPlace:
    """The printed QR symbol (quiet zone excluded; it is kept blank around the rectangle)."""

    page_index: int
    rect: Rect
    version: int
    error_correction: str
    mask: int
    modules: int

    @property
    def module_mm(self) -> float:
        return self.rect.width / self.modules / MM

    def shifted(self, pages: int) -> QrPlace:
        return dataclasses.replace(self, page_index=self.page_index + pages)


@dataclass(frozen=True, kw_only=True)
class RenderedDocument:
    """A drawn, unsigned PDF and the geometry esign needs to sign it."""

    pdf: bytes
    page_size: PageSize
    page_count: int
    signatures: tuple[SignaturePlace, ...]
    qr: QrPlace
    document_id: str
    """Hex of the PDF trailer's /ID, derived from the document's identity, not from a clock."""

    def signature(self, role: str) -> SignaturePlace:
        """The place for ``role``; ``KeyError`` if the document has none."""
        for place in self.signatures:
            if place.role == role:
                return place
        raise KeyError(role)

    def __repr__(self) -> str:  # the PDF bytes would flood logs and test output
        return (
            f"RenderedDocument(pages={self.page_count}, size={self.page_size.value}, "
            f"bytes={len(self.pdf)}, signatures={[p.field_name for p in self.signatures]})"
        )
