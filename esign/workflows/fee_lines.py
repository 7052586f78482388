"""What a receipt may charge: the catalog's quote, or a line typed by hand by a role allowed to.

A receipt is money the ward says it received under a legal basis. Left free, the clerk could
seal one for any fee name, basis and amount. So explicit lines in an issuing request are
accepted only when they are exactly the catalog's quote for the request's procedure and inputs
(a client echoing the quote it was shown), or when the actor's role is in
``ESIGN_FREE_FEE_LINE_ROLES`` and a reason is given: then the lines and the reason go to the
audit log. Replacements and adjustments of a receipt carry their own reason, are audited and
link to the receipt they change, so they are not checked here.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Protocol

from sqlalchemy.orm import Session

from receipts.catalog import Catalog, Channel
from receipts.errors import ReceiptsError
from receipts.fees import FeeLine, quote

from .. import audit
from ..errors import PermissionDeniedError, ValidationError
from .actors import Actor


class FeeRequest(Protocol):
    """The fee part of an issuing request (``workflows.receipts.FeeInput``)."""

    @property
    def procedure_code(self) -> str | None: ...
    @property
    def pages(self) -> int | None: ...
    @property
    def copies(self) -> int | None: ...
    @property
    def cases(self) -> int | None: ...
    @property
    def categories(self) -> tuple[str, ...]: ...
    @property
    def channel(self) -> str: ...
    @property
    def lines(self) -> tuple[FeeLine, ...]: ...
    @property
    def free_line_reason(self) -> str | None: ...


def _core(lines: Sequence[FeeLine]) -> list[tuple[object, ...]]:
    """What a receipt prints of a line: a quote echoed back must match it exactly."""
    return [
        (ln.name, ln.legal_basis, ln.quantity, ln.unit_price, ln.amount, ln.exemption_reason)
        for ln in lines
    ]


def _catalog_lines(fees: FeeRequest, *, catalog: Catalog, on: dt.date) -> tuple[FeeLine, ...]:
    if not fees.procedure_code:
        return ()
    try:
        return quote(
            fees.procedure_code,
            on=on,
            pages=fees.pages,
            copies=fees.copies,
            cases=fees.cases,
            categories=fees.categories,
            channel=Channel(fees.channel),
            catalog=catalog,
        ).lines
    except (ReceiptsError, ValueError):
        return ()


def check_fee_lines(
    session: Session,
    actor: Actor,
    *,
    fees: FeeRequest | None,
    catalog: Catalog,
    free_roles: Sequence[str],
    on: dt.date,
) -> None:
    """Refuse hand-typed lines the actor may not issue (see the module's docstring)."""
    if fees is None or not fees.lines:
        return
    if _core(fees.lines) == _core(_catalog_lines(fees, catalog=catalog, on=on)):
        return
    if actor.role.value not in free_roles:
        raise PermissionDeniedError(
            "Khoản thu phải lấy từ danh mục phí, lệ phí; vai trò này không được nhập tay",
            "Fee lines must come from the catalog; this role may not type them",
            code="free_fee_line_refused",
        )
    reason = (fees.free_line_reason or "").strip()
    if len(reason) < 10:
        raise ValidationError(
            "Khoản thu nhập tay cần lý do (ít nhất 10 ký tự)",
            "A hand-typed fee line needs a reason (10 characters or more)",
            code="free_fee_line_reason",
        )
    audit.append(
        session,
        actor=actor.label,
        action="receipt.free_lines",
        subject=f"procedure:{fees.procedure_code or '-'}",
        details={
            "reason": reason[:500],
            "lines": [
                {"name": ln.name, "legal_basis": ln.legal_basis, "amount": ln.amount}
                for ln in fees.lines
            ],
        },
    )
