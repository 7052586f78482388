"""Result documents: drawn from the procedure's template, prepared with one signature field per
official in the order the procedure requires, and signed by each official in turn; the last
signature locks the document and marks the dossier's result signed."""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import hashlib
from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from certs import KeyStore
from receipts.calendar import VIETNAM_TZ
from receipts.errors import ReceiptsError
from receipts.pdf import Issuer, Official, RenderedDocument, render_result

from .. import audit
from ..db.models import (
    DossierStatus,
    ResultDocument,
    ResultSignature,
    ResultStatus,
    StoredDocument,
    User,
    UserRole,
)
from ..db.types import utcnow
from ..errors import ConflictError, NotFoundError, ValidationError
from ..numbering import take_number
from ..seal import DocumentKind, make_seal, qr_url, verification_url
from ..security import new_document_token
from ..service import Service
from ..signing.errors import WrongSignerError
from ..signing.pki import make_signer
from ..signing.sanitize import KINDS, ActiveContent, removed_summary
from ..signing.sign import DocumentSigner, field_name_for, prepare_approval_fields
from .actors import Actor, require
from .copies import SanitizedCopy, append_certification, copy_page_count, sanitize_copy
from .documents import signature_field
from .dossiers import advance, get_dossier
from .result_templates import TEMPLATES, TemplateSpec
from .snapshot import (
    DocumentSnapshot,
    NamedPerson,
    PersonRole,
    Scheme,
    SealFacts,
    seal_claims,
    unit_profile,
)

ROLE_TITLES = {
    "judicial_officer": "CÔNG CHỨC TƯ PHÁP - HỘ TỊCH",
    "chairman": "CHỦ TỊCH",
    "vice_chairman": "PHÓ CHỦ TỊCH",
}


def _officials(session: Session, roles: Sequence[str]) -> tuple[Official, ...]:
    out = []
    for role in roles:
        user = session.scalar(
            select(User)
            .where(
                User.role == UserRole.OFFICIAL, User.official_role == role, User.active.is_(True)
            )
            .order_by(User.id)
        )
        if user is None:
            raise ValidationError(
                f"Chưa có người ký cho chức danh {role}",
                f"No active official for the role {role}",
                code="no_official_for_role",
            )
        out.append(
            Official(
                role=role, title=user.title or ROLE_TITLES.get(role, role), name=user.full_name
            )
        )
    return tuple(out)


def create_result(
    session: Session,
    actor: Actor,
    service: Service,
    *,
    dossier_id: int,
    data: dict[str, Any],
    issued_at: dt.datetime | None = None,
) -> ResultDocument:
    """Draw the result of a dossier's procedure and queue it for its officials."""
    require(actor, UserRole.CLERK, UserRole.ADMIN, scope="results")
    dossier = get_dossier(session, dossier_id, for_update=True)
    if dossier.status not in (DossierStatus.RECEIVED, DossierStatus.FEE_PAID):
        raise ConflictError(
            f"Hồ sơ {dossier.code} đang ở bước “{dossier.status.value}”: đã có kết quả",
            f"Dossier {dossier.code} is {dossier.status.value}: it already has a result",
        )
    proc = service.catalog.procedures[dossier.procedure_code]
    if proc.result_template is None or proc.result_template not in TEMPLATES:
        raise ValidationError(
            f"Thủ tục {proc.code} chưa có mẫu kết quả",
            f"Procedure {proc.code} has no result template",
            code="no_result_template",
        )
    spec = TEMPLATES[proc.result_template]
    issued_at = issued_at or utcnow()
    local_day = issued_at.astimezone(VIETNAM_TZ).date()
    seq = take_number(session, template_symbol=spec.kind, series="RESULT", year=local_day.year)
    number = spec.number(seq, local_day.year)
    token = new_document_token()
    officials = _officials(session, proc.signers)
    unit = unit_profile(service.settings, on=local_day)
    link = verification_url(service.settings.public_url, token)
    try:
        model = spec.build(
            data,
            issuer=Issuer(lines=unit.header_lines, place=unit.place),
            number=number,
            issued_at=issued_at,
            officials=officials,
            qr_text=link,
            seq=seq,
        )
        copy = _copy_of(data)
        unsigned = _with_copy(copy, render_result(model))
    except ReceiptsError as exc:
        raise ValidationError(exc.message_vi, exc.message_en, code=exc.code) from exc
    # The applicant (who filed the dossier, e.g. a parent) is named beside the subject (whom
    # the document is about, e.g. the child): the seal states the subject, and so does /v.
    applicant = NamedPerson(
        role=PersonRole.APPLICANT, name=dossier.applicant_name, address=dossier.applicant_address
    )
    snapshot = DocumentSnapshot(
        kind=DocumentKind.RESULT,
        template=spec.kind,
        title=model.title,
        unit=unit,
        scheme=Scheme(label=f"result/{spec.kind}", number=number),
        issued_at=issued_at,
        people=(*spec.people(data), applicant),
        seal=SealFacts(
            pdf_sha256=hashlib.sha256(unsigned.pdf).hexdigest(), person_role=PersonRole.SUBJECT
        ),
        dossier_code=dossier.code,
        procedure_code=dossier.procedure_code,
    )
    seal = make_seal(seal_claims(snapshot), keyring=service.keyring, token=token)
    final = _with_copy(
        copy,
        render_result(replace(model, qr_text=qr_url(service.settings.public_url, token, seal))),
    )
    prepared = prepare_approval_fields(final.pdf, final.signatures)
    fields = tuple(
        signature_field(place, field_name=field_name_for(i, place.role))
        for i, place in enumerate(final.signatures, start=1)
    )
    snapshot = replace(snapshot.sealed(seal), signatures=fields)
    document = StoredDocument(
        sha256=hashlib.sha256(prepared).hexdigest(), size=len(prepared), content=prepared
    )
    session.add(document)
    session.flush()
    result = ResultDocument(
        token=token,
        dossier_id=dossier.id,
        template=spec.kind,
        number=number,
        data=_stored_data(data, copy),
        status=ResultStatus.AWAITING_SIGNATURES,
        document_id=document.id,
        unsigned_sha256=snapshot.seal.pdf_sha256,
        snapshot=snapshot.to_json(),
    )
    session.add(result)
    session.flush()
    for i, sig_field in enumerate(fields, start=1):
        session.add(
            ResultSignature(
                result_id=result.id,
                position=i,
                role=sig_field.role,
                field_name=sig_field.field_name,
            )
        )
    if dossier.status is DossierStatus.RECEIVED:
        advance(session, actor, dossier, DossierStatus.FEE_PAID)
    advance(session, actor, dossier, DossierStatus.PROCESSING)
    audit.append(
        session,
        actor=actor.label,
        action="result.create",
        subject=f"result:{result.id}",
        details={
            "number": number,
            "template": spec.kind,
            "dossier": dossier.code,
            "sha256": document.sha256,
            **({"copy_removed": sorted({f.kind for f in copy.removed})} if copy else {}),
        },
    )
    session.flush()
    return result


