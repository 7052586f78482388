"""``esign tax``: the reports to the tax authority and the outbox; ``esign paper``: paper
receipts in stock (NĐ 254/2026 Điều 44.2).

``tax summary --day D`` builds, signs and queues Mẫu 01/TH-BLĐT of a Vietnam day (today by
default; a second one for the same day is a supplement). ``tax send`` first queues the summary
of every ended day that has none and every notice 04/SS-CTĐT not queued yet, then sends
everything queued or failed through the sender (the folder ``<data>/tax-outbox`` by default):
run it from cron each evening (e.g. 23:30 and again after midnight) and the summaries go out on
the day. The exit code is 1 when a send failed (the failure is recorded; the next run retries it).
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Annotated

import typer

from ..tax.senders import FolderSender, default_sender
from ..workflows import outbox, paper_stock, tax_reports
from ._common import clean_errors, console_actor, open_service, print_json

app = typer.Typer(
    help="Báo cáo gửi cơ quan thuế (01/TH-BLĐT, 01/ĐKTĐ-CTĐT) / reports to the tax authority.",
    no_args_is_help=True,
)
paper_app = typer.Typer(
    help="Biên lai giấy còn tồn (NĐ 254/2026 Điều 44.2) / paper receipts in stock.",
    no_args_is_help=True,
)

DayOption = Annotated[
    str | None, typer.Option("--day", help="Ngày (YYYY-MM-DD, giờ Việt Nam); mặc định hôm nay")
]
FolderOption = Annotated[
    Path | None, typer.Option("--folder", help="Thư mục nhận (mặc định <data>/tax-outbox)")
]


def _day(text: str | None) -> dt.date:
    if text is None:
        return tax_reports.vietnam_today()
    try:
        return dt.date.fromisoformat(text)
    except ValueError as exc:
        raise typer.BadParameter(f"ngày không hợp lệ: {text} (YYYY-MM-DD)") from exc


@app.command("summary")
@clean_errors
def summary(day: DayOption = None) -> None:
    """Lập, ký và xếp hàng bảng tổng hợp 01/TH-BLĐT của một ngày."""
    with open_service() as service, service.db.transaction() as session:
        sub = tax_reports.queue_daily_summary(session, console_actor(), service, day=_day(day))
        view = outbox.get_submission(session, console_actor(), sub.id)
    print_json(view)


@app.command("register")
@clean_errors
def register(
    contact: Annotated[str, typer.Option("--contact", help="Người liên hệ")],
    phone: Annotated[str | None, typer.Option("--phone")] = None,
    email: Annotated[str | None, typer.Option("--email")] = None,
    change: Annotated[bool, typer.Option("--change", help="Thay đổi thông tin")] = False,
) -> None:
    """Lập, ký và xếp hàng tờ khai 01/ĐKTĐ-CTĐT."""
    with open_service() as service, service.db.transaction() as session:
        sub = tax_reports.queue_registration(
            session,
            console_actor(),
            service,
            contact_name=contact,
            contact_phone=phone,
            contact_email=email,
            change=change,
        )
        view = outbox.get_submission(session, console_actor(), sub.id)
    print_json(view)


@app.command("send")
@clean_errors
def send(
    folder: FolderOption = None,
    no_due: Annotated[
        bool, typer.Option("--no-due", help="Không tự lập bảng của các ngày đã qua")
    ] = False,
) -> None:
    """Xếp hàng bảng tổng hợp các ngày đã qua còn thiếu và các thông báo sai sót, rồi gửi."""
    actor = console_actor()
    with open_service() as service:
        sender = FolderSender(folder) if folder else default_sender(service.settings.data_dir)
        if not no_due:
            with service.db.transaction() as session:
                tax_reports.queue_due_summaries(session, actor, service)
                tax_reports.queue_pending_notices(session, actor, service)
        with service.db.transaction() as session:
            results = outbox.send_pending(session, actor, sender)
    print_json({"data": results, "count": len(results)})
    if any(r.state == "failed" for r in results):
        raise typer.Exit(1)


@app.command("list")
@clean_errors
def list_command(
    state: Annotated[str | None, typer.Option("--state", help="queued, sent, failed")] = None,
) -> None:
    """Các báo cáo trong hàng đợi và trạng thái gửi."""
    with open_service() as service, service.db.reading() as session:
        views = outbox.list_submissions(session, console_actor(), state=state)
    print_json({"data": views, "count": len(views)})


@paper_app.command("stock")
@clean_errors
def stock(
    template_symbol: Annotated[str, typer.Option("--template")],
    series: Annotated[str, typer.Option("--series")],
    first: Annotated[int, typer.Option("--from")],
    last: Annotated[int, typer.Option("--to")],
    note: Annotated[str | None, typer.Option("--note")] = None,
) -> None:
    """Ghi một dải biên lai giấy còn tồn."""
    with open_service() as service, service.db.transaction() as session:
        view = paper_stock.record_stock(
            session,
            console_actor(),
            template_symbol=template_symbol,
            series=series,
            from_number=first,
            to_number=last,
            note=note,
        )
    print_json(view)


@paper_app.command("list")
@clean_errors
def paper_list() -> None:
    """Tồn kho biên lai giấy: đã dùng, đã hủy, còn lại."""
    with open_service() as service, service.db.reading() as session:
        views = paper_stock.list_stock(session, console_actor())
    print_json({"data": views, "count": len(views)})


@paper_app.command("destroy")
@clean_errors
def destroy(
    template_symbol: Annotated[str, typer.Option("--template")],
    series: Annotated[str, typer.Option("--series")],
    first: Annotated[int, typer.Option("--from")],
    last: Annotated[int, typer.Option("--to")],
    day: Annotated[str, typer.Option("--day", help="Ngày hủy (YYYY-MM-DD), từ 2027-01-01")],
    decision: Annotated[str, typer.Option("--decision", help="Quyết định hủy (số, ngày)")],
    method: Annotated[str, typer.Option("--method", help="Phương pháp hủy")] = "Cắt hủy",
) -> None:
    """Ghi việc hủy biên lai giấy chưa dùng (dữ liệu thông báo 02/HUY-HĐBLG)."""
    with open_service() as service, service.db.transaction() as session:
        notice = paper_stock.record_destruction(
            session,
            console_actor(),
            template_symbol=template_symbol,
            series=series,
            from_number=first,
            to_number=last,
            destroyed_on=_day(day),
            decision=decision,
            method=method,
        )
    print_json(notice)
