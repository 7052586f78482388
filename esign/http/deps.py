"""Dependencies every face may use: the service, and the caller (bearer token or session)."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Header, Request

from ..db.models import UserRole
from ..errors import AuthenticationError
from ..service import Service
from ..workflows.actors import Actor, require
from ..workflows.users import actor_for_session, actor_for_token
from .cookies import session_secret
from .csrf import check_cookie_request


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
        cookie = session_secret(request)
        if cookie:
            actor = actor_for_session(session, cookie)
            check_cookie_request(request, cookie)  # a cookie rides along cross-site; a header not
            return actor
    raise AuthenticationError("Cần đăng nhập", "Authentication required")


ActorDep = Annotated[Actor, Depends(current_actor)]


class Roles:
    """A dependency that lets only these roles through (and, for API tokens, the scope)."""

    def __init__(self, *roles: UserRole, scope: str | None = None) -> None:
        self.roles, self.scope = roles, scope

    def __call__(self, actor: ActorDep) -> Actor:
        require(actor, *self.roles, scope=self.scope)
        return actor
