"""Masking a person's name for the public page and the seal.

The rule, on the NFC form of the name:

- runs of whitespace become one space; leading and trailing whitespace goes; control and format
  characters (zero-width joiners, BOMs pasted from documents) are dropped;
- a *word* is a run of letters and digits; the first letter of each word is kept as written,
  with its diacritics ("Đ", "Á", "Ư" are letters of the Vietnamese alphabet, and the citizen
  must recognise their own name), and every following letter becomes one ``*``;
- anything else (space, hyphen, apostrophe as in "H'Hen", dot) is kept, so the shape of the
  name survives: "Bùi Thị Trang" → "B** T** T****", "H'Hen Niê" → "H'H** N**".

One ``*`` per letter, not per code point: after NFC every Vietnamese letter is one code point,
but a name typed with combining marks that have no precomposed form would otherwise leak extra
stars. Masking is idempotent (``*`` is not a letter), which is how a masked name is recognised.
"""

from __future__ import annotations

import unicodedata

MASK = "*"


def _is_word_char(ch: str) -> bool:
    return unicodedata.category(ch)[0] in "LN"


def _is_mark(ch: str) -> bool:
    return unicodedata.category(ch)[0] == "M"


def _clean(name: str) -> str:
    out: list[str] = []
    for ch in unicodedata.normalize("NFC", name):
        if ch.isspace():
            out.append(" ")
        elif unicodedata.category(ch) not in ("Cc", "Cf"):
            out.append(ch)
    return " ".join("".join(out).split())


def mask_name(name: str) -> str:
    """``"Bùi Thị Trang"`` → ``"B** T** T****"`` (the rule is in the module docstring)."""
    out: list[str] = []
    in_word = False
    for ch in _clean(name):
        if _is_mark(ch):
            # A combining mark belongs to the letter before it: kept with a kept letter,
            # swallowed by the star of a masked one.
            if (in_word and out and out[-1] != MASK) or not in_word:
                out.append(ch)
            continue
        if _is_word_char(ch):
            out.append(MASK if in_word else ch)
            in_word = True
        else:
            out.append(ch)
            in_word = False
    return unicodedata.normalize("NFC", "".join(out))


def is_masked(text: str) -> bool:
    """True when ``text`` is already in masked form (masking it again changes nothing)."""
    return mask_name(text) == text
