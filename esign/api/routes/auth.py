"""Logins (web session cookie), API tokens and users."""

from __future__ import annotations

from fastapi import APIRouter, Request, Response

from ...db.models import User
from ...http.cookies import clear_session_cookie, session_secret, set_session_cookie
from ...workflows import users
from ..deps import ActorDep, AdminCertificates, AdminUsers, ServiceDep
from ..schemas import (
    CertificateRegister,
    ListOf,
    LoginCreate,
    TokenCreate,
    TokenPublic,
    UserCreate,
    UserPublic,
)

router = APIRouter(tags=["auth"])


@router.post("/auth/login", response_model=UserPublic)
def login(body: LoginCreate, request: Request, response: Response, service: ServiceDep) -> User:
    """Log in; the session cookie serves the web pages and the API alike."""
    with service.db.transaction() as s:
        user = users.check_login(s, username=body.username, password=body.password)
        secret = users.start_web_session(s, user) if user else None
    if user is None or secret is None:
        raise users.LOGIN_FAILED
    set_session_cookie(request, response, secret, hours=users.SESSION_HOURS)
    return user


@router.post("/auth/logout", status_code=204)
def logout(request: Request, response: Response, service: ServiceDep) -> None:
    cookie = session_secret(request)
    if cookie:
        with service.db.transaction() as s:
            users.end_web_session(s, cookie)
    clear_session_cookie(response)


@router.get("/auth/me", response_model=UserPublic)
def me(actor: ActorDep, service: ServiceDep) -> User | None:
    with service.db.reading() as s:
        return users.get_user(s, actor.user_id)


@router.post("/tokens", response_model=TokenPublic, status_code=201)
def create_token(body: TokenCreate, actor: ActorDep, service: ServiceDep) -> TokenPublic:
    """A scoped, expiring API token for an integration; the secret is in this answer only."""
    with service.db.transaction() as s:
        token, secret = users.create_api_token(
            s, actor, name=body.name, scopes=tuple(body.scopes), days=body.days
        )
        return TokenPublic(
            id=token.id,
            name=token.name,
            scopes=token.scopes,
            expires_at=token.expires_at,
            token=secret,
        )


@router.get("/tokens", response_model=ListOf[TokenPublic])
def list_tokens(actor: ActorDep, service: ServiceDep) -> ListOf[TokenPublic]:
    with service.db.reading() as s:
        data = [
            TokenPublic(id=t.id, name=t.name, scopes=t.scopes, expires_at=t.expires_at)
            for t in users.api_tokens_of(s, actor)
        ]
    return ListOf(data=data, count=len(data))


@router.post("/users", response_model=UserPublic, status_code=201)
def create_user(body: UserCreate, service: ServiceDep, actor: AdminUsers) -> User:
    with service.db.transaction() as s:
        return users.create_user(
            s,
            actor,
            username=body.username,
            full_name=body.full_name,
            role=body.role,
            password=body.password,
            official_role=body.official_role,
            title=body.title,
        )


@router.get("/users", response_model=ListOf[UserPublic])
def list_users(
    service: ServiceDep, actor: AdminUsers, offset: int = 0, limit: int = 50
) -> dict[str, object]:
    with service.db.reading() as s:
        page = users.list_users(s, actor, offset=offset, limit=limit)
    return {"data": page.items, "count": page.count}


@router.put("/users/{user_id}/certificate", response_model=UserPublic)
def register_certificate(
    user_id: int,
    body: CertificateRegister,
    service: ServiceDep,
    actor: AdminCertificates,
) -> User:
    """Bind an official to the certificate they must sign with."""
    with service.db.transaction() as s:
        return users.register_certificate(
            s, actor, user_id=user_id, certificate_pem=body.certificate_pem
        )
