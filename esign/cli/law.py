"""``esign law``: the law-as-data marked unverified, and the administrator's acknowledgement
that production waits for (:mod:`esign.workflows.law_ack`).

``law list`` prints the marks and the list's fingerprint; ``law acknowledge FINGERPRINT``
records that the administrator at the console saw that very list (a list that changed since is
refused: look again).
"""

from __future__ import annotations

from typing import Annotated

import typer

from ..workflows import law_ack
from ._common import clean_errors, console_actor, open_service, print_json

app = typer.Typer(
    help="Luật, biểu phí chưa xác minh / unverified law and tariffs.", no_args_is_help=True
)


@app.command("list")
@clean_errors
def list_command(as_json: Annotated[bool, typer.Option("--json")] = False) -> None:
    """Các mục chưa xác minh và dấu vân tay của danh sách."""
    with open_service() as service, service.db.reading() as session:
        status = law_ack.unverified_for_admin(session, console_actor(), service)
    if as_json:
        print_json(
            {
                "fingerprint": status.fingerprint,
                "acknowledged": status.acknowledged,
                "data": status.items,
                "count": len(status.items),
            }
        )
        return
    for item in status.items:
        typer.echo(f"- {item.what_vi} [{item.where}]: {item.reason}")
    typer.echo(f"{len(status.items)} mục chưa xác minh; dấu vân tay: {status.fingerprint}")
    if status.acknowledged:
        a = status.acknowledged
        typer.echo(f"Đã xác nhận bởi {a.actor} lúc {a.at.isoformat()}")
    elif status.items:
        typer.echo(f"Chưa xác nhận: esign law acknowledge {status.fingerprint}")


@app.command("acknowledge")
@clean_errors
def acknowledge(
    fingerprint: Annotated[str, typer.Argument(help="Dấu vân tay in bởi `esign law list`")],
    note: Annotated[str | None, typer.Option("--note")] = None,
) -> None:
    """Xác nhận đã xem danh sách chưa xác minh hiện tại (cho phép chạy production)."""
    with open_service() as service, service.db.transaction() as session:
        ack = law_ack.acknowledge(
            session, console_actor(), service, seen_fingerprint=fingerprint, note=note
        )
    print_json(ack)
