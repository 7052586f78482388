"""``esign certs revoke|import`` and ``esign seal rotate|withdraw`` go through the workflows, as
the API's certificate and seal-key operations do: each change is in the hash-chained audit log
(``esign audit verify`` counts it), a refused change leaves no entry, and a change waits for
the lock the API's key changes hold."""

from __future__ import annotations

import getpass
import json
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from cryptography.hazmat.primitives.serialization import Encoding
from typer.testing import CliRunner, Result

from certs import BuiltPki
from esign.cli.main import app
from esign.config import get_settings
from esign.seal import PUBLISHED_FILE, Keyring, verify_seal
from esign.workflows.key_changes import lock_key_changes
from esign.workflows.receipts import get_receipt
from tests.esign.api.conftest import Api
from tests.esign.api.conftest import api as api  # the fixture, over both databases
from tests.esign.api.test_certificates_api import PASSWORD
from tests.esign.api.test_certificates_api import _outside_official as outside_official

runner = CliRunner()
CONSOLE = f"admin:console:{getpass.getuser()}"


@pytest.fixture
def cli(api: Api, monkeypatch: pytest.MonkeyPatch) -> Iterator[Api]:
    """The CLI pointed at the API's database and data folder."""
    monkeypatch.setenv("ESIGN_DATABASE_URL", api.service.db.url)
    monkeypatch.setenv("ESIGN_DATA_DIR", str(api.service.settings.data_dir))
    get_settings.cache_clear()
    yield api
    get_settings.cache_clear()


def run(*args: str, input: str | None = None) -> Result:
    return runner.invoke(app, list(args), input=input)


def entries() -> list[dict[str, Any]]:
    listed = run("audit", "list", "--json", "--limit", "1000")
    assert listed.exit_code == 0, listed.output
    rows: list[dict[str, Any]] = json.loads(listed.output)
    return rows


def verified_count() -> int:
    checked = run("audit", "verify", "--json")
    assert checked.exit_code == 0, checked.output
    result = json.loads(checked.output)
    assert result["ok"] is True
    count: int = result["entries"]
    return count


def seal_kids(data_dir: Path) -> list[tuple[str, str]]:
    doc = json.loads((data_dir / "seal" / PUBLISHED_FILE).read_text())
    return [(k["kid"], k["status"]) for k in doc["keys"]]


def test_every_cli_key_change_is_in_the_audit_chain(
    cli: Api, test_pki: BuiltPki, tmp_path: Path
) -> None:
    data_dir = cli.service.settings.data_dir
    before = verified_count()

    revoked = run("certs", "revoke", "vice-chairman", "--reason", "superseded")
    assert revoked.exit_code == 0, revoked.output
    assert "Đã thu hồi chứng thư 'vice-chairman'" in revoked.output

    root = test_pki.certificate("other-root").public_bytes(Encoding.PEM)
    (data_dir / "pki" / "trust" / "other-root.pem").write_bytes(root)
    p12 = tmp_path / "thu.p12"
    p12.write_bytes(outside_official(test_pki, "Ngô Thị Thu")[0])
    imported = run(
        "certs", "import", str(p12), "--role", "judicial_officer", "--password", PASSWORD,
        "--name", "ngo-thi-thu",
    )  # fmt: skip
    assert imported.exit_code == 0, imported.output

    rotated = run("seal", "rotate")  # the first rotation also creates the keyring
    assert rotated.exit_code == 0, rotated.output
    assert run("seal", "rotate").exit_code == 0
    (old, _), (new, _) = seal_kids(data_dir)[-2:]
    withdrawn = run("seal", "withdraw", "--yes", "--", old)
    assert withdrawn.exit_code == 0, withdrawn.output

    assert verified_count() == before + 5
    mine = [e for e in entries() if e["actor"] == CONSOLE]
    assert [(e["action"], e["subject"]) for e in mine] == [
        ("certificate.revoke", "certificate:vice-chairman"),
        ("certificate.import", "certificate:ngo-thi-thu"),
        ("seal.rotate", f"seal-key:{old}"),
        ("seal.rotate", f"seal-key:{new}"),
        ("seal.withdraw", f"seal-key:{old}"),
    ]
    assert mine[0]["details"]["reason"] == "superseded"
    assert mine[1]["details"]["role"] == "judicial_officer"
    assert mine[3]["details"]["retired"] == [old]
    assert mine[4]["details"] == {"kid": old, "previous_status": "retired", "active": new}
    # The API sees the same folder: the revocation and the import are there.
    admin = cli.login("admin")
    shown = admin.get("/api/v1/certificates/vice-chairman").json()
    assert shown["revoked"]["reason"] == "superseded"
    assert admin.get("/api/v1/certificates/ngo-thi-thu").status_code == 200


