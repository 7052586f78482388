"""Typed identifiers where a bare ``str`` let mistakes through: a misspelt official role, a
procedure code in lower case, a receipt series with a space. Each is checked where it enters
(settings, API bodies, workflow arguments), not at the first receipt that uses it."""

from __future__ import annotations

import enum
import re
from typing import Annotated

from pydantic import StringConstraints


class OfficialRole(enum.StrEnum):
    """Who signs a result document; a signature field names one (``esign.signing.sign``)."""

    JUDICIAL_OFFICER = "judicial_officer"
    CHAIRMAN = "chairman"
    VICE_CHAIRMAN = "vice_chairman"


SYMBOL_PATTERN = r"^[0-9A-Z][0-9A-Z-]{1,19}$"
"""A receipt template symbol (mẫu số, ``01BLP0-001``) or series (ký hiệu, ``VA-26E``)."""
SYMBOL = re.compile(SYMBOL_PATTERN)
PROCEDURE_PATTERN = r"^[A-Z]{2}(-[A-Z0-9]{1,10}){1,3}$"
"""A procedure code of the catalog: ``HT-XNTTHN``, ``CT-BS``, ``HT-KS-DH``."""

TemplateSymbol = Annotated[str, StringConstraints(pattern=SYMBOL_PATTERN)]
SeriesCode = Annotated[str, StringConstraints(pattern=SYMBOL_PATTERN)]
ProcedureCode = Annotated[str, StringConstraints(pattern=PROCEDURE_PATTERN, max_length=32)]
