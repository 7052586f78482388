"""The PAdES baseline levels, in a module of their own so that the settings can name the type
without loading pyHanko."""

from __future__ import annotations

import enum


class PadesLevel(enum.StrEnum):
    B_B = "B-B"
    B_T = "B-T"
    B_LT = "B-LT"
    B_LTA = "B-LTA"
