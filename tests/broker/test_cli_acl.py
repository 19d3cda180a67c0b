"""`flowrt run --mqtt-broker --mqtt-user ... --mqtt-acl FILE` (or FLOWRT_MQTT_ACL): the
embedded broker of the command confines each user to what the Mosquitto ACL file grants; a bad
file, or an ACL without users or without a broker, stops the command with what to do."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from tests.broker.broker_kit import WAIT, Client
from tests.support.servers import free_port
from tests.support.waiting import wait_until

ROOT = Path(__file__).resolve().parents[2]
FLOW = "flowrt: 1\nnodes:\n  tick: {type: inject, repeat: 5, payload: 1, to: show}\n" \
       "  show: {type: debug, active: false}\n"
ACL = "topic read $SYS/#\npattern readwrite devices/%u/#\nuser ops\ntopic read devices/#\n"
REFUSED = 128


def flowrt_run(tmp_path: Path, *args: str, **env: str) -> subprocess.Popen[str]:
    (tmp_path / "flow.yaml").write_text(FLOW)
    (tmp_path / "secrets.yaml").write_text("ALICE_PW: alice-pw-1\nBOB_PW: bob-pw-2\n"
                                           "OPS_PW: ops-pw-3\n")
    return subprocess.Popen(
        [sys.executable, "-m", "flowrt", "run", str(tmp_path / "flow.yaml"),
         "--secrets", str(tmp_path / "secrets.yaml"), *args], cwd=ROOT, text=True,
        env={**os.environ, **env}, stdout=subprocess.PIPE, stderr=subprocess.PIPE)


def test_the_acl_file_from_the_environment_confines_each_user(tmp_path: Path) -> None:
    (tmp_path / "acl.conf").write_text(ACL)
    port = free_port()
    run = flowrt_run(tmp_path, "--mqtt-broker", f"127.0.0.1:{port}", "--mqtt-user",
                     "alice=ALICE_PW", "--mqtt-user", "bob=BOB_PW", "--mqtt-user", "ops=OPS_PW",
                     FLOWRT_MQTT_ACL=str(tmp_path / "acl.conf"))
    clients: list[Client] = []
    try:
        def answered() -> Client | None:
            assert run.poll() is None, run.communicate()
            try:
                return Client(port, "alice-1", "alice", "alice-pw-1")
            except OSError:
                return None

        alice = wait_until(answered, "the embedded broker", 90)
        assert alice is not None
        bob = Client(port, "bob-1", "bob", "bob-pw-2")
        ops = Client(port, "ops-1", "ops", "ops-pw-3")
        clients += [alice, bob, ops]
        assert [alice.code, bob.code, ops.code] == [0, 0, 0]
        assert alice.subscribe("devices/bob/#") == [REFUSED]
        assert alice.subscribe("#") == [REFUSED]
        assert alice.subscribe("$SYS/#") == [REFUSED]  # the anonymous line is not hers
        assert bob.subscribe("devices/bob/#") == [1]
        assert ops.subscribe("devices/#") == [1]
        alice.publish("devices/bob/valve", b"forged")
        ops.publish("devices/ops/x", b"ops may only read devices/")  # its own %u subtree
        alice.publish("devices/alice/temp", b"20")  # the marker
        wait_until(lambda: len(ops.topics()) == 2, "ops's and alice's readings", WAIT)
        assert sorted(ops.topics()) == ["devices/alice/temp", "devices/ops/x"]  # no forgery
        assert bob.topics() == []
    finally:
        for client in clients:
            client.close()
        if run.poll() is None:
            run.send_signal(signal.SIGINT)
        out, err = run.communicate(timeout=60)
    assert run.returncode == 0, err
    assert f"embedded MQTT broker on 127.0.0.1:{port}, 3 user(s), topic ACLs" in err
    assert f"{tmp_path / 'acl.conf'}:1: `topic read $SYS/#` is for clients without" in err
    assert "alice-pw-1" not in out + err


@pytest.mark.parametrize(("acl", "args", "said"), [
    ("user alice\ntopic write a/#\ntopic read a/#/x\n", ["--mqtt-user", "alice=ALICE_PW"],
     "acl.conf:3: `a/#/x`: `#` must be a whole level"),
    ("pattern read a/%u\nusers alice\n", ["--mqtt-user", "alice=ALICE_PW"],
     "acl.conf:2: unknown line `users alice`"),
    ("pattern read a/%u\n", [], "without users every client gets in anonymously"),
])
def test_a_bad_acl_stops_the_command(tmp_path: Path, acl: str, args: list[str],
                                     said: str) -> None:
    (tmp_path / "acl.conf").write_text(acl)
    run = flowrt_run(tmp_path, "--mqtt-broker", "127.0.0.1:1", "--mqtt-acl",
                     str(tmp_path / "acl.conf"), *args)
    _, err = run.communicate(timeout=120)
    assert run.returncode == 2, err
    assert said in err and "Traceback" not in err


def test_an_acl_without_a_broker_is_an_error(tmp_path: Path) -> None:
    (tmp_path / "acl.conf").write_text("pattern read a/%u\n")
    run = flowrt_run(tmp_path, FLOWRT_MQTT_ACL=str(tmp_path / "acl.conf"))
    _, err = run.communicate(timeout=120)
    assert run.returncode == 2, err
    assert "add --mqtt-broker" in err and "Traceback" not in err


def test_serve_takes_the_acl_file_too(tmp_path: Path) -> None:
    (tmp_path / "flows").mkdir()
    (tmp_path / "acl.conf").write_text("user alice\ntopic read a/#/b\n")
    (tmp_path / "secrets.yaml").write_text("ALICE_PW: alice-pw-1\n")
    serve = subprocess.run(
        [sys.executable, "-m", "flowrt", "serve", "--flows", str(tmp_path / "flows"),
         "--port", "1", "--state-dir", str(tmp_path / "state"),
         "--secrets", str(tmp_path / "secrets.yaml"), "--mqtt-broker", "127.0.0.1:1",
         "--mqtt-user", "alice=ALICE_PW", "--mqtt-acl", str(tmp_path / "acl.conf")],
        cwd=ROOT, text=True, capture_output=True, timeout=120)
    assert serve.returncode == 2, serve.stderr
    assert f"{tmp_path / 'acl.conf'}:2: `a/#/b`" in serve.stderr
    assert "Traceback" not in serve.stderr
