"""Making every kind of document in every status through the workflows, for the public pages'
tests: receipts (issued, cancelled, replaced, adjusted) and each result template (marital
status, birth extract requested by a parent, copy certification) awaiting its signatures,
half-signed and fully signed."""

from __future__ import annotations

import base64
from dataclasses import dataclass, field
from typing import Any

from cryptography.hazmat.primitives.serialization import Encoding
from sqlalchemy import select

from certs import Pkcs12KeyStore
from esign.db.models import Receipt, ResultDocument, StoredDocument, UserRole
from esign.service import Service
from esign.workflows import results as result_flows
from esign.workflows.actors import SYSTEM, Actor
from esign.workflows.dossiers import receive_dossier
from esign.workflows.snapshot import DocumentSnapshot
from esign.workflows.users import create_user, register_certificate
from receipts.catalog import Channel
from tests.esign.signing.conftest import simple_pdf

from .helpers import PASSWORD

CHILD = "Nguyễn Minh Khôi"
CHILD_ID = "030226004321"
MOTHER = "Phạm Thị Lan"
FATHER = "Nguyễn Văn Hùng"
PERSON = "Đỗ Thị Ngọc Ánh"
PERSON_ID = "030195001234"
COPY_REQUESTER = "Vũ Đình Tuấn"

SECRET_NAMES = (CHILD, CHILD_ID, MOTHER, FATHER, PERSON, PERSON_ID, COPY_REQUESTER)
"""Full names and ID numbers that a public page must never show."""


def _person(name: str, personal_id: str) -> dict[str, Any]:
    return {
        "full_name": name,
        "date_of_birth": "2026-02-03" if personal_id == CHILD_ID else "1995-03-14",
        "gender": "Nam" if personal_id == CHILD_ID else "Nữ",
        "personal_id": personal_id,
        "residence": "Khu dân cư Văn An 1, phường Văn An, thành phố Chí Linh, tỉnh Hải Dương",
    }


# (procedure, applicant of the dossier, data, masked subject, masked applicant)
TEMPLATES: dict[str, tuple[str, str, dict[str, Any]]] = {
    "marital_status": (
        "HT-XNTTHN",
        PERSON,
        {
            "requester": PERSON,
            "person": _person(PERSON, PERSON_ID),
            "marital_status": "Chưa đăng ký kết hôn với ai",
            "purpose": "Làm thủ tục đăng ký kết hôn",
        },
    ),
    # Requested by a parent: the dossier's applicant is the mother, the subject the child.
    "birth_extract": (
        "HT-KS-DH",
        MOTHER,
        {
            "child": _person(CHILD, CHILD_ID),
            "place_of_birth": "Bệnh viện đa khoa Chí Linh",
            "hometown": "Phường Văn An, thành phố Chí Linh, tỉnh Hải Dương",
            "mother": {"full_name": MOTHER, "birth_year": 1996},
            "father": {"full_name": FATHER, "birth_year": 1994},
            "registered_by": MOTHER,
            "registered_on": "2026-02-10",
        },
    ),
    "copy_certification": (
        "CT-BS",
        COPY_REQUESTER,
        {
            "requester": COPY_REQUESTER,
            "document_name": "Bằng tốt nghiệp trung học phổ thông",
            "copy_pages": 2,
            "copies": 1,
            "copy_pdf_base64": base64.b64encode(simple_pdf("BẢN SAO", pages=2)).decode(),
        },
    ),
}


@dataclass(frozen=True)
class Doc:
    """One document as a citizen meets it: its token and the seal printed in its QR."""

    name: str
    token: str
    seal: str
    state: str
    """What /v and the upload check must say: valid, cancelled, replaced, adjusted, pending."""
    receipt: bool
    signed: bool = True
    """Every signature it will ever have is on it (the upload check then says valid)."""


@dataclass
class Officials:
    actors: dict[str, Actor] = field(default_factory=dict)
    password: str = ""


def make_officials(service: Service) -> Officials:
    pki = service.pki
    out = Officials(password=(pki.path / "password").read_text().strip())
    with service.db.transaction() as s:
        for username, full_name, role, name in (
            ("tuphap", "Nguyễn Thị Hương", "judicial_officer", "judicial-officer"),
            ("chutich", "Trần Văn Minh", "chairman", "chairman"),
        ):
            user = create_user(
                s,
                SYSTEM,
                username=username,
                full_name=full_name,
                role=UserRole.OFFICIAL,
                password=PASSWORD,
                official_role=role,
            )
            pem = pki.certificate(name).public_bytes(Encoding.PEM).decode()
            register_certificate(s, SYSTEM, user_id=user.id, certificate_pem=pem)
            out.actors[role] = Actor.of(user)
    return out


