"""Production refuses to start with development keys, default secrets, or unverified law that
no administrator has acknowledged (``esign law acknowledge``; :mod:`esign.workflows.law_ack`)."""

from __future__ import annotations

from urllib.parse import urlsplit

from .errors import ConfigurationError
from .service import Service
from .workflows.law_ack import law_status


def problems(service: Service) -> list[str]:
    """What makes this set-up unfit for production (empty when fit)."""
    s = service.settings
    out: list[str] = []
    if s.database_url is None or s.database_url.startswith("sqlite"):
        out.append("ESIGN_DATABASE_URL phải là PostgreSQL / must be PostgreSQL")
    if not s.public_url.startswith("https://"):
        out.append("ESIGN_PUBLIC_URL phải là https:// / must be https")
    pki_dir = s.data_dir / "pki"
    manifest = pki_dir / "manifest.json"
    if manifest.exists() and '"architecture": "ward' in manifest.read_text(encoding="utf-8"):
        out.append("đang dùng hạ tầng khóa thử nghiệm (esign certs init) / development PKI in use")
    if (pki_dir / "password").exists() or (s.data_dir / "seal" / "password").exists():
        out.append(
            "mật khẩu khóa nằm cạnh khóa trong thư mục dữ liệu / key passwords beside the keys"
        )
    if (s.data_dir / "demo-credentials.txt").exists():
        out.append("còn tài khoản thử nghiệm (demo-credentials.txt) / demo accounts present")
    if not s.timestamp_urls:
        out.append(
            "chưa cấu hình máy chủ dấu thời gian ESIGN_TIMESTAMP_URLS / no timestamp authority"
        )
    own_tsa = any(urlsplit(u).path.rstrip("/").endswith("/pki/tsa") for u in s.timestamp_urls)
    if own_tsa and s.timestamp_token is None:
        out.append(
            "ESIGN_TIMESTAMP_URLS dùng /pki/tsa của dịch vụ (chỉ trả lời khi đăng nhập) nhưng "
            "thiếu ESIGN_TIMESTAMP_TOKEN (mã truy cập quyền tsa) / our own /pki/tsa needs "
            "ESIGN_TIMESTAMP_TOKEN, an API token with the scope tsa"
        )
    out.extend(_law_problems(service))
    return out


def _law_problems(service: Service) -> list[str]:
    with service.db.reading() as session:
        status = law_status(session, service)
    if not status.needs_acknowledgement:
        return []
    return [
        f"{len(status.items)} mục luật/biểu phí chưa xác minh chưa được quản trị viên xác nhận "
        f"(esign law list, esign law acknowledge {status.fingerprint}) / {len(status.items)} "
        "unverified tariffs or legal data not acknowledged by an administrator"
    ]


def check_production(service: Service) -> None:
    if not service.settings.production:
        return
    found = problems(service)
    if found:
        raise ConfigurationError(
            "Không khởi động ở chế độ production: " + "; ".join(found),
            "Refusing to start in production: " + "; ".join(found),
            code="unfit_for_production",
        )
