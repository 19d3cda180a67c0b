"""The test servers: their addresses, and private instances that a test may stop and restart.

Shared servers (started by ``.ci/services.sh ensure``) are reached through the ``FLOWRT_TEST_*``
variables. A test that must stop a server mid-stream gets a :class:`PrivateServer` of that kind
instead: the same script starts it on a free port with its own data directory, so stopping it
disturbs no other test, and a restart keeps its data (durable queues, persisted MQTT sessions,
tables, points), as a real server's restart does. A test that needs a PostgreSQL server which
asks for a password gets a :class:`PrivatePostgres`.
"""

from __future__ import annotations

import glob
import os
import random
import shutil
import socket
import subprocess
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = ROOT / ".ci" / "services.sh"

DEFAULTS = {
    "pg": ("FLOWRT_TEST_POSTGRES", "postgresql://postgres@127.0.0.1:{port}/test", 5432),
    "amqp": ("FLOWRT_TEST_AMQP", "amqp://guest:guest@127.0.0.1:{port}/", 5672),
    "mqtt": ("FLOWRT_TEST_MQTT", "mqtt://127.0.0.1:{port}", 1883),
    "influx": ("FLOWRT_TEST_INFLUX_V1", "http://127.0.0.1:{port}", 8086),
    "vm": ("FLOWRT_TEST_VM", "http://127.0.0.1:{port}", 8428),
}
"""Server kind -> (variable, address template, default port)."""


def url(kind: str) -> str:
    """The address of the shared server of this kind."""
    var, template, port = DEFAULTS[kind]
    return os.environ.get(var) or template.format(port=port)


def _free(port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


def _ephemeral_start() -> int:
    """Where the kernel's ephemeral (outgoing) ports begin."""
    try:
        return int(Path("/proc/sys/net/ipv4/ip_local_port_range").read_text().split()[0])
    except (OSError, ValueError, IndexError):
        return 32768


def free_port() -> int:
    """A port free on 127.0.0.1, with port+2 (InfluxDB's RPC) and port+20000 (RabbitMQ's
    distribution port) free too. Always below the ephemeral range: a client polling a port
    there before its server listens can be given that same port as its own source port and
    connect to itself (TCP simultaneous open), then read its own request as the answer."""
    top = min(_ephemeral_start(), 32768) - 3
    for _ in range(200):
        port = random.randint(10000, top)
        if all(_free(p) for p in (port, port + 2, port + 20000)):
            return port
    raise RuntimeError("no free port found on 127.0.0.1")


class PrivateServer:
    """One server of ``kind`` on a free port, its files in a directory of its own (readable by
    the servers' own users: mosquitto, postgres and rabbitmq do not run as root)."""

    def __init__(self, kind: str) -> None:
        self.kind = kind
        self.port = free_port()
        self.directory = directory = Path(
            tempfile.mkdtemp(prefix=f"flowrt-{kind}-{self.port}-", dir="/tmp")
        )
        directory.chmod(0o755)
        var, template, _ = DEFAULTS[kind]
        self.url = template.format(port=self.port)
        self._env = {
            **os.environ,
            "FLOWRT_SVC_DIR": str(directory),
            "FLOWRT_SVC_ONLY": kind,
            var: self.url,
        }
        self.running = False

    def _script(self, command: str, timeout: float) -> None:
        done = subprocess.run(
            ["bash", str(SCRIPT), command],
            env=self._env,
            capture_output=True,
            text=True,
            timeout=timeout,
            stdin=subprocess.DEVNULL,
        )
        if done.returncode != 0:
            raise RuntimeError(
                f"services.sh {command} for a private {self.kind} server on port {self.port} "
                f"failed ({done.returncode}):\n{done.stdout}\n{done.stderr}"
            )

    def start(self) -> None:
        self._script("ensure", 240)
        self.running = True

    def stop(self) -> None:
        self._script("stop", 120)
        deadline = time.monotonic() + 30
        while not _free(self.port) and time.monotonic() < deadline:
            time.sleep(0.1)
        self.running = False

    def restart(self) -> None:
        self.stop()
        self.start()

    def close(self) -> None:
        if self.running:
            self.stop()
        shutil.rmtree(self.directory, ignore_errors=True)


def _bindir() -> Path:
    """The directory of PostgreSQL's programs (initdb, pg_ctl)."""
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


@dataclass
class PrivatePostgres:
    """A PostgreSQL cluster of its own (``initdb`` in a fresh directory), for tests that stop
    the server or need it to ask for a password (the shared servers trust every login).

    ``create()`` runs ``initdb`` (as the ``postgres`` user when the tests run as root, since
    initdb refuses root), starts it on a free port of 127.0.0.1 with ``fsync=off``, and creates
    the database ``test``. ``stop()`` and ``start()`` take it down and bring it back on the same
    port with its data; ``destroy()`` stops it and removes it. With ``password``, TCP logins
    need it (scram-sha-256), as on a production server.
    """

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
    def create(cls, password: str | None = None) -> PrivatePostgres:
        root = Path(tempfile.mkdtemp(prefix="flowrt-pg-"))
        server = cls(root, free_port(), password)
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
        import psycopg

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
