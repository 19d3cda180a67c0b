"""Password guessing: failed logins are counted per user name and per client address, failed
bearer tokens per client address; past five, the answer is 429 with Retry-After until the
lockout ends, even for the right password or token, and each further lockout lasts longer.
Every attempt leaves an audit line (user, client, outcome) that never holds the password or
token, and a flood of distinct names and addresses cannot grow memory without bound."""

from __future__ import annotations

import logging
import warnings
from collections.abc import Iterator
from pathlib import Path

import pytest

with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    from starlette.testclient import TestClient

from flowrt.server.app import ServerSettings, create_app
from flowrt.server.auth import Auth, hash_password
from tests.security.http_kit import HEADERS, TOKEN, WEB, client_of

PASSWORD = "correct-horse-battery-staple"
WRONG = "Tr0ub4dor&3-guess"


class Clients:
    """One app, reached from any client address (each a TestClient of its own)."""

    def __init__(self, tmp_path: Path) -> None:
        users = tmp_path / "users.yaml"
        users.write_text(f"users:\n  alice: '{hash_password(PASSWORD, 1000)}'\n"
                         f"  bob: '{hash_password(PASSWORD, 1000)}'\n")
        self.auth = Auth.load(str(users), f"ci:{TOKEN}")
        self.now = 1000.0
        flows = tmp_path / "flows"
        flows.mkdir()
        (flows / "web.yaml").write_text(WEB)
        self.app = create_app(ServerSettings(flows=flows, env={}, auth=self.auth,
                                             close_timeout=5.0))
        self._clients: dict[str, TestClient] = {}

    def at(self, address: str) -> TestClient:
        if address not in self._clients:
            self._clients[address] = TestClient(self.app, base_url="http://testserver",
                                                client=(address, 50000))
        return self._clients[address]

    def login(self, address: str, user: str, password: str) -> tuple[int, str | None]:
        response = self.at(address).post("/api/login", headers=HEADERS,
                                         json={"user": user, "password": password})
        return response.status_code, response.headers.get("retry-after")

    def bearer(self, address: str, token: str) -> tuple[int, str | None]:
        response = self.at(address).get("/api/flows",
                                        headers={"Authorization": f"Bearer {token}"})
        return response.status_code, response.headers.get("retry-after")

    def close(self) -> None:
        for client in self._clients.values():
            client.close()


@pytest.fixture
def clients(tmp_path: Path) -> Iterator[Clients]:
    made = Clients(tmp_path)
    yield made
    made.close()


def _use_the_clock(clients: Clients) -> None:
    clients.auth.attempts.clock = lambda: clients.now


def test_guessing_one_users_password_locks_that_user(clients: Clients) -> None:
    _use_the_clock(clients)
    for i in range(5):  # from five addresses: the user name's own count locks it
        assert clients.login(f"10.0.0.{i}", "alice", WRONG)[0] == 401
    status, retry = clients.login("10.0.0.9", "alice", PASSWORD)
    assert status == 429
    assert retry is not None and 1 <= int(retry) <= 60
    assert clients.login("10.0.0.9", "bob", PASSWORD)[0] == 200  # others are not locked
    clients.now += int(retry) + 1
    assert clients.login("10.0.0.9", "alice", PASSWORD)[0] == 200


def test_one_address_guessing_many_users_is_locked(clients: Clients) -> None:
    _use_the_clock(clients)
    for user in ("alice", "bob", "carol", "dave", "erin"):
        assert clients.login("192.0.2.1", user, WRONG)[0] == 401
    assert clients.login("192.0.2.1", "bob", PASSWORD)[0] == 429
    assert clients.login("192.0.2.2", "bob", PASSWORD)[0] == 200  # another address may


def test_each_further_lockout_lasts_longer(clients: Clients) -> None:
    _use_the_clock(clients)
    waits = []
    for _ in range(3):
        for _ in range(5):
            assert clients.login("198.51.100.7", "alice", WRONG)[0] == 401
        status, retry = clients.login("198.51.100.7", "alice", PASSWORD)
        assert status == 429 and retry is not None
        waits.append(int(retry))
        clients.now += int(retry) + 1
    assert waits[0] < waits[1] < waits[2]


def test_guessing_tokens_locks_the_address(clients: Clients) -> None:
    _use_the_clock(clients)
    for i in range(5):
        assert clients.bearer("203.0.113.5", f"guess-{i:02d}-0123456789abcdef")[0] == 401
    status, retry = clients.bearer("203.0.113.5", TOKEN)
    assert status == 429 and retry is not None and int(retry) >= 1
    assert clients.bearer("203.0.113.6", TOKEN)[0] == 200
    clients.now += int(retry) + 1
    assert clients.bearer("203.0.113.5", TOKEN)[0] == 200


