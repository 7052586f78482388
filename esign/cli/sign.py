"""``esign sign`` (an official or the ward signs a PDF) and ``esign verify`` (anyone checks one).

``verify`` exits 0 only for a valid file, 1 for a file that is not valid, 2 when it could not be
checked at all (not a PDF, broken, too large, an unreadable signature).

``sign`` refuses (exit code 3) a file carrying active content (JavaScript, forms, annotations,
attachments, actions, revisions, duplicate or missing objects: ``esign.signing.sanitize``), and
lists it, before any key is opened; with ``--sanitize`` (certification only) it signs a rebuild
of the file from pictures of its pages instead. An approval (``--field``) accepts what our own
prepared result documents carry: the revision adding the empty signature fields, and the
signatures of the officials before. Keys: a certificate of
the data folder's PKI (``--key``), a PKCS#12 file (``--p12``, password from an environment
variable or a prompt) or a PKCS#11 token (PIN from an environment variable or a hidden prompt:
never an argument, never printed).
"""

from __future__ import annotations

import logging
import os
from pathlib import Path
from typing import Annotated

import typer
from cryptography import x509

from certs import (
    KeyStore,
    Pkcs11KeyStore,
    Pkcs12KeyStore,
    PkiFolder,
    open_pki_folder,
)
from receipts.calendar import VIETNAM_TZ
from receipts.pdf import SignaturePlace

from ..config import get_settings
from ..signing import pki as wiring
from ..signing.sanitize import ActiveContent, find_active_content, sanitize
from ..signing.sign import DocumentSigner, PadesLevel
from ..signing.timestamps import url_sources
from ..signing.tokens import TokenCertificateReader
from ._common import clean_errors, fail, print_json


def _pki() -> PkiFolder:
    return open_pki_folder(get_settings().data_dir / "pki")


def _der(certificate: x509.Certificate) -> bytes:
    from cryptography.hazmat.primitives.serialization import Encoding

    return certificate.public_bytes(Encoding.DER)


def _local(moment: object) -> str:
    import datetime as dt

    if not isinstance(moment, dt.datetime):
        return "không có"
    return moment.astimezone(VIETNAM_TZ).strftime("%d/%m/%Y %H:%M:%S (giờ Việt Nam)")


# ---------------------------------------------------------------- esign sign


def _secret(variable: str | None, prompt: str) -> str:
    """A password or PIN: from the named environment variable, or typed without echo."""
    if variable:
        value = os.environ.get(variable)
        if value is None:
            fail(f"Biến môi trường {variable} chưa được đặt", code="missing_secret")
        return value
    value = typer.prompt(prompt, hide_input=True)
    assert isinstance(value, str)
    return value


def _issuers(certificate: x509.Certificate | None, pki: PkiFolder) -> list[x509.Certificate]:
    """The folder's CA certificates above ``certificate`` (all of them when it is unknown)."""
    cas = [pki.certificate(name) for name in wiring.ca_names(pki)]
    if certificate is None:
        return cas
    chain: list[x509.Certificate] = []
    current = certificate
    while current.issuer != current.subject:
        issuer = next((c for c in cas if c.subject == current.issuer and c not in chain), None)
        if issuer is None:
            break
        chain.append(issuer)
        current = issuer
    return chain or cas


def _open_store(
    pki: PkiFolder,
    *,
    key: str | None,
    p12: Path | None,
    password_env: str | None,
    module: Path | None,
    token_label: str | None,
    key_label: str | None,
    cert_label: str | None,
    pin_env: str | None,
) -> KeyStore:
    chosen = [key is not None, p12 is not None, module is not None]
    if sum(chosen) != 1:
        fail(
            "Chọn đúng một khóa: --key TÊN, --p12 TỆP hoặc --pkcs11-module … "
            "/ choose one key: --key, --p12 or --pkcs11-module",
            code="usage",
        )
    if key is not None:
        return pki.key_store(key)
    if p12 is not None:
        return Pkcs12KeyStore(p12, password=_secret(password_env, "Mật khẩu tệp khóa"))
    if not token_label or not key_label:
        fail("--pkcs11-module cần --token-label và --key-label", code="usage")
    assert module is not None
    label = cert_label or key_label
    # The certificate is public on the token: read it first, before asking for the PIN (a
    # missing token is said at once), to pick its chain.
    reader = TokenCertificateReader(module=module, token_label=token_label, label=label)
    try:
        der = reader()
    finally:
        reader.close()
    certificate = x509.load_der_x509_certificate(der) if der else None
    return Pkcs11KeyStore(
        module=module,
        token_label=token_label,
        key_label=key_label,
        cert_label=cert_label,
        pin=_secret(pin_env, f"Mã PIN của thiết bị ký số '{token_label}'"),
        chain=_issuers(certificate, pki),
    )


