"""Batch signing of result documents by one official: 1, 10 and 100 results, beside a plain
pyHanko approval signature of the same prepared PDFs, in one run.

A development PKI and a SQLite database in a temporary folder, the API's users (as the API
tests make them), ``sum(--sizes)`` marital-status results waiting for the judicial officer;
then ``esign.workflows.batches.sign_batch`` (the one batch signer the API and the staff pages
use: certificate check, one transaction per document, audit entries) over batches of each
size, with the officer's PKCS#12 key from the folder. The baseline: pyHanko's
``signers.sign_pdf`` with a ``SimpleSigner`` loaded once, signing each batch's stored PDFs
into their first empty field (B-B), no database. Every outcome must be ok.

    python bench/bench_batch_sign.py [--sizes 1,10,100]
"""

from __future__ import annotations

import argparse
import datetime as dt
import io
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="1,10,100")
    args = parser.parse_args()
    sizes = [int(n) for n in args.sizes.split(",")]

    from cryptography.hazmat.primitives.serialization import Encoding
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
    from pyhanko.sign import signers

    from certs import DEV_ARCHITECTURE, init_pki_folder, load_spec
    from esign.db import Database
    from esign.workflows.actors import SYSTEM, Actor
    from esign.workflows.batches import sign_batch
    from esign.workflows.queries import stored_pdf
    from esign.workflows.results import get_result, official_signer
    from esign.workflows.users import get_user, register_certificate
    from tests.esign.api.conftest import make_api
    from tests.esign.api.test_results_api import MARITAL, _dossier

    t_start = time.perf_counter()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        template = folder / "pki-template"
        init_pki_folder(
            template, spec=load_spec(architecture=DEV_ARCHITECTURE), now=dt.datetime.now(dt.UTC)
        )
        database = Database(f"sqlite:///{folder / 'esign.sqlite3'}")
        database.migrate()
        api = next(make_api(database, folder, template))
        service = api.service
        pem = service.pki.certificate("judicial-officer").public_bytes(Encoding.PEM).decode()
        with database.transaction() as s:
            register_certificate(s, SYSTEM, user_id=api.users["tuphap"], certificate_pem=pem)
            officer = Actor.of(get_user(s, api.users["tuphap"]))
        clerk = api.login("clerk")
        batches: list[list[int]] = []
        for size in sizes:
            ids = []
            for _ in range(size):
                r = clerk.post(
                    "/api/v1/results", json={"dossier_id": _dossier(api), "data": MARITAL}
                )
                assert r.status_code == 201, r.text
                ids.append(int(r.json()["id"]))
            batches.append(ids)
        print(f"{sum(sizes)} results prepared in {time.perf_counter() - t_start:.0f} s")

        # the baseline first, on the PDFs as stored (unsigned fields), before ours signs them
        store = service.pki.key_store("judicial-officer")
        p12 = service.pki.path / "keys" / "judicial-officer.p12"
        password = (service.pki.path / "password").read_bytes().strip()
        plain = signers.SimpleSigner.load_pkcs12(str(p12), passphrase=password)
        assert plain is not None
        baseline: dict[int, float] = {}
        for size, ids in zip(sizes, batches, strict=True):
            pdfs = []
            with database.reading() as s:
                for result_id in ids:
                    result = get_result(s, result_id)
                    pdfs.append((stored_pdf(s, result.document_id).content, result))
            field = "Sig1_judicial_officer"
            t0 = time.perf_counter()
            for content, _ in pdfs:
                out = io.BytesIO()
                signers.sign_pdf(
                    IncrementalPdfFileWriter(io.BytesIO(content), strict=False),
                    signers.PdfSignatureMetadata(field_name=field),
                    signer=plain,
                    output=out,
                )
            baseline[size] = time.perf_counter() - t0

        with database.reading() as s:
            signer = official_signer(s, officer, service, store)
        print(f"{'batch':>7}{'ours s':>9}{'ms/doc':>9}{'pyHanko s':>11}{'ms/doc':>9}{'ratio':>8}")
        for size, ids in zip(sizes, batches, strict=True):
            t0 = time.perf_counter()
            outcomes = sign_batch(database.transaction, officer, signer, ids)
            ours = time.perf_counter() - t0
            assert all(o.ok for o in outcomes), [o for o in outcomes if not o.ok][:2]
            print(
                f"{size:>7}{ours:>9.2f}{ours / size * 1e3:>9.0f}{baseline[size]:>11.2f}"
                f"{baseline[size] / size * 1e3:>9.0f}{ours / baseline[size]:>7.2f}×"
            )
        clerk.close()
        database.dispose()
    print(f"{time.perf_counter() - t_start:.0f} s in all")


if __name__ == "__main__":
    main()
