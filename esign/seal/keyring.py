"""The service's seal keys, in a folder of the data directory (``settings.data_dir / "seal"``).

::

    seal/                 0700
      published.json      the keyring's record: key ids, statuses, creation times, public
                          keys, as the JWK Set to serve publicly (and ``esign verify-qr``'s
                          default key set); nothing secret in it
      password            0600, a random password for the private keys
      private/<kid>.pem   0600, PKCS#8 encrypted with that password (BestAvailableEncryption)
      .lock               serialises rotations between processes

Keys are generated here at run time and never leave the folder. A password file next to the
keys only protects a copy of ``private/`` made without ``password`` (a backup, a misplaced
archive): acceptable for development; production should take the password from a secret store,
or keep the key in an HSM. Loading refuses a password or key file others can read.

Statuses only move forward: active → retired → withdrawn, or active → withdrawn.

A :class:`Keyring` object is a snapshot of the folder: a process that signs for hours should load
it again now and then (a small JSON read) to see another process's rotation or withdrawal.
"""

from __future__ import annotations

import base64
import contextlib
import datetime as dt
import fcntl
import json
import os
import secrets
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec

from .errors import KeyringError, KeySetError, UnknownKeyError
from .jwks import KeyId, KeyStatus, PublishedKey, PublishedKeys, thumbprint_kid

PUBLISHED_FILE = "published.json"
PASSWORD_FILE = "password"
PRIVATE_DIR = "private"
LOCK_FILE = ".lock"


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(microsecond=0)


