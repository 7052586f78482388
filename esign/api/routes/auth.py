"""Logins (web session cookie), API tokens and users."""

from __future__ import annotations

import asyncio

from fastapi import APIRouter, Request, Response
from starlette.concurrency import run_in_threadpool

from ...db.models import User
from ...errors import TooManyAttempts
from ...http.client import request_address
from ...http.cookies import clear_session_cookie, session_secret, set_session_cookie
from ...http.csrf import HEADER as CSRF_HEADER
from ...http.csrf import check_cookie_request, token_for
from ...workflows import users
from ...workflows.binding import binding_policy
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
async def login(
    body: LoginCreate, request: Request, response: Response, service: ServiceDep
) -> User:
    """Log in; the session cookie serves the web pages and the API alike. The answer's
    ``X-CSRF-Token`` header is the token every later change made with the cookie must send.
    Throttled per account and per address (429 with ``Retry-After``, or locked)."""
    try:
        outcome = await run_in_threadpool(
            users.login,
            service.db,
            username=body.username,
            password=body.password,
            address=request_address(request),
            replaces_session=session_secret(request),
        )
    except TooManyAttempts:
        # A tarpit: a client that ignores Retry-After waits here (no thread, no database)
        # before its refusal, so a flood of refused guesses costs the server next to nothing.
        await asyncio.sleep(users.REFUSAL_DELAY)
        raise
    set_session_cookie(request, response, outcome.session_secret, hours=users.SESSION_HOURS)
    response.headers[CSRF_HEADER] = token_for(outcome.session_secret)
    with service.db.reading() as s:
        return users.get_user(s, outcome.actor.user_id)


@router.post("/auth/logout", status_code=204)
def logout(request: Request, response: Response, service: ServiceDep) -> None:
    cookie = session_secret(request)
    if cookie:
        check_cookie_request(request, cookie)  # no logging a clerk out from another site
        with service.db.transaction() as s:
            users.end_web_session(s, cookie)
    clear_session_cookie(response)


@router.get("/auth/me", response_model=UserPublic)
def me(actor: ActorDep, request: Request, response: Response, service: ServiceDep) -> User | None:
    cookie = session_secret(request)
    if cookie:
        response.headers[CSRF_HEADER] = token_for(cookie)
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
    response: Response,
    service: ServiceDep,
    actor: AdminCertificates,
) -> User:
    """Bind an official to the certificate they must sign with: it must chain to the ward's
    trust roots, allow non-repudiation, be no service certificate and nobody else's. One that
    does not name the official is held (202) until another administrator confirms it."""
    policy = binding_policy(service.pki)
    with service.db.transaction() as s:
        user = users.register_certificate(
            s, actor, user_id=user_id, certificate_pem=body.certificate_pem, policy=policy
        )
        if user.certificate_pending_pem is not None:
            response.status_code = 202
        return user


@router.post("/users/{user_id}/certificate/confirm", response_model=UserPublic)
def confirm_certificate(user_id: int, service: ServiceDep, actor: AdminCertificates) -> User:
    """A second administrator confirms a held binding."""
    policy = binding_policy(service.pki)
    with service.db.transaction() as s:
        return users.confirm_certificate(s, actor, user_id=user_id, policy=policy)
