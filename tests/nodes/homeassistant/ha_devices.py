"""A Home Assistant of the tests' own with a device and the Node-RED Companion integration:
the test server's Home Assistant (installed by .ci/services.sh) started on a free port with a
fresh configuration (.ci/homeassistant_seed.py), the flowrt_devices custom integration next to
this module and the companion (custom component `nodered` 3.1.7, MIT, from
github.com/zachowj/hass-node-red at 83b373b, kept as nodered-companion-3.1.7.tar.gz with its
licence), whose config entries are written into the storage before the start. It has the
device `flowrt lamp` with the switch `switch.flowrt_lamp` (device triggers and actions) and
takes the entities the sensor nodes create, which the shared test server (no device, no custom
component) cannot."""

from __future__ import annotations

import json
import shutil
import subprocess
import tarfile
import time
import uuid
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest

from flowrt.compile import build_plan
from flowrt.load import Project, load_text
from flowrt.testing import Harness
from tests.nodes.homeassistant.ha_kit import SVC
from tests.support.servers import free_port

ROOT = Path(__file__).resolve().parents[3]
COMPONENT = Path(__file__).with_name("flowrt_devices")
COMPANION = Path(__file__).with_name("nodered-companion-3.1.7.tar.gz")
LAMP = "switch.flowrt_lamp"


@dataclass
class DeviceHome:
    url: str
    token: str

    def api(self, method: str, path: str, body: Any = None) -> Any:
        r = httpx.request(method, f"{self.url}/api/{path}", json=body, timeout=30,
                          headers={"Authorization": f"Bearer {self.token}"})
        r.raise_for_status()
        return r.json() if r.content else None

    def state(self, entity_id: str) -> str:
        return str(self.api("GET", f"states/{entity_id}")["state"])

    def render(self, template: str) -> str:
        r = httpx.post(f"{self.url}/api/template", json={"template": template}, timeout=30,
                       headers={"Authorization": f"Bearer {self.token}"})
        r.raise_for_status()
        return r.text

    @asynccontextmanager
    async def running(self, nodes: dict[str, Any]) -> AsyncIterator[Harness]:
        env = {"HA_TOKEN": self.token}
        text = json.dumps({"flowrt": 1, "nodes": nodes, "connections": {
            "home": {"type": "homeassistant-server", "url": self.url, "token": "${HA_TOKEN}"}}})
        plan, _ = build_plan(Project(documents=[load_text(text, "ha.yaml")]), env=env)
        harness = Harness(plan, env=env, virtual_time=False, timeout=60.0)
        await harness.start()
        try:
            yield harness
        finally:
            await harness.stop()


@pytest.fixture(scope="module")
def device_home(tmp_path_factory: pytest.TempPathFactory) -> Iterator[DeviceHome]:
    venv = SVC / "homeassistant" / "venv" / "bin"
    if not (venv / "hass").exists():
        pytest.fail(f"no Home Assistant installed in {venv}: run `.ci/services.sh ensure`")
    config = tmp_path_factory.mktemp("ha-devices")
    port = free_port()
    token = subprocess.run([str(venv / "python"), str(ROOT / ".ci/homeassistant_seed.py"),
                            str(config), str(port)], check=True, capture_output=True,
                           text=True).stdout.strip()
    shutil.copytree(COMPONENT, config / "custom_components" / "flowrt_devices",
                    ignore=shutil.ignore_patterns("__pycache__"))
    with tarfile.open(COMPANION) as archive:
        archive.extractall(config, members=[m for m in archive.getmembers()
                                            if m.name.startswith("custom_components/")],
                           filter="data")
    if subprocess.run([str(venv / "python"), "-c", "import hassil"]).returncode:
        pytest.fail("the companion integration needs hassil in Home Assistant's venv: run "
                    "`.ci/services.sh ensure` (HA_EXTRAS)")
    _write_entries(config)
    log = (config / "hass.out").open("w")
    process = subprocess.Popen([str(venv / "hass"), "-c", str(config), "--skip-pip"],
                               stdout=log, stderr=subprocess.STDOUT)
    home = DeviceHome(f"http://127.0.0.1:{port}", token)
    try:
        _wait_for_lamp(home, process, config)
        yield home
    finally:
        process.terminate()
        try:
            process.wait(60)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        log.close()


def _write_entries(config: Path) -> None:
    entries = [{"entry_id": uuid.uuid4().hex, "version": 1, "minor_version": 1,
                "domain": domain, "title": domain, "data": {}, "options": {},
                "pref_disable_new_entities": False, "pref_disable_polling": False,
                "source": "user", "unique_id": None, "disabled_by": None}
               for domain in ("flowrt_devices", "nodered")]
    (config / ".storage" / "core.config_entries").write_text(json.dumps(
        {"version": 1, "minor_version": 2, "key": "core.config_entries",
         "data": {"entries": entries}}))


def _wait_for_lamp(home: DeviceHome, process: subprocess.Popen[bytes], config: Path) -> None:
    """Until the lamp has a state (Home Assistant started, the integration set up); a
    Home Assistant that exits or takes over 3 minutes fails the test with its log."""
    deadline = time.monotonic() + 180
    while time.monotonic() < deadline:
        if process.poll() is not None:
            break
        try:
            home.state(LAMP)
            return
        except httpx.HTTPError:
            time.sleep(0.5)
    tail = (config / "hass.out").read_text()[-3000:]
    pytest.fail(f"the tests' Home Assistant with a device did not start:\n{tail}")


def device_id(home: DeviceHome) -> str:
    return home.render(f"{{{{ device_id('{LAMP}') }}}}").strip()
