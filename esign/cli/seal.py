"""``esign verify-qr`` (anyone, offline) and ``esign seal`` (the administrator's seal keys).

``seal rotate|withdraw`` change the keyring through :mod:`esign.workflows.seal_keys`: under the
lock of every key change, with an entry in the audit log.

``verify-qr`` exits 0 only for a genuine seal, 1 for a seal or QR that is not genuine, and 2
when it could not check at all (no QR in the image, unreadable file, no key set).
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any, ParamSpec, TypeVar

import typer

from receipts.money import format_vnd
from receipts.scheme import number_text

from ..config import get_settings
from ..seal import (
    PUBLISHED_FILE,
    DocumentKind,
    Keyring,
    PublishedKeys,
    QrLink,
    QrUrlError,
    SealCheck,
    SealClaims,
    SealVerdict,
    parse_qr_url,
    verify_seal,
)
from ..seal.scan import read_qr_texts
from ..workflows import seal_keys
from ._common import clean_errors, console_actor, fail, open_service, print_json

P = ParamSpec("P")
R = TypeVar("R")

NOT_GENUINE = 1

app = typer.Typer(
    help="Khóa ký con dấu QR của phường / the ward's QR seal keys.", no_args_is_help=True
)


def _seal_folder() -> Path:
    return get_settings().data_dir / "seal"


def _facts(claims: SealClaims) -> dict[str, Any]:
    return {
        "kind": "receipt" if claims.kind is DocumentKind.RECEIPT else "result",
        "unit_tax_code": claims.unit_tax_code,
        "template_symbol": claims.template_symbol,
        "series": claims.series,
        "number": claims.number,
        "issued_on": claims.issued_on.isoformat(),
        "total": claims.total,
        "payer_masked": claims.payer_masked,
        "pdf_sha256": claims.pdf_sha256.hex(),
    }


def _print_facts(claims: SealClaims) -> None:
    receipt = claims.kind is DocumentKind.RECEIPT
    typer.echo(f"Loại: {claims.kind.label_vi}")
    typer.echo(f"Mã số thuế đơn vị: {claims.unit_tax_code}")
    ident = [("Mẫu số", claims.template_symbol), ("Ký hiệu", claims.series)]
    number = (
        number_text(claims.template_symbol or "", claims.number)
        if isinstance(claims.number, int)
        else claims.number
    )
    ident.append(("Số", number))
    typer.echo(" · ".join(f"{label}: {value}" for label, value in ident if value is not None))
    typer.echo(f"Ngày: {claims.issued_on.strftime('%d/%m/%Y')}")
    if claims.total is not None:
        typer.echo(f"Tổng tiền: {format_vnd(claims.total)}")
    typer.echo(f"{'Người nộp' if receipt else 'Người yêu cầu'}: {claims.payer_masked}")
    typer.echo(f"SHA-256 của PDF: {claims.pdf_sha256.hex()}")


def _verdict_line(check: SealCheck) -> str:
    return "Kết luận: Hợp lệ" if check.ok else f"Kết luận: KHÔNG hợp lệ: {check.reason_vi}"


def _report(check: SealCheck, *, host: str | None, token: str | None, json_out: bool) -> None:
    if json_out:
        print_json(
            {
                "genuine": check.ok,
                "verdict": check.verdict.value,
                "reason_vi": check.reason_vi,
                "reason_en": check.reason_en,
                "host": host,
                "token": token,
                "kid": check.kid,
                "key_status": check.key_status.value if check.key_status else None,
                "facts": _facts(check.claims) if check.claims else None,
            }
        )
    else:
        if host is not None:
            typer.echo(f"Địa chỉ: {host} · mã tra cứu: {token}")
        if check.claims is not None:  # facts only from a seal whose signature held
            _print_facts(check.claims)
        if check.kid is not None:
            status = f" ({check.key_status.label_vi})" if check.key_status else ""
            typer.echo(f"Khóa ký: {check.kid}{status}")
        typer.echo(_verdict_line(check))
    if not check.ok:
        raise typer.Exit(NOT_GENUINE)


@clean_errors
def verify_qr(
    image: Annotated[Path, typer.Argument(help="Ảnh chụp/quét mã QR (PNG, JPEG) hoặc tệp PDF")],
    keys: Annotated[
        Path | None,
        typer.Option(
            "--keys", help=f"Tập khóa công bố (JWK Set); mặc định <data_dir>/seal/{PUBLISHED_FILE}"
        ),
    ] = None,
    json_out: Annotated[bool, typer.Option("--json", help="JSON for machines")] = False,
) -> None:
    """Kiểm tra con dấu QR trên biên lai, văn bản kết quả / check the QR seal of a document."""
    key_file = keys or _seal_folder() / PUBLISHED_FILE
    if keys is None and not key_file.exists():
        fail(
            f"Chưa có tập khóa {key_file}; dùng --keys TỆP / no key set, pass --keys FILE",
            code="no_key_set",
        )
    published = PublishedKeys.from_file(key_file)
    links: list[QrLink] = []
    errors: list[QrUrlError] = []
    for text in read_qr_texts(image):  # a page may hold other QR codes (a bank's VietQR)
        try:
            links.append(parse_qr_url(text))
        except QrUrlError as exc:
            errors.append(exc)
    if not links:
        check = SealCheck(
            ok=False,
            verdict=SealVerdict.MALFORMED,
            reason_vi=errors[0].message_vi,
            reason_en=errors[0].message_en,
        )
        _report(check, host=None, token=None, json_out=json_out)
        return
    link = links[0]
    check = verify_seal(link.seal, published_keys=published, token=link.token)
    _report(check, host=link.host, token=link.token, json_out=json_out)


@app.command("keys")
@clean_errors
def list_keys(
    json_out: Annotated[
        bool, typer.Option("--json", help="Tập khóa công bố (JWK Set) / the published JWK Set")
    ] = False,
) -> None:
    """Các khóa ký con dấu QR / the seal keys (created on first use)."""
    ring = Keyring.load_or_create(_seal_folder())
    if json_out:
        print_json(ring.published())
        return
    typer.echo(f"{'Mã khóa':<10} {'Trạng thái':<12} Ngày tạo (UTC)")
    for key in ring.keys:
        typer.echo(f"{key.kid:<10} {key.status.label_vi:<12} {key.created.isoformat()}")
    typer.echo(f"Tập khóa công bố: {ring.folder / PUBLISHED_FILE}")


@app.command("rotate")
@clean_errors
def rotate() -> None:
    """Tạo khóa mới, khóa cũ chuyển sang đã thay thế / new active key, the old one retired."""
    with open_service() as service, service.db.transaction() as session:
        change = seal_keys.rotate_seal_key(session, console_actor(), _seal_folder())
    typer.echo(f"Khóa mới đang dùng: {change.key.kid}. Con dấu cũ vẫn kiểm tra được.")


@app.command("withdraw")
@clean_errors
def withdraw(
    kid: Annotated[str, typer.Argument(help="Mã khóa / key id")],
    yes: Annotated[bool, typer.Option("--yes", help="Không hỏi lại / do not ask")] = False,
) -> None:
    """Thu hồi một khóa: mọi con dấu nó đã ký mất giá trị / withdraw a key, voiding its seals."""
    Keyring.load(_seal_folder())  # no keyring: say so before asking
    if not yes:
        typer.confirm(
            f"Thu hồi khóa {kid}? Mọi mã QR do khóa này ký sẽ KHÔNG còn hợp lệ.", abort=True
        )
    with open_service() as service, service.db.transaction() as session:
        change = seal_keys.withdraw_seal_key(session, console_actor(), _seal_folder(), kid)
    typer.echo(f"Đã thu hồi khóa {change.key.kid}.")
    typer.echo(f"Khóa đang dùng: {change.active.kid}")
