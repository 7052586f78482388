"""Time to verify one signed document: our verifier, the visual check and pdfsig, in one run.

The documents are made first, with a throwaway development PKI in a temporary folder, as the
tests make them: a realistic e-receipt (receipts.pdf) certified by the ward's seal, PAdES B-B
and B-LT (its validation data is a revision after the signature), and a marital-status
confirmation approved by the judicial officer and then the chairman (two signatures, two
stamps), B-B. Then, per document, the best round of:

- ours: ``verify_in_process`` (pyHanko validation, trust, revocation, our checks) without
  the visual check;
- visual: ``rendered_changes`` alone, both renderers (PDFium in this process, poppler's
  ``pdftoppm`` in subprocesses), every signed revision against the whole file, the later
  signatures' boxes allowed;
- pdfsig: ``pdfsig FILE`` as a whole process (poppler's verifier), the baseline;

with ratios to pdfsig, and the visual check at other resolutions (the time side of the dpi
choice in esign/signing/visual.py). Exit status 1 when a document does not verify as valid, or
the visual check finds a difference in a genuine document.

    python bench/bench_verify.py --rounds 5
"""

from __future__ import annotations

import argparse
import datetime as dt
import inspect
import io
import resource
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, cast

ROOT = Path(__file__).resolve().parents[1]
DPI_SWEEP = (36, 72, 100, 150)


@dataclass(frozen=True)
class DocResult:
    name: str
    pages: int
    signatures: int
    ours: Timing
    visual: Timing
    pdfsig: Timing
    pdfium: Timing
    """One PDFium rendering of the whole file, in this process."""
    poppler: Timing
    """One pdftoppm rendering of the whole file (a process)."""
    sweep: tuple[tuple[int, Timing], ...]
    """(dpi, timing) of the visual check at other resolutions."""
    valid: bool
    differences: int
    pdfsig_valid: int

    @property
    def ok(self) -> bool:
        return self.valid and self.differences == 0 and self.pdfsig_valid == self.signatures


@dataclass(frozen=True)
class Timing:
    wall: float
    """Seconds on the clock: includes waiting for a core on a busy machine."""
    cpu: float
    """Seconds of CPU of this process and its finished children (pdftoppm, pdfsig)."""


def _cpu() -> float:
    own, children = (
        resource.getrusage(w) for w in (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN)
    )
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def best(action: Callable[[], Any], rounds: int) -> Timing:
    """The fastest of ``rounds`` runs on the clock, the mean CPU (one warm-up run first)."""
    action()
    walls, cpus = [], []
    for _ in range(rounds):
        start, cpu = time.perf_counter(), _cpu()
        action()
        walls.append(time.perf_counter() - start)
        cpus.append(_cpu() - cpu)
    return Timing(min(walls), sum(cpus) / len(cpus))


def make_documents(folder: Any) -> list[tuple[str, bytes, list[tuple[int, list[Any]]]]]:
    """(name, signed PDF, revisions for rendered_changes) of the documents."""
    from pyhanko.pdf_utils.reader import PdfFileReader

    from esign.signing import pki as wiring
    from esign.signing.sign import (
        PadesLevel,
        SignaturePlace,
        field_name_for,
        prepare_approval_fields,
    )
    from esign.signing.visual import PageBox

    sys.path.insert(0, str(ROOT / "bench"))
    from bench_render import sample_receipt

    from receipts.pdf import Receipt, render_receipt, render_result
    from tests.utils.pdf_samples import marital

    def signer(name: str) -> Any:
        return wiring.make_signer(folder, folder.key_store(name), level=PadesLevel.B_B)

    def places(doc: Any) -> list[SignaturePlace]:
        return [
            SignaturePlace.at(
                p.field_name, page_index=p.page_index, box=p.rect.as_tuple(), role=p.role
            )
            for p in doc.signatures
        ]

    def revisions(pdf: bytes, later: list[SignaturePlace]) -> list[tuple[int, list[Any]]]:
        reader = PdfFileReader(io.BytesIO(pdf), strict=False)
        ends = sorted(
            int(s.byte_range[2]) + int(s.byte_range[3]) for s in reader.embedded_signatures
        )
        return [
            (end, [PageBox(p.page_index, *p.rect.as_tuple()) for p in later[i + 1 :]])
            for i, end in enumerate(ends)
        ]

    receipt = render_receipt(cast(Receipt, sample_receipt()))
    (seal,) = places(receipt)
    out = []
    for level in (PadesLevel.B_B, PadesLevel.B_LT):
        seal_signer = wiring.make_signer(folder, folder.key_store("seal"), level=level)
        certified = seal_signer.certify(receipt.pdf, place=seal).pdf
        out.append((f"receipt, certified, {level.value}", certified, revisions(certified, [seal])))
    result = render_result(marital())
    officials = places(result)
    pdf = prepare_approval_fields(result.pdf, officials)
    officers = ("judicial-officer", "chairman")
    for i, (who, place) in enumerate(zip(officers, officials, strict=True), start=1):
        pdf = (
            signer(who).approve(pdf, field_name=field_name_for(i, place.role), role=place.role).pdf
        )
    out.append(("result, 2 signatures, B-B", pdf, revisions(pdf, officials)))
    return out


