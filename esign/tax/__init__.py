"""Talking to the tax authority: the senders of the outbox and the XML signing key.

The reports themselves are built in :mod:`esign.workflows.tax_reports`, queued and sent by
:mod:`esign.workflows.outbox`; this package holds what does not touch the database.
"""

from .senders import FolderSender, OutgoingReport, SendError, TaxSender, default_sender
from .xml_key import StoreXmlKey

__all__ = [
    "FolderSender",
    "OutgoingReport",
    "SendError",
    "StoreXmlKey",
    "TaxSender",
    "default_sender",
]