def test_an_ipv6_host_cannot_dodge_by_changing_its_interface_id(clients: Clients) -> None:
    _use_the_clock(clients)
    for i in range(5):
        assert clients.login(f"2001:db8:1:2::{i + 1:x}", f"user{i}", WRONG)[0] == 401
    assert clients.login("2001:db8:1:2::ff", "alice", PASSWORD)[0] == 429
    assert clients.login("2001:db8:1:3::1", "alice", PASSWORD)[0] == 200


def test_a_flow_endpoints_own_tokens_are_not_ours_to_count(tmp_path: Path) -> None:
    with client_of(tmp_path / "flows", auth=Auth.load(None, f"ci:{TOKEN}")) as client:
        ours = {"Authorization": f"Bearer {TOKEN}"}
        assert client.post("/api/deploy", json={}, headers={**HEADERS, **ours}).status_code \
            == 200
        for i in range(8):
            response = client.get("/hello", headers={"Authorization": f"Bearer flow-key-{i}"})
            assert response.status_code == 200
        assert client.get("/api/flows", headers=ours).status_code == 200


def test_every_attempt_is_audited_without_the_secret(
        clients: Clients, caplog: pytest.LogCaptureFixture) -> None:
    _use_the_clock(clients)
    with caplog.at_level(logging.DEBUG, logger="flowrt.audit"):
        clients.login("192.0.2.10", "alice", PASSWORD)
        clients.login("192.0.2.10", "mallory", WRONG)
        for _ in range(5):
            clients.login("192.0.2.11", "alice", WRONG)
        clients.bearer("192.0.2.12", TOKEN)
        clients.bearer("192.0.2.12", TOKEN)
        for i in range(6):
            clients.bearer("192.0.2.13", f"guess-{i:02d}-0123456789abcdef")
    lines = [r.getMessage() for r in caplog.records if r.name == "flowrt.audit"]
    assert 'login user="alice" client=192.0.2.10 outcome=ok' in lines
    assert 'login user="mallory" client=192.0.2.10 outcome=unknown-user' in lines
    assert sum('user="alice" client=192.0.2.11 outcome=wrong-password' in x for x in lines) == 5
    assert any("client=192.0.2.11" in x and "locked_for=" in x for x in lines)
    assert 'token user="ci" client=192.0.2.12 outcome=ok' in lines
    assert sum("client=192.0.2.12 outcome=ok" in x for x in lines) == 2
    assert sum("client=192.0.2.13 outcome=refused" in x for x in lines) == 5
    assert any("client=192.0.2.13 outcome=locked" in x for x in lines)
    assert len(lines) == 1 + 1 + 5 + 2 + 6
    text = "\n".join(lines)
    assert PASSWORD not in text and WRONG not in text and TOKEN not in text
    assert "guess-0" not in text


def test_a_flood_of_names_and_addresses_keeps_memory_bounded_and_locks_held() -> None:
    from flowrt.server.throttle import Throttle

    table = Throttle(max_keys=500)
    for _ in range(5):
        table.fail("alice", 0.0)
    assert table.wait("alice", 1.0) > 0
    for i in range(20_000):
        table.fail(f"name-{i}", 1.0)
    assert len(table) <= 2 * 500
    assert table.wait("alice", 2.0) > 0  # a flood of one-off names does not free it
    for i in range(2_000):  # even a flood of locked names keeps the table bounded
        for _ in range(5):
            table.fail(f"locked-{i}", 2.0)
    assert len(table) <= 2 * 500


def test_behind_a_proxy_on_the_same_host_the_forwarded_address_counts(tmp_path: Path) -> None:
    import json
    import urllib.error
    import urllib.request

    from tests.security.http_kit import serving

    users = tmp_path / "users.yaml"
    users.write_text(f"users:\n  alice: '{hash_password(PASSWORD, 1000)}'\n")

    def login(forwarded_for: str, user: str, password: str) -> int:
        request = urllib.request.Request(
            f"http://127.0.0.1:{port}/api/login", method="POST",
            data=json.dumps({"user": user, "password": password}).encode(),
            headers={**HEADERS, "content-type": "application/json",
                     "X-Forwarded-For": forwarded_for})
        try:
            with urllib.request.urlopen(request, timeout=30) as response:
                return int(response.status)
        except urllib.error.HTTPError as exc:
            return exc.code

    with serving(tmp_path, "--auth-file", str(users)) as (port, log):
        for i in range(5):
            assert login("203.0.113.9", f"user{i}", WRONG) == 401
        assert login("203.0.113.9", "alice", PASSWORD) == 429
        assert login("203.0.113.10", "alice", PASSWORD) == 200
    text = log.read_text()
    assert 'login user="user0" client=203.0.113.9 outcome=unknown-user' in text
    assert 'login user="alice" client=203.0.113.10 outcome=ok' in text
