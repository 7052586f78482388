"""Result-document templates: small functions that build a :class:`ResultDocument`.

To add a kind of document, write one more function here that returns a ``ResultDocument``
(title, body of ``Field`` rows and ``Passage`` paragraphs, officials); ``render_result`` draws
it with no change to the layout engine.
"""

from .birth_extract import birth_registration_extract
from .common import Parent, Person, date_in_words, date_line, month_in_words, ward_signer
from .copy_certification import copy_certification
from .marital_status import marital_status_confirmation

__all__ = [
    "Parent",
    "Person",
    "birth_registration_extract",
    "copy_certification",
    "date_in_words",
    "date_line",
    "marital_status_confirmation",
    "month_in_words",
    "ward_signer",
]
