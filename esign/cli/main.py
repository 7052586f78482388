"""The ``esign`` command line: one Typer app, a sub-app per concern, each imported when called.

A command's module is imported only when that command runs (or when the help lists them all):
``esign verify`` never loads pyHanko's signers, ``esign fees list`` never loads PDF or crypto
code, so a cold command pays for what it does (README, "Benchmarks").
"""

from __future__ import annotations

import importlib
from typing import Any

import typer
from typer._click import Command, Context  # typer 0.29 vendors click
from typer.core import TyperGroup

COMMANDS: dict[str, tuple[str, str]] = {
    "fees": ("esign.cli.fees", "app"),
    "seal": ("esign.cli.seal", "app"),
    "verify-qr": ("esign.cli.seal", "verify_qr"),
    "certs": ("esign.cli.certs", "app"),
    "audit": ("esign.cli.audit", "app"),
    "sign": ("esign.cli.sign", "sign_command"),
    "verify": ("esign.cli.verify", "verify_command"),
    "serve": ("esign.cli.serve", "serve_command"),
    "tax": ("esign.cli.tax", "app"),
    "paper": ("esign.cli.tax", "paper_app"),
    "law": ("esign.cli.law", "app"),
}
"""Command name → (module, attribute): a Typer sub-app or a command function."""


def load_command(name: str) -> Command:
    module, attribute = COMMANDS[name]
    target: Any = getattr(importlib.import_module(module), attribute)
    if not isinstance(target, typer.Typer):
        single = typer.Typer(pretty_exceptions_enable=False)
        single.command(name)(target)
        target = single
    command = typer.main.get_command(target)
    command.name = name
    return command


class LazyGroup(TyperGroup):
    """Typer's group, with its commands looked up in :data:`COMMANDS` on first use."""

    def list_commands(self, ctx: Context) -> list[str]:
        return list(COMMANDS)

    def get_command(self, ctx: Context, cmd_name: str) -> Command | None:
        if cmd_name not in COMMANDS:
            return None
        if cmd_name not in self.commands:
            self.commands[cmd_name] = load_command(cmd_name)
        return self.commands[cmd_name]


app = typer.Typer(
    name="esign",
    cls=LazyGroup,
    help="Biên lai điện tử và chữ ký số của bộ phận một cửa phường / "
    "e-receipts and digital signatures for a ward's one-stop office.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)


@app.callback()
def _root() -> None:
    """Biên lai điện tử và chữ ký số / e-receipts and digital signatures."""


if __name__ == "__main__":  # pragma: no cover
    app()
