"""Passwords, API tokens and web sessions.

Passwords are hashed with argon2 (argon2-cffi, the reference binding). API tokens and session
ids are random (256 bits) and only their SHA-256 is stored: a database leak gives no usable token.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

# Moderate parameters: a login costs ~50 ms on one core, the test suite stays quick.
_hasher = PasswordHasher(time_cost=2, memory_cost=19_456, parallelism=1)

TOKEN_PREFIX = "esk_"


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
