"""The ``esign`` command line: one Typer app, a sub-app per concern."""

from __future__ import annotations

import typer

from .audit import app as audit_app
from .certs import app as certs_app
from .fees import app as fees_app
from .law import app as law_app
from .seal import app as seal_app
from .seal import verify_qr
from .serve import serve_command
from .sign import sign_command, verify_command
from .tax import app as tax_app
from .tax import paper_app

app = typer.Typer(
    name="esign",
    help="Biên lai điện tử và chữ ký số của bộ phận một cửa phường / "
    "e-receipts and digital signatures for a ward's one-stop office.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)
app.add_typer(fees_app, name="fees")
app.add_typer(seal_app, name="seal")
app.command("verify-qr")(verify_qr)
app.add_typer(certs_app, name="certs")
app.add_typer(audit_app, name="audit")
app.add_typer(tax_app, name="tax")
app.add_typer(paper_app, name="paper")
app.add_typer(law_app, name="law")
app.command("sign")(sign_command)
app.command("verify")(verify_command)
app.command("serve")(serve_command)


if __name__ == "__main__":  # pragma: no cover
    app()
