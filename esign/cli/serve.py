"""``esign serve``: the HTTP service (API, public verification pages), in one or more processes.

With ``--workers N`` (default: one per core on PostgreSQL) uvicorn starts N processes, each
building its own app from the same settings (``esign.app:create_app``); everything they must
agree on lives in PostgreSQL: receipt numbers (the counter's row lock), idempotency keys, the
public rate limit (``rate_buckets``), the audit chain's head; the key folders (PKI, seal keys)
are files every process re-reads when they change. Several hosts do the same behind a proxy
(README, "Several processes and hosts").

SQLite is the embedded single-process default: ``--workers`` above 1 is refused there, because
its rate limit lives in one process's memory (N workers would give each address N times the
budget) and its writers queue on one file lock anyway, so extra workers would not issue faster.
"""

from __future__ import annotations

import os
from typing import Annotated

import typer

from ..config import get_settings
from ..errors import ConfigurationError
from ._common import clean_errors


def default_workers(*, sqlite: bool) -> int:
    return 1 if sqlite else max(1, os.cpu_count() or 1)


@clean_errors
def serve_command(
    host: Annotated[str, typer.Option(help="Địa chỉ lắng nghe / listen address")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Cổng / port")] = 8000,
    demo: Annotated[
        bool,
        typer.Option(
            "--demo", help="Tạo dữ liệu thử nghiệm nếu thư mục trống / set up a demo ward"
        ),
    ] = False,
    workers: Annotated[
        int | None,
        typer.Option(
            min=1,
            help="Số tiến trình / worker processes (mặc định: mỗi lõi một tiến trình trên "
            "PostgreSQL, 1 trên SQLite / default: one per core on PostgreSQL, 1 on SQLite)",
        ),
    ] = None,
) -> None:
    """Chạy dịch vụ / run the service (default 127.0.0.1:8000)."""
    import uvicorn

    from ..production import check_production
    from ..service import Service

    settings = get_settings()
    if demo and settings.production:
        raise ConfigurationError(
            "Không dùng --demo trong môi trường production", "--demo is not for production"
        )
    if "public_url" not in settings.model_fields_set and (host, port) != ("127.0.0.1", 8000):
        settings = settings.model_copy(update={"public_url": f"http://{host}:{port}"})
        # the worker processes read their settings from the environment
        os.environ["ESIGN_PUBLIC_URL"] = str(settings.public_url)
    # Migrations, demo data and the production checks run once, here, before any worker.
    service = Service.from_settings(settings)
    sqlite = service.db.is_sqlite
    count = workers if workers is not None else default_workers(sqlite=sqlite)
    if sqlite and count > 1:
        service.close()
        raise ConfigurationError(
            "SQLite chỉ chạy một tiến trình: đặt ESIGN_DATABASE_URL=postgresql+psycopg://… để "
            f"chạy {count} tiến trình",
            f"SQLite runs one process: set ESIGN_DATABASE_URL=postgresql+psycopg://… to run "
            f"{count} workers",
        )
    if demo:
        from ..demo import setup_demo

        typer.echo(setup_demo(service))
    check_production(service)
    typer.echo(
        f"Đang chạy tại / serving at http://{host}:{port} · {count} tiến trình / "
        f"worker(s)  (Ctrl+C để dừng / to stop)"
    )
    if count == 1:
        from ..app import create_app
        from ..signing.isolation import start as start_verifier

        # The checker of uploaded PDFs runs in a fork server started now, while this process
        # is still single-threaded, so the first upload does not pay its start-up.
        start_verifier()
        uvicorn.run(
            create_app(service=service),
            host=host,
            port=port,
            log_level="warning",
        )
        return
    service.close()
    uvicorn.run(
        "esign.app:create_app",
        factory=True,
        workers=count,
        host=host,
        port=port,
        log_level="warning",
    )
