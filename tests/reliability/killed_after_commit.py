"""A child process that issues one receipt with an Idempotency-Key through the same function
the API uses, and SIGKILLs itself the moment the issuing transaction commits (a kill between
"receipt stored" and "answer stored" under the old two-transaction design).

``python -m tests.reliability.killed_after_commit DATA_DIR DATABASE_URL KEY``
"""

from __future__ import annotations

import os
import signal
import sys
from pathlib import Path
from typing import Any

from sqlalchemy import event, select
from sqlalchemy.orm import Session

from esign.api.routes.receipts import ReceiptCreate, _public_in
from esign.config import Settings
from esign.db import Database
from esign.db.models import User
from esign.service import Service
from esign.signing.levels import PadesLevel
from esign.workflows.actors import Actor
from esign.workflows.idempotency import run_idempotent
from esign.workflows.receipts import FeeInput, issue_receipt
from receipts.catalog import default_catalog
from receipts.pdf import PaymentMethod

from .harness import body_for


def main(data_dir: str, url: str, key: str) -> None:
    settings = Settings(data_dir=Path(data_dir), database_url=url, signing_level=PadesLevel.B_B)
    service = Service(settings=settings, db=Database(url), catalog=default_catalog("HD"))
    with service.db.reading() as s:
        clerk = s.scalar(select(User).where(User.username == "ketoan"))
        assert clerk is not None
        actor = Actor.of(clerk)

    def work(s: Session) -> tuple[int, dict[str, Any]]:
        receipt = issue_receipt(
            s,
            actor,
            service,
            payer_name=f"Khách {key}",
            payer_address="Văn An",
            payment_method=PaymentMethod.CASH,
            fees=FeeInput(procedure_code="CT-BS", pages=1, copies=1),
        )
        # Die at the first commit after the receipt exists: nothing else runs.
        event.listen(s, "after_commit", lambda _s: os.kill(os.getpid(), signal.SIGKILL))
        return 201, _public_in(s, service, receipt).model_dump(mode="json")  # as the API

    # The request as the API hashes it, so that the API's retry matches this key.
    request = ReceiptCreate.model_validate(body_for(key)).model_dump(mode="json")
    run_idempotent(service.db, key=key, user_id=actor.user_id, request=request, work=work)


if __name__ == "__main__":
    main(*sys.argv[1:4])
