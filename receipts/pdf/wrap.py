"""Line breaking: the rule that makes every allowed text fit its box.

Greedy, at spaces (a run of spaces prints as one); a word wider than the whole line (a long code
or URL) is cut between characters. Text therefore never runs past the right edge of its box; a
box grows downwards instead, and the page flows onto the next one when it is full.
"""

from __future__ import annotations

import functools

from .fonts import Face, text_width


def _cut(word: str, face: Face, size: float, width: float) -> list[str]:
    """Split a word too wide for a line into pieces that each fit (at least one character)."""
    pieces: list[str] = []
    current = ""
    for ch in word:
        if current and text_width(current + ch, face, size) > width:
            pieces.append(current)
            current = ch
        else:
            current += ch
    if current:
        pieces.append(current)
    return pieces


@functools.lru_cache(maxsize=4096)
def wrap(text: str, face: Face, size: float, width: float) -> tuple[str, ...]:
    """``text`` broken into lines no wider than ``width`` points; ``("",)`` for empty text.

    Cached: a block asks for its lines to measure and again to draw, and the fixed texts
    (labels, titles, captions) come back in every document.
    """
    words = text.split()
    if not words:
        return ("",)
    space = text_width(" ", face, size)
    lines: list[str] = []
    line = ""
    line_width = 0.0
    for word in words:
        w = text_width(word, face, size)
        if w > width:
            pieces = _cut(word, face, size, width)
            if line:
                lines.append(line)
            lines.extend(pieces[:-1])
            line = pieces[-1]
            line_width = text_width(line, face, size)
        elif not line:
            line, line_width = word, w
        elif line_width + space + w <= width:
            line += " " + word
            line_width += space + w
        else:
            lines.append(line)
            line, line_width = word, w
    lines.append(line)
    return tuple(lines)


def fit_size(text: str, face: Face, size: float, width: float, *, minimum: float) -> float:
    """The largest font size ≤ ``size`` (and ≥ ``minimum``) at which ``text`` fits one line.

    For texts that must stay on one line (amounts, the national motto, document titles); the
    models bound their length so that ``minimum`` is always enough.
    """
    natural = text_width(text, face, size)
    if natural <= width:
        return size
    # a hair under the exact ratio: wrap() sums the words' widths, which may round up
    return max(minimum, size * width / natural * 0.995)
