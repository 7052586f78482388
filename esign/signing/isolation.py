"""Running a verification in a child process, with a memory limit and a deadline.

The children are forked from a small, single-threaded server process of our own that has
pyHanko already imported: starting one costs a fork of that process (not of the threaded API
worker), and a file that loops or eats memory takes its child down, not the service. The server
is started on first use (or by :func:`start`), ends when the process that started it ends, and
serves every thread of that process.

Why not ``multiprocessing``'s forkserver: in Python 3.11 it hands the server neither the
caller's ``sys.path`` nor its main script (it asks for the keys ``main_path`` and ``sys_path``
of data whose key is ``init_main_from_path``, and ``main()`` ignores ``sys_path``). So it cannot
preload ``esign`` unless ``esign`` is installed, and every child re-runs the caller's
``__main__`` (the ``esign`` console script, uvicorn's, a benchmark script) before its work:
0.9 s per verification measured, and an unguarded script would run its whole body again.
Here the server gets the caller's ``sys.path`` and nothing of its ``__main__``.

A child reads its request, limits its address space (``RLIMIT_AS``), its CPU time
(``RLIMIT_CPU``) and its life (``alarm``), verifies and answers. The answer is unpickled with
only the report's own classes allowed: a child that a hostile file subverted cannot make the
service run anything.
"""

from __future__ import annotations

import atexit
import contextlib
import io
import logging
import math
import os
import pickle
import resource
import select
import shutil
import signal
import socket
import struct
import subprocess
import sys
import tempfile
import threading
import time
from typing import Any

from .report import VerificationReport, cannot_verify

STARTUP_TIMEOUT = 60.0
"""Seconds the server may take to import pyHanko (once per process)."""
_HEADER = struct.Struct("!Q")
_MAX_ANSWER = 16 * 1024 * 1024


class _Server:
    """The fork server as seen from the process that started it."""

    def __init__(self) -> None:
        self.owner = os.getpid()
        self.folder = tempfile.mkdtemp(prefix="esign-verify-")  # 0700: ours alone
        self.address = os.path.join(self.folder, "socket")
        listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        alive_r, self._alive_w = os.pipe()
        ready_r, ready_w = os.pipe()
        try:
            listener.bind(self.address)
            listener.listen(64)
            # The caller's import path, so the server imports the same esign and pyHanko.
            path = [p or os.getcwd() for p in sys.path]
            code = (
                f"import sys; sys.path[:] = {path!r}; "
                "from esign.signing.isolation import serve; "
                f"serve({listener.fileno()}, {alive_r}, {ready_w})"
            )
            self.process = subprocess.Popen(
                [sys.executable, "-c", code],
                pass_fds=(listener.fileno(), alive_r, ready_w),
                stdin=subprocess.DEVNULL,
                stdout=subprocess.DEVNULL,
            )
        except BaseException:
            os.close(self._alive_w)
            os.close(ready_r)
            shutil.rmtree(self.folder, ignore_errors=True)
            raise
        finally:
            listener.close()
            os.close(alive_r)
            os.close(ready_w)
        try:
            ready, _, _ = select.select([ready_r], [], [], STARTUP_TIMEOUT)
            started = bool(ready) and os.read(ready_r, 1) == b"1"
        finally:
            os.close(ready_r)
        if not started:
            self.stop()
            raise OSError("the verification server did not start")

    def alive(self) -> bool:
        return self.owner == os.getpid() and self.process.poll() is None

    def stop(self) -> None:
        if self.owner != os.getpid():
            return  # a forked copy: the server belongs to the parent
        with contextlib.suppress(OSError):
            os.close(self._alive_w)  # the server sees end-of-file and leaves
        try:
            self.process.wait(2)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        shutil.rmtree(self.folder, ignore_errors=True)


_lock = threading.Lock()
_server: _Server | None = None


def start() -> None:
    """Start the server now (at the service's start-up) rather than on the first upload."""
    _get_server()


def _get_server(*, restart: bool = False) -> _Server:
    global _server
    with _lock:
        if _server is not None and (restart or not _server.alive()):
            if _server.owner == os.getpid():
                _server.stop()
            _server = None
        if _server is None:
            _server = _Server()
        return _server


@atexit.register
def _stop_at_exit() -> None:
    if _server is not None:
        _server.stop()


