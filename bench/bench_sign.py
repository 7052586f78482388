"""Time to sign one e-receipt: our signer against the naive pyHanko call, in the same run.

The receipts are drawn once, before any timing: by receipts.pdf (the realistic receipt of
bench_render.py, numbers 1..count, with its seal box) or, with ``--receipts naive``, by
``draw_receipt`` of ../shared/bench/naive_receipts.py. Both sides then certify the same PDFs,
PAdES B-B, no changes allowed afterwards:

- ours: ``DocumentSigner.certify`` (esign.signing) built once over a ``certs`` key store, with
  the certificate check and the visible Vietnamese stamp in the seal box;
- naive: ``signers.sign_pdf(IncrementalPdfFileWriter(...), PdfSignatureMetadata(field_name=
  "Seal", certify=True, docmdp_permissions=NO_CHANGES, subfilter=PADES), signer=...)`` with a
  ``SimpleSigner`` loaded once from the PKCS#12 file, as naive_receipts.py does.

With an RSA-2048 key (the ward's seal) and an ECDSA P-256 key (the chairman), from a throwaway
development PKI built in a temporary folder. Rounds alternate between the two sides, so a
machine busy with something else slows both alike; the best round of each is reported. Every
output of both sides is then verified (esign's verify_in_process, with the PKI's roots and
CRLs) and the number of valid ones printed. Exit status 1 when a ratio is under 5 or an output
does not validate.

    python bench/bench_sign.py --count 40
"""

from __future__ import annotations

import argparse
import dataclasses
import datetime as dt
import importlib
import io
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType
from typing import TYPE_CHECKING, Any, cast

if TYPE_CHECKING:
    from receipts.pdf import SignaturePlace

ROOT = Path(__file__).resolve().parents[1]
SHARED = Path(__file__).resolve().parents[2] / "shared"
MIN_RATIO = 5.0
KEYS = (("RSA-2048", "seal"), ("ECDSA P-256", "chairman"))
NAIVE_SEAL_BOX = (330.0, 80.0, 545.0, 140.0)  # the yardstick's receipt has no seal box


@dataclass(frozen=True)
class KeyResult:
    key: str
    ours_seconds: float
    """Best round, seconds per receipt."""
    naive_seconds: float
    ours_valid: int
    naive_valid: int
    count: int

    @property
    def ratio(self) -> float:
        return self.naive_seconds / self.ours_seconds

    @property
    def ok(self) -> bool:
        return self.ratio >= MIN_RATIO and self.ours_valid == self.naive_valid == self.count


def load_naive(shared: Path) -> ModuleType:
    sys.path.insert(0, str(shared / "bench"))
    return importlib.import_module("naive_receipts")


def draw_receipts(count: int, *, naive: ModuleType | None) -> list[tuple[bytes, SignaturePlace]]:
    """``count`` distinct receipts (numbers 1..count) and their seal boxes, drawn now."""
    from receipts.pdf import SignaturePlace

    if naive is not None:
        place = SignaturePlace.at("Seal", page_index=0, box=NAIVE_SEAL_BOX)
        return [(naive.draw_receipt(n), place) for n in range(1, count + 1)]
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    from bench_render import sample_receipt

    from receipts.pdf import Receipt, render_receipt

    base = cast(Receipt, sample_receipt())
    out = []
    for n in range(1, count + 1):
        doc = render_receipt(dataclasses.replace(base, number=n))
        seal = doc.signature("ward")
        out.append((doc.pdf, seal))
    return out


def one_round(
    sign: Callable[[bytes, SignaturePlace], bytes],
    receipts: Sequence[tuple[bytes, SignaturePlace]],
) -> tuple[float, list[bytes]]:
    """Seconds per receipt, and the signed PDFs."""
    outputs = []
    start = time.perf_counter()
    for pdf, place in receipts:
        outputs.append(sign(pdf, place))
    return (time.perf_counter() - start) / len(receipts), outputs


