"""Storage: SQLAlchemy 2.0 models, the engine (SQLite default, PostgreSQL in production) and
Alembic migrations."""

from .engine import Database, make_engine, migrate
from .models import Base
from .revisions import index_new_documents  # registers the hook that indexes signed revisions

__all__ = ["Base", "Database", "index_new_documents", "make_engine", "migrate"]