def sign_next(service: Service, officials: Officials, result_id: int) -> None:
    """The next official in order signs the document."""
    with service.db.transaction() as s:
        result = result_flows.get_result(s, result_id)
        sig = result_flows.next_signature(result)
        assert sig is not None
        actor = officials.actors[sig.role]
        name = "judicial-officer" if sig.role == "judicial_officer" else "chairman"
        store = Pkcs12KeyStore(
            service.pki.path / "keys" / f"{name}.p12", password=officials.password
        )
        signer = result_flows.official_signer(s, actor, service, store)
        outcome = result_flows.sign_one(s, actor, signer, result_id)
        assert outcome.ok


def make_result(
    service: Service, clerk: Actor, template: str, *, signatures: int, officials: Officials
) -> tuple[int, str, str]:
    """(id, token, seal) of a result of ``template`` with ``signatures`` signatures on it."""
    procedure, applicant, data = TEMPLATES[template]
    with service.db.transaction() as s:
        dossier = receive_dossier(
            s,
            clerk,
            procedure_code=procedure,
            applicant_name=applicant,
            applicant_address="Khu dân cư Văn An 2",
            channel=Channel.COUNTER,
            catalog=service.catalog,
            quote_input={"pages": 2, "copies": 1} if procedure == "CT-BS" else None,
        )
        result = result_flows.create_result(
            s, clerk, service, dossier_id=dossier.id, data=dict(data)
        )
        result_id, token = result.id, result.token
        assert result.snapshot is not None
        seal = DocumentSnapshot.from_json(result.snapshot).seal.text
        assert seal
    for _ in range(signatures):
        sign_next(service, officials, result_id)
    return result_id, token, seal


def receipt_seal(service: Service, receipt_id: int) -> tuple[str, str]:
    with service.db.reading() as s:
        r = s.get(Receipt, receipt_id)
        assert r is not None and r.seal
        return r.token, r.seal


def stored_pdf(service: Service, token: str) -> bytes:
    """The current stored PDF of the document with ``token`` (what its holder has)."""
    with service.db.reading() as s:
        doc_id = s.scalar(select(Receipt.document_id).where(Receipt.token == token))
        if doc_id is None:
            doc_id = s.scalar(
                select(ResultDocument.document_id).where(ResultDocument.token == token)
            )
        content = s.scalar(select(StoredDocument.content).where(StoredDocument.id == doc_id))
        assert content is not None
        return content


def every_document(service: Service, clerk: Actor) -> list[Doc]:
    """Every kind of document in every status (see the module docstring)."""
    from .helpers import OLD_SCHEME_DAY, adjust, cancel, issue, replace

    docs: list[Doc] = []
    valid = issue(service, clerk)
    docs.append(Doc("receipt issued", valid.token, valid.seal, "valid", True))
    cancelled = issue(service, clerk, payer="Nguyễn Văn Bình", pages=1)
    cancel(service, clerk, cancelled.id, "Thu nhầm, đã hoàn trả", code="thu_trung")
    docs.append(Doc("receipt cancelled", cancelled.token, cancelled.seal, "cancelled", True))
    old = issue(service, clerk, payer="Hoàng Thị Mai", pages=2)
    new = replace(service, clerk, old.id, "Ghi sai số trang")
    docs.append(Doc("receipt replaced", old.token, old.seal, "replaced", True))
    docs.append(Doc("receipt replacing", new.token, new.seal, "valid", True))
    base = issue(service, clerk, payer="Lý Văn Sơn", pages=1, issued_at=OLD_SCHEME_DAY)
    extra = adjust(service, clerk, base.id, "Thu thiếu một bản")
    docs.append(Doc("receipt adjusted", base.token, base.seal, "adjusted", True))
    docs.append(Doc("receipt adjusting", extra.token, extra.seal, "valid", True))
    officials = make_officials(service)
    for template in TEMPLATES:
        needed = 1 if template == "copy_certification" else 2
        for signatures in sorted({0, needed - 1, needed}):
            _, token, seal = make_result(
                service, clerk, template, signatures=signatures, officials=officials
            )
            done = signatures == needed
            docs.append(
                Doc(
                    f"{template} {signatures}/{needed} signed",
                    token,
                    seal,
                    "valid" if done else "pending",
                    False,
                    signed=done,
                )
            )
    return docs
