"""The same input gives the same bytes: in this process, in another one, whatever the clock."""

from __future__ import annotations

import dataclasses
import hashlib
import os
import re
import subprocess
import sys
from pathlib import Path

from receipts.pdf import PageSize, render_receipt, render_result
from tests.utils.pdf_samples import birth, make_receipt

ROOT = Path(__file__).resolve().parents[3]

_CHILD = """
import hashlib, sys
from tests.utils.pdf_samples import make_receipt
from receipts.pdf import render_receipt
sys.stdout.write(hashlib.sha256(render_receipt(make_receipt()).pdf).hexdigest())
"""


def test_same_input_same_bytes_in_process() -> None:
    first = render_receipt(make_receipt(lines=20))
    second = render_receipt(make_receipt(lines=20))
    assert first.pdf == second.pdf
    assert first == second  # geometry too
    assert render_result(birth()).pdf == render_result(birth()).pdf


def test_same_bytes_in_another_process_with_another_clock_and_zone() -> None:
    # reportlab reads SOURCE_DATE_EPOCH for its own /ID; ours must not depend on it, nor on TZ
    env = dict(
        os.environ, SOURCE_DATE_EPOCH="1700000000", TZ="America/New_York", PYTHONPATH=str(ROOT)
    )
    child = subprocess.run(
        [sys.executable, "-c", _CHILD],
        cwd=ROOT,
        env=env,
        check=True,
        capture_output=True,
        text=True,
    )
    assert child.stdout == hashlib.sha256(render_receipt(make_receipt()).pdf).hexdigest()


def test_dates_and_id_come_from_the_input() -> None:
    receipt = make_receipt()
    doc = render_receipt(receipt)
    # issued 02:30 UTC = 09:30 in Vietnam
    assert b"(D:20241105093000+07'00')" in doc.pdf
    identity = "receipt|0800123456|01BLP0-001|VA-24E|0000123"
    permanent = hashlib.sha256(identity.encode()).hexdigest()[:32].upper()
    assert doc.document_id == permanent
    trailer_id = re.search(rb"/ID\s*\[<([0-9A-F]{32})><([0-9A-F]{32})>\]", doc.pdf)
    assert trailer_id is not None and trailer_id.group(1).decode() == permanent


def test_a_changed_receipt_keeps_its_identity_but_not_its_bytes() -> None:
    receipt = make_receipt()
    cancelled = dataclasses.replace(receipt, cancelled=True)
    a, b = render_receipt(receipt), render_receipt(cancelled)
    assert a.pdf != b.pdf
    assert a.document_id == b.document_id
    ids = [re.search(rb"/ID\s*\[<(\w+)><(\w+)>\]", d.pdf) for d in (a, b)]
    assert ids[0] is not None and ids[1] is not None
    assert ids[0].group(2) != ids[1].group(2)  # the instance half follows the content
    other = render_receipt(dataclasses.replace(receipt, number=124))
    assert other.document_id != a.document_id


def test_page_size_changes_bytes_not_identity() -> None:
    a4 = render_receipt(make_receipt())
    a5 = render_receipt(make_receipt(), page_size=PageSize.A5)
    assert a4.pdf != a5.pdf and a4.document_id == a5.document_id