EXIT_ACTIVE_CONTENT = 3
APPROVAL_ALLOWS = frozenset({"incremental_update", "existing_signature"})
"""What a result document prepared by the service carries when an official signs it."""


def _checked_input(
    pdf: bytes, *, certify: bool, rebuild: bool
) -> tuple[bytes, tuple[ActiveContent, ...]]:
    """The bytes to sign and what was removed from them; refuses active content unless
    ``rebuild`` (then the page-picture rebuild is signed)."""
    found = find_active_content(pdf)
    refused = found if certify else tuple(f for f in found if f.kind not in APPROVAL_ALLOWS)
    if not refused:
        return pdf, ()
    if rebuild:
        return sanitize(pdf), found
    lines = "\n".join(f"  - [{f.kind}] {f.message_vi} / {f.message_en}" for f in refused)
    hint = (
        "Dùng --sanitize để ký bản dựng lại từ hình ảnh các trang (bỏ mọi nội dung động)"
        if certify
        else "Tệp không phải văn bản kết quả do hệ thống chuẩn bị: không ký phê duyệt"
    )
    fail(
        f"Tệp có nội dung động, không ký / active content, not signed:\n{lines}\n{hint}",
        code="active_content",
        exit_code=EXIT_ACTIVE_CONTENT,
    )


def _box(text: str) -> tuple[float, float, float, float]:
    try:
        x1, y1, x2, y2 = (float(v) for v in text.split(","))
    except ValueError:
        fail("--box cần 4 số x1,y1,x2,y2 (điểm PDF) / --box needs x1,y1,x2,y2", code="usage")
    if x2 <= x1 or y2 <= y1:
        fail("--box: x2 > x1 và y2 > y1", code="usage")
    return x1, y1, x2, y2