def _write_atomic(path: Path, data: bytes, *, mode: int) -> None:
    tmp = path.with_name(f".{path.name}.{secrets.token_hex(4)}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, mode)
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def _check_private(path: Path) -> None:
    if path.stat().st_mode & 0o077:
        raise KeyringError(
            f"Tệp {path} cho người khác đọc được; chạy: chmod 600 {path}",
            f"{path} is readable by others; run: chmod 600 {path}",
        )


class Keyring:
    """The seal keys of one folder. Build with :meth:`load` or :meth:`load_or_create`."""

    def __init__(self, folder: Path, keys: tuple[PublishedKey, ...]) -> None:
        self.folder = folder
        self._keys = keys
        self._private: dict[KeyId, ec.EllipticCurvePrivateKey] = {}

    # -- reading ---------------------------------------------------------------------------

    @classmethod
    def load(cls, folder: Path) -> Keyring:
        path = folder / PUBLISHED_FILE
        if not path.exists():
            raise KeyringError(
                f"Chưa có khóa con dấu QR trong {folder}", f"no seal keyring in {folder}"
            )
        return cls(folder, cls._read_keys(path))

    @classmethod
    def load_or_create(cls, folder: Path) -> Keyring:
        """The keyring of ``folder``; the first time, creates it with one active key."""
        if (folder / PUBLISHED_FILE).exists():
            return cls.load(folder)
        folder.mkdir(mode=0o700, parents=True, exist_ok=True)
        ring = cls(folder, ())
        with ring._locked():  # another process may be creating it right now
            if not ring._keys:
                ring._add_key(now=_now())
                ring._save()
        return ring

    @staticmethod
    def _read_keys(path: Path) -> tuple[PublishedKey, ...]:
        try:
            document = json.loads(path.read_text(encoding="utf-8"))
            keys = PublishedKeys.from_jwks(document).keys
        except (OSError, ValueError, KeySetError) as exc:
            raise KeyringError(
                f"Tệp khóa {path} hỏng: {exc}", f"keyring file {path} is damaged: {exc}"
            ) from exc
        if sum(k.status is KeyStatus.ACTIVE for k in keys) > 1:
            raise KeyringError(f"{path}: có hơn một khóa đang dùng", f"{path}: two active keys")
        return keys

    @property
    def keys(self) -> tuple[PublishedKey, ...]:
        return self._keys

    @property
    def active(self) -> PublishedKey:
        key = next((k for k in self._keys if k.status is KeyStatus.ACTIVE), None)
        if key is None:
            raise KeyringError(
                "Không có khóa con dấu QR đang dùng; chạy: esign seal rotate",
                "no active seal key; run: esign seal rotate",
            )
        return key

    def published_keys(self) -> PublishedKeys:
        return PublishedKeys(keys=self._keys)

    def published(self) -> dict[str, Any]:
        """The JWK Set to serve at the public URL (no private material in it)."""
        return self.published_keys().to_jwks()

    def signer(self) -> tuple[KeyId, ec.EllipticCurvePrivateKey]:
        """The active key id and its private key, decrypted once per keyring object."""
        key = self.active
        if key.kid not in self._private:
            self._private[key.kid] = self._load_private(key)
        return key.kid, self._private[key.kid]

    def _load_private(self, key: PublishedKey) -> ec.EllipticCurvePrivateKey:
        path = self.folder / PRIVATE_DIR / f"{key.kid}.pem"
        try:
            _check_private(path)
            private = serialization.load_pem_private_key(path.read_bytes(), self._password())
        except (OSError, ValueError, TypeError) as exc:
            raise KeyringError(
                f"Không mở được khóa bí mật {key.kid}: {exc}",
                f"cannot open private key {key.kid}: {exc}",
            ) from exc
        if not isinstance(private, ec.EllipticCurvePrivateKey) or (
            private.public_key().public_numbers() != key.public_key.public_numbers()
        ):
            raise KeyringError(
                f"Khóa bí mật {key.kid} không khớp khóa công khai",
                f"private key {key.kid} does not match its public key",
            )
        return private

    def _password(self) -> bytes:
        path = self.folder / PASSWORD_FILE
        _check_private(path)
        return path.read_bytes().strip()

    # -- changing --------------------------------------------------------------------------

    @contextlib.contextmanager
    def _locked(self) -> Iterator[None]:
        """Hold the folder's lock, with the keys as they are on disk now (not as loaded)."""
        with open(self.folder / LOCK_FILE, "a") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            path = self.folder / PUBLISHED_FILE
            self._keys = self._read_keys(path) if path.exists() else ()
            yield

    def _save(self) -> None:
        body = json.dumps(self.published(), ensure_ascii=False, indent=2).encode() + b"\n"
        _write_atomic(self.folder / PUBLISHED_FILE, body, mode=0o644)

    def _ensure_password(self) -> bytes:
        path = self.folder / PASSWORD_FILE
        if not path.exists():
            secret = base64.urlsafe_b64encode(secrets.token_bytes(32))
            _write_atomic(path, secret + b"\n", mode=0o600)
        return self._password()

    def _add_key(self, *, now: dt.datetime) -> PublishedKey:
        password = self._ensure_password()
        taken = {k.kid for k in self._keys}
        while True:  # a 32-bit key id collides about once in 4 billion: try another key
            private = ec.generate_private_key(ec.SECP256R1())
            kid = thumbprint_kid(private.public_key())
            if kid not in taken:
                break
        (self.folder / PRIVATE_DIR).mkdir(mode=0o700, exist_ok=True)
        pem = private.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.BestAvailableEncryption(password),
        )
        _write_atomic(self.folder / PRIVATE_DIR / f"{kid}.pem", pem, mode=0o600)
        key = PublishedKey(
            kid=kid, status=KeyStatus.ACTIVE, created=now, public_key=private.public_key()
        )
        self._keys = (*self._keys, key)
        self._private[kid] = private
        return key

    def _set_status(self, kid: KeyId, status: KeyStatus) -> None:
        self._keys = tuple(replace(k, status=status) if k.kid == kid else k for k in self._keys)

    def rotate(self) -> PublishedKey:
        """Retire the active key and make a new one active; returns the new key."""
        with self._locked():
            for k in self._keys:
                if k.status is KeyStatus.ACTIVE:
                    self._set_status(k.kid, KeyStatus.RETIRED)
            key = self._add_key(now=_now())
            self._save()
            return key

    def withdraw(self, kid: str) -> PublishedKey:
        """Withdraw a key: every seal it signed stops verifying. Returns the withdrawn key.

        Withdrawing the active key makes a new active key at once, so issuing neither stops
        nor ever signs again with the withdrawn key.
        """
        with self._locked():
            key = next((k for k in self._keys if k.kid == kid), None)
            if key is None:
                raise UnknownKeyError(f"Không có khóa {kid!r}", f"no key {kid!r}")
            if key.status is not KeyStatus.WITHDRAWN:
                self._set_status(key.kid, KeyStatus.WITHDRAWN)
                self._private.pop(key.kid, None)
                if key.status is KeyStatus.ACTIVE:
                    self._add_key(now=_now())
                self._save()
            return replace(key, status=KeyStatus.WITHDRAWN)
