"""Talking to the tax authority: the senders of the outbox.

The reports themselves are built in :mod:`esign.workflows.tax_reports`, queued and sent by
:mod:`esign.workflows.outbox`; this package holds what does not touch the database.
"""

from .senders import FolderSender, OutgoingReport, SendError, TaxSender, default_sender

__all__ = [
    "FolderSender",
    "OutgoingReport",
    "SendError",
    "TaxSender",
    "default_sender",
]
