"""A private PostgreSQL cluster for tests that must stop the server or refuse a password.

``PrivateServer.create()`` runs ``initdb`` in a fresh directory (as the ``postgres`` user when
the tests run as root, since initdb refuses root), starts it on a free port of 127.0.0.1 with
``fsync=off``, and creates the database ``test``. ``stop()`` and ``start()`` take it down and
bring it back on the same port with its data; ``destroy()`` stops it and removes it.
With ``password``, TCP logins need it (scram-sha-256), as on a production server.
"""

from __future__ import annotations

import glob
import os
import shutil
import socket
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

import psycopg


def _bindir() -> Path:
    given = os.environ.get("FLOWRT_PG_BIN")
    if given:
        return Path(given)
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"), key=_version)
    if found:
        return Path(found[-1]).parent
    initdb = shutil.which("initdb")
    if initdb is None:
        raise RuntimeError("initdb not found: install PostgreSQL or set FLOWRT_PG_BIN")
    return Path(initdb).resolve().parent


def _version(path: str) -> int:
    part = Path(path).parent.parent.name
    return int(part) if part.isdigit() else 0


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class PrivateServer:
    root: Path
    port: int
    password: str | None = None

    @property
    def data(self) -> Path:
        return self.root / "data"

    def url(self, user: str = "postgres", database: str = "test") -> str:
        return f"postgresql://{user}@127.0.0.1:{self.port}/{database}"

    def admin_url(self, database: str = "test") -> str:
        """A URL that logs in (with the password, when there is one)."""
        secret = f":{self.password}" if self.password else ""
        return f"postgresql://postgres{secret}@127.0.0.1:{self.port}/{database}"

    @classmethod
    def create(cls, password: str | None = None) -> PrivateServer:
        root = Path(tempfile.mkdtemp(prefix="flowrt-pg-"))
        server = cls(root, _free_port(), password)
        args = [str(_bindir() / "initdb"), "-D", str(server.data), "-U", "postgres", "-E", "UTF8"]
        args += ["--auth-local=trust"]
        if password:
            (root / "pw").write_text(password + "\n")
            args += ["--auth-host=scram-sha-256", f"--pwfile={root / 'pw'}"]
        else:
            args += ["--auth-host=trust"]
        server._chown()
        server._run(args)
        server.start()
        with psycopg.connect(server.admin_url("postgres"), autocommit=True) as conn:
            conn.execute("CREATE DATABASE test")
        return server

    def start(self) -> None:
        options = f"-c listen_addresses=127.0.0.1 -p {self.port} -k {self.root} -c fsync=off"
        log = self.root / "log"
        self._run(
            [
                str(_bindir() / "pg_ctl"),
                "-D",
                str(self.data),
                "-l",
                str(log),
                "-w",
                "-t",
                "60",
                "-o",
                options,
                "start",
            ]
        )

    def stop(self) -> None:
        self._run(
            [
                str(_bindir() / "pg_ctl"),
                "-D",
                str(self.data),
                "-m",
                "fast",
                "-w",
                "-t",
                "60",
                "stop",
            ]
        )

    def destroy(self) -> None:
        if (self.data / "postmaster.pid").exists():
            self.stop()
        shutil.rmtree(self.root, ignore_errors=True)

    def _chown(self) -> None:
        if os.geteuid() == 0:
            shutil.chown(self.root, "postgres", "postgres")

    def _run(self, args: list[str]) -> None:
        if os.geteuid() == 0:
            args = ["runuser", "-u", "postgres", "--", *args]
        done = subprocess.run(args, capture_output=True, text=True, timeout=120)
        if done.returncode != 0:
            raise RuntimeError(f"{' '.join(args)} failed: {done.stderr or done.stdout}")
