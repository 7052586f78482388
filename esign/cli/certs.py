"""``esign certs``: the ward's PKI, certificates and revocation, for the administrator.

``revoke`` and ``import`` change the folder through the same workflows as the API
(:mod:`esign.workflows.certificates`): the same lock, and an entry in the audit log."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from functools import wraps
from pathlib import Path
from typing import Annotated, ParamSpec, TypeVar

import typer
from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.x509.oid import NameOID

from certs import (
    DEV_ARCHITECTURE,
    CertificateEntry,
    CertsError,
    PkiFolder,
    RevocationReason,
    Role,
    init_pki_folder,
    load_spec,
    open_pki_folder,
)
from receipts.calendar import VIETNAM_TZ

from ..config import get_settings
from ..errors import EsignError
from ..workflows import certificates as flows
from ._common import console_actor, fail, open_service

app = typer.Typer(
    help="Chứng thư số và khóa của phường / the ward's certificates and keys.",
    no_args_is_help=True,
)

_EKU_NAMES = {
    "1.3.6.1.5.5.7.3.36": "documentSigning",
    "1.3.6.1.5.5.7.3.8": "timeStamping",
    "1.3.6.1.5.5.7.3.9": "OCSPSigning",
    "1.3.6.1.5.5.7.3.4": "emailProtection",
    "1.3.6.1.5.5.7.3.2": "clientAuth",
}
P = ParamSpec("P")
R = TypeVar("R")


def _clean_errors(func: Callable[P, R]) -> Callable[P, R]:
    """One line on stderr and a non-zero exit code, never a traceback."""

    @wraps(func)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        try:
            return func(*args, **kwargs)
        except (CertsError, EsignError) as exc:
            fail(f"{exc.message_vi} / {exc.message_en}", code=exc.code, exit_code=1)
        except OSError as exc:
            fail(f"Lỗi đọc/ghi tệp {exc.filename or ''}: {exc.strerror}", code="os", exit_code=1)

    return wrapper


def _folder_path() -> Path:
    return get_settings().data_dir / "pki"


def _open() -> PkiFolder:
    return open_pki_folder(_folder_path())


def _local(moment: datetime, *, with_time: bool = False) -> str:
    return moment.astimezone(VIETNAM_TZ).strftime("%d/%m/%Y %H:%M" if with_time else "%d/%m/%Y")


def _status(folder: PkiFolder, entry: CertificateEntry, now: datetime) -> str:
    revocation = folder.revocation_of(entry.name)
    if revocation is not None and revocation.revoked_at <= now:
        return f"đã thu hồi ({revocation.reason.label_vi})"
    if now > entry.certificate.not_valid_after_utc:
        return "hết hạn"
    if now < entry.certificate.not_valid_before_utc:
        return "chưa có hiệu lực"
    return "còn hiệu lực"


def _print_table(folder: PkiFolder) -> None:
    now = datetime.now(UTC)
    typer.echo(f"{'Tên':<20} {'Vai trò':<28} {'Hết hạn':<11} {'Trạng thái':<30} Chủ thể")
    for entry in folder.entries():
        typer.echo(
            f"{entry.name:<20} {entry.role.label_vi:<28} "
            f"{_local(entry.certificate.not_valid_after_utc):<11} "
            f"{_status(folder, entry, now):<30} {entry.subject}"
        )


@app.command("init")
@_clean_errors
def init(
    force: Annotated[
        bool, typer.Option("--force", help="Tạo lại, xóa PKI cũ / rebuild, deleting the old one")
    ] = False,
    architecture: Annotated[
        str,
        typer.Option(help="Kiến trúc trong certs/data/pki.toml (ward-test: thêm chứng thư lỗi)"),
    ] = DEV_ARCHITECTURE,
) -> None:
    """Tạo PKI thử nghiệm trong thư mục dữ liệu / build the development PKI."""
    path = _folder_path()
    spec = load_spec(architecture=architecture)
    if not init_pki_folder(path, spec=spec, now=datetime.now(UTC), force=force):
        typer.echo(f"PKI đã có tại {path}: giữ nguyên. Dùng --force để tạo lại (xóa khóa cũ).")
        return
    folder = open_pki_folder(path)
    typer.echo(f"Đã tạo PKI '{architecture}' tại {path}: {len(folder.entries())} chứng thư.")
    typer.echo(
        "Khóa trong keys/*.p12, mật khẩu trong tệp 'password' (0600): chỉ dùng cho phát triển."
    )
    _print_table(folder)


@app.command("list")
@_clean_errors
def list_certificates() -> None:
    """Liệt kê chứng thư số / list the certificates."""
    _print_table(_open())


@app.command("show")
@_clean_errors
def show(name: Annotated[str, typer.Argument(help="Tên chứng thư (xem 'list')")]) -> None:
    """Chi tiết một chứng thư số / show one certificate."""
    folder = _open()
    entry = folder.entry(name)
    cert = entry.certificate
    now = datetime.now(UTC)
    issuer = entry.issuer if entry.imported else f"{entry.issuer} ({_dn(cert.issuer)})"
    key_file = f"có (keys/{name}.p12, mã hóa)" if entry.has_key else "không (trên thiết bị ký số)"
    lines = [
        ("Tên", entry.name),
        ("Vai trò", f"{entry.role.label_vi} ({entry.role.value})"),
        ("Chủ thể", _dn(cert.subject)),
        ("Cấp bởi", issuer),
        ("Số hiệu", format(cert.serial_number, "X")),
        ("Hiệu lực", f"từ {_local(cert.not_valid_before_utc, with_time=True)} "
                     f"đến {_local(cert.not_valid_after_utc, with_time=True)}"),
        ("Khóa", _key_description(cert)),
        ("Mục đích", _usages(cert)),
        ("Vân tay SHA-256", cert.fingerprint(hashes.SHA256()).hex(":").upper()),
        ("Khóa bí mật", key_file),
        ("Nguồn", "nhập từ CA khác" if entry.imported else "PKI của phường"),
        ("Trạng thái", _status(folder, entry, now)),
    ]  # fmt: skip
    if entry.role.signs_documents:
        check = folder.check(name, at=now)
        verdict = (
            "ĐƯỢC KÝ"
            if check.accepted
            else "KHÔNG ĐƯỢC KÝ: " + "; ".join(f.message_vi for f in check.problems)
        )
        lines.append(("Kiểm tra trước khi ký", verdict))
    for label, value in lines:
        typer.echo(f"{label + ':':<24}{value}")


@app.command("revoke")
@_clean_errors
def revoke(
    name: Annotated[str, typer.Argument(help="Tên chứng thư cần thu hồi")],
    reason: Annotated[RevocationReason, typer.Option(help="Lý do thu hồi / reason")],
    date: Annotated[
        str | None,
        typer.Option(help="Ngày thu hồi, YYYY-MM-DD[THH:MM] giờ Việt Nam (mặc định: bây giờ)"),
    ] = None,
) -> None:
    """Thu hồi chứng thư số và phát hành CRL mới / revoke a certificate, publish a new CRL."""
    folder = _open()
    now = datetime.now(UTC)
    at = _parse_date(date) if date else now
    with open_service() as service, service.db.transaction() as session:
        info = flows.revoke_certificate(
            session, console_actor(), folder, name, reason=reason, at=at, now=now
        )
    assert info.revoked_at is not None
    since = _local(info.revoked_at, with_time=True)
    typer.echo(
        f"Đã thu hồi chứng thư '{name}' ({info.subject}) từ {since}, lý do: {reason.label_vi}."
    )
    typer.echo(f"Đã phát hành CRL mới của '{info.issuer}': crl/{info.issuer}.crl")


@app.command("import")
@_clean_errors
def import_certificate(
    file: Annotated[Path, typer.Argument(help="Tệp .p12/.pfx, hoặc chứng thư + chuỗi (PEM/DER)")],
    role: Annotated[Role, typer.Option(help="Vai trò của người ký / signer's role")],
    password: Annotated[str | None, typer.Option(help="Mật khẩu tệp PKCS#12")] = None,
    name: Annotated[str | None, typer.Option(help="Tên đăng ký (mặc định: theo họ tên)")] = None,
) -> None:
    """Đăng ký chứng thư số do CA khác cấp / register a certificate issued elsewhere."""
    folder = _open()
    data = file.read_bytes()
    with open_service() as service, service.db.transaction() as session:
        info = flows.import_certificate(
            session,
            console_actor(),
            folder,
            data=data,
            role=role,
            now=datetime.now(UTC),
            name=name,
            password=password,
            source=str(file),
        )
    root = info.chain[-1] if info.chain else info.subject
    typer.echo(
        f"Đã đăng ký chứng thư '{info.name}' ({info.subject}), vai trò {role.label_vi}, "
        f"chuỗi tới CA gốc '{root}'"
        + (", kèm khóa bí mật (đã mã hóa lại)." if info.has_key else ".")
    )


def _parse_date(text: str) -> datetime:
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        fail(f"Ngày '{text}' không hợp lệ: dùng YYYY-MM-DD hoặc YYYY-MM-DDTHH:MM", code="date")
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=VIETNAM_TZ)
    return moment


def _dn(name: x509.Name) -> str:
    return name.rfc4514_string({NameOID.TITLE: "T", NameOID.USER_ID: "UID"})


def _key_description(cert: x509.Certificate) -> str:
    key = cert.public_key()
    if isinstance(key, rsa.RSAPublicKey):
        return f"RSA {key.key_size} bit"
    if isinstance(key, ec.EllipticCurvePublicKey):
        return f"ECDSA {key.curve.name}"
    return type(key).__name__


def _usages(cert: x509.Certificate) -> str:
    names = []
    try:
        usage = cert.extensions.get_extension_for_class(x509.KeyUsage).value
        flags = {
            "digitalSignature": usage.digital_signature,
            "nonRepudiation": usage.content_commitment,
            "keyCertSign": usage.key_cert_sign,
            "cRLSign": usage.crl_sign,
        }
        names += [label for label, present in flags.items() if present]
    except x509.ExtensionNotFound:
        pass
    try:
        eku = cert.extensions.get_extension_for_class(x509.ExtendedKeyUsage).value
        names += [_EKU_NAMES.get(oid.dotted_string, oid.dotted_string) for oid in eku]
    except x509.ExtensionNotFound:
        pass
    return ", ".join(names) or "—"