def run(rounds: int) -> list[DocResult]:
    sys.path.insert(0, str(ROOT))
    import pypdfium2

    from certs import DEV_ARCHITECTURE, init_pki_folder, load_spec, open_pki_folder
    from esign.signing import pki as wiring
    from esign.signing.renderers import render_pdfium, render_poppler
    from esign.signing.report import Verdict
    from esign.signing.verify import verify_in_process
    from esign.signing.visual import DEFAULT_DPI, rendered_changes

    # once the verifier runs the visual check itself, it is switched off here: timed apart
    accepts = inspect.signature(verify_in_process).parameters
    without_visual = {"visual": False} if "visual" in accepts else {}
    results = []
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "pki"
        init_pki_folder(
            path, spec=load_spec(architecture=DEV_ARCHITECTURE), now=dt.datetime.now(dt.UTC)
        )
        folder = open_pki_folder(path)
        trust = wiring.trust_config(folder)
        for name, pdf, revisions in make_documents(folder):
            file = Path(tmp) / "doc.pdf"
            file.write_bytes(pdf)

            def ours(pdf: bytes = pdf) -> Any:
                return verify_in_process(pdf, trust, **without_visual)

            def visual(pdf: bytes = pdf, revisions: Any = revisions, dpi: int = 100) -> Any:
                return rendered_changes(pdf, revisions=revisions, dpi=dpi)

            def pdfsig(file: Path = file) -> str:
                return subprocess.run(
                    ["pdfsig", str(file)], capture_output=True, text=True, check=False
                ).stdout

            def pdfium_once(pdf: bytes = pdf) -> Any:
                return render_pdfium(pdf, dpi=DEFAULT_DPI, deadline=time.monotonic() + 60)

            def poppler_once(pdf: bytes = pdf) -> Any:
                with tempfile.TemporaryDirectory() as out:
                    deadline = time.monotonic() + 60
                    return render_poppler(pdf, Path(out) / "p", dpi=DEFAULT_DPI, deadline=deadline)

            report = ours()
            differences = visual()
            results.append(
                DocResult(
                    name=name,
                    pages=len(pypdfium2.PdfDocument(pdf)),
                    signatures=len(revisions),
                    ours=best(ours, rounds),
                    visual=best(visual, rounds),
                    pdfsig=best(pdfsig, rounds),
                    pdfium=best(pdfium_once, rounds),
                    poppler=best(poppler_once, rounds),
                    sweep=tuple(
                        (dpi, best(lambda dpi=dpi: visual(dpi=dpi), max(1, rounds // 2)))
                        for dpi in DPI_SWEEP
                    ),
                    valid=report.verdict is Verdict.VALID,
                    differences=len(differences),
                    pdfsig_valid=pdfsig().count("Signature is Valid"),
                )
            )
    return results


def main(argv: Sequence[str] | None = None) -> list[DocResult]:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    ap.add_argument("--rounds", type=int, default=5, help="timed runs per measure (best kept)")
    args = ap.parse_args(argv)
    results = run(args.rounds)
    print(
        f"{args.rounds} rounds, ms per document: best wall clock and mean CPU (this process and"
        " its children), each with its ratio to pdfsig"
    )
    for r in results:
        print(f"{r.name} ({r.pages} page(s), {r.signatures} signature(s))")
        both = Timing(r.ours.wall + r.visual.wall, r.ours.cpu + r.visual.cpu)
        for label, t in (
            ("ours (verify_in_process, no visual)", r.ours),
            ("visual check, both renderers", r.visual),
            ("  of which one PDFium rendering", r.pdfium),
            ("  of which one pdftoppm process", r.poppler),
            ("ours + visual", both),
            ("pdfsig FILE (process)", r.pdfsig),
        ):
            print(
                f"  {label:<38} wall {t.wall * 1e3:7.1f} ms {t.wall / r.pdfsig.wall:5.1f}x"
                f"  cpu {t.cpu * 1e3:7.1f} ms {t.cpu / max(r.pdfsig.cpu, 1e-9):5.1f}x"
            )
        if r.visual.wall < 1e-3:
            print("  (nothing follows the signed revision: the visual check renders nothing)")
        sweep = ", ".join(f"{dpi} dpi {t.wall * 1e3:.0f}/{t.cpu * 1e3:.0f}" for dpi, t in r.sweep)
        print(f"  visual check by resolution, wall/cpu ms: {sweep}")
        print(
            f"  verdict: {'valid' if r.valid else 'NOT VALID'}; visual differences: "
            f"{r.differences}; pdfsig valid signatures: {r.pdfsig_valid}/{r.signatures}"
        )
    return results


if __name__ == "__main__":
    sys.exit(0 if all(r.ok for r in main()) else 1)