def test_a_refused_cli_change_leaves_no_entry(cli: Api, tmp_path: Path) -> None:
    assert run("certs", "revoke", "chairman", "--reason", "superseded").exit_code == 0
    count = verified_count()
    again = run("certs", "revoke", "chairman", "--reason", "key_compromise")
    assert again.exit_code == 1 and "đã bị thu hồi trước đó" in again.output
    unknown = run("certs", "revoke", "mayor", "--reason", "superseded")
    assert unknown.exit_code == 1 and "mayor" in unknown.output
    broken = tmp_path / "broken.p12"
    broken.write_bytes(b"not a PKCS#12 file")
    assert run("certs", "import", str(broken), "--role", "chairman").exit_code == 1
    assert run("seal", "rotate").exit_code == 0
    gone = run("seal", "withdraw", "--yes", "AAAAAA")
    assert gone.exit_code == 2 and "seal_key_unknown" in gone.output
    assert verified_count() == count + 1  # the rotation only


def latest_change(folder: Path) -> float:
    return max(p.stat().st_mtime for p in folder.rglob("*") if p.is_file())


@pytest.mark.parametrize("command", [("seal", "rotate"), ("certs", "revoke", "chairman")])
def test_a_cli_key_change_waits_for_the_api_lock(cli: Api, command: tuple[str, ...]) -> None:
    """While a transaction holds the key-change lock (as the API's import or revoke does while
    it changes the folder), the command waits: its folder changes only after that commit."""
    args = [*command, "--reason", "superseded"] if command[0] == "certs" else list(command)
    folder = cli.service.settings.data_dir / ("seal" if command[0] == "seal" else "pki")
    cli.service.keyring  # noqa: B018  # the keyring exists before, as in a running service
    held = threading.Event()
    released_at: list[float] = []

    def api_change() -> None:
        with cli.service.db.transaction() as session:
            lock_key_changes(session)
            held.set()
            time.sleep(1.0)
            released_at.append(time.time())  # a lower bound of the commit's time

    holder = threading.Thread(target=api_change)
    holder.start()
    assert held.wait(10)
    result = run(*args)
    holder.join()
    assert result.exit_code == 0, result.output
    assert latest_change(folder) >= released_at[0]


def _seal_kid(cli: Api, receipt_id: int) -> str | None:
    """The key that sealed a receipt, as a verifier reads it from the published keys."""
    folder = cli.service.settings.data_dir / "seal"
    with cli.service.db.reading() as s:
        receipt = get_receipt(s, receipt_id)
        seal, token = receipt.seal, receipt.token
    assert seal is not None
    check = verify_seal(seal, published_keys=Keyring.load(folder).published_keys(), token=token)
    return check.kid if check.ok else None


def test_the_api_and_the_cli_share_the_seal_key_workflow(cli: Api) -> None:
    admin, clerk = cli.login("admin"), cli.login("clerk")
    body = {
        "payer_name": "Nguyễn Văn Bình",
        "payer_address": "Văn An 1",
        "payment_method": "cash",
        "fees": {"procedure_code": "CT-BS", "pages": 2, "copies": 1},
    }
    first = clerk.post("/api/v1/receipts", json=body).json()["id"]
    (original,) = admin.get("/api/v1/seal-keys").json()["data"]
    assert _seal_kid(cli, first) == original["kid"]

    rotated = admin.post("/api/v1/seal-keys/rotate")
    assert rotated.status_code == 201, rotated.text
    new = rotated.json()["key"]["kid"]
    assert rotated.json()["active"]["kid"] == new != original["kid"]
    second = clerk.post("/api/v1/receipts", json=body).json()["id"]
    assert _seal_kid(cli, second) == new  # the running service seals with the new key

    assert run("seal", "withdraw", "--yes", "--", new).exit_code == 0  # another process
    listed = {k["kid"]: k["status"] for k in admin.get("/api/v1/seal-keys").json()["data"]}
    assert listed[original["kid"]] == "retired" and listed[new] == "withdrawn"
    (fresh,) = [kid for kid, status in listed.items() if status == "active"]
    # The running service sees the other process's withdrawal at once: no seal by ``new``.
    between = clerk.post("/api/v1/receipts", json=body).json()["id"]
    assert _seal_kid(cli, between) == fresh
    withdrawn = admin.post(f"/api/v1/seal-keys/{original['kid']}/withdraw")
    assert withdrawn.status_code == 200 and withdrawn.json()["key"]["status"] == "withdrawn"
    third = clerk.post("/api/v1/receipts", json=body).json()["id"]
    assert _seal_kid(cli, third) == withdrawn.json()["active"]["kid"] == fresh
    assert _seal_kid(cli, first) is None and _seal_kid(cli, second) is None  # void now

    assert admin.post("/api/v1/seal-keys/AAAAAA/withdraw").status_code == 404
    assert clerk.post("/api/v1/seal-keys/rotate").status_code == 403
    rows = [(e["actor"], e["action"]) for e in entries() if e["action"].startswith("seal.")]
    assert rows == [
        ("admin:admin", "seal.rotate"),
        (CONSOLE, "seal.withdraw"),
        ("admin:admin", "seal.withdraw"),
    ]
    verified_count()
