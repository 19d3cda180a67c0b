"""Deployed revisions: who deployed what, when; a diff against the files and a rollback.

Each deploy stores a snapshot of every flow file (name -> text) with its author, time, a hash
of the snapshot and a message, through SQLModel: SQLite in ``revisions.db`` of the server's state
directory by default (created mode 600, in a folder created mode 700: it holds every flow as
deployed), or any database URL (``--db postgresql://...``).

Retention: after each new revision, and when the store opens, revisions beyond the newest
``keep`` are deleted, and so are those older than ``keep_days`` days when that is set; the two
newest (what runs now, and the one before it to roll back to) are never deleted.
"""

from __future__ import annotations

import difflib
import json
import logging
import os
import time
from pathlib import Path
from typing import Any

from sqlalchemy import delete
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import defer
from sqlmodel import Field, Session, SQLModel, col, create_engine, select

from flowrt.group.revisions import snapshot_hash

log = logging.getLogger("flowrt.server")

KEEP_REVISIONS = 100
"""Revisions kept by default: the newest hundred deploys."""
ALWAYS_KEPT = 2
"""The current revision and the one before it are never deleted."""


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


class Revisions:
    def __init__(self, url: str | None, state_dir: Path, keep: int = KEEP_REVISIONS,
                 keep_days: float | None = None) -> None:
        if keep < ALWAYS_KEPT:
            raise ValueError(f"keep at least {ALWAYS_KEPT} revisions (the current one and the "
                             "one before it)")
        if keep_days is not None and keep_days <= 0:
            raise ValueError("the age limit of revisions is a number of days above 0")
        self.keep = keep
        self.keep_days = keep_days
        if url is None:
            url = f"sqlite:///{_private_database(state_dir)}"
        self.engine = create_engine(database_url(url))
        tables = [Revision.__table__]  # type: ignore[attr-defined]
        try:
            SQLModel.metadata.create_all(self.engine, tables=tables)
        except DBAPIError:
            # Several servers of a group starting at once over one database (or one flows
            # directory's SQLite file): another created the table between the check and the
            # CREATE. Checking again finds it.
            SQLModel.metadata.create_all(self.engine, tables=tables)
        self.prune()

    def add(self, author: str, files: dict[str, str], message: str) -> Revision:
        rev = Revision(author=author, time=time.time(), hash=snapshot_hash(files),
                       message=message, files=json.dumps(files, ensure_ascii=False))
        with Session(self.engine) as session:
            session.add(rev)
            session.commit()
            session.refresh(rev)
        self.prune()
        return rev

    def prune(self) -> int:
        """Delete the revisions the retention policy does not keep; how many were deleted."""
        with Session(self.engine) as session:
            rows = session.exec(select(Revision.id, Revision.time)
                                .order_by(col(Revision.id).desc())).all()
            oldest = None if self.keep_days is None else time.time() - self.keep_days * 86400
            doomed = [rid for i, (rid, when) in enumerate(rows)
                      if i >= ALWAYS_KEPT
                      and (i >= self.keep or (oldest is not None and when < oldest))]
            for start in range(0, len(doomed), 500):
                session.execute(delete(Revision).where(
                    col(Revision.id).in_(doomed[start:start + 500])))
            session.commit()
        if doomed:
            log.info("revisions: deleted %d past the retention policy (keep %d%s)", len(doomed),
                     self.keep, "" if self.keep_days is None else f", {self.keep_days:g} days")
        return len(doomed)

    def list(self) -> list[Revision]:
        """Every revision, newest first, without its files (a snapshot can be megabytes: read
        one with :meth:`get`)."""
        with Session(self.engine) as session:
            query = select(Revision).options(defer(Revision.files))  # type: ignore[arg-type]
            return list(session.exec(query.order_by(col(Revision.id).desc())))

    def get(self, rev_id: int) -> Revision | None:
        with Session(self.engine) as session:
            return session.get(Revision, rev_id)

    def close(self) -> None:
        self.engine.dispose()


def _private_database(folder: Path) -> Path:
    """The SQLite file in ``folder``, both created for the owner alone (an existing file and
    folder keep the modes they have)."""
    folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    path = folder / "revisions.db"
    try:
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
    except FileExistsError:
        pass
    return path


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
