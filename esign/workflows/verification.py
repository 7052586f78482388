"""The signature report of a stored result document, for the staff (``GET
/api/v1/results/{id}/verification``): the PDF as signed so far, checked by the same verifier as
an upload, in this process (it is our own file), against the SHA-256 on record."""

from __future__ import annotations

from sqlalchemy.orm import Session

from ..db.models import UserRole
from ..service import Service
from ..signing.report import VerificationReport
from .actors import Actor, require
from .queries import stored_pdf
from .results import get_result


def verify_result(
    session: Session, actor: Actor, service: Service, result_id: int
) -> VerificationReport:
    require(actor, UserRole.CLERK, UserRole.ADMIN, UserRole.OFFICIAL, scope="results")
    from ..signing.verify import verify_in_process  # pyHanko's validator: loaded on first use

    pdf = stored_pdf(session, get_result(session, result_id).document_id)
    return verify_in_process(pdf.content, service.trust, expected_sha256=pdf.sha256)
