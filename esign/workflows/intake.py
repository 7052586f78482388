"""The intake desk (tiếp nhận hồ sơ): a dossier's timeline, its slips, asking for more papers,
and the result document drafted from the dossier's data with a preview before it is created.

Receiving itself is :func:`dossiers.receive_dossier`; creating the result is
:func:`results.create_result`: this module reads around them and draws the preview.
"""

from __future__ import annotations

import base64
import datetime as dt
import io
import json
import time
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from receipts.calendar import VIETNAM_TZ
from receipts.catalog import Catalog, Procedure
from receipts.errors import ReceiptsError
from receipts.pdf import Issuer, render_result
from receipts.scheme import number_text

from .. import audit
from ..db.models import AuditEntry, Dossier, Receipt, ResultDocument, UserRole
from ..db.types import utcnow
from ..errors import ValidationError
from ..service import Service
from ..signing.renderers import render_pdfium
from .actors import Actor, require
from .dossiers import clean_text, get_dossier
from .result_templates import TEMPLATES
from .results import _officials
from .snapshot import unit_profile

STEP_NAMES = {
    "dossier.receive": "Tiếp nhận hồ sơ",
    "dossier.fee_paid": "Đã thu phí, lệ phí",
    "dossier.processing": "Đang giải quyết (đã lập văn bản kết quả)",
    "dossier.result_signed": "Văn bản kết quả đã ký",
    "dossier.returned": "Đã trả kết quả",
    "dossier.more_papers": "Yêu cầu bổ sung giấy tờ",
    "result.create": "Lập văn bản kết quả",
}


@dataclass(frozen=True, slots=True)
class Step:
    at: dt.datetime
    name: str
    detail: str
    actor: str


def timeline(session: Session, dossier: Dossier) -> list[Step]:
    """What happened to the dossier, oldest first: the audit log's entries for it, its
    receipts and its result documents."""
    subjects = [f"dossier:{dossier.id}"]
    results = list(
        session.scalars(select(ResultDocument).where(ResultDocument.dossier_id == dossier.id))
    )
    receipts = list(session.scalars(select(Receipt).where(Receipt.dossier_id == dossier.id)))
    subjects += [f"result:{r.id}" for r in results]
    steps: list[Step] = []
    for entry in session.scalars(
        select(AuditEntry).where(AuditEntry.subject.in_(subjects)).order_by(AuditEntry.seq)
    ):
        details = json.loads(entry.details)
        detail = ""
        if entry.action == "dossier.receive":
            detail = f"Hẹn trả ngày {dt.date.fromisoformat(details['due']):%d/%m/%Y}"
        elif entry.action == "dossier.more_papers":
            detail = str(details.get("missing", ""))
        elif entry.action == "result.create":
            detail = f"Số {details.get('number', '')}"
        name = STEP_NAMES.get(entry.action, entry.action)
        steps.append(Step(at=entry.at, name=name, detail=detail, actor=entry.actor))
    for r in receipts:
        steps.append(
            Step(
                at=r.issued_at,
                name="Xuất biên lai thu phí",
                detail=f"{r.series} số {number_text(r.template_symbol, r.number)} — "
                + f"{r.total:,} đ".replace(",", "."),
                actor=r.clerk_name,
            )
        )
    return sorted(steps, key=lambda s: s.at)


def dossier_results(session: Session, dossier_id: int) -> list[ResultDocument]:
    return list(
        session.scalars(
            select(ResultDocument)
            .where(ResultDocument.dossier_id == dossier_id)
            .order_by(ResultDocument.id)
        )
    )


def request_more_papers(session: Session, actor: Actor, dossier_id: int, *, missing: str) -> None:
    """Return the dossier to the applicant for more papers: what is missing goes in the log and
    the timeline (the statutory time restarts when the papers come back)."""
    require(actor, UserRole.CLERK, scope="dossiers")
    text = clean_text(
        missing, field_vi="Giấy tờ cần bổ sung", field_en="Missing papers", max_length=500
    )
    dossier = get_dossier(session, dossier_id, for_update=True)
    audit.append(
        session,
        actor=actor.label,
        action="dossier.more_papers",
        subject=f"dossier:{dossier.id}",
        details={"missing": text},
    )


# --- the result drafted from the dossier --------------------------------------------------


@dataclass(frozen=True, slots=True)
class DraftField:
    key: str
    """Dotted path in the template's input (``person.full_name``)."""
    label: str
    kind: str = "text"
    """text, date or int."""
    required: bool = True


_PERSON = (
    ("full_name", "Họ, chữ đệm, tên", "text"),
    ("date_of_birth", "Ngày sinh", "date"),
    ("gender", "Giới tính", "text"),
    ("personal_id", "Số định danh cá nhân", "text"),
    ("residence", "Nơi cư trú", "text"),
)