# ---------------------------------------------------------------- the caller's side


def run_isolated(
    pdf: bytes,
    trust: object,
    expected_sha256: str | None,
    *,
    timeout: float,
    memory_bytes: int,
    visual: bool = True,
) -> VerificationReport:
    request = pickle.dumps(
        (pdf, trust, expected_sha256, timeout, memory_bytes, visual),
        protocol=pickle.HIGHEST_PROTOCOL,
    )
    try:
        server = _get_server()
    except OSError as exc:
        return _unavailable(pdf, exc)
    deadline = time.monotonic() + timeout
    for attempt in range(2):
        try:
            answer = _exchange(server.address, request, deadline)
            break
        except (ConnectionRefusedError, FileNotFoundError) as exc:
            if attempt:  # the server is gone twice: say so, do not crash
                return _unavailable(pdf, exc)
            try:
                server = _get_server(restart=True)
            except OSError as exc2:
                return _unavailable(pdf, exc2)
            deadline = time.monotonic() + timeout
        except TimeoutError:
            return cannot_verify(
                f"kiểm tra quá {timeout:g} giây (tệp quá phức tạp hoặc có vòng lặp)",
                f"verification took longer than {timeout:g} s",
                size=len(pdf),
            )
        except (OSError, EOFError, ValueError):
            answer = b""
            break
    try:
        report = _ReportUnpickler(io.BytesIO(answer)).load() if answer else None
    except (pickle.UnpicklingError, EOFError, ValueError, TypeError, AttributeError):
        report = None
    if isinstance(report, VerificationReport):
        return report
    return cannot_verify(
        "tệp làm trình kiểm tra dừng bất thường (có thể do cần quá nhiều bộ nhớ)",
        "the checker stopped abnormally (perhaps out of memory)",
        size=len(pdf),
    )


def run_forked(
    pdf: bytes,
    trust: object,
    expected_sha256: str | None,
    *,
    timeout: float,
    memory_bytes: int,
    visual: bool = True,
) -> VerificationReport:
    """The same child as :func:`run_isolated`'s, forked from the caller itself: for a
    single-threaded caller (the command line checking files its user names) that has the
    verifier imported, a fork costs a millisecond where starting the server costs its imports.
    Never from a threaded process (the API): forking one copies its locks mid-use."""
    from . import verify  # noqa: F401  (imported before the fork: the child pays nothing)

    request = pickle.dumps(
        (pdf, trust, expected_sha256, timeout, memory_bytes, visual),
        protocol=pickle.HIGHEST_PROTOCOL,
    )
    mine, theirs = socket.socketpair()
    pid = os.fork()
    if pid == 0:  # pragma: no cover (the child's coverage is not collected)
        status = 1
        try:
            mine.close()
            logging.disable(logging.CRITICAL)
            _child(theirs)
            status = 0
        finally:
            os._exit(status)
    theirs.close()
    deadline = time.monotonic() + timeout + 2
    answer = b""
    try:
        with mine:
            mine.settimeout(_remaining(deadline))
            mine.sendall(_HEADER.pack(len(request)) + request)
            answer = _receive(mine, deadline=deadline, limit=_MAX_ANSWER)
    except TimeoutError:
        os.kill(pid, signal.SIGKILL)
        os.waitpid(pid, 0)
        return cannot_verify(
            f"kiểm tra quá {timeout:g} giây (tệp quá phức tạp hoặc có vòng lặp)",
            f"verification took longer than {timeout:g} s",
            size=len(pdf),
        )
    except (OSError, EOFError, ValueError):
        answer = b""
    os.waitpid(pid, 0)
    return _decode(answer, pdf)


def _decode(answer: bytes, pdf: bytes) -> VerificationReport:
    try:
        report = _ReportUnpickler(io.BytesIO(answer)).load() if answer else None
    except (pickle.UnpicklingError, EOFError, ValueError, TypeError, AttributeError):
        report = None
    if isinstance(report, VerificationReport):
        return report
    return cannot_verify(
        "tệp làm trình kiểm tra dừng bất thường (có thể do cần quá nhiều bộ nhớ)",
        "the checker stopped abnormally (perhaps out of memory)",
        size=len(pdf),
    )


