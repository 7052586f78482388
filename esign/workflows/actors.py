"""Who is acting, and the role checks every workflow makes."""

from __future__ import annotations

from dataclasses import dataclass

from ..db.models import User, UserRole
from ..errors import PermissionDeniedError
from ..identifiers import OfficialRole

ROLE_NAMES_VI = {
    UserRole.CLERK: "cán bộ thu phí",
    UserRole.OFFICIAL: "người ký (lãnh đạo, công chức)",
    UserRole.ADMIN: "quản trị viên",
}


@dataclass(frozen=True, slots=True)
class Actor:
    user_id: int
    username: str
    full_name: str
    role: UserRole
    official_role: OfficialRole | None = None
    scopes: frozenset[str] | None = None
    """For API tokens: the scopes granted; None for a logged-in person (all of the role)."""

    @classmethod
    def of(cls, user: User, *, scopes: frozenset[str] | None = None) -> Actor:
        return cls(
            user_id=user.id,
            username=user.username,
            full_name=user.full_name,
            role=user.role,
            official_role=OfficialRole(user.official_role) if user.official_role else None,
            scopes=scopes,
        )

    @property
    def label(self) -> str:
        return f"{self.role.value}:{self.username}"


SYSTEM = Actor(user_id=0, username="system", full_name="Hệ thống", role=UserRole.ADMIN)


def console(os_user: str) -> Actor:
    """The administrator at the server's console (``esign certs``, ``esign seal``): whoever
    can run the command on the server can read the data folder anyway; the audit entry names
    the operating-system account."""
    return Actor(
        user_id=0,
        username=f"console:{os_user}",
        full_name=f"Quản trị viên tại máy chủ ({os_user})",
        role=UserRole.ADMIN,
    )


def require(actor: Actor, *roles: UserRole, scope: str | None = None) -> None:
    if actor.role not in roles:
        allowed = ", ".join(ROLE_NAMES_VI[r] for r in roles)
        raise PermissionDeniedError(
            f"Việc này chỉ dành cho: {allowed}",
            f"Only {', '.join(r.value for r in roles)} may do this",
        )
    if scope is not None and actor.scopes is not None and scope not in actor.scopes:
        raise PermissionDeniedError(
            f"Mã truy cập không có quyền “{scope}”", f"The API token lacks the scope {scope!r}"
        )