DRAFT_FIELDS: dict[str, tuple[DraftField, ...]] = {
    "copy_certification": (
        DraftField("requester", "Người yêu cầu chứng thực"),
        DraftField("document_name", "Tên giấy tờ, văn bản"),
        DraftField("copy_pages", "Số trang của bản sao", "int"),
        DraftField("copies", "Số bản sao", "int"),
    ),
    "marital_status": (
        DraftField("requester", "Người yêu cầu"),
        *(
            DraftField(f"person.{k}", f"Người được xác nhận — {label}", kind)
            for k, label, kind in _PERSON
        ),
        DraftField("marital_status", "Tình trạng hôn nhân"),
        DraftField("purpose", "Mục đích sử dụng"),
    ),
    "birth_extract": (
        *(
            DraftField(f"child.{k}", f"Người được khai sinh — {label}", kind)
            for k, label, kind in _PERSON
        ),
        DraftField("place_of_birth", "Nơi sinh"),
        DraftField("hometown", "Quê quán"),
        DraftField("mother.full_name", "Họ tên mẹ", required=False),
        DraftField("father.full_name", "Họ tên cha", required=False),
        DraftField("registered_by", "Người đi đăng ký"),
        DraftField("registered_on", "Ngày đăng ký", "date"),
    ),
}


def draft_template(catalog: Catalog, dossier: Dossier) -> str | None:
    proc = catalog.procedures.get(dossier.procedure_code)
    if proc is None or proc.result_template not in DRAFT_FIELDS:
        return None
    return proc.result_template


def draft_values(catalog: Catalog, dossier: Dossier) -> dict[str, str]:
    """The form's first values, from the dossier: who filed it, where they live, how many
    pages and copies were charged."""
    qi = dossier.quote_input
    today = utcnow().astimezone(VIETNAM_TZ).date()
    values = {
        "requester": dossier.applicant_name,
        "registered_by": dossier.applicant_name,
        "person.residence": dossier.applicant_address,
        "child.residence": dossier.applicant_address,
        "copy_pages": str(qi.get("pages") or ""),
        "copies": str(qi.get("copies") or ""),
        "registered_on": today.isoformat(),
        "person.full_name": dossier.applicant_name,
    }
    template = draft_template(catalog, dossier)
    keys = {f.key for f in DRAFT_FIELDS.get(template or "", ())}
    return {k: v for k, v in values.items() if k in keys}


def draft_data(template: str, values: dict[str, str]) -> tuple[dict[str, Any], dict[str, str]]:
    """The template's input built from the form's values, and the errors per field (in
    Vietnamese, keyed like the fields) when something is missing or malformed."""
    data: dict[str, Any] = {}
    errors: dict[str, str] = {}
    for f in DRAFT_FIELDS[template]:
        raw = values.get(f.key, "").strip()
        if not raw:
            if f.required:
                errors[f.key] = f"Hãy nhập {f.label.split(' — ')[-1].lower()}"
            continue
        value: Any = raw
        if f.kind == "int":
            if not (raw.isascii() and raw.isdigit()) or len(raw) > 5 or int(raw) < 1:
                errors[f.key] = "Phải là số nguyên dương"
                continue
            value = int(raw)
        elif f.kind == "date":
            try:
                value = dt.date.fromisoformat(raw).isoformat()
            except ValueError:
                errors[f.key] = "Ngày không hợp lệ (ngày/tháng/năm)"
                continue
        node = data
        *parents, last = f.key.split(".")
        for p in parents:
            node = node.setdefault(p, {})
        node[last] = value
    return data, errors


@dataclass(frozen=True, slots=True)
class Preview:
    png_data_url: str
    """The first page, drawn by PDFium, as a ``data:`` URL for the page's ``<img>``."""
    pages: int


def preview_result(
    session: Session, actor: Actor, service: Service, dossier_id: int, data: dict[str, Any]
) -> Preview:
    """Draw the result as it would be created (number and QR marked as a draft), store
    nothing, take no number."""
    require(actor, UserRole.CLERK, UserRole.ADMIN, scope="results")
    dossier = get_dossier(session, dossier_id)
    template = draft_template(service.catalog, dossier)
    if template is None:
        raise ValidationError(
            "Thủ tục này chưa có mẫu kết quả", "This procedure has no result template"
        )
    proc: Procedure = service.catalog.procedures[dossier.procedure_code]
    spec = TEMPLATES[template]
    issued_at = utcnow()
    unit = unit_profile(service.settings, on=issued_at.astimezone(VIETNAM_TZ).date())
    try:
        model = spec.build(
            data,
            issuer=Issuer(lines=unit.header_lines, place=unit.place),
            number=spec.number(1, issued_at.year).replace("1/", "…/", 1),
            issued_at=issued_at,
            officials=_officials(session, proc.signers),
            qr_text=f"{service.settings.public_url}/v/BAN-XEM-TRUOC",
            seq=1,  # any valid number: the preview shows none (see the note under it)
        )
        pdf = render_result(model).pdf
    except ReceiptsError as exc:
        raise ValidationError(exc.message_vi, exc.message_en, code=exc.code) from exc
    pages = render_pdfium(pdf, dpi=60, deadline=time.monotonic() + 20)
    out = io.BytesIO()
    pages[0].convert("RGB").save(out, format="PNG", optimize=True)
    return Preview(
        png_data_url="data:image/png;base64," + base64.b64encode(out.getvalue()).decode(),
        pages=len(pages),
    )


def dossier_receipts(session: Session, dossier_id: int) -> list[Receipt]:
    return list(
        session.scalars(
            select(Receipt).where(Receipt.dossier_id == dossier_id).order_by(Receipt.id)
        )
    )
