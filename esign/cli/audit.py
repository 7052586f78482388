"""``esign audit``: check the hash-chained audit log, and read its latest entries."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path
from typing import Annotated

import typer
from sqlalchemy.engine import make_url
from sqlalchemy.exc import SQLAlchemyError

from receipts.calendar import VIETNAM_TZ

from .. import audit
from ..config import get_settings
from ..db import Database
from ..db.models import AuditEntry
from ..security import printable
from ..workflows.audit_log import entry_at, latest_entries
from ._common import clean_errors, fail, print_json

app = typer.Typer(
    help="Nhật ký kiểm toán (chuỗi băm) / the hash-chained audit log.",
    no_args_is_help=True,
)

JsonOption = Annotated[bool, typer.Option("--json", help="In kết quả dạng JSON")]


def _open_database() -> Database:
    """The configured database; a missing SQLite file is an error, not a new empty database."""
    url = get_settings().effective_database_url
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite" and parsed.database not in (None, "", ":memory:"):
        path = Path(str(parsed.database))
        if not path.is_file():
            fail(f"Không có cơ sở dữ liệu {path} / no database there", code="no_database")
    return Database(url)


def _details(text: str) -> object:
    try:
        return json.loads(text)
    except ValueError:  # a tampered row: show it as it is
        return text


def _when(entry: AuditEntry) -> str:
    return entry.at.astimezone(VIETNAM_TZ).strftime("%d/%m/%Y %H:%M:%S")


@app.command("verify")
@clean_errors
def verify(as_json: JsonOption = False) -> None:
    """Kiểm tra toàn bộ chuỗi nhật ký; thoát 1 nếu có mục bị sửa, xóa hay đổi thứ tự.

    Exit 0: intact; 1: broken (the first broken entry is named); 2: the database cannot be read.
    """
    db = _open_database()
    try:
        with db.reading() as session:
            result = audit.verify(session)
            broken = (
                entry_at(session, result.first_broken_seq)
                if result.first_broken_seq is not None
                else None
            )
            entry = (
                {
                    "seq": broken.seq,
                    "at": broken.at.isoformat(),
                    "actor": broken.actor,
                    "action": broken.action,
                    "subject": broken.subject,
                }
                if broken is not None
                else None
            )
    except SQLAlchemyError as exc:
        fail(f"Không đọc được nhật ký: {type(exc).__name__}", code="database")
    finally:
        db.dispose()
    if as_json:
        print_json({**dataclasses.asdict(result), "broken_entry": entry})
    elif result.ok:
        typer.echo(f"Nhật ký toàn vẹn: {result.entries} mục")
    else:
        what = (
            f" ({printable(str(entry['action']))} {printable(str(entry['subject']))},"
            f" {printable(str(entry['actor']))})"
            if entry is not None
            else " (không còn trong bảng / no longer in the table)"
        )
        typer.echo(
            f"Nhật ký KHÔNG toàn vẹn tại mục {result.first_broken_seq}{what}: {result.reason}. "
            f"{result.entries} mục đầu còn nguyên."
        )
    raise typer.Exit(0 if result.ok else 1)


@app.command("list")
@clean_errors
def list_entries(
    limit: Annotated[int, typer.Option(min=1, max=10_000, help="Số mục cuối cùng")] = 20,
    as_json: JsonOption = False,
) -> None:
    """Các mục cuối của nhật ký, cũ trước mới sau / the latest entries, oldest first."""
    db = _open_database()
    try:
        with db.reading() as session:
            rows = latest_entries(session, limit=limit)
    except SQLAlchemyError as exc:
        fail(f"Không đọc được nhật ký: {type(exc).__name__}", code="database")
    finally:
        db.dispose()
    if as_json:
        print_json(
            [
                {
                    "seq": e.seq,
                    "at": e.at,
                    "actor": e.actor,
                    "action": e.action,
                    "subject": e.subject,
                    "details": _details(e.details),
                    "hash": e.hash,
                }
                for e in rows
            ]
        )
        return
    for e in rows:  # escaped: a username with a newline must not forge a line
        actor, action, subject = printable(e.actor), printable(e.action), printable(e.subject)
        typer.echo(f"{e.seq:>7}  {_when(e)}  {actor:<24} {action:<22} {subject}")
