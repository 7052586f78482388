"""Signing PDFs: the ward's certification of receipts, officials' approvals of results.

A :class:`DocumentSigner` is built once per certificate and reused for every document: the
certificate is checked (``certs``) before its first signature and again when the day changes,
the pyHanko signer keeps the parsed key and pre-encoded CMS parts, and the size of
``/Contents`` is measured once. The async functions are the ones to call inside the service's
event loop; the plain ones run them for the CLI and worker threads.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import hashlib
import io
from collections.abc import Callable, Coroutine, Sequence
from dataclasses import dataclass, field
from typing import Any, TypeVar

from cryptography.hazmat.primitives.serialization import Encoding
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.pdf_utils.misc import PdfError
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign import fields, signers
from pyhanko.sign.general import SigningError as PyHankoSigningError
from pyhanko.sign.timestamps.common_utils import TimestampRequestError
from pyhanko_certvalidator import ValidationContext

from certs import CertsError, KeyStore, RevocationChecker, TrustStore, check_signing_certificate
from receipts.pdf import SignaturePlace

from . import fast_hex
from .appearance import VietnameseStampStyle
from .errors import FieldOrderError, SigningError, WrongSignerError
from .field_names import FIELD_PREFIX as FIELD_PREFIX  # re-exported
from .field_names import field_name_for as field_name_for
from .field_names import parse_field_name as parse_field_name
from .levels import PadesLevel as PadesLevel  # re-exported: callers import it from here
from .signer import StoreSigner
from .timestamps import FallbackTimeStamper, TimestampSource

T = TypeVar("T")

fast_hex.install()  # pyHanko reads /Contents hex a byte at a time: see fast_hex


@dataclass(frozen=True, slots=True)
class Signed:
    pdf: bytes = field(repr=False)  # a repr of the whole PDF would flood logs (and costs 1 ms)
    sha256: str
    field_name: str
    signed_at: dt.datetime
    level: PadesLevel
    timestamp_authority: str | None
    certificate_sha256: str


ValidationContextFactory = Callable[[], ValidationContext]
"""Makes the context used to gather revocation data for B-LT (no network: data supplied)."""


class DocumentSigner:
    def __init__(
        self,
        store: KeyStore,
        *,
        display_name: str,
        title: str | None = None,
        trust: TrustStore,
        revocation: RevocationChecker | None,
        timestamp_sources: Sequence[TimestampSource] = (),
        level: PadesLevel = PadesLevel.B_B,
        validation_context: ValidationContextFactory | None = None,
        location: str | None = None,
    ) -> None:
        if level is not PadesLevel.B_B and not timestamp_sources:
            raise SigningError(
                f"Mức {level.value} cần máy chủ cấp dấu thời gian", f"{level.value} needs a TSA"
            )
        if level in (PadesLevel.B_LT, PadesLevel.B_LTA) and validation_context is None:
            raise SigningError(
                f"Mức {level.value} cần dữ liệu thu hồi", f"{level.value} needs revocation data"
            )
        self.store = store
        self.signer = StoreSigner(store)
        self.display_name = display_name
        self.title = title
        self.trust = trust
        self.revocation = revocation
        self.timestamp_sources = tuple(timestamp_sources)
        self.level = level
        self.validation_context = validation_context
        self.location = location
        self.certificate_sha256 = hashlib.sha256(
            store.certificate.public_bytes(Encoding.DER)
        ).hexdigest()
        self._style = VietnameseStampStyle(signer_name=display_name, title=title)
        self._checked_on: dt.date | None = None

    # -- the certificate check before any byte is signed
    def check_certificate(self, *, at: dt.datetime | None = None) -> None:
        at = at or dt.datetime.now(dt.UTC)
        result = check_signing_certificate(
            self.store.certificate,
            trust=self.trust,
            at=at,
            revocation=self.revocation,
            intermediates=self.store.chain,
        )
        if not result.accepted:
            vi = "; ".join(f.message_vi for f in result.problems)
            en = "; ".join(f.message_en for f in result.problems)
            raise WrongSignerError(
                f"Không ký được bằng chứng thư số của {self.display_name}: {vi}",
                f"Cannot sign with the certificate of {self.display_name}: {en}",
                code="certificate_refused",
            )
        self._checked_on = at.date()

    def _ensure_checked(self) -> None:
        if self._checked_on != dt.datetime.now(dt.UTC).date():
            self.check_certificate()

    def _metadata(
        self, *, field_name: str, certify: bool, approve_lock: bool = False
    ) -> signers.PdfSignatureMetadata:
        lt = self.level in (PadesLevel.B_LT, PadesLevel.B_LTA)
        return signers.PdfSignatureMetadata(
            field_name=field_name,
            certify=certify,
            docmdp_permissions=fields.MDPPerm.NO_CHANGES,
            subfilter=fields.SigSeedSubFilter.PADES,
            name=self.display_name,
            location=self.location,
            embed_validation_info=lt,
            use_pades_lta=self.level is PadesLevel.B_LTA,
            validation_context=self.validation_context()
            if lt and self.validation_context
            else None,
        )

    async def _sign(
        self,
        pdf: bytes,
        meta: signers.PdfSignatureMetadata,
        *,
        new_field: fields.SigFieldSpec | None,
    ) -> Signed:
        self._ensure_checked()
        stamper = FallbackTimeStamper(self.timestamp_sources) if self.timestamp_sources else None
        pdf_signer = _TimedPdfSigner(
            meta,
            signer=self.signer,
            timestamper=stamper,
            stamp_style=self._style,
            new_field_spec=new_field,
        )
        # The time written in /M, whole seconds as PDF dates have: known here, so the signed
        # file need not be parsed again to learn it.
        signed_at = pdf_signer.signing_time = dt.datetime.now(dt.UTC).replace(microsecond=0)
        try:
            writer = IncrementalPdfFileWriter(io.BytesIO(pdf), strict=False)
            out = await pdf_signer.async_sign_pdf(
                writer,
                existing_fields_only=new_field is None,
                bytes_reserved=self.signer.bytes_reserved(with_timestamp=stamper is not None),
            )
        except TimestampRequestError as exc:
            raise SigningError(
                "Không lấy được dấu thời gian từ máy chủ nào",
                f"No timestamp authority answered: {exc}",
                code="timestamp_unavailable",
            ) from exc
        except (PdfError, PyHankoSigningError, CertsError, ValueError) as exc:
            raise SigningError(
                f"Không ký được tài liệu: {exc}", f"Could not sign the document: {exc}"
            ) from exc
        data = out.getvalue()
        return Signed(
            pdf=data,
            sha256=hashlib.sha256(data).hexdigest(),
            field_name=meta.field_name or "",
            signed_at=signed_at,
            level=self.level,
            timestamp_authority=stamper.used if stamper else None,
            certificate_sha256=self.certificate_sha256,
        )

    # -- receipts: the ward's certification signature, no changes allowed afterwards
    async def async_certify(self, pdf: bytes, *, place: SignaturePlace) -> Signed:
        spec = fields.SigFieldSpec(
            place.field_name, on_page=place.page_index, box=_int_box(place.rect.as_tuple())
        )
        return await self._sign(
            pdf, self._metadata(field_name=place.field_name, certify=True), new_field=spec
        )

    def certify(self, pdf: bytes, *, place: SignaturePlace) -> Signed:
        return _run(self.async_certify(pdf, place=place))

    # -- result documents: approvals in the order of the prepared fields
    async def async_approve(self, pdf: bytes, *, field_name: str, role: str | None) -> Signed:
        check_turn(pdf, field_name=field_name, role=role)
        return await self._sign(
            pdf, self._metadata(field_name=field_name, certify=False), new_field=None
        )

    def approve(self, pdf: bytes, *, field_name: str, role: str | None) -> Signed:
        return _run(self.async_approve(pdf, field_name=field_name, role=role))


def _run(coro: Coroutine[Any, Any, T]) -> T:
    """Run a coroutine from synchronous code (the CLI, worker threads of the API)."""
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return asyncio.run(coro)
    coro.close()
    raise RuntimeError("inside an event loop: await the async_ variant")


def _int_box(box: tuple[float, float, float, float]) -> tuple[int, int, int, int]:
    x1, y1, x2, y2 = box
    return round(x1), round(y1), round(x2), round(y2)


class _TimedPdfSigner(signers.PdfSigner):
    """A ``PdfSigner`` whose signing time (``/M``) is chosen by the caller."""

    signing_time: dt.datetime | None = None

    def init_signing_session(
        self, pdf_out: Any, existing_fields_only: bool = False
    ) -> signers.pdf_signer.PdfSigningSession:
        session = super().init_signing_session(pdf_out, existing_fields_only=existing_fields_only)
        if self.signing_time is not None:
            session.system_time = self.signing_time
        return session


# -- preparing result documents: empty signature fields, the last one locking the document
def prepare_approval_fields(pdf: bytes, places: Sequence[SignaturePlace]) -> bytes:
    """Add one empty signature field per official, in signing order; signing the last one
    locks every field and the document (FieldMDP all, DocMDP no changes)."""
    if not places:
        raise SigningError("Tài liệu cần ít nhất một chỗ ký", "A document needs a signature place")
    writer = IncrementalPdfFileWriter(io.BytesIO(pdf), strict=False)
    for i, place in enumerate(places, start=1):
        last = i == len(places)
        if not place.role:
            raise SigningError("Chỗ ký chưa ghi chức danh", "A signature place has no role")
        fields.append_signature_field(
            writer,
            fields.SigFieldSpec(
                field_name_for(i, place.role),
                on_page=place.page_index,
                box=_int_box(place.rect.as_tuple()),
                field_mdp_spec=fields.FieldMDPSpec(fields.FieldMDPAction.ALL) if last else None,
                doc_mdp_update_value=fields.MDPPerm.NO_CHANGES if last else None,
            ),
        )
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def check_turn(pdf: bytes, *, field_name: str, role: str | None) -> None:
    """Refuse a field that is not this role's, or whose earlier fields are not yet signed."""
    try:
        reader = PdfFileReader(io.BytesIO(pdf), strict=False)
        names = [name for name, _, _ in fields.enumerate_sig_fields(reader)]
        signed = {s.field_name for s in reader.embedded_signatures}
    except (PdfError, ValueError) as exc:
        raise SigningError(f"Tài liệu PDF hỏng: {exc}", f"Broken PDF: {exc}") from exc
    parsed = parse_field_name(field_name)
    if field_name not in names or parsed is None:
        raise SigningError(
            f"Tài liệu không có chỗ ký {field_name}", f"No signature field {field_name}"
        )
    position, field_role = parsed
    if role is not None and field_role != role:
        raise WrongSignerError(
            f"Chỗ ký {field_name} dành cho chức danh {field_role}, không phải {role}",
            f"Field {field_name} is for {field_role}, not {role}",
        )
    if field_name in signed:
        raise FieldOrderError(
            f"Chỗ ký {field_name} đã được ký", f"Field {field_name} is already signed"
        )
    for name in names:
        p = parse_field_name(name)
        if p is not None and p[0] < position and name not in signed:
            raise FieldOrderError(
                f"Chưa đến lượt: {name} phải ký trước", f"Out of order: {name} must sign first"
            )
