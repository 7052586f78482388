"""Resident memory of one ``esign serve`` worker while it issues receipts through the API.

A real server (one process, PostgreSQL, or SQLite with ``--sqlite``) in a fresh data folder;
``--clients`` threads post ``--count`` receipts; the server's RSS (``/proc/PID/status``,
``VmRSS``) is read after the warm-up and every ``--every`` receipts. Prints the series, the
growth from the warm-up to the end per 1,000 receipts, and the targets of issue 13: RSS under
200 MB, flat after the warm-up (growth under 10 MB per 1,000 receipts). Every receipt is
checked by hash and the numbers are gapless (``bench_issue_http.check_all``).

    python bench/bench_memory.py [--count 2000] [--every 250] [--sqlite]
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))


def rss_mb(pid: int) -> float:
    """The RSS of ``pid`` and its children (uvicorn with one worker is one process)."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError("no VmRSS")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--count", type=int, default=2000)
    parser.add_argument("--every", type=int, default=250)
    parser.add_argument("--clients", type=int, default=4)
    parser.add_argument("--sqlite", action="store_true")
    args = parser.parse_args()
    from bench_issue_http import body, check_all, load_trust, login, prepare, start_server

    from tests.utils.postgres import postgres_server

    t_start = time.perf_counter()
    folder = Path(tempfile.mkdtemp(prefix="bench-memory-"))
    try:
        with postgres_server() as pg:
            url = (
                f"sqlite:///{folder / 'esign.sqlite3'}"
                if args.sqlite
                else pg.create_database(f"bench_memory_{os.getpid()}")
            )
            prepare(folder, url)
            load_trust(folder)
            server = start_server(folder, url, workers=1)
            try:
                clients = [login(server.url) for _ in range(args.clients)]
                made: list[dict[str, Any]] = []
                warm = 50
                for i in range(warm):
                    answer = clients[0].post("/api/v1/receipts", json=body(1, i))
                    assert answer.status_code == 201, answer.text
                    made.append(answer.json())
                pid = server.process.pid
                series = [(len(made), rss_mb(pid))]
                print(f"after {len(made):>5} receipts (warm-up): RSS {series[0][1]:6.1f} MB")
                lock = threading.Lock()
                tickets = iter(range(warm, warm + args.count))

                def work(client: Any) -> None:
                    while True:
                        with lock:
                            index = next(tickets, None)
                        if index is None:
                            return
                        answer = client.post("/api/v1/receipts", json=body(1, index))
                        assert answer.status_code == 201, answer.text
                        with lock:
                            made.append(answer.json())
                            if (len(made) - warm) % args.every == 0:
                                series.append((len(made), rss_mb(pid)))
                                print(
                                    f"after {len(made):>5} receipts: RSS {series[-1][1]:6.1f} MB",
                                    flush=True,
                                )

                threads = [threading.Thread(target=work, args=(c,)) for c in clients]
                for t in threads:
                    t.start()
                for t in threads:
                    t.join()
                final = rss_mb(pid)
                check_all(clients[0], made, folder_sample=True)
                for c in clients:
                    c.close()
            finally:
                server.stop()
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    start = series[0][1]
    # the slope over the second half: what a long-running worker keeps growing by
    half = [p for p in series if p[0] >= series[-1][0] / 2] or series
    slope = (half[-1][1] - half[0][1]) / max(1, half[-1][0] - half[0][0]) * 1000
    print(
        f"{args.count} receipts issued after the warm-up; RSS {start:.1f} → {final:.1f} MB "
        f"(peak {max(max(v for _, v in series), final):.1f}); growth over the second half "
        f"{slope:.1f} MB per 1,000 receipts"
    )
    print(
        f"targets: under 200 MB: {'yes' if final < 200 else 'NO'}; flat (< 10 MB per 1,000): "
        f"{'yes' if slope < 10 else 'NO'}; {time.perf_counter() - t_start:.0f} s in all"
    )


if __name__ == "__main__":
    main()
