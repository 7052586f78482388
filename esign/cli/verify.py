"""``esign verify FILE…`` (anyone checks one or many PDFs).

Exits 0 only when every file is valid; else the highest of the files' codes: 1 for a file that
is not valid, 2 when one could not be checked at all (not a PDF, broken, too large, an
unreadable signature), 3 when every signature present is valid but a field is still empty.

Cold start matters here (a citizen or a script checks one file): this module imports the
verifier only, never the signers, and a local file the user names is checked in a plain fork
of this process (memory and time limits, no fork server to start); many files are checked in
one process, one fork each, so the imports are paid once.
"""

from __future__ import annotations

import dataclasses
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from receipts.calendar import VIETNAM_TZ

from ..config import get_settings
from ..signing.report import SignatureReport, Verdict, VerificationReport
from ._common import clean_errors, fail, print_json


def _own_process() -> bool:
    """Whether this process is the ``esign`` command itself (``esign …`` or ``python -m
    esign``), which may be forked cheaply for each file. Called inside another program (a test
    runner, a server), the command uses the fork server instead: a fork of a process with a
    past of threads and libraries in use has failed in the child (SystemError from a C
    extension) even with no other thread left."""
    return Path(sys.argv[0]).name in ("esign", "__main__.py") and "esign" in sys.argv[0]


if TYPE_CHECKING:
    from ..signing.verify import TrustConfig

EXIT_CODES = {Verdict.VALID: 0, Verdict.INVALID: 1, Verdict.CANNOT_VERIFY: 2, Verdict.INCOMPLETE: 3}
"""3: every signature present is valid but a signature field is still empty (not "valid")."""
_INDICATION_VI = {
    "TOTAL_PASSED": "Đạt",
    "INDETERMINATE": "Chưa xác định",
    "TOTAL_FAILED": "Không đạt",
}
_MODIFICATION_VI = {
    "NONE": "không có",
    "LTA_UPDATES": "chỉ thêm dữ liệu kiểm tra, dấu thời gian",
    "FORM_FILLING": "điền biểu mẫu, ký các trường còn lại",
    "ANNOTATIONS": "thêm chú thích",
    "OTHER": "thay đổi khác, không được phép",
}
_KIND_VI = {
    "signature": "chữ ký phê duyệt",
    "certification": "chữ ký chứng thực (không cho sửa sau ký)",
    "document_timestamp": "dấu thời gian tài liệu",
}


def _local(moment: object) -> str:
    import datetime as dt

    if not isinstance(moment, dt.datetime):
        return "không có"
    return moment.astimezone(VIETNAM_TZ).strftime("%d/%m/%Y %H:%M:%S (giờ Việt Nam)")


def _print_signature(index: int, sig: SignatureReport) -> None:
    typer.echo(f"\nChữ ký {index}: trường {sig.field_name} · {_KIND_VI.get(sig.kind, sig.kind)}")
    lines = [
        ("Người ký", sig.signer_name or "không rõ"),
        ("Số hiệu chứng thư", sig.certificate_serial or "không rõ"),
        ("Tổ chức cấp", sig.issuer or "không rõ"),
        ("Thời điểm ký (người ký tự khai)", _local(sig.signing_time)),
        (
            "Dấu thời gian",
            f"{_local(sig.timestamp_time)}, do {sig.timestamp_authority} cấp"
            if sig.timestamp_time is not None
            else "không có",
        ),
        ("Mức chữ ký", sig.level or "không áp dụng"),
        (
            "Kết quả",
            f"{_INDICATION_VI[sig.indication.value]} ({sig.indication.value}"
            + (f" / {sig.sub_indication})" if sig.sub_indication else ")"),
        ),
        ("Nhận xét", sig.message_vi),
        ("Phủ toàn bộ tệp", "có" if sig.covers_whole_file else "không"),
        ("Thay đổi sau khi ký", _modification(sig.modification_level)),
    ]
    for label, value in lines:
        typer.echo(f"  {label}: {value}")


def _modification(level: str | None) -> str:
    if level is None:
        return "không xác định"
    return f"{_MODIFICATION_VI.get(level, level)} ({level})"


def _print_report(path: Path, report: VerificationReport) -> None:
    typer.echo(f"Tệp: {path}")
    if report.sha256:
        typer.echo(f"SHA-256: {report.sha256} · {report.size} byte")
    typer.echo(f"Kết luận: {report.message_vi}")
    for index, sig in enumerate(report.signatures, start=1):
        _print_signature(index, sig)