def run(count: int, rounds: int, shared: Path, *, naive_receipts: bool = False) -> list[KeyResult]:
    sys.path.insert(0, str(ROOT))
    yardstick = load_naive(shared)
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
    from pyhanko.sign import fields, signers

    from certs import DEV_ARCHITECTURE, init_pki_folder, load_spec, open_pki_folder
    from esign.signing import pki as wiring
    from esign.signing.report import Verdict
    from esign.signing.sign import PadesLevel
    from esign.signing.verify import verify_in_process

    receipts = draw_receipts(count, naive=yardstick if naive_receipts else None)
    meta = signers.PdfSignatureMetadata(
        field_name="Seal",
        certify=True,
        docmdp_permissions=fields.MDPPerm.NO_CHANGES,
        subfilter=fields.SigSeedSubFilter.PADES,
    )
    results = []
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "pki"
        now = dt.datetime.now(dt.UTC)
        init_pki_folder(path, spec=load_spec(architecture=DEV_ARCHITECTURE), now=now)
        folder = open_pki_folder(path)
        trust = wiring.trust_config(folder)
        password = (path / "password").read_bytes()
        for label, name in KEYS:
            ours_signer = wiring.make_signer(folder, folder.key_store(name), level=PadesLevel.B_B)
            naive_signer = signers.SimpleSigner.load_pkcs12(
                path / "keys" / f"{name}.p12", passphrase=password
            )

            def ours(pdf: bytes, place: SignaturePlace, signer: Any = ours_signer) -> bytes:
                return bytes(signer.certify(pdf, place=place).pdf)

            def naive(pdf: bytes, place: SignaturePlace, signer: Any = naive_signer) -> bytes:
                writer = IncrementalPdfFileWriter(io.BytesIO(pdf))
                return bytes(signers.sign_pdf(writer, meta, signer=signer).getvalue())

            ours(*receipts[0]), naive(*receipts[0])  # warm-up: imports, fonts, caches
            best_ours = best_naive = float("inf")
            for _ in range(rounds):
                seconds, ours_out = one_round(ours, receipts)
                best_ours = min(best_ours, seconds)
                seconds, naive_out = one_round(naive, receipts)
                best_naive = min(best_naive, seconds)
            ours_ok, naive_ok = (
                sum(verify_in_process(pdf, trust).verdict is Verdict.VALID for pdf in outputs)
                for outputs in (ours_out, naive_out)
            )
            results.append(KeyResult(label, best_ours, best_naive, ours_ok, naive_ok, count))
    return results


def main(argv: Sequence[str] | None = None) -> list[KeyResult]:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    ap.add_argument("--count", type=int, default=40, help="receipts per round and side")
    ap.add_argument("--rounds", type=int, default=2)
    ap.add_argument("--shared", type=Path, default=SHARED, help="the folder holding bench/")
    ap.add_argument(
        "--receipts",
        choices=("ours", "naive"),
        default="ours",
        help="draw the receipts with receipts.pdf or with naive_receipts.draw_receipt",
    )
    args = ap.parse_args(argv)
    results = run(args.count, args.rounds, args.shared, naive_receipts=args.receipts == "naive")
    print(f"{args.count} receipts ({args.receipts}) x {args.rounds} rounds, PAdES B-B, best round")
    for r in results:
        for side, seconds in (("ours: ", r.ours_seconds), ("naive:", r.naive_seconds)):
            print(f"{r.key:<12} {side} {1 / seconds:6.1f} receipts/s ({seconds * 1e3:.2f} ms)")
        print(f"{r.key:<12} ratio: ours/naive = {r.ratio:.1f}x (at least {MIN_RATIO:g}x needed)")
        print(f"{r.key:<12} valid: ours {r.ours_valid}/{r.count}, naive {r.naive_valid}/{r.count}")
    return results


if __name__ == "__main__":
    sys.exit(0 if all(r.ok for r in main()) else 1)
