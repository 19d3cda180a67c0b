"""Deployed revisions: who deployed what, when; a diff against the files and a rollback.

Each deploy stores a snapshot of every flow file (name -> text) with its author, time, a hash
of the snapshot and a message, through SQLModel: SQLite in ``<flows>/.flowrt/revisions.db`` by
default, or any database URL (``--db postgresql://...``).
"""

from __future__ import annotations

import difflib
import hashlib
import json
import time
from pathlib import Path
from typing import Any

from sqlalchemy.exc import DBAPIError
from sqlmodel import Field, Session, SQLModel, create_engine, select


class Revision(SQLModel, table=True):
    __tablename__ = "flowrt_revision"

    id: int | None = Field(default=None, primary_key=True)
    author: str
    time: float
    hash: str
    message: str = ""
    files: str = Field(description="JSON: flow file name -> text")

    def public(self) -> dict[str, Any]:
        return {"id": self.id, "author": self.author, "time": self.time, "hash": self.hash,
                "message": self.message}

    def snapshot(self) -> dict[str, str]:
        files: dict[str, str] = json.loads(self.files)
        return files


def database_url(url: str) -> str:
    """SQLAlchemy's URL for ``url``: ``postgresql://`` goes through psycopg 3 (installed),
    not SQLAlchemy's default psycopg2."""
    for prefix in ("postgresql://", "postgres://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix):]
    return url


def snapshot_hash(files: dict[str, str]) -> str:
    text = json.dumps(files, sort_keys=True, ensure_ascii=False)
    return hashlib.sha256(text.encode()).hexdigest()[:20]


class Revisions:
    def __init__(self, url: str | None, flows_dir: Path) -> None:
        if url is None:
            folder = flows_dir / ".flowrt"
            folder.mkdir(parents=True, exist_ok=True)
            url = f"sqlite:///{folder / 'revisions.db'}"
        self.engine = create_engine(database_url(url))
        tables = [Revision.__table__]  # type: ignore[attr-defined]
        try:
            SQLModel.metadata.create_all(self.engine, tables=tables)
        except DBAPIError:
            # Several servers of a group starting at once over one database (or one flows
            # directory's SQLite file): another created the table between the check and the
            # CREATE. Checking again finds it.
            SQLModel.metadata.create_all(self.engine, tables=tables)

    def add(self, author: str, files: dict[str, str], message: str) -> Revision:
        rev = Revision(author=author, time=time.time(), hash=snapshot_hash(files),
                       message=message, files=json.dumps(files, ensure_ascii=False))
        with Session(self.engine) as session:
            session.add(rev)
            session.commit()
            session.refresh(rev)
        return rev

    def list(self) -> list[Revision]:
        with Session(self.engine) as session:
            return list(session.exec(select(Revision).order_by(Revision.id.desc())))  # type: ignore[union-attr]

    def get(self, rev_id: int) -> Revision | None:
        with Session(self.engine) as session:
            return session.get(Revision, rev_id)

    def close(self) -> None:
        self.engine.dispose()


def diff(old: dict[str, str], new: dict[str, str]) -> str:
    """Unified diff from a revision's files (``old``) to the current ones (``new``)."""
    out: list[str] = []
    for name in sorted(set(old) | set(new)):
        a = old.get(name, "").splitlines(keepends=True)
        b = new.get(name, "").splitlines(keepends=True)
        out.extend(difflib.unified_diff(
            a, b, f"a/{name}" if name in old else "/dev/null",
            f"b/{name}" if name in new else "/dev/null"))
    return "".join(line if line.endswith("\n") else line + "\n" for line in out)
