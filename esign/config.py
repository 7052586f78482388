"""The service's settings: one class, read from ``ESIGN_*`` variables and a ``.env`` file."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="ESIGN_", env_file=".env", extra="ignore")

    data_dir: Path = Path("./esign-data")
    """Database (SQLite default), keys, stored PDFs."""

    database_url: str | None = None
    """``postgresql+psycopg://…`` in production; SQLite in ``data_dir`` when unset."""

    public_url: str = "http://127.0.0.1:8000"
    """The host printed in QR codes."""

    province: str | None = "HD"
    """Province code whose fee resolutions override the national tariffs (Hải Dương)."""

    @property
    def sqlite_url(self) -> str:
        return f"sqlite:///{(self.data_dir / 'esign.sqlite3').resolve()}"

    @property
    def effective_database_url(self) -> str:
        return self.database_url or self.sqlite_url


@lru_cache
def get_settings() -> Settings:
    return Settings()
