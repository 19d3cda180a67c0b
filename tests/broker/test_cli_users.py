"""`flowrt run --mqtt-broker --mqtt-user NAME=SECRET`: the embedded broker's users take their
passwords from the secrets file; a wrong password is refused, the right one accepted, and no
password reaches the output; a user whose secret is missing, or --mqtt-user without a broker,
is a clear error; with a user the broker may be asked for a public address."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from flowrt.cli.mqtt_broker import embedded_broker
from flowrt.errors import ConfigError
from tests.broker.broker_kit import Client
from tests.support.servers import free_port
from tests.support.waiting import wait_until

ROOT = Path(__file__).resolve().parents[2]
SECRET = "cli-Broker-pw-77"
FLOW = "flowrt: 1\nnodes:\n  tick: {type: inject, repeat: 5, payload: 1, to: show}\n" \
       "  show: {type: debug, active: false}\n"


def flowrt_run(*args: str) -> subprocess.Popen[str]:
    return subprocess.Popen([sys.executable, "-m", "flowrt", "run", *args], cwd=ROOT,
                            text=True, env=dict(os.environ), stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE)


def test_users_from_the_secrets_file(tmp_path: Path) -> None:
    (tmp_path / "flow.yaml").write_text(FLOW)
    (tmp_path / "secrets.yaml").write_text(f"DEV_MQTT_PASSWORD: {SECRET}\n")
    port = free_port()
    run = flowrt_run(str(tmp_path / "flow.yaml"), "--secrets", str(tmp_path / "secrets.yaml"),
                     "--mqtt-broker", f"127.0.0.1:{port}", "--mqtt-user", "dev=DEV_MQTT_PASSWORD")
    try:
        def answered() -> Client | None:
            assert run.poll() is None, run.communicate()
            try:
                return Client(port, "c1", "dev", "wrong")
            except OSError:
                return None

        refused = wait_until(answered, "the embedded broker", 90)
        assert refused is not None
        assert refused.code == 135  # not authorised
        good = Client(port, "c2", "dev", SECRET)
        assert good.code == 0
        good.close()
        run.send_signal(signal.SIGINT)
        out, err = run.communicate(timeout=60)
    finally:
        if run.poll() is None:
            run.kill()
            run.communicate()
    assert run.returncode == 0, err
    assert f"embedded MQTT broker on 127.0.0.1:{port}, 1 user(s)" in err
    assert SECRET not in out + err


@pytest.mark.parametrize(("args", "said"), [
    (["--mqtt-broker", "127.0.0.1:1", "--mqtt-user", "dev=NOT_SET_ANYWHERE"],
     "no secret NOT_SET_ANYWHERE"),
    (["--mqtt-user", "dev=DEV_MQTT_PASSWORD"], "add --mqtt-broker"),
    (["--mqtt-broker", "127.0.0.1:1", "--mqtt-user", "dev"], "NAME=SECRET"),
])
def test_bad_users_are_clear_errors(tmp_path: Path, args: list[str], said: str) -> None:
    (tmp_path / "flow.yaml").write_text(FLOW)
    run = flowrt_run(str(tmp_path / "flow.yaml"), *args)
    _, err = run.communicate(timeout=120)
    assert run.returncode == 2, err
    assert said in err and "Traceback" not in err


def test_a_public_address_needs_a_user() -> None:
    with pytest.raises(ConfigError, match="no users"):
        embedded_broker("0.0.0.0:1883", (), {})
    broker = embedded_broker("0.0.0.0:1883", ("dev=PW",), {"PW": SECRET})
    assert broker is not None and list(broker.users) == ["dev"]
    assert SECRET not in repr(broker.users)  # kept hashed only
