"""``esign serve``: the HTTP service (API, public verification pages)."""

from __future__ import annotations

from typing import Annotated

import typer

from ..config import get_settings
from ..errors import ConfigurationError
from ._common import clean_errors


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
) -> None:
    """Chạy dịch vụ / run the service (default 127.0.0.1:8000)."""
    import uvicorn

    from ..app import create_app
    from ..production import check_production
    from ..service import Service

    settings = get_settings()
    if demo and settings.production:
        raise ConfigurationError(
            "Không dùng --demo trong môi trường production", "--demo is not for production"
        )
    if "public_url" not in settings.model_fields_set and (host, port) != ("127.0.0.1", 8000):
        settings = settings.model_copy(update={"public_url": f"http://{host}:{port}"})
    service = Service.from_settings(settings)
    if demo:
        from ..demo import setup_demo

        typer.echo(setup_demo(service))
    check_production(service)
    from ..signing.isolation import start as start_verifier

    # The checker of uploaded PDFs runs in a fork server started now, while this process is
    # still single-threaded, so the first upload does not pay its start-up.
    start_verifier()
    typer.echo(f"Đang chạy tại / serving at http://{host}:{port}  (Ctrl+C để dừng / to stop)")
    uvicorn.run(create_app(service=service), host=host, port=port, log_level="warning")
