"""Verifying any signed PDF: a report that cannot be fooled, and never a crash.

"Valid" needs every signature intact, chained to a configured trust root, not revoked at the
time it was made (a signature timestamp proves that time; without one, the certificate must
not be revoked now), and four checks of our own on top of pyHanko's (whose difference
analysis stays one input, never the decision):

- the file's structure, read by ourselves (:mod:`.structure`): one definition per object
  number per cross-reference section, offsets that point at their objects, nothing between
  or after the revisions, no reference in a signed revision to an object it does not define;
- every revision after the first signed one is of a kind this service writes (:mod:`.revisions`):
  an approval signature into a field that existed empty, validation data whose certificates
  chain to our roots, a document timestamp in a new invisible field;
- each signed revision, rendered by PDFium and by poppler, looks like the whole file except in
  the boxes of signatures made later (:mod:`.visual`);
- every signature field is filled: a result still awaiting an official is
  :attr:`Verdict.INCOMPLETE` ("chưa đủ chữ ký: còn chờ <chức danh>"), not valid.

Every exception of pyHanko, asn1crypto or cryptography is caught here, ``AssertionError``
included. Uploaded files are parsed in a child process with limits on size, memory and time
(:mod:`.isolation`), so a hostile file cannot hang or exhaust the service: an empty file, a
file that is not a PDF and one over the size limit are answered before any parsing, a page or
form-field tree that refers back to itself is refused before pyHanko walks it, and whatever
else takes too long is cut off, so every answer comes within 5 seconds.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import hashlib
import io
import threading
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from asn1crypto import x509 as asn1_x509
from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.diff_analysis import ModificationLevel
from pyhanko.sign.validation import async_validate_pdf_signature, async_validate_pdf_timestamp
from pyhanko.sign.validation.dss import DocumentSecurityStore
from pyhanko.sign.validation.errors import NoDSSFoundError, SignatureValidationError
from pyhanko.sign.validation.pdf_embedded import EmbeddedPdfSignature
from pyhanko.sign.validation.status import SignatureCoverageLevel
from pyhanko_certvalidator import ValidationContext

from . import fast_hex
from .completeness import awaited_fields, title_of
from .errors import VisualCheckError
from .report import (
    VERDICT_TEXT,
    Finding,
    Indication,
    SignatureReport,
    Verdict,
    VerificationReport,
    cannot_verify,
)
from .revisions import check_revisions
from .structure import Layout, StructureError, dangling_references, read_layout

if TYPE_CHECKING:
    from .visual import PageBox

MAX_BYTES = 20 * 1024 * 1024
MAX_TREE_NODES = 200_000
"""Nodes of the page and form-field trees (all revisions) a file may have."""
VISUAL_TIMEOUT = 2.5
"""Seconds the renderings of one file may take (inside :data:`DEFAULT_TIMEOUT`)."""
DEFAULT_TIMEOUT = 4.0
"""Seconds for one isolated verification: with the fork, an answer within 5 seconds."""

fast_hex.install()  # pyHanko reads /Contents hex a byte at a time: see fast_hex


@dataclass(frozen=True)
class TrustConfig:
    """What verification trusts: roots, and revocation data it may use (no network)."""

    roots: tuple[bytes, ...]
    """DER of the configured trust roots."""
    crls: tuple[bytes, ...] = ()
    ocsps: tuple[bytes, ...] = ()
    extra_certs: tuple[bytes, ...] = field(default=())


def _ctx(
    trust: TrustConfig, dss: DocumentSecurityStore | None, moment: dt.datetime | None
) -> ValidationContext:
    kwargs = {
        "trust_roots": [asn1_x509.Certificate.load(r) for r in trust.roots],
        "other_certs": [asn1_x509.Certificate.load(c) for c in trust.extra_certs],
        "crls": list(trust.crls),
        "ocsps": list(trust.ocsps),
        "allow_fetching": False,
        "revocation_mode": "require",
        "moment": moment,
    }
    if dss is not None:
        return dss.as_validation_context(kwargs)
    return ValidationContext(**kwargs)  # type: ignore[arg-type]


def _name(cert: asn1_x509.Certificate | None) -> tuple[str | None, str | None, str | None]:
    if cert is None:
        return None, None, None
    subject = cert.subject.native
    name = subject.get("common_name") or cert.subject.human_friendly
    return str(name), format(cert.serial_number, "X"), cert.issuer.human_friendly


def _covers(status: object) -> tuple[bool, str | None, str | None]:
    coverage = getattr(status, "coverage", None)
    level = getattr(status, "modification_level", None)
    return (
        coverage is SignatureCoverageLevel.ENTIRE_FILE,
        coverage.name if coverage is not None else None,
        level.name if level is not None else None,
    )


def _modifications_ok(status: object, *, approval_chain: bool) -> bool:
    coverage = getattr(status, "coverage", None)
    if coverage is SignatureCoverageLevel.ENTIRE_FILE:
        return True
    if coverage is not SignatureCoverageLevel.ENTIRE_REVISION:
        return False
    level = getattr(status, "modification_level", None)
    # A document timestamp has no DocMDP of its own (docmdp_ok is None), a signature has.
    if level is None or getattr(status, "docmdp_ok", None) is False:
        return False
    allowed = ModificationLevel.FORM_FILLING if approval_chain else ModificationLevel.LTA_UPDATES
    return bool(level <= allowed)


def _trust_sub(status: object) -> tuple[Indication, str | None, str, str]:
    indic = getattr(status, "trust_problem_indic", None)
    name = getattr(indic, "name", None)
    if name is None:
        return Indication.TOTAL_PASSED, None, "", ""
    if name == "REVOKED":
        return (
            Indication.TOTAL_FAILED,
            name,
            "chứng thư số của người ký đã bị thu hồi trước thời điểm ký",
            "the signer's certificate was revoked before the signing time",
        )
    texts = {
        "REVOKED_NO_POE": (
            "chứng thư số đã bị thu hồi và không có dấu thời gian chứng minh đã ký trước đó",
            "the certificate is revoked and no timestamp proves the signature predates it",
        ),
        "NO_CERTIFICATE_CHAIN_FOUND": (
            "chứng thư số không dẫn tới CA gốc được tin cậy",
            "the certificate does not chain to a trusted root",
        ),
        "OUT_OF_BOUNDS_NO_POE": (
            "chứng thư số đã hết hạn hoặc chưa có hiệu lực tại thời điểm kiểm tra",
            "the certificate was expired or not yet valid",
        ),
        "OUT_OF_BOUNDS_NOT_REVOKED": ("chứng thư số đã hết hạn", "the certificate has expired"),
        "EXPIRED": ("chứng thư số đã hết hạn", "the certificate has expired"),
        "NOT_YET_VALID": ("chứng thư số chưa có hiệu lực", "the certificate is not yet valid"),
        "TRY_LATER": ("không có thông tin thu hồi của chứng thư số", "no revocation information"),
    }
    vi, en = texts.get(
        name, ("chứng thư số không được chấp nhận", f"certificate not accepted ({name})")
    )
    return Indication.INDETERMINATE, name, vi, en


async def _check_signature(
    sig: EmbeddedPdfSignature,
    trust: TrustConfig,
    dss: DocumentSecurityStore | None,
    *,
    approval_chain: bool,
    has_later_doc_ts: bool,
) -> SignatureReport:
    is_doc_ts = sig.sig_object_type == "/DocTimeStamp"
    kind = (
        "document_timestamp"
        if is_doc_ts
        else (
            "certification"
            if sig.docmdp_level is not None and "/Reference" in sig.sig_object
            else "signature"
        )
    )
    # First pass at the present time, to learn whether a trusted timestamp proves when it was made.
    status: Any
    if is_doc_ts:
        status = await async_validate_pdf_timestamp(sig, validation_context=_ctx(trust, dss, None))
        ts_time, tsa = getattr(status, "timestamp", None), None
    else:
        status = await async_validate_pdf_signature(
            sig, _ctx(trust, dss, None), _ctx(trust, dss, None)
        )
        tsv = status.timestamp_validity
        ts_time = (
            tsv.timestamp if tsv is not None and tsv.valid and tsv.intact and tsv.trusted else None
        )
        tsa = _name(tsv.signing_cert)[0] if tsv is not None else None
        if ts_time is not None and status.trust_problem_indic is not None:
            # Judge the certificate at the proven signing time: revoked later is still valid.
            status = await async_validate_pdf_signature(
                sig, _ctx(trust, dss, ts_time), _ctx(trust, dss, None)
            )
    signer_name, serial, issuer = _name(getattr(status, "signing_cert", None))
    whole, coverage, modification = _covers(status)
    intact = bool(status.intact and status.valid)
    mods_ok = _modifications_ok(status, approval_chain=approval_chain)
    sub: str | None
    if not intact:
        indication, sub = (
            Indication.TOTAL_FAILED,
            "HASH_FAILURE" if not status.intact else "SIG_CRYPTO_FAILURE",
        )
        vi, en = (
            "nội dung đã bị thay đổi sau khi ký hoặc chữ ký bị hỏng",
            "the content changed after signing or the signature is broken",
        )
    elif not mods_ok:
        indication, sub = Indication.TOTAL_FAILED, "DISALLOWED_CHANGES"
        vi = f"tệp bị thêm hoặc sửa sau khi ký (mức thay đổi: {modification or 'không xác định'})"
        en = f"the file was changed after signing, not permitted ({modification or 'unknown'})"
    else:
        indication, trust_sub, vi, en = _trust_sub(status)
        sub = trust_sub
        if indication is Indication.TOTAL_PASSED:
            vi, en = "chữ ký hợp lệ", "the signature is valid"
    level = None
    if not is_doc_ts:
        level = "B-B"
        if ts_time is not None:
            level = "B-T"
            if dss is not None and (dss.crls or dss.ocsps):
                level = "B-LTA" if has_later_doc_ts else "B-LT"
    return SignatureReport(
        field_name=str(sig.field_name or ""),  # plain str: pyHanko's is a PDF object
        kind=kind,
        signer_name=signer_name,
        certificate_serial=serial,
        issuer=issuer,
        signing_time=sig.self_reported_timestamp,
        timestamp_time=ts_time,
        timestamp_authority=tsa if not is_doc_ts else signer_name,
        level=level,
        indication=indication,
        sub_indication=sub,
        message_vi=vi,
        message_en=en,
        intact=intact,
        trusted=getattr(status, "trust_problem_indic", None) is None and intact,
        revoked=bool(getattr(status, "revoked", False)),
        covers_whole_file=whole,
        coverage=coverage,
        modification_level=modification,
        docmdp_ok=getattr(status, "docmdp_ok", None),
        signed_until=_signed_until(sig),
        certificate_sha256=_certificate_sha256(getattr(status, "signing_cert", None)),
    )


def _signed_until(sig: EmbeddedPdfSignature) -> int | None:
    try:
        start1, length1, start2, length2 = (int(v) for v in sig.byte_range)
    except (TypeError, ValueError):
        return None
    return max(start1 + length1, start2 + length2)


def _certificate_sha256(cert: asn1_x509.Certificate | None) -> str | None:
    return None if cert is None else hashlib.sha256(cert.dump()).hexdigest()


class _Unreadable(Exception):
    def __init__(self, message_vi: str, message_en: str) -> None:
        super().__init__(message_en)
        self.message_vi, self.message_en = message_vi, message_en


def _check_trees(reader: PdfFileReader) -> None:
    """Refuse a page tree or form-field tree in which an object is reached twice (a loop
    through ``/Kids``), or a ``/Parent`` chain that never ends, in any revision: pyHanko's
    walks (signature fields, the comparison of revisions) would recurse or spin on them."""
    budget = [MAX_TREE_NODES]
    for revision in range(reader.total_revisions):
        root = reader.get_historical_root(revision)
        acroform = _entry(root, "/AcroForm")
        trees = [("/Pages", [root.raw_get("/Pages")] if "/Pages" in root else [])]
        if isinstance(acroform, generic.DictionaryObject) and "/Fields" in acroform:
            fields = acroform["/Fields"]
            if isinstance(fields, generic.ArrayObject):
                trees.append(("/Fields", list(fields.iterate())))
        for name, starts in trees:
            _walk_tree(name, starts, budget)


def _entry(node: generic.DictionaryObject, key: str) -> generic.PdfObject | None:
    """``node[key]`` dereferenced, or None (``.get()`` would not dereference)."""
    try:
        value: generic.PdfObject = node[key]
    except KeyError:
        return None
    return value


def _walk_tree(name: str, starts: list[generic.PdfObject], budget: list[int]) -> None:
    seen: set[tuple[int, int]] = set()
    ends: set[tuple[int, int]] = set()
    stack = list(starts)
    while stack:
        item = stack.pop()
        if isinstance(item, generic.IndirectObject):
            ref = (item.idnum, item.generation)
            if ref in seen:
                raise _Unreadable(
                    f"tệp có vòng tham chiếu trong cây {name} (một đối tượng trỏ về chính nó)",
                    f"the {name} tree refers back to itself (reference loop)",
                )
            seen.add(ref)
            item = item.get_object()
        budget[0] -= 1
        if budget[0] < 0:
            raise _Unreadable(
                "tệp có quá nhiều trang hoặc trường biểu mẫu", "too many pages or form fields"
            )
        if not isinstance(item, generic.DictionaryObject):
            continue
        _check_parents(name, item, ends)
        kids = _entry(item, "/Kids")
        if isinstance(kids, generic.ArrayObject):
            stack.extend(kids.iterate())


def _check_parents(
    name: str, node: generic.DictionaryObject, ends: set[tuple[int, int]], limit: int = 256
) -> None:
    """Follow ``/Parent`` up from ``node``; ``ends`` holds the nodes already known to lead
    to the top, so each node is climbed through once per tree."""
    chain: list[tuple[int, int]] = []
    parent = node.raw_get("/Parent") if "/Parent" in node else None
    for _ in range(limit):
        if not isinstance(parent, generic.IndirectObject):
            break
        ref = (parent.idnum, parent.generation)
        if ref in ends:
            break
        if ref in chain:
            raise _Unreadable(
                f"tệp có vòng tham chiếu /Parent trong cây {name}",
                f"the /Parent chain in the {name} tree never ends (reference loop)",
            )
        chain.append(ref)
        up = parent.get_object()
        if not isinstance(up, generic.DictionaryObject):
            break
        parent = up.raw_get("/Parent") if "/Parent" in up else None
    else:
        raise _Unreadable(
            f"cây {name} của tệp sâu bất thường", f"the {name} tree is abnormally deep"
        )
    ends.update(chain)


async def _verify(
    pdf: bytes, trust: TrustConfig, expected_sha256: str | None, *, visual: bool
) -> VerificationReport:
    sha = hashlib.sha256(pdf).hexdigest()
    reader = PdfFileReader(io.BytesIO(pdf), strict=False)
    _check_trees(reader)
    try:
        layout = read_layout(pdf, reader)
    except StructureError as exc:
        raise _Unreadable(exc.message_vi, exc.message_en) from exc
    sigs = list(reader.embedded_signatures)
    matches = None if expected_sha256 is None else sha == expected_sha256
    if not sigs:
        return VerificationReport(
            verdict=Verdict.INVALID,
            message_vi="Tệp không có chữ ký số",
            message_en="The file has no signature",
            sha256=sha,
            size=len(pdf),
            matches_record=matches,
            revisions=len(layout.revisions),
        )
    try:
        dss: DocumentSecurityStore | None = DocumentSecurityStore.read_dss(reader)
    except NoDSSFoundError:
        dss = None
    approval_chain = sum(1 for s in sigs if s.sig_object_type == "/Sig") > 1
    reports = []
    for i, sig in enumerate(sigs):
        later_doc_ts = any(s.sig_object_type == "/DocTimeStamp" for s in sigs[i + 1 :])
        reports.append(
            await _check_signature(
                sig, trust, dss, approval_chain=approval_chain, has_later_doc_ts=later_doc_ts
            )
        )
    findings = list(_structure_problems(layout, reader, sigs, trust))
    if visual and not findings:
        findings.extend(_visual_problems(pdf, layout, reader, sigs, timeout=VISUAL_TIMEOUT))
    problems_vi = [f.message_vi for f in findings]
    problems_en = [f.message_en for f in findings]
    failed = [r for r in reports if not r.passed]
    for r in failed:
        problems_vi.append(f"{r.field_name}: {r.message_vi}")
        problems_en.append(f"{r.field_name}: {r.message_en}")
    if matches is False:
        problems_vi.append("tệp không trùng với bản lưu của đơn vị")
        problems_en.append("the file is not the one on record")
    awaiting = awaited_fields(reader)
    titles = [title_of(name) for name in awaiting]
    head_vi, head_en = VERDICT_TEXT[Verdict.INVALID]
    if problems_vi:
        verdict = Verdict.INVALID
        message_vi = head_vi + ": " + "; ".join(problems_vi)
        message_en = head_en + ": " + "; ".join(problems_en)
    elif titles:
        verdict = Verdict.INCOMPLETE
        message_vi = "Chưa đủ chữ ký: còn chờ " + ", ".join(vi for vi, _ in titles)
        message_en = "Not yet fully signed: still awaiting " + ", ".join(en for _, en in titles)
        message_vi += f" ({len(reports)} chữ ký đã có đều hợp lệ)"
        message_en += f" (the {len(reports)} signatures present are valid)"
    else:
        verdict = Verdict.VALID
        head_vi, head_en = VERDICT_TEXT[verdict]
        message_vi = f"{head_vi}: {len(reports)} chữ ký đều hợp lệ"
        message_en = f"{head_en}: all {len(reports)} signatures valid"
    return VerificationReport(
        verdict=verdict,
        message_vi=message_vi,
        message_en=message_en,
        signatures=tuple(reports),
        sha256=sha,
        size=len(pdf),
        matches_record=matches,
        revisions=len(layout.revisions),
        problems=tuple(findings),
        awaiting=tuple(vi for vi, _ in titles),
    )


def _structure_problems(
    layout: Layout,
    reader: PdfFileReader,
    sigs: Sequence[EmbeddedPdfSignature],
    trust: TrustConfig,
) -> list[Finding]:
    """Our own reading of the file: its structure, then the whitelist of later revisions."""
    problems = list(layout.problems)
    for revision in sorted({s.signed_revision for s in sigs}):
        missing = dangling_references(layout, reader, revision)
        if missing:
            listed = ", ".join(str(n) for n in sorted(missing)[:12])
            problems.append(
                Finding(
                    "undefined_reference",
                    f"lần sửa {revision} đã ký trỏ tới đối tượng {listed} mà nó không có "
                    "(có thể được điền vào sau khi ký)",
                    f"signed revision {revision} refers to object {listed}, which it does not "
                    "define (it can be filled in after signing)",
                    revision,
                    tuple(sorted(missing)),
                )
            )
    check = check_revisions(
        layout, reader, sigs, roots=trust.roots, extra_certs=trust.extra_certs, crls=trust.crls
    )
    problems.extend(check.problems)
    return problems


def _visual_problems(
    pdf: bytes,
    layout: Layout,
    reader: PdfFileReader,
    sigs: Sequence[EmbeddedPdfSignature],
    *,
    timeout: float,
) -> list[Finding]:
    """Each signed revision rendered against the whole file by PDFium and poppler
    (:mod:`.visual`); only the boxes of signatures made after a revision may differ."""
    from .visual import rendered_changes

    pages = _page_numbers(reader)
    boxes: list[tuple[int, PageBox]] = []  # (signed revision, where its stamp is drawn)
    for sig in sigs:
        box = _widget_box(sig, pages)
        if box is not None:
            boxes.append((sig.signed_revision, box))
    signed = sorted({s.signed_revision for s in sigs})
    request = [
        (layout.revisions[r].end, tuple(b for later, b in boxes if later > r)) for r in signed
    ]
    try:
        found = rendered_changes(pdf, revisions=request, timeout=timeout)
    except VisualCheckError as exc:
        raise _Unreadable(exc.message_vi, exc.message_en) from exc
    findings = []
    for diff in found:
        revision = signed[diff.revision]
        where_vi = f"trang {diff.page + 1}" if diff.page >= 0 else "số trang"
        where_en = f"page {diff.page + 1}" if diff.page >= 0 else "the page count"
        findings.append(
            Finding(
                code="visual_change",
                message_vi=f"nội dung hiển thị đã thay đổi sau khi ký (lần sửa {revision}, "
                f"{diff.renderer}, {where_vi}): {diff.message_vi}",
                message_en=f"what a reader shows changed after signing (revision {revision}, "
                f"{diff.renderer}, {where_en}): {diff.message_en}",
                revision=revision,
            )
        )
    return findings


def _page_numbers(reader: PdfFileReader) -> dict[int, int]:
    """Object number of each page → its index, in document order."""
    numbers: dict[int, int] = {}
    stack: list[generic.PdfObject] = [reader.root.raw_get("/Pages")]
    while stack and len(numbers) <= MAX_TREE_NODES:
        item = stack.pop()
        number = item.idnum if isinstance(item, generic.IndirectObject) else None
        node = item.get_object()
        if not isinstance(node, generic.DictionaryObject):
            continue
        kids = _entry(node, "/Kids")
        if isinstance(kids, generic.ArrayObject):
            stack.extend(reversed([kids.raw_get(i) for i in range(len(kids))]))
        elif number is not None:
            numbers[number] = len(numbers)
    return numbers


def _widget_box(sig: EmbeddedPdfSignature, pages: dict[int, int]) -> PageBox | None:
    from .visual import PageBox

    widget = sig.sig_field
    rect = _entry(widget, "/Rect")
    page_ref = widget.raw_get("/P") if "/P" in widget else None
    if not isinstance(rect, generic.ArrayObject) or len(rect) != 4:
        return None
    x0, y0, x1, y1 = (float(v) for v in rect)
    if x0 == x1 or y0 == y1:
        return None  # invisible (document timestamps)
    page = pages.get(page_ref.idnum) if isinstance(page_ref, generic.IndirectObject) else None
    if page is None:
        return None
    return PageBox(page, min(x0, x1), min(y0, y1), max(x0, x1), max(y0, y1))


def _precheck(pdf: bytes, max_bytes: int | None) -> VerificationReport | None:
    """What is refused without parsing: empty, too large, not a PDF."""
    if not pdf:
        return cannot_verify("tệp rỗng", "the file is empty")
    if max_bytes is not None and len(pdf) > max_bytes:
        return cannot_verify(
            f"tệp lớn quá giới hạn {max_bytes // (1024 * 1024)} MB",
            f"file larger than {max_bytes} bytes",
            size=len(pdf),
        )
    if b"%PDF-" not in pdf[:1024]:
        return cannot_verify("không phải tệp PDF", "not a PDF file", size=len(pdf))
    return None


def verify_in_process(
    pdf: bytes, trust: TrustConfig, expected_sha256: str | None = None, *, visual: bool = True
) -> VerificationReport:
    """Verify in this process: for files we made ourselves. Uploads go through :func:`verify`."""
    refused = _precheck(pdf, None)
    if refused is not None:
        return refused
    try:
        return asyncio.run(_verify(pdf, trust, expected_sha256, visual=visual))
    except _Unreadable as exc:
        return cannot_verify(exc.message_vi, exc.message_en, size=len(pdf))
    except (SignatureValidationError, RecursionError, MemoryError) as exc:
        return cannot_verify(
            f"cấu trúc chữ ký hoặc tệp không đọc được ({type(exc).__name__})",
            f"unreadable signature or file structure: {exc}",
            size=len(pdf),
        )
    except Exception as exc:  # pyHanko, asn1crypto, cryptography, AssertionError: never a crash
        return cannot_verify(
            f"tệp PDF hỏng hoặc không đúng chuẩn ({type(exc).__name__})",
            f"broken or non-conforming PDF: {type(exc).__name__}: {exc}",
            size=len(pdf),
        )


def verify(
    pdf: bytes,
    *,
    trust: TrustConfig,
    expected_sha256: str | None = None,
    max_bytes: int = MAX_BYTES,
    timeout: float = DEFAULT_TIMEOUT,
    memory_bytes: int = 768 * 1024 * 1024,
    isolate: bool = True,
    visual: bool = True,
    fork: bool = False,
) -> VerificationReport:
    """Verify a PDF from anyone: bounded in size, time and memory. Empty, oversized and
    non-PDF files are answered here, without a child process. ``fork``: the caller is
    single-threaded (the command line): fork it for each file rather than start a fork
    server (``isolation.run_forked``). A caller that turns out to run other threads (the
    command line called inside a test process or a server) gets the fork server instead: a
    fork copies the other threads' locks mid-use, and C extensions then fail in the child
    ("SystemError: error return without exception set" was seen)."""
    refused = _precheck(pdf, max_bytes)
    if refused is not None:
        return refused
    if not isolate:
        return verify_in_process(pdf, trust, expected_sha256, visual=visual)
    if fork and threading.active_count() == 1:
        from .isolation import run_forked

        return run_forked(
            pdf, trust, expected_sha256, timeout=timeout, memory_bytes=memory_bytes, visual=visual
        )
    from .isolation import run_isolated

    return run_isolated(
        pdf, trust, expected_sha256, timeout=timeout, memory_bytes=memory_bytes, visual=visual
    )


__all__: Sequence[str] = ["TrustConfig", "verify", "verify_in_process"]
