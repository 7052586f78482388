"""Passwords, API tokens and web sessions.

Passwords are hashed with argon2 (argon2-cffi, the reference binding). API tokens and session
ids are random (256 bits) and only their SHA-256 is stored: a database leak gives no usable token.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
import secrets
import unicodedata
from functools import lru_cache
from pathlib import Path

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

# Moderate parameters: a login costs ~50 ms on one core, the test suite stays quick.
_hasher = PasswordHasher(time_cost=2, memory_cost=19_456, parallelism=1)

TOKEN_PREFIX = "esk_"
MIN_PASSWORD = 10
"""NIST SP 800-63B asks for 8 at least; 10 because a login here unlocks the ward's money and,
for an official, a page that asks for the signing PIN next."""
_COMMON = Path(__file__).resolve().parent / "data" / "common_passwords.txt"
_DECORATION = re.compile(r"[\d\W_]+$|^[\d\W_]+")


@lru_cache(maxsize=1)
def common_passwords() -> frozenset[str]:
    """The shipped list (lower case), read once."""
    lines = _COMMON.read_text(encoding="utf-8").splitlines()
    return frozenset(w.strip() for w in lines if w.strip() and not w.startswith("#"))


def password_problem(password: str, *, username: str) -> tuple[str, str] | None:
    """Why ``password`` is refused (Vietnamese, English), or None when it is acceptable.

    Length, not composition rules: at least :data:`MIN_PASSWORD` characters that are not only
    spaces or one repeated character, not the username (nor containing it), not a common
    password, even decorated with digits or signs around it ("matkhau2026!")."""
    text = unicodedata.normalize("NFC", password)
    if len(text) < MIN_PASSWORD:
        return (
            f"Mật khẩu phải có ít nhất {MIN_PASSWORD} ký tự",
            f"Password must have at least {MIN_PASSWORD} characters",
        )
    if not text.strip() or len(set(text)) <= 2:
        return (
            "Mật khẩu không được chỉ gồm khoảng trắng hay một ký tự lặp lại",
            "Password must not be only spaces or one repeated character",
        )
    lowered, name = text.lower(), username.strip().lower()
    if name and (name in lowered or lowered in name):
        return ("Mật khẩu không được chứa tên đăng nhập", "Password must not contain the username")
    bare = _DECORATION.sub("", lowered)
    common = common_passwords()
    if lowered in common or bare in common or lowered.replace(" ", "") in common:
        return ("Mật khẩu này quá phổ biến, dễ bị đoán", "This password is too common")
    return None


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def check_password(password_hash: str, password: str) -> bool:
    try:
        return _hasher.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def new_secret(prefix: str = "") -> str:
    return prefix + secrets.token_urlsafe(32)


def sha256_hex(value: str) -> str:
    return hashlib.sha256(value.encode()).hexdigest()


def new_document_token() -> str:
    """The QR token of a document: 128 random bits, base64url (22 characters)."""
    return secrets.token_urlsafe(16)


def expires_in(days: float) -> dt.datetime:
    return dt.datetime.now(dt.UTC) + dt.timedelta(days=days)


def printable(text: str) -> str:
    """``text`` with control and format characters escaped (``\\n``, ``\\x1b``, ``\\u202e``),
    for a line a person reads (a terminal, a log): a username with a newline or an ANSI
    escape must not forge or hide lines. Backslashes are doubled so the escape is unambiguous."""
    out = []
    for ch in text:
        if ch == "\\":
            out.append("\\\\")
        elif unicodedata.category(ch) in ("Cc", "Cf", "Zl", "Zp"):
            out.append(ch.encode("unicode_escape").decode("ascii"))
        else:
            out.append(ch)
    return "".join(out)