def _copy_of(data: dict[str, Any]) -> SanitizedCopy | None:
    """The scanned copy a copy certification is appended to, when the clerk gave one,
    rebuilt from pictures of its pages (what it carried besides them is in ``removed``)."""
    encoded = data.get("copy_pdf_base64")
    if not encoded:
        return None
    try:
        copy_pdf = base64.b64decode(encoded, validate=True)
    except (binascii.Error, ValueError) as exc:
        raise ValidationError(
            "Tệp bản sao không đúng base64", "copy_pdf_base64 is not base64"
        ) from exc
    pages = copy_page_count(copy_pdf)
    if pages != data.get("copy_pages"):
        raise ValidationError(
            f"Bản sao có {pages} trang, không phải {data.get('copy_pages')}",
            f"The copy has {pages} pages, not {data.get('copy_pages')}",
        )
    return sanitize_copy(copy_pdf)


def _with_copy(copy: SanitizedCopy | None, page: RenderedDocument) -> RenderedDocument:
    return append_certification(copy, page) if copy is not None else page


def _stored_data(data: dict[str, Any], copy: SanitizedCopy | None) -> dict[str, Any]:
    """What the record keeps: the copy itself is in the document, its hash is enough here,
    with what its rebuild removed (the clerk's warning)."""
    if copy is None:
        return data
    kept = {k: v for k, v in data.items() if k != "copy_pdf_base64"}
    kept["copy_sha256"] = copy.supplied_sha256
    kept["copy_removed"] = [
        {"kind": f.kind, "object": f.object_number, "vi": f.message_vi, "en": f.message_en}
        for f in copy.removed
    ]
    return kept


def copy_warning(result: ResultDocument) -> tuple[str, str] | None:
    """The clerk's warning ("Đã loại bỏ nội dung động …") when the copy a result certifies
    carried active content; None otherwise."""
    removed = result.data.get("copy_removed") or []
    if not removed:
        return None
    return removed_summary(
        tuple(
            ActiveContent(r["kind"], r.get("object"), r.get("vi", ""), r.get("en", ""))
            for r in removed
            if r.get("kind") in KINDS
        )
    )


def get_result(session: Session, result_id: int, *, for_update: bool = False) -> ResultDocument:
    stmt = select(ResultDocument).where(ResultDocument.id == result_id)
    if for_update:
        stmt = stmt.with_for_update()
    result = session.scalar(stmt)
    if result is None:
        raise NotFoundError("Không có văn bản kết quả này", "No such result document")
    return result


def next_signature(result: ResultDocument) -> ResultSignature | None:
    return next(
        (s for s in sorted(result.signatures, key=lambda s: s.position) if s.signed_at is None),
        None,
    )


