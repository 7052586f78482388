"""Who is at the keyboard: the session cookie (:mod:`esign.http.cookies`), read for the staff
pages."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Request
from starlette.datastructures import FormData, UploadFile

from ..errors import AuthenticationError
from ..http.cookies import session_secret
from ..http.deps import ServiceDep
from ..workflows.actors import Actor
from ..workflows.users import actor_for_session
from . import csrf
from .render import LoginRequired


@dataclass(frozen=True, slots=True)
class Staff:
    actor: Actor
    secret: str

    @property
    def csrf(self) -> str:
        return csrf.token_for(self.secret)

    def check(self, request: Request, form: FormData) -> None:
        csrf.check(request, secret=self.secret, token=text(form, csrf.FIELD))


def current_staff(request: Request, service: ServiceDep) -> Staff:
    """The logged-in person (cookie only: API tokens do not browse forms)."""
    secret = session_secret(request)
    if not secret:
        raise LoginRequired
    try:
        with service.db.reading() as s:
            return Staff(actor=actor_for_session(s, secret), secret=secret)
    except AuthenticationError as exc:
        raise LoginRequired from exc


def optional_staff(request: Request, service: ServiceDep) -> Staff | None:
    try:
        return current_staff(request, service)
    except LoginRequired:
        return None


StaffDep = Annotated[Staff, Depends(current_staff)]


def text(form: FormData, name: str, *, limit: int = 2000) -> str:
    """A text field of the form ('' when absent), cut at ``limit`` characters."""
    value = form.get(name)
    return value[:limit] if isinstance(value, str) else ""


def texts(form: FormData, name: str, *, limit: int = 200) -> list[str]:
    return [v[:100] for v in form.getlist(name)[:limit] if not isinstance(v, UploadFile)]
