"""Storage failures told apart from bugs: a full disk, a read-only data folder, a database
locked too long or unreachable. Each has a stable code and a message in Vietnamese and English;
the HTTP faces answer them 503 (retry later) instead of a bare 500. The transaction that met
the failure rolled back, so nothing is half written.
"""

from __future__ import annotations

import errno
from dataclasses import dataclass

from sqlalchemy.exc import DBAPIError, OperationalError, SQLAlchemyError
from sqlalchemy.exc import TimeoutError as PoolTimeout


@dataclass(frozen=True, slots=True)
class StorageFailure:
    code: str
    message_vi: str
    message_en: str


FULL = StorageFailure(
    "storage_full",
    "Bộ nhớ lưu trữ của máy chủ đã đầy; chưa có gì được ghi, hãy báo quản trị viên",
    "The server's storage is full; nothing was written, tell the administrator",
)
READ_ONLY = StorageFailure(
    "storage_read_only",
    "Thư mục dữ liệu đang ở chế độ chỉ đọc; chưa có gì được ghi, hãy báo quản trị viên",
    "The data folder is read-only; nothing was written, tell the administrator",
)
BUSY = StorageFailure(
    "database_busy",
    "Cơ sở dữ liệu đang bận; chưa có gì được ghi, hãy thử lại sau ít phút",
    "The database is busy; nothing was written, retry in a few minutes",
)
UNAVAILABLE = StorageFailure(
    "database_unavailable",
    "Không kết nối được cơ sở dữ liệu; chưa có gì được ghi, hãy thử lại sau",
    "The database cannot be reached; nothing was written, retry later",
)

_BY_ERRNO = {
    errno.ENOSPC: FULL,
    errno.EDQUOT: FULL,
    errno.EROFS: READ_ONLY,
    errno.EACCES: READ_ONLY,
    errno.EPERM: READ_ONLY,
}
_BY_TEXT = (
    ("database or disk is full", FULL),
    ("no space left", FULL),
    ("could not extend file", FULL),
    ("readonly database", READ_ONLY),
    ("read-only file system", READ_ONLY),
    ("unable to open database", READ_ONLY),
    ("database is locked", BUSY),
    ("lock timeout", BUSY),
    ("deadlock detected", BUSY),
    ("disk i/o error", FULL),
)


def storage_failure(exc: BaseException) -> StorageFailure | None:
    """The storage failure ``exc`` is, or None when it is something else (a bug)."""
    if isinstance(exc, OSError):
        return _BY_ERRNO.get(exc.errno or 0)
    if isinstance(exc, PoolTimeout):
        return BUSY
    if not isinstance(exc, SQLAlchemyError):
        return None
    text = str(getattr(exc, "orig", None) or exc).lower()
    for needle, failure in _BY_TEXT:
        if needle in text:
            return failure
    if isinstance(exc, DBAPIError) and exc.connection_invalidated:
        return UNAVAILABLE
    if isinstance(exc, OperationalError):
        return UNAVAILABLE
    return None


__all__ = ["BUSY", "FULL", "READ_ONLY", "UNAVAILABLE", "StorageFailure", "storage_failure"]
