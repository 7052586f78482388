"""What every sub-command shares: error output and JSON printing."""

from __future__ import annotations

import getpass
import json
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from functools import wraps
from typing import TYPE_CHECKING, Any, NoReturn, ParamSpec, TypeVar

import typer

from certs.errors import CertsError
from receipts.errors import ReceiptsError

from ..config import get_settings
from ..errors import EsignError
from ..jsonable import to_jsonable
from ..workflows.actors import Actor, console

if TYPE_CHECKING:
    from ..service import Service

P = ParamSpec("P")
R = TypeVar("R")

# Errors a command turns into one clear line (never a traceback). Other packages add theirs.
HANDLED: tuple[type[Exception], ...] = (ReceiptsError, CertsError, EsignError)


def fail(message: str, *, code: str = "error", exit_code: int = 2) -> NoReturn:
    typer.echo(f"Lỗi [{code}]: {message}", err=True)
    raise typer.Exit(exit_code)


def clean_errors(func: Callable[P, R]) -> Callable[P, R]:
    """Turn the packages' own errors into one line on stderr and a non-zero exit code."""

    @wraps(func)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        try:
            return func(*args, **kwargs)
        except HANDLED as exc:
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
    return console(getpass.getuser())


def print_json(value: Any) -> None:
    typer.echo(json.dumps(to_jsonable(value), ensure_ascii=False, indent=2))
