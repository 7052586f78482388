"""The credential lifecycle: one's own password, sessions and tokens; an administrator's view
and actions on anyone's (deactivate, reset the password, lift a lockout). Every change is a
workflow function (:mod:`esign.workflows.users`, :mod:`esign.workflows.throttle`) that audits."""

from __future__ import annotations

import datetime as dt

from fastapi import APIRouter, Request
from pydantic import BaseModel, ConfigDict, Field
from starlette.concurrency import run_in_threadpool

from ...db.models import ApiToken, User
from ...http.cookies import session_secret
from ...workflows import throttle, users
from ..deps import ActorDep, AdminUsers, ServiceDep
from ..schemas import ListOf, UserPublic

router = APIRouter(tags=["users"])


class PasswordChange(BaseModel):
    model_config = ConfigDict(extra="forbid")
    current_password: str = Field(min_length=1, max_length=1024)
    new_password: str = Field(min_length=1, max_length=1024)


class PasswordReset(BaseModel):
    model_config = ConfigDict(extra="forbid")
    new_password: str = Field(min_length=1, max_length=1024)


class SessionPublic(BaseModel):
    ref: str
    created_at: dt.datetime
    expires_at: dt.datetime


class TokenInfo(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: int
    name: str
    scopes: list[str]
    created_at: dt.datetime
    expires_at: dt.datetime
    revoked_at: dt.datetime | None


class LockoutPublic(BaseModel):
    key: str
    failures: int
    blocked_until: dt.datetime | None
    locked: bool


def _sessions(items: list[users.SessionInfo]) -> ListOf[SessionPublic]:
    data = [
        SessionPublic(ref=i.ref, created_at=i.created_at, expires_at=i.expires_at) for i in items
    ]
    return ListOf(data=data, count=len(data))


def _tokens(items: list[ApiToken]) -> ListOf[TokenInfo]:
    data = [TokenInfo.model_validate(t) for t in items]
    return ListOf(data=data, count=len(data))


@router.post("/auth/password", status_code=204)
async def change_password(
    body: PasswordChange, request: Request, actor: ActorDep, service: ServiceDep
) -> None:
    """Change my password; my other sessions end (this one stays)."""
    await run_in_threadpool(
        users.change_password,
        service.db,
        actor,
        current_password=body.current_password,
        new_password=body.new_password,
        session_secret=session_secret(request),
    )


@router.get("/auth/sessions", response_model=ListOf[SessionPublic])
def my_sessions(actor: ActorDep, service: ServiceDep) -> ListOf[SessionPublic]:
    with service.db.reading() as s:
        return _sessions(users.list_sessions(s, actor, user_id=actor.user_id))


@router.delete("/auth/sessions/{ref}", status_code=204)
def end_my_session(ref: str, actor: ActorDep, service: ServiceDep) -> None:
    with service.db.transaction() as s:
        users.end_session(s, actor, user_id=actor.user_id, ref=ref)


@router.delete("/tokens/{token_id}", response_model=TokenInfo)
def revoke_token(token_id: int, actor: ActorDep, service: ServiceDep) -> ApiToken:
    """Revoke a token (mine, or anyone's for an administrator): refused from the next request."""
    with service.db.transaction() as s:
        return users.revoke_api_token(s, actor, token_id=token_id)


@router.get("/users/{user_id}/sessions", response_model=ListOf[SessionPublic])
def user_sessions(user_id: int, actor: AdminUsers, service: ServiceDep) -> ListOf[SessionPublic]:
    with service.db.reading() as s:
        return _sessions(users.list_sessions(s, actor, user_id=user_id))


@router.delete("/users/{user_id}/sessions/{ref}", status_code=204)
def end_user_session(user_id: int, ref: str, actor: AdminUsers, service: ServiceDep) -> None:
    with service.db.transaction() as s:
        users.end_session(s, actor, user_id=user_id, ref=ref)


@router.get("/users/{user_id}/tokens", response_model=ListOf[TokenInfo])
def user_tokens(user_id: int, actor: AdminUsers, service: ServiceDep) -> ListOf[TokenInfo]:
    with service.db.reading() as s:
        return _tokens(users.list_api_tokens(s, actor, user_id=user_id))


@router.post("/users/{user_id}/deactivate", response_model=UserPublic)
def deactivate(user_id: int, actor: AdminUsers, service: ServiceDep) -> User:
    """Deactivate a user: every session and token of theirs ends at once."""
    with service.db.transaction() as s:
        return users.set_user_active(s, actor, user_id=user_id, active=False)


@router.post("/users/{user_id}/activate", response_model=UserPublic)
def activate(user_id: int, actor: AdminUsers, service: ServiceDep) -> User:
    with service.db.transaction() as s:
        return users.set_user_active(s, actor, user_id=user_id, active=True)


@router.post("/users/{user_id}/password", status_code=204)
async def reset_password(
    user_id: int, body: PasswordReset, actor: AdminUsers, service: ServiceDep
) -> None:
    """Set a new password: the user's sessions and tokens end, a lockout is lifted."""
    await run_in_threadpool(
        users.reset_password, service.db, actor, user_id=user_id, new_password=body.new_password
    )


@router.get("/lockouts", response_model=ListOf[LockoutPublic])
def lockouts(actor: AdminUsers, service: ServiceDep) -> ListOf[LockoutPublic]:
    """Accounts (``user:``), addresses (``addr:``) and keys (``signkey:``) with failures."""
    with service.db.reading() as s:
        data = [
            LockoutPublic(
                key=t.key, failures=t.failures, blocked_until=t.blocked_until, locked=t.locked
            )
            for t in throttle.list_throttles(s, actor)
        ]
    return ListOf(data=data, count=len(data))


@router.delete("/lockouts/{key:path}", status_code=204)
def unlock(key: str, actor: AdminUsers, service: ServiceDep) -> None:
    """Lift a lockout or a delay."""
    with service.db.transaction() as s:
        throttle.unlock(s, actor, key=key)