def _trust(pems: list[Path] | None, crls: list[Path] | None) -> TrustConfig:
    from cryptography import x509
    from cryptography.hazmat.primitives.serialization import Encoding

    from ..signing.verify import TrustConfig

    if not pems:
        from certs import open_pki_folder

        from ..signing.pki import trust_config

        trust = trust_config(open_pki_folder(get_settings().data_dir / "pki"))
    else:
        from certs.trust import load_certificates

        roots: list[bytes] = []
        for pem in pems:
            roots += [
                c.public_bytes(Encoding.DER)
                for c in load_certificates(pem.read_bytes(), source=str(pem))
            ]
        trust = TrustConfig(roots=tuple(roots))
    if crls:
        extra = []
        for crl in crls:
            data = crl.read_bytes()
            if b"-----BEGIN" in data:
                data = x509.load_pem_x509_crl(data).public_bytes(Encoding.DER)
            extra.append(data)
        trust = dataclasses.replace(trust, crls=(*trust.crls, *extra))
    return trust


def _read(file: Path, limit: int) -> bytes:
    try:
        with file.open("rb") as handle:
            return handle.read(limit + 1)  # never more: a larger file is refused anyway
    except OSError as exc:
        fail(f"Không đọc được tệp {file}: {exc.strerror}", code="os")


@clean_errors
def verify_command(
    files: Annotated[
        list[Path], typer.Argument(help="Tệp PDF cần kiểm tra (một hay nhiều) / PDF files")
    ],
    json_out: Annotated[bool, typer.Option("--json", help="JSON for machines")] = False,
    trust: Annotated[
        list[Path] | None,
        typer.Option(
            "--trust",
            help="CA gốc tin cậy (PEM/DER), thay cho PKI trong thư mục dữ liệu / trust roots",
        ),
    ] = None,
    crl: Annotated[
        list[Path] | None,
        typer.Option("--crl", help="Danh sách thu hồi (CRL) dùng thêm / extra CRLs"),
    ] = None,
    record: Annotated[
        bool,
        typer.Option(
            "--record",
            help="Đối chiếu với bản lưu của đơn vị (cơ sở dữ liệu) / check against the record",
        ),
    ] = False,
) -> None:
    """Kiểm tra chữ ký số trên tệp PDF / verify the signatures of PDF files.

    Với --record: tệp mang chữ ký của phường phải đúng là bản phường đã phát hành, và trạng
    thái hiện tại của giấy tờ được in ra / with --record: a file signed with the ward's
    certificates must be what the ward issued; the document's current status is printed.

    Mã thoát: 0 hợp lệ, 1 không hợp lệ, 2 không kiểm tra được, 3 chưa đủ chữ ký (còn chờ
    người ký); nhiều tệp: mã lớn nhất / exit codes: 0 valid, 1 not valid, 2 cannot verify,
    3 awaiting a signature; for several files the highest."""
    from ..signing.verify import MAX_BYTES, verify

    try:
        config = _trust(trust, crl)
    except OSError as exc:
        fail(f"Không đọc được tệp {exc.filename}: {exc.strerror}", code="os")
    except ValueError as exc:
        fail(f"Tệp CRL không đọc được: {exc}", code="crl_invalid")
    worst = 0
    answers = []
    for index, file in enumerate(files):
        data = _read(file, MAX_BYTES)
        report = verify(data, trust=config, fork=_own_process())
        status = None
        if record and report.verdict is not Verdict.CANNOT_VERIFY:
            report, status = _against_record(data, report)
        code = EXIT_CODES[report.verdict]
        worst = max(worst, code)
        if json_out:
            answers.append(
                {
                    "file": str(file),
                    "exit_code": code,
                    "status": status,
                    **dataclasses.asdict(report),
                }
            )
        else:
            if index:
                typer.echo("")
            _print_report(file, report)
            if status is not None:
                typer.echo(f"Trạng thái hiện tại / current status: {status}")
    if json_out:
        print_json(answers[0] if len(files) == 1 else answers)
    raise typer.Exit(worst)


def _against_record(
    data: bytes, report: VerificationReport
) -> tuple[VerificationReport, str | None]:
    """The report judged against the service's database (``ESIGN_*`` settings), and the
    document's current status when it is on record."""
    from ..service import Service
    from ..workflows.record_check import check_record, judged

    service = Service.from_settings(get_settings())
    try:
        with service.db.reading() as session:
            check = check_record(session, data, report, service=service)
    finally:
        service.close()
    return judged(report, check), check.match.state if check.match else None
