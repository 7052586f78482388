"""Dependencies of the API routes: the service, the caller, role checks."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Header, Request

from ..db.models import UserRole
from ..errors import AuthenticationError
from ..service import Service
from ..workflows.actors import Actor, require
from ..workflows.users import actor_for_session, actor_for_token

SESSION_COOKIE = "esign_session"


def get_service(request: Request) -> Service:
    service: Service = request.app.state.service
    return service


ServiceDep = Annotated[Service, Depends(get_service)]


def current_actor(
    request: Request,
    service: ServiceDep,
    authorization: Annotated[str | None, Header()] = None,
) -> Actor:
    with service.db.reading() as session:
        if authorization:
            scheme, _, secret = authorization.partition(" ")
            if scheme.lower() != "bearer" or not secret:
                raise AuthenticationError("Cần mã truy cập dạng Bearer", "Bearer token required")
            return actor_for_token(session, secret.strip())
        cookie = request.cookies.get(SESSION_COOKIE)
        if cookie:
            return actor_for_session(session, cookie)
    raise AuthenticationError("Cần đăng nhập", "Authentication required")


ActorDep = Annotated[Actor, Depends(current_actor)]


class Roles:
    """A dependency that lets only these roles through (and, for API tokens, the scope)."""

    def __init__(self, *roles: UserRole, scope: str | None = None) -> None:
        self.roles, self.scope = roles, scope

    def __call__(self, actor: ActorDep) -> Actor:
        require(actor, *self.roles, scope=self.scope)
        return actor


CLERK, OFFICIAL, ADMIN = UserRole.CLERK, UserRole.OFFICIAL, UserRole.ADMIN
AdminUsers = Annotated[Actor, Depends(Roles(ADMIN, scope="users"))]
AdminCertificates = Annotated[Actor, Depends(Roles(ADMIN, scope="certificates"))]
FeeQuoter = Annotated[Actor, Depends(Roles(CLERK, ADMIN, scope="fees"))]
DossierClerk = Annotated[Actor, Depends(Roles(CLERK, scope="dossiers"))]
DossierReader = Annotated[Actor, Depends(Roles(CLERK, ADMIN, OFFICIAL, scope="dossiers"))]
ReceiptClerk = Annotated[Actor, Depends(Roles(CLERK, scope="receipts"))]
ReceiptReader = Annotated[Actor, Depends(Roles(CLERK, ADMIN, scope="receipts"))]
ResultPreparer = Annotated[Actor, Depends(Roles(CLERK, ADMIN, scope="results"))]
ResultSigner = Annotated[Actor, Depends(Roles(OFFICIAL, scope="results"))]
ResultReader = Annotated[Actor, Depends(Roles(CLERK, ADMIN, OFFICIAL, scope="results"))]
ReportReader = Annotated[Actor, Depends(Roles(CLERK, ADMIN, scope="reports"))]
TimestampClient = Annotated[Actor, Depends(Roles(CLERK, OFFICIAL, ADMIN, scope="tsa"))]
"""Our TSA answers only the service's own clients: a timestamp from it is trusted as ours."""
