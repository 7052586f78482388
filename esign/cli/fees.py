"""``esign fees``: the procedure catalog and fee quotes at the counter."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

import typer

from receipts.catalog import FIELD_NAMES_VI, Channel, default_catalog
from receipts.fees import Quote, quote
from receipts.money import amount_in_words, format_vnd

from ..config import get_settings
from ._common import clean_errors, fail, print_json

app = typer.Typer(help="Danh mục thủ tục và tính phí, lệ phí / procedure catalog and fee quotes.")


def _today() -> dt.date:
    from receipts.calendar import VIETNAM_TZ

    return dt.datetime.now(VIETNAM_TZ).date()


@app.command("list")
@clean_errors
def list_procedures(
    json_out: Annotated[bool, typer.Option("--json", help="JSON for machines")] = False,
) -> None:
    """Các thủ tục và thời hạn giải quyết / the procedures and their processing times."""
    catalog = default_catalog(get_settings().province)
    procs = sorted(catalog.procedures.values(), key=lambda p: p.code)
    if json_out:
        print_json([p.model_dump(mode="json", exclude={"items"}) for p in procs])
        return
    typer.echo(f"{'Mã':<11} {'Lĩnh vực':<11} {'Thời hạn':<16} Tên thủ tục")
    for p in procs:
        days = "trong ngày" if p.processing_days == 0 else f"{p.processing_days} ngày làm việc"
        typer.echo(f"{p.code:<11} {FIELD_NAMES_VI[p.field]:<11} {days:<16} {p.name_vi}")


def _print_quote(q: Quote) -> None:
    typer.echo(f"{q.procedure_code} — {q.procedure_name_vi}")
    channel = "trực tuyến" if q.channel is Channel.ONLINE else "tại bộ phận một cửa"
    typer.echo(
        f"Ngày áp dụng: {q.on.strftime('%d/%m/%Y')} · Tỉnh: {q.province or '—'} · Nộp {channel}"
    )
    typer.echo("")
    typer.echo(f"{'STT':<4}{'Khoản thu':<52}{'SL':>4}{'Đơn giá':>14}{'Thành tiền':>14}")
    for i, line in enumerate(q.lines, 1):
        typer.echo(
            f"{i:<4}{line.name_vi[:51]:<52}{line.quantity:>4}"
            f"{format_vnd(line.unit_price):>14}{format_vnd(line.amount):>14}"
        )
        typer.echo(f"    Cách tính: {line.rule_text}")
        typer.echo(
            f"    Căn cứ: {line.legal_basis}"
            + (f" (áp dụng {line.tariff_period})" if line.tariff_period else "")
        )
        if line.exemption:
            typer.echo(f"    Miễn: {line.exemption.reason_vi} — {line.exemption.legal_basis}")
        if line.reduction:
            typer.echo(f"    Giảm {line.reduction.percent}%: {line.reduction.legal_basis}")
    typer.echo("")
    typer.echo(f"Tổng cộng: {format_vnd(q.total)}")
    typer.echo(f"Bằng chữ: {amount_in_words(q.total)}")


@app.command("quote")
@clean_errors
def quote_command(
    code: Annotated[str, typer.Argument(help="Mã thủ tục, ví dụ CT-BS / procedure code")],
    pages: Annotated[int | None, typer.Option(help="Số trang (chứng thực bản sao)")] = None,
    copies: Annotated[int | None, typer.Option(help="Số bản")] = None,
    cases: Annotated[int | None, typer.Option(help="Số trường hợp (chữ ký, hợp đồng)")] = None,
    category: Annotated[
        list[str] | None, typer.Option(help="Đối tượng miễn, ví dụ poor_household")
    ] = None,
    online: Annotated[bool, typer.Option("--online", help="Hồ sơ nộp trực tuyến")] = False,
    date: Annotated[
        str | None, typer.Option(help="Ngày áp dụng YYYY-MM-DD (mặc định hôm nay)")
    ] = None,
    json_out: Annotated[bool, typer.Option("--json", help="JSON for machines")] = False,
) -> None:
    """Tính phí, lệ phí của một thủ tục / quote the fee of a procedure."""
    try:
        on = dt.date.fromisoformat(date) if date else _today()
    except ValueError:
        fail(
            f"Ngày không hợp lệ: {date!r}; dùng dạng YYYY-MM-DD / invalid date", code="invalid_date"
        )
    q = quote(
        code,
        on=on,
        pages=pages,
        copies=copies,
        cases=cases,
        categories=category or (),
        channel=Channel.ONLINE if online else Channel.COUNTER,
        catalog=default_catalog(get_settings().province),
    )
    if json_out:
        print_json(q)
    else:
        _print_quote(q)
