"""How many of the project's functions one HTTP receipt issue runs.

A development PKI and a SQLite database in a temporary folder, a series and a clerk; then
``POST /api/v1/receipts`` through Starlette's TestClient, once to warm up (imports, the seal
signer, the font subset), and once traced: a profile function (``sys.setprofile``, installed
in every thread the TestClient starts with ``threading.setprofile``: the app runs in its
event-loop thread and in a worker pool) counts every call of a function whose file is under
``esign/``, ``receipts/`` or ``certs/`` (calls, not distinct functions: a helper called ten
times counts ten). Prints the count, the distinct functions and the modules with the most
calls::

    python bench/trace_issue.py [--top 15]

The app comes from the composition root (``esign.app.create_app``); on a tree from before it
existed, from ``esign.api.create_app``.
"""

from __future__ import annotations

import argparse
import collections
import datetime as dt
import shutil
import sys
import tempfile
import threading
from collections.abc import Callable
from pathlib import Path
from types import FrameType
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
PACKAGES = tuple(str(ROOT / name) + "/" for name in ("esign", "receipts", "certs"))
BODY = {
    "payer_name": "Nguyễn Văn An",
    "payer_address": "Phường Văn An",
    "payment_method": "cash",
    "fees": {"procedure_code": "CT-BS", "pages": 3, "copies": 1},
}


def _app_factory() -> Callable[..., Any]:
    try:
        from esign.app import create_app
    except ImportError:  # the tree before the composition root
        from esign.api import create_app  # type: ignore[no-redef]
    return create_app


def _module_of(filename: str) -> str:
    rel = Path(filename).resolve().relative_to(ROOT).with_suffix("")
    return ".".join(rel.parts)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--top", type=int, default=15, help="modules to list")
    args = parser.parse_args()

    from fastapi.testclient import TestClient

    from certs import DEV_ARCHITECTURE, init_pki_folder, load_spec
    from esign.config import Settings
    from esign.db import Database
    from esign.db.models import UserRole
    from esign.service import Service
    from esign.workflows.actors import SYSTEM
    from esign.workflows.series import create_series
    from esign.workflows.users import create_user
    from receipts.catalog import default_catalog

    tmp = Path(tempfile.mkdtemp(prefix="trace-issue-"))
    try:
        init_pki_folder(
            tmp / "pki",
            spec=load_spec(architecture=DEV_ARCHITECTURE),
            now=dt.datetime.now(dt.UTC),
        )
        database = Database(f"sqlite:///{tmp / 'esign.sqlite3'}")
        database.migrate()
        settings = Settings(data_dir=tmp, database_url=database.url, signing_level="B-B")
        service = Service(settings=settings, db=database, catalog=default_catalog("HD"))
        with database.transaction() as s:
            create_series(s, SYSTEM, template_symbol="01BLP0-001", series="VA-26E")
            create_user(
                s,
                SYSTEM,
                username="clerk",
                full_name="Lê Thị Thu",
                role=UserRole.CLERK,
                password="mat-khau-trace-1",
            )
        calls: collections.Counter[tuple[str, str]] = collections.Counter()
        tracing = [False]

        def profile(frame: FrameType, event: str, arg: object) -> None:
            if event == "call" and tracing[0]:
                filename = frame.f_code.co_filename
                if filename.startswith(PACKAGES):
                    calls[(filename, frame.f_code.co_qualname)] += 1

        # The app runs in the TestClient's event-loop thread and sync routes in a worker pool:
        # every thread started from now on gets the profiler (it counts only while tracing).
        threading.setprofile(profile)
        with TestClient(_app_factory()(service=service)) as client:
            login = {"username": "clerk", "password": "mat-khau-trace-1"}
            logged = client.post("/api/v1/auth/login", json=login)
            assert logged.status_code == 200, logged.text
            client.headers["X-CSRF-Token"] = logged.headers["X-CSRF-Token"]
            warm = client.post("/api/v1/receipts", json=BODY)
            assert warm.status_code == 201, warm.text
            tracing[0] = True
            try:
                answer = client.post("/api/v1/receipts", json=BODY)
            finally:
                tracing[0] = False
            assert answer.status_code == 201, answer.text
        database.dispose()
    finally:
        shutil.rmtree(tmp, ignore_errors=True)

    by_module: collections.Counter[str] = collections.Counter()
    for (filename, _), n in calls.items():
        by_module[_module_of(filename)] += n
    print(f"project function calls in one POST /api/v1/receipts: {sum(calls.values())}")
    print(f"distinct project functions: {len(calls)}")
    print(f"modules with the most calls (top {args.top}):")
    for module, n in by_module.most_common(args.top):
        print(f"  {n:>7}  {module}")


if __name__ == "__main__":
    main()
