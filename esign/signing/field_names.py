"""The names of a result document's signature fields: the order and the role in the name.

Its own module so that the verifier (``completeness``) reads them without importing the
signer (fontTools, the stamp's appearance): ``esign verify`` starts faster.
"""

from __future__ import annotations

FIELD_PREFIX = "Sig"


def field_name_for(position: int, role: str) -> str:
    """``Sig1_judicial_officer``: the order and the role are in the name, so the PDF itself
    says who signs which field, in which order."""
    return f"{FIELD_PREFIX}{position}_{role}"


def parse_field_name(name: str) -> tuple[int, str] | None:
    head, _, role = name.partition("_")
    if not head.startswith(FIELD_PREFIX) or not role or not head[len(FIELD_PREFIX) :].isdigit():
        return None
    return int(head[len(FIELD_PREFIX) :]), role
