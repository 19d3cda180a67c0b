"""compose.yaml, the group demonstration: it cannot run here (no container engine), so check
what would break it: two workers of one group with distinct names, every flow file it runs
exists and validates with the environment the workers get, and every server the flows name is
a service of the file."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Any

from ruamel.yaml import YAML

ROOT = Path(__file__).resolve().parent.parent


def compose() -> dict[str, Any]:
    data: dict[str, Any] = YAML(typ="safe").load((ROOT / "compose.yaml").read_text())
    return data


def test_two_workers_run_the_same_flows_in_one_group() -> None:
    services = compose()["services"]
    workers = {name: s for name, s in services.items() if name.startswith("worker")}
    assert len(workers) == 2
    commands = {tuple(s["command"]) for s in workers.values()}
    assert len(commands) == 1, "every worker runs the same flows"
    envs = [s["environment"] for s in workers.values()]
    assert {e["FLOWRT_GROUP"] for e in envs} == {"demo"}
    assert len({e["FLOWRT_WORKER"] for e in envs}) == 2, "worker names are distinct"
    assert all(e["FLOWRT_GROUP_DB"].startswith("postgresql://postgres@postgres:") for e in envs)
    assert {"postgres", "rabbitmq", "mosquitto", "influxdb"} <= set(services)


def test_the_flows_it_runs_exist_and_validate_with_the_workers_environment() -> None:
    worker = compose()["services"]["worker-1"]
    flows = [arg.replace("/flows/", "flows/") for arg in worker["command"]
             if arg.startswith("/flows/")]
    assert flows and all((ROOT / f).is_file() for f in flows)
    env = {**os.environ, **{k: str(v) for k, v in worker["environment"].items()}}
    done = subprocess.run([sys.executable, "-m", "flowrt", "validate", "--strict", *flows],
                          cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stdout + done.stderr
    text = "".join((ROOT / f).read_text() for f in flows)
    for name in ("MQTT_URL", "INFLUX_URL", "PG_DSN", "AMQP_URL", "AMQP_USER", "AMQP_PASSWORD"):
        assert "${" + name in text, f"{name} is set for the workers but no flow reads it"


def test_mounted_files_exist() -> None:
    for service in compose()["services"].values():
        for volume in service.get("volumes", []):
            source = volume.split(":")[0]
            if source.startswith("./"):
                assert (ROOT / source).exists(), source
