"""The embedded default in one command: ``esign serve --demo`` on an empty data folder creates
the SQLite database, the development PKI, the QR seal keys and a demo ward (today's unit,
phường Chu Văn An, thành phố Hải Phòng: ``esign/data/units.toml``) with an administrator, a
clerk, a judicial officer and a chairman.

Passwords are random, written once to ``demo-credentials.txt`` (0600) in the data folder and
printed; a second run finds the ward already there and prints the same file again.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import secrets
from dataclasses import dataclass
from pathlib import Path

from cryptography.hazmat.primitives.serialization import Encoding
from sqlalchemy import select

from certs import DEV_ARCHITECTURE, Role, init_pki_folder, load_spec

from .db.models import User, UserRole
from .service import Service
from .units import current_unit
from .workflows.actors import SYSTEM
from .workflows.keys import set_key_source
from .workflows.users import create_user, register_certificate

CREDENTIALS = "demo-credentials.txt"


@dataclass(frozen=True)
class DemoUser:
    username: str
    full_name: str
    role: UserRole
    official_role: str | None = None
    title: str | None = None
    pki_name: str | None = None


DEMO_USERS = (
    DemoUser("quantri", "Quản trị hệ thống", UserRole.ADMIN),
    DemoUser("ketoan", "Lê Thị Thu", UserRole.CLERK),
    DemoUser(
        "tuphap",
        "Nguyễn Thị Hương",
        UserRole.OFFICIAL,
        "judicial_officer",
        "CÔNG CHỨC TƯ PHÁP - HỘ TỊCH",
        "judicial-officer",
    ),
    DemoUser("chutich", "Trần Văn Minh", UserRole.OFFICIAL, "chairman", "CHỦ TỊCH", "chairman"),
)


def _write_private(path: Path, text: str) -> None:
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as f:
        f.write(text)


def setup_demo(service: Service) -> str:
    """Create what is missing; return the text to print (how to log in)."""
    data = service.settings.data_dir
    init_pki_folder(
        data / "pki", spec=load_spec(architecture=DEV_ARCHITECTURE), now=dt.datetime.now(dt.UTC)
    )
    service.keyring  # noqa: B018 (creates the QR seal keys on first use)
    pki = service.pki
    creds_path = data / CREDENTIALS
    with service.db.transaction() as s:
        if s.scalar(select(User.id).limit(1)) is None:
            passwords: dict[str, str] = {}
            for u in DEMO_USERS:
                password = secrets.token_urlsafe(9)
                user = create_user(
                    s,
                    SYSTEM,
                    username=u.username,
                    full_name=u.full_name,
                    role=u.role,
                    password=password,
                    official_role=u.official_role,
                    title=u.title,
                )
                passwords[u.username] = password
                if u.pki_name:
                    name = pki.only(Role(u.official_role)) if u.official_role else u.pki_name
                    pem = pki.certificate(name).public_bytes(Encoding.PEM).decode()
                    register_certificate(s, SYSTEM, user_id=user.id, certificate_pem=pem)
                    set_key_source(
                        s,
                        SYSTEM,
                        user_id=user.id,
                        source={"kind": "pkcs12", "path": str(pki.path / "keys" / f"{name}.p12")},
                    )
            # No series to register: under NĐ 254/2026 the year's series (26TVA…) is set by law
            # and opened on its first receipt (workflows/scheme.py).
            key_password = (pki.path / "password").read_text(encoding="utf-8").strip()
            _write_private(creds_path, _credentials_text(service, passwords, key_password))
    if creds_path.exists():
        return creds_path.read_text(encoding="utf-8")
    return "Cơ sở dữ liệu đã có người dùng: đăng nhập bằng tài khoản đã tạo trước đây.\n"


def _credentials_text(service: Service, passwords: dict[str, str], key_password: str) -> str:
    url = service.settings.public_url.rstrip("/")
    lines = [
        f"{current_unit(service.settings).name} — dịch vụ biên lai điện tử và chữ ký số "
        "(bản thử nghiệm / demo)",
        f"Dữ liệu: {service.settings.data_dir.resolve()}",
        "",
        "Tài khoản / accounts (đăng nhập / log in: POST /api/v1/auth/login):",
    ]
    for u in DEMO_USERS:
        role = {UserRole.ADMIN: "quản trị", UserRole.CLERK: "kế toán thu phí"}.get(
            u.role, u.title or ""
        )
        lines.append(f"  {u.username:<8} {passwords[u.username]:<14} {u.full_name} ({role})")
    lines += [
        "",
        f"Mật khẩu khóa ký (PKCS#12) thử nghiệm / demo signing key password: {key_password}",
        "",
        f"Trang làm việc / staff pages: {url}/staff/",
        f"API: {url}/docs   ·   Kiểm tra văn bản / verify: {url}/verify",
        "Ví dụ / example:",
        f"  curl -c c.txt -H 'Content-Type: application/json' -d "
        f"'{json.dumps({'username': 'ketoan', 'password': passwords['ketoan']})}' "
        f"{url}/api/v1/auth/login",
        "",
    ]
    return "\n".join(lines)