def queue(session: Session, actor: Actor) -> list[tuple[ResultDocument, ResultSignature]]:
    """The documents waiting for this official's signature now (their turn has come)."""
    require(actor, UserRole.OFFICIAL, scope="results")
    rows = session.scalars(
        select(ResultDocument)
        .where(ResultDocument.status == ResultStatus.AWAITING_SIGNATURES)
        .order_by(ResultDocument.id)
    ).all()
    out = []
    for result in rows:
        sig = next_signature(result)
        if sig is not None and sig.role == actor.official_role:
            out.append((result, sig))
    return out


@dataclass(frozen=True, slots=True)
class SignOutcome:
    result_id: int
    ok: bool
    code: str | None = None
    message_vi: str | None = None
    message_en: str | None = None
    document_sha256: str | None = None
    completed: bool = False


def certificate_sha256(store: KeyStore) -> str:
    from cryptography.hazmat.primitives.serialization import Encoding

    return hashlib.sha256(store.certificate.public_bytes(Encoding.DER)).hexdigest()


def official_signer(
    session: Session, actor: Actor, service: Service, store: KeyStore
) -> DocumentSigner:
    """A signer for the logged-in official, refused unless the key's certificate is the one
    registered for them (and passes the certificate checks)."""
    require(actor, UserRole.OFFICIAL, scope="results")
    user = session.get(User, actor.user_id)
    if user is None or user.certificate_sha256 is None:
        raise WrongSignerError(
            "Chưa đăng ký chứng thư số cho người ký này",
            "No certificate is registered for this official",
            code="certificate_not_registered",
        )
    if certificate_sha256(store) != user.certificate_sha256:
        raise WrongSignerError(
            "Chứng thư số trong khóa không phải chứng thư đã đăng ký cho người ký này",
            "The key's certificate is not the one registered for this official",
            code="certificate_mismatch",
        )
    signer = make_signer(
        service.pki,
        store,
        level=service.signing_level,
        timestamp_sources=service.timestamp_sources(),
        title=user.title or ROLE_TITLES.get(actor.official_role or ""),
    )
    signer.check_certificate()
    return signer


def sign_one(session: Session, actor: Actor, signer: DocumentSigner, result_id: int) -> SignOutcome:
    """Sign this official's field of one result, in its own transaction (the caller's)."""
    result = get_result(session, result_id, for_update=True)
    if result.status is ResultStatus.RETURNED:
        raise ConflictError(
            f"Văn bản {result.number} đã được trả lại để sửa, không ký nữa",
            f"{result.number} was returned for correction; it is not signed any more",
            code="result_returned",
        )
    sig = next_signature(result)
    mine = [s for s in result.signatures if s.role == actor.official_role]
    if not mine:
        raise WrongSignerError(
            f"Văn bản {result.number} không có chỗ ký cho chức danh của bạn",
            f"Document {result.number} has no field for your role",
        )
    if sig is None or sig.role != actor.official_role:
        if all(s.signed_at is not None for s in mine):
            raise ConflictError(
                f"Bạn đã ký văn bản {result.number}", f"You already signed {result.number}"
            )
        raise ConflictError(
            f"Chưa đến lượt bạn ký văn bản {result.number}",
            f"Not your turn to sign {result.number}",
            code="signing_out_of_order",
        )
    doc = session.get(StoredDocument, result.document_id)
    assert doc is not None
    signed = signer.approve(doc.content, field_name=sig.field_name, role=sig.role)
    new_doc = StoredDocument(sha256=signed.sha256, size=len(signed.pdf), content=signed.pdf)
    session.add(new_doc)
    session.flush()
    result.document_id = new_doc.id
    sig.signed_at = signed.signed_at
    sig.signed_by_id = actor.user_id
    sig.certificate_sha256 = signed.certificate_sha256
    completed = next_signature(result) is None
    if completed:
        result.status = ResultStatus.SIGNED
        result.signed_at = signed.signed_at
        dossier = get_dossier(session, result.dossier_id, for_update=True)
        if dossier.status is DossierStatus.PROCESSING:
            advance(session, actor, dossier, DossierStatus.RESULT_SIGNED)
    audit.append(
        session,
        actor=actor.label,
        action="result.sign",
        subject=f"result:{result.id}",
        details={
            "field": sig.field_name,
            "sha256": signed.sha256,
            "level": signed.level.value,
            "certificate": signed.certificate_sha256,
            "tsa": signed.timestamp_authority,
        },
    )
    return SignOutcome(
        result_id=result.id, ok=True, document_sha256=signed.sha256, completed=completed
    )


__all__ = [
    "TEMPLATES",
    "SignOutcome",
    "TemplateSpec",
    "copy_warning",
    "create_result",
    "queue",
    "sign_one",
]
