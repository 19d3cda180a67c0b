"""node-os: one value of Node.js's ``os`` module into the payload, as
node-red-contrib-prib-functions' ``os`` node gives it."""

from __future__ import annotations

import os
import pwd
from collections.abc import Callable
from typing import Any, Literal

from flowrt.api import Message, NodeConfig, Output, Transform, field

from .sysinfo_readings import cpus, memory, network_interfaces, os_facts, uptime


def _user() -> dict[str, Any]:
    entry = pwd.getpwuid(os.getuid())
    return {"uid": entry.pw_uid, "gid": entry.pw_gid, "username": entry.pw_name,
            "homedir": entry.pw_dir, "shell": entry.pw_shell or None}


READINGS: dict[str, Callable[[], Any]] = {
    "arch": lambda: os_facts()["arch"], "EOL": lambda: "\n",
    "endianness": lambda: os_facts()["endianness"], "hostname": lambda: os_facts()["hostname"],
    "release": lambda: os_facts()["release"], "type": lambda: os_facts()["type"],
    "tmpdir": lambda: os_facts()["tmpdir"], "homedir": lambda: os.path.expanduser("~"),
    "cpus": cpus, "freemem": lambda: memory()[1], "totalmem": lambda: memory()[0],
    "loadavg": lambda: list(os.getloadavg()), "networkInterfaces": network_interfaces,
    "uptime": uptime, "userInfo": _user,
}
"""Node.js ``os`` member -> its value, in Node.js's shape."""

Reading = Literal["arch", "EOL", "endianness", "hostname", "release", "type", "tmpdir",
                  "homedir", "cpus", "freemem", "totalmem", "loadavg", "networkInterfaces",
                  "uptime", "userInfo"]


class NodeOs(Transform):
    """Put one value of Node.js's `os` module in `payload`: `hostname`, `cpus`, `freemem`...

    ### Inputs

    Any message; `msg.property` names another value to read for this message.

    ### Outputs

    1. the message with `payload` the value;
    2. the message with `error` when `msg.property` names no value read here.

    ### Details

    Values: `arch` (`x64`...), `EOL`, `endianness`, `hostname`, `release`, `type`
    (`Linux`), `tmpdir`, `homedir`, `cpus` (model, speed, times), `freemem` and `totalmem`
    (bytes), `loadavg`, `networkInterfaces`, `uptime` (seconds) and `userInfo` (uid, gid,
    username, homedir, shell), in the shapes Node.js gives, read as the sysinfo node reads
    them.

    ```yaml
    ask: {type: inject, to: host}
    host: {type: node-os, property: hostname, to: show}
    show: {type: debug}
    ```
    """

    type = "node-os"
    outputs = 2
    icon = "terminal"

    class Config(NodeConfig):
        property: Reading = field(description="The value to read.", examples=["hostname"])

    config: Config

    def process(self, msg: Message) -> Output:
        asked = msg.get("property")
        name = asked if isinstance(asked, str) and asked else self.config.property
        reading = READINGS.get(name)
        if reading is None:
            msg["error"] = f"Error: Property not found: {name}"
            return [None, msg]
        msg["payload"] = reading()
        return [msg, None]
