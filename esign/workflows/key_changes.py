"""What every change to the ward's key folders shares (the PKI folder: imports, revocations,
CRLs; the seal keyring: rotation, withdrawal), from whichever face it comes (API, CLI).

The folders are files and the audit log is a table, so one change cannot be atomic across
both. Each change runs in a database transaction, in this order:

1. :func:`lock_key_changes`: lock the audit log's head row (PostgreSQL; SQLite's
   ``BEGIN IMMEDIATE`` already holds the write lock), which also serialises changes to the
   folders between app processes and CLI commands;
2. change the folder;
3. append the audit entry (:func:`esign.audit.append`);
4. commit (the caller's ``with db.transaction()``).

Why the folder before the commit: a refused change (wrong password, untrusted chain, already
revoked, unknown key) is by far the common failure, and in this order it leaves nothing
behind, neither in the folder nor in the log. The other order would leave a log that claims
changes which never happened. What remains is a database failure between steps 2 and 4: the
folder has changed and cannot be rolled back (a published CRL or key set is public), so
:func:`report_if_rolled_back` logs it at CRITICAL with everything needed to reconcile by hand.
"""

from __future__ import annotations

import logging
from typing import Any

from sqlalchemy import event, select
from sqlalchemy.orm import Session

from .. import audit
from ..db.models import AuditHead
from .actors import Actor

log = logging.getLogger("esign.key_changes")


def lock_key_changes(session: Session) -> None:
    """Hold the audit head's row lock until the transaction ends."""
    session.execute(select(AuditHead.seq).where(AuditHead.id == 1).with_for_update())


def record_key_change(
    session: Session, actor: Actor, *, action: str, subject: str, details: dict[str, Any]
) -> None:
    """Steps 3 and 4's guard: the audit entry of a folder change that has just happened, and a
    loud log line should the transaction not commit."""
    report_if_rolled_back(session, action, {"subject": subject, **details})
    audit.append(session, actor=actor.label, action=action, subject=subject, details=details)


def report_if_rolled_back(session: Session, change: str, details: dict[str, Any]) -> None:
    """From here on the folder has changed: a rollback must not pass silently."""
    state = {"settled": False}

    def committed(_session: Session) -> None:
        state["settled"] = True

    def rolled_back(_session: Session) -> None:
        if not state["settled"]:
            state["settled"] = True
            log.critical(
                "key folder changed (%s) but the database transaction rolled back: the audit "
                "log has no entry for it; reconcile by hand: %s",
                change,
                audit.canonical_json(details),
            )

    event.listen(session, "after_commit", committed)
    event.listen(session, "after_rollback", rolled_back)
