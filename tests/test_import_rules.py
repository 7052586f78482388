"""Who may import whom (docs/architecture.md), checked on the source: every ``import`` and
``from … import`` of every module, relative ones resolved, read with ``ast`` (nothing is
imported or run, so an import hidden in a function counts as much as one at the top)."""

from __future__ import annotations

import ast
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("esign", "receipts", "certs")

FACES = ("esign.api", "esign.staff", "esign.web", "esign.cli")
"""What users and programs talk to; none imports another."""
ROOT_MODULE = "esign.app"
"""The composition root: it imports the faces, and only ``esign serve`` imports it."""
HTTP = "esign.http"
"""The plumbing the HTTP faces share: it imports no face."""
WEB_FRAMEWORKS = ("fastapi", "starlette", "uvicorn")
ENTRY_POINT = "esign.__main__"
"""``python -m esign``: the CLI's app, nothing else."""


@dataclass(frozen=True)
class Import:
    module: str
    """The importing module (``esign.staff.auth``)."""
    target: str
    """What it imports, absolute (``esign.http.deps``, or ``esign.http`` for ``from esign
    import http``: the target and each name imported from it are both listed)."""
    line: int

    def __str__(self) -> str:
        path = self.module.replace(".", "/")
        return f"{path} (line {self.line}) imports {self.target}"


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _imports_of(path: Path) -> list[Import]:
    module = _module_name(path)
    is_package = path.name == "__init__.py"
    out: list[Import] = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
        if isinstance(node, ast.Import):
            out += [Import(module, alias.name, node.lineno) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = module.split(".")
                # ``from . import x`` in a package's __init__ is the package itself.
                drop = node.level - 1 if is_package else node.level
                anchor = base[: len(base) - drop] if drop else base
                target = ".".join([*anchor, node.module] if node.module else anchor)
            else:
                target = node.module or ""
            out.append(Import(module, target, node.lineno))
            out += [Import(module, f"{target}.{a.name}", node.lineno) for a in node.names]
    return out


def _all_imports() -> list[Import]:
    found: list[Import] = []
    for package in PACKAGES:
        for path in sorted((ROOT / package).rglob("*.py")):
            found += _imports_of(path)
    return found


IMPORTS = _all_imports()


def _within(name: str, prefix: str) -> bool:
    return name == prefix or name.startswith(prefix + ".")


def _violations(importer: str, forbidden: tuple[str, ...]) -> list[str]:
    return [
        str(i)
        for i in IMPORTS
        if _within(i.module, importer) and any(_within(i.target, f) for f in forbidden)
    ]


def test_the_scan_sees_relative_and_absolute_imports() -> None:
    """The checker itself: it must resolve what the rules below rely on."""
    targets = {(i.module, i.target) for i in IMPORTS}
    assert ("esign.staff.auth", "esign.http.deps") in targets  # from ..http.deps import …
    assert ("esign.app", "esign.staff") in targets  # from . import api, staff, web
    assert ("esign.api", "esign.http") in targets  # from ..http import API_PREFIX (__init__)
    assert ("esign.cli.serve", "esign.app") in targets  # the one import of the root
    assert any(_within(i.target, "receipts") for i in IMPORTS if i.module.startswith("esign."))


@pytest.mark.parametrize("face", FACES)
def test_no_face_imports_another(face: str) -> None:
    others = tuple(f for f in FACES if f != face)
    assert _violations(face, others) == []


@pytest.mark.parametrize("face", FACES)
def test_faces_do_not_import_the_root(face: str) -> None:
    found = [v for v in _violations(face, (ROOT_MODULE,)) if not v.startswith("esign/cli/serve ")]
    assert found == []


def test_the_http_plumbing_imports_no_face_and_not_the_root() -> None:
    assert _violations(HTTP, (*FACES, ROOT_MODULE)) == []


def test_only_the_root_and_esign_serve_import_the_root() -> None:
    importers = {i.module for i in IMPORTS if _within(i.target, ROOT_MODULE)}
    assert importers <= {"esign.cli.serve"}


def test_the_core_imports_no_face_no_http_and_no_web_framework() -> None:
    """Workflows, storage, signing, the seal, the audit log: plain functions under every face
    (FastAPI appears only in the HTTP layer)."""
    core = sorted(
        {
            i.module
            for i in IMPORTS
            if i.module.startswith("esign.")
            and not any(_within(i.module, f) for f in (*FACES, HTTP, ROOT_MODULE, ENTRY_POINT))
        }
    )
    assert "esign.workflows.receipts" in core and "esign.audit" in core
    found = []
    for module in core:
        found += _violations(module, (*FACES, HTTP, ROOT_MODULE, *WEB_FRAMEWORKS))
    assert found == []


@pytest.mark.parametrize(
    ("library", "forbidden"),
    [("receipts", ("esign", "certs", "tests")), ("certs", ("esign", "receipts", "tests"))],
)
def test_the_libraries_import_neither_the_service_nor_each_other(
    library: str, forbidden: tuple[str, ...]
) -> None:
    assert _violations(library, forbidden) == []


DATA_FACES = ("esign.api", "esign.staff", "esign.cli", "esign.web")
"""The faces that read and change data only through ``esign.workflows`` (the public pages,
``esign.web``, follow when their queries have moved into the workflows)."""
QUERY_METHODS = {"execute", "scalar", "scalars", "query"}
SQL_BUILDERS = {"select", "insert", "update", "delete", "func", "text"}


def _queries_in(path: Path) -> list[str]:
    """Calls that query a session (``s.execute``, ``s.scalars``, ``s.get(Model, id)``) and
    imports of SQLAlchemy's statement builders."""
    tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
    models: set[str] = set()
    found: list[str] = []
    where = path.relative_to(ROOT)
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and (node.module or "").endswith("db.models"):
            models |= {a.asname or a.name for a in node.names}
        if isinstance(node, ast.ImportFrom) and node.module == "sqlalchemy":
            found += [
                f"{where}:{node.lineno} imports sqlalchemy.{a.name}"
                for a in node.names
                if a.name in SQL_BUILDERS
            ]
    for node in ast.walk(tree):
        if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)):
            continue
        method = node.func.attr
        first = node.args[0] if node.args else None
        is_model_get = (
            method == "get" and isinstance(first, ast.Name) and first.id[:1].isupper()
        ) and (first.id in models or first.id.endswith(("Document", "Entry")))
        if method in QUERY_METHODS or is_model_get:
            found.append(f"{where}:{node.lineno} calls .{method}(…)")
    return found


def test_the_scan_finds_queries() -> None:
    sample = ROOT / "esign" / "workflows" / "queries.py"
    found = _queries_in(sample)
    assert any("imports sqlalchemy.select" in f for f in found)
    assert any("calls .execute(" in f for f in found) and any("calls .get(" in f for f in found)


@pytest.mark.parametrize("face", DATA_FACES)
def test_faces_query_only_through_the_workflows(face: str) -> None:
    folder = ROOT / face.replace(".", "/")
    found = [q for path in sorted(folder.rglob("*.py")) for q in _queries_in(path)]
    assert found == []