@clean_errors
def sign_command(
    file: Annotated[Path, typer.Argument(help="Tệp PDF cần ký")],
    out: Annotated[Path, typer.Option("--out", help="Tệp PDF đã ký (ghi ra)")],
    key: Annotated[
        str | None, typer.Option("--key", help="Tên khóa trong PKI của thư mục dữ liệu")
    ] = None,
    p12: Annotated[Path | None, typer.Option("--p12", help="Tệp khóa PKCS#12 (.p12/.pfx)")] = None,
    password_env: Annotated[
        str | None,
        typer.Option("--password-env", help="Biến môi trường chứa mật khẩu tệp .p12"),
    ] = None,
    pkcs11_module: Annotated[
        Path | None, typer.Option("--pkcs11-module", help="Thư viện PKCS#11 của thiết bị ký số")
    ] = None,
    token_label: Annotated[
        str | None, typer.Option("--token-label", help="Nhãn thiết bị ký số")
    ] = None,
    key_label: Annotated[
        str | None, typer.Option("--key-label", help="Nhãn khóa trên thiết bị")
    ] = None,
    cert_label: Annotated[
        str | None, typer.Option("--cert-label", help="Nhãn chứng thư (mặc định = nhãn khóa)")
    ] = None,
    pin_env: Annotated[
        str | None,
        typer.Option("--pin-env", help="Biến môi trường chứa mã PIN (mặc định: hỏi, không hiện)"),
    ] = None,
    level: Annotated[PadesLevel, typer.Option("--level", help="Mức PAdES")] = PadesLevel.B_B,
    certify: Annotated[
        bool, typer.Option("--certify", help="Chữ ký chứng thực (biên lai): không cho sửa sau ký")
    ] = False,
    box: Annotated[
        str | None, typer.Option("--box", help="Ô chữ ký x1,y1,x2,y2 (điểm PDF), với --certify")
    ] = None,
    page: Annotated[int, typer.Option("--page", help="Trang đặt chữ ký (từ 1)", min=1)] = 1,
    field: Annotated[
        str | None,
        typer.Option("--field", help="Trường chữ ký: đã chuẩn bị (phê duyệt) hoặc tên trường mới"),
    ] = None,
    role: Annotated[
        str | None, typer.Option("--role", help="Chức danh người ký (judicial_officer, chairman…)")
    ] = None,
    rebuild: Annotated[
        bool,
        typer.Option(
            "--sanitize",
            help="Tệp có nội dung động: ký bản dựng lại từ hình ảnh các trang (với --certify)",
        ),
    ] = False,
    json_out: Annotated[bool, typer.Option("--json", help="JSON for machines")] = False,
) -> None:
    """Ký số một tệp PDF / sign a PDF (certification with --certify, approval with --field).

    Mã thoát: 0 đã ký, 2 lỗi, 3 tệp có nội dung động (xem --sanitize)."""
    # pyHanko warns on stderr about settings we chose (no fetching: revocation data supplied).
    logging.getLogger("pyhanko").setLevel(logging.ERROR)
    if not certify and field is None:
        fail("Chọn --certify (kèm --box) hoặc --field TÊN --role CHỨC_DANH", code="usage")
    if certify and box is None:
        fail("--certify cần --box x1,y1,x2,y2", code="usage")
    if not certify and box is not None:
        fail("--box chỉ dùng với --certify", code="usage")
    if rebuild and not certify:
        fail(
            "--sanitize chỉ dùng với --certify: bản dựng lại không còn trường chữ ký "
            "/ --sanitize is for --certify only: the rebuild has no signature fields",
            code="usage",
        )
    try:
        pdf = file.read_bytes()
    except OSError as exc:
        fail(f"Không đọc được tệp {file}: {exc.strerror}", code="os")
    pdf, removed = _checked_input(pdf, certify=certify, rebuild=rebuild)
    pki = _pki()
    store = _open_store(
        pki,
        key=key,
        p12=p12,
        password_env=password_env,
        module=pkcs11_module,
        token_label=token_label,
        key_label=key_label,
        cert_label=cert_label,
        pin_env=pin_env,
    )
    with store:
        signer = _make_signer(pki, store, level)
        if certify:
            assert box is not None
            place = SignaturePlace.at(field or "Seal", page_index=page - 1, box=_box(box))
            signed = signer.certify(pdf, place=place)
        else:
            assert field is not None
            signed = signer.approve(pdf, field_name=field, role=role)
    try:
        out.write_bytes(signed.pdf)
    except OSError as exc:
        fail(f"Không ghi được tệp {out}: {exc.strerror}", code="os")
    summary = {
        "out": str(out),
        "field_name": signed.field_name,
        "level": signed.level.value,
        "signed_at": signed.signed_at,
        "timestamp_authority": signed.timestamp_authority,
        "sha256": signed.sha256,
        "certificate_sha256": signed.certificate_sha256,
        "signer": signer.display_name,
        "sanitized": bool(removed),
        "removed": [{"kind": f.kind, "object_number": f.object_number} for f in removed],
    }
    if json_out:
        print_json(summary)
        return
    if removed:
        typer.echo(
            "Đã ký bản dựng lại từ hình ảnh các trang; đã loại bỏ: "
            + "; ".join(f"[{f.kind}] {f.message_vi}" for f in removed)
        )
    typer.echo(f"Đã ký: {out} · trường {signed.field_name} · mức {signed.level.value}")
    typer.echo(f"Người ký: {signer.display_name} · lúc {_local(signed.signed_at)}")
    if signed.timestamp_authority:
        typer.echo(f"Dấu thời gian: {signed.timestamp_authority}")
    typer.echo(f"SHA-256: {signed.sha256}")


def _make_signer(pki: PkiFolder, store: KeyStore, level: PadesLevel) -> DocumentSigner:
    s = get_settings()
    token = s.timestamp_token.get_secret_value() if s.timestamp_token else None
    sources = (
        url_sources(s.timestamp_urls, token=token, own_url=s.public_url)
        if s.timestamp_urls
        else None
    )
    return wiring.make_signer(pki, store, level=level, timestamp_sources=sources)
