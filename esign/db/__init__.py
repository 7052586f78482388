"""Storage: SQLAlchemy 2.0 models, the engine (SQLite default, PostgreSQL in production) and
Alembic migrations."""

from .engine import Database, make_engine, migrate
from .models import Base

__all__ = ["Base", "Database", "make_engine", "migrate"]
