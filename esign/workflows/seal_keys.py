"""The QR seal's keys for administrators: rotate (a new active key, the old one retired: its
seals still verify) and withdraw (every seal the key signed becomes void). ``esign seal
rotate|withdraw`` and any other face call these: the keyring folder changes under the same
lock as the PKI folder's changes and each change is in the audit log (:mod:`.key_changes`)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from sqlalchemy.orm import Session

from ..db.models import UserRole
from ..seal import PUBLISHED_FILE, Keyring
from ..seal.errors import UnknownKeyError
from ..seal.jwks import KeyStatus, PublishedKey
from .actors import Actor, require
from .key_changes import lock_key_changes, record_key_change


@dataclass(frozen=True, slots=True)
class SealKeyChange:
    key: PublishedKey
    """The new key (rotation) or the withdrawn one."""
    active: PublishedKey
    """The active key after the change."""
    previous_status: KeyStatus | None = None
    """For a withdrawal: the key's status before (withdrawing twice changes nothing)."""


def list_seal_keys(actor: Actor, folder: Path) -> tuple[PublishedKey, ...]:
    """The keys as the folder holds them now (none before the first seal or rotation)."""
    require(actor, UserRole.ADMIN, scope="certificates")
    if not (folder / PUBLISHED_FILE).exists():
        return ()
    return Keyring.load(folder).keys


def rotate_seal_key(session: Session, actor: Actor, folder: Path) -> SealKeyChange:
    """Make a new active key; the active one is retired (creates the keyring if there is none)."""
    require(actor, UserRole.ADMIN, scope="certificates")
    lock_key_changes(session)
    ring = Keyring.load_or_create(folder)
    retired = [k.kid for k in ring.keys if k.status is KeyStatus.ACTIVE]
    key = ring.rotate()
    details = {"kid": key.kid, "retired": retired}
    record_key_change(
        session, actor, action="seal.rotate", subject=f"seal-key:{key.kid}", details=details
    )
    return SealKeyChange(key=key, active=ring.active)


def withdraw_seal_key(session: Session, actor: Actor, folder: Path, kid: str) -> SealKeyChange:
    """Withdraw ``kid``: every seal it signed fails from now on; if it was the active key, a new
    one becomes active at once."""
    require(actor, UserRole.ADMIN, scope="certificates")
    lock_key_changes(session)
    if not (folder / PUBLISHED_FILE).exists():
        raise UnknownKeyError(f"Không có khóa {kid!r}", f"no key {kid!r}")
    ring = Keyring.load(folder)
    before = next((k.status for k in ring.keys if k.kid == kid), None)
    key = ring.withdraw(kid)  # an unknown kid raises before anything changes
    details = {
        "kid": key.kid,
        "previous_status": before.value if before else None,
        "active": ring.active.kid,
    }
    record_key_change(
        session, actor, action="seal.withdraw", subject=f"seal-key:{key.kid}", details=details
    )
    return SealKeyChange(key=key, active=ring.active, previous_status=before)