def _unavailable(pdf: bytes, exc: BaseException) -> VerificationReport:
    return cannot_verify(
        "trình kiểm tra tạm thời không chạy được, thử lại sau",
        f"the checker is unavailable: {type(exc).__name__}",
        size=len(pdf),
    )


def _exchange(address: str, request: bytes, deadline: float) -> bytes:
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as conn:
        conn.settimeout(_remaining(deadline))
        conn.connect(address)
        conn.settimeout(_remaining(deadline))
        conn.sendall(_HEADER.pack(len(request)) + request)
        return _receive(conn, deadline=deadline, limit=_MAX_ANSWER)


def _remaining(deadline: float) -> float:
    left = deadline - time.monotonic()
    if left <= 0:
        raise TimeoutError
    return left


def _receive(conn: socket.socket, *, deadline: float | None, limit: int) -> bytes:
    (size,) = _HEADER.unpack(_read_exactly(conn, _HEADER.size, deadline))
    if size > limit:
        raise ValueError("message too large")
    return _read_exactly(conn, size, deadline)


def _read_exactly(conn: socket.socket, size: int, deadline: float | None) -> bytes:
    buf = bytearray()
    while len(buf) < size:
        if deadline is not None:
            conn.settimeout(_remaining(deadline))
        chunk = conn.recv(min(size - len(buf), 1 << 20))
        if not chunk:
            raise EOFError
        buf += chunk
    return bytes(buf)


class _ReportUnpickler(pickle.Unpickler):
    _ALLOWED = frozenset(
        {
            ("esign.signing.report", "VerificationReport"),
            ("esign.signing.report", "SignatureReport"),
            ("esign.signing.report", "Verdict"),
            ("esign.signing.report", "Indication"),
            ("esign.signing.report", "Finding"),
            ("datetime", "datetime"),
            ("datetime", "timezone"),
            ("datetime", "timedelta"),
        }
    )

    def find_class(self, module: str, name: str) -> Any:
        if (module, name) not in self._ALLOWED:
            raise pickle.UnpicklingError(f"{module}.{name} is not part of a report")
        return super().find_class(module, name)


# ---------------------------------------------------------------- the server's side


def serve(listen_fd: int, alive_fd: int, ready_fd: int) -> None:
    """The server's loop: fork a child per connection until the starting process is gone."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is for the caller, not for us
    logging.disable(logging.CRITICAL)  # pyHanko logs tracebacks for every broken file
    from . import verify  # noqa: F401  (the preload: what every child would import)

    listener = socket.socket(fileno=listen_fd)
    os.write(ready_fd, b"1")
    os.close(ready_fd)
    while True:
        readable, _, _ = select.select([listener.fileno(), alive_fd], [], [], 1.0)
        _reap()
        if alive_fd in readable:
            return  # end of file: every process holding the other end has ended
        if listen_fd not in readable:
            continue
        try:
            conn, _ = listener.accept()
        except OSError:
            continue
        pid = os.fork()
        if pid == 0:
            status = 1
            try:
                listener.close()
                os.close(alive_fd)
                _child(conn)
                status = 0
            finally:
                os._exit(status)
        conn.close()


def _reap() -> None:
    with contextlib.suppress(ChildProcessError):
        while os.waitpid(-1, os.WNOHANG)[0]:
            pass


def _child(conn: socket.socket) -> None:
    from .verify import TrustConfig, verify_in_process

    conn.settimeout(STARTUP_TIMEOUT)
    pdf, trust, expected, timeout, memory_bytes, visual = pickle.loads(
        _receive(conn, deadline=None, limit=1 << 31)
    )
    assert isinstance(trust, TrustConfig)
    seconds = math.ceil(timeout) + 1
    signal.alarm(seconds + 1)  # also ends a child blocked on I/O
    resource.setrlimit(resource.RLIMIT_CPU, (seconds, seconds + 1))
    resource.setrlimit(resource.RLIMIT_AS, (memory_bytes, memory_bytes))
    try:
        report = verify_in_process(pdf, trust, expected, visual=visual)
    except MemoryError:
        report = cannot_verify(
            "tệp cần quá nhiều bộ nhớ", "the file needs too much memory", size=len(pdf)
        )
    answer = pickle.dumps(report, protocol=pickle.HIGHEST_PROTOCOL)
    conn.sendall(_HEADER.pack(len(answer)) + answer)
    conn.close()
