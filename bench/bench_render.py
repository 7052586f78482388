"""Time to draw one e-receipt: receipts.pdf against the yardstick, in the same run.

The yardstick is ``draw_receipt`` of ../shared/bench/naive_receipts.py (reportlab + qrcode, an
image QR, six fee lines, a 110-character URL, no signing). Ours draws a comparable receipt: six
fee lines with their legal basis and one exempt line, the total in words, the seal box and a
vector QR of a 497-character URL: the verification link and a realistic seal of 434 decimal
digits (a COSE_Sign1 as esign prints it), in a byte and a numeric segment, version 11. Rounds
alternate between the two, so a machine busy with something else slows both alike; the best
round of each is reported.

    python bench/bench_render.py --count 40
"""

from __future__ import annotations

import argparse
import datetime as dt
import importlib
import random
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SHARED = Path(__file__).resolve().parents[2] / "shared"


def sample_receipt() -> object:
    from receipts.pdf import CollectingUnit, FeeLine, Payer, PaymentMethod, Receipt

    lines = [
        FeeLine(
            name=name,
            legal_basis="Nghị quyết số 12/2020/NQ-HĐND tỉnh Hải Dương",
            quantity=qty,
            unit_price=price,
            amount=qty * price,
        )
        for name, qty, price in (
            ("Lệ phí đăng ký khai sinh (đăng ký lại)", 1, 5_000),
            ("Lệ phí cấp bản sao trích lục hộ tịch", 3, 3_000),
            ("Phí chứng thực bản sao từ bản chính (4 trang)", 2, 6_000),
            ("Lệ phí xác nhận tình trạng hôn nhân", 1, 15_000),
            ("Phí chứng thực chữ ký", 1, 10_000),
            ("Lệ phí đăng ký nhận cha, mẹ, con", 1, 10_000),
        )
    ]
    lines.append(
        FeeLine(
            name="Lệ phí đăng ký khai tử",
            legal_basis="Nghị quyết số 12/2020",
            quantity=1,
            unit_price=5_000,
            amount=0,
            exemption_reason="Người thuộc hộ nghèo",
        )
    )
    # a seal's shape: a COSE_Sign1 (first byte 0xD2) of ~180 bytes as one decimal number
    seal = str(int.from_bytes(b"\xd2" + random.Random(0).randbytes(180), "big"))[:434]
    return Receipt(
        unit=CollectingUnit(
            name="Ủy ban nhân dân phường Văn An",
            tax_code="0800123456",
            address="Khu dân cư Văn An 1, phường Văn An, Chí Linh, Hải Dương",
        ),
        template_symbol="01BLP0-001",
        series="VA-24E",
        number=123,
        payer=Payer(
            name="Bùi Thị Trang",
            address="Thôn Trại Sen, phường Văn An, Chí Linh",
            dossier_code="H23.45-241105-0001",
        ),
        lines=tuple(lines),
        payment_method=PaymentMethod.CASH,
        issued_at=dt.datetime(2024, 11, 5, 2, 30, tzinfo=dt.UTC),
        clerk_name="Nguyễn Thị Hoa",
        qr_text=f"https://vanan.chilinh.haiduong.gov.vn/v/k3Jq9XwR2pL7sT5vN8yB4c#{seal}",
    )


def _best_round(draw: Callable[[int], object], count: int) -> float:
    start = time.perf_counter()
    for n in range(1, count + 1):
        draw(n)
    return (time.perf_counter() - start) / count


def run(count: int, rounds: int, shared: Path) -> tuple[float, float]:
    """(ours, naive): best seconds per receipt over ``rounds`` alternating rounds."""
    sys.path.insert(0, str(shared / "bench"))
    sys.path.insert(0, str(ROOT))
    naive = importlib.import_module("naive_receipts")
    from receipts.pdf import render_receipt

    receipt = sample_receipt()

    def ours(_: int) -> object:
        return render_receipt(receipt)  # type: ignore[arg-type]

    from reportlab import rl_config

    ours(0), naive.draw_receipt(0)  # warm-up: imports, fonts, caches
    best_ours = best_naive = float("inf")
    for _ in range(rounds):
        best_ours = min(best_ours, _best_round(ours, count))
        # ours turns reportlab's global ASCII85 switch off; the yardstick runs with the default
        rl_config.useA85 = 1
        best_naive = min(best_naive, _best_round(naive.draw_receipt, count))
    return best_ours, best_naive


def main(argv: Sequence[str] | None = None) -> tuple[float, float]:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    ap.add_argument("--count", type=int, default=40, help="receipts per round and side")
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument(
        "--shared",
        type=Path,
        default=SHARED,
        help="the shared folder holding bench/naive_receipts.py",
    )
    args = ap.parse_args(argv)
    ours, naive = run(args.count, args.rounds, args.shared)
    print(
        f"ours:  {args.count} receipts x {args.rounds} rounds, "
        f"{ours * 1000:.2f} ms per receipt (best round)"
    )
    print(
        f"naive: {args.count} receipts x {args.rounds} rounds, "
        f"{naive * 1000:.2f} ms per receipt (best round)"
    )
    print(f"ratio: naive/ours = {naive / ours:.2f}")
    return ours, naive


if __name__ == "__main__":
    main()
