"""What every sub-command shares: error output and JSON printing."""

from __future__ import annotations

import getpass
import json
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from functools import wraps
from typing import TYPE_CHECKING, Any, NoReturn, ParamSpec, TypeVar

import typer

from ..config import get_settings

if TYPE_CHECKING:
    from ..service import Service
    from ..workflows.actors import Actor

P = ParamSpec("P")
R = TypeVar("R")

# Errors a command turns into one clear line (never a traceback), by module and class: a
# package a command never imported cannot have raised its error, so checking needs no import
# (``certs`` alone costs a third of a second to import).
HANDLED: tuple[tuple[str, str], ...] = (
    ("receipts.errors", "ReceiptsError"),
    ("certs.errors", "CertsError"),
    ("esign.errors", "EsignError"),
)


def handled(exc: BaseException) -> bool:
    for module, name in HANDLED:
        loaded = sys.modules.get(module)
        if loaded is not None and isinstance(exc, getattr(loaded, name)):
            return True
    return False


def fail(message: str, *, code: str = "error", exit_code: int = 2) -> NoReturn:
    typer.echo(f"Lỗi [{code}]: {message}", err=True)
    raise typer.Exit(exit_code)


def clean_errors(func: Callable[P, R]) -> Callable[P, R]:
    """Turn the packages' own errors into one line on stderr and a non-zero exit code."""

    @wraps(func)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        try:
            return func(*args, **kwargs)
        except Exception as exc:
            if not handled(exc):
                raise
            fail(getattr(exc, "message", str(exc)), code=getattr(exc, "code", "error"))

    return wrapper


@contextmanager
def open_service() -> Iterator[Service]:
    """The configured service (its database migrated), for a command that changes state
    through the workflows; closed at the end."""
    from ..service import Service

    service = Service.from_settings(get_settings())
    try:
        yield service
    finally:
        service.close()


def console_actor() -> Actor:
    from ..workflows.actors import console

    return console(getpass.getuser())


def print_json(value: Any) -> None:
    from ..jsonable import to_jsonable

    typer.echo(json.dumps(to_jsonable(value), ensure_ascii=False, indent=2))
