"""Lines per second through tcp in -> change (JSONata) -> tcp out (reply): the same Node-RED
export served by real Node-RED or by ``flowrt run``; one client sends 20,000 lines at once and
reads the 20,000 answers, three times.

    python benchmarks/bench_tcp_echo.py nodered WORKDIR
    python benchmarks/bench_tcp_echo.py flowrt WORKDIR
"""

import socket
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tests.nodered.helpers import nodered_home  # noqa: E402
from tests.nodered.live import flowrt_serving, free_port, nodered_serving  # noqa: E402

LINES = 20000


def flow(port: int) -> list[dict[str, Any]]:
    upper = {"t": "set", "p": "payload", "pt": "msg", "to": "$uppercase(payload) & '\n'",
             "tot": "jsonata"}
    return [
        {"id": "t", "type": "tab", "label": "echo"},
        {"id": "ready", "type": "http in", "z": "t", "url": "/ready", "method": "get",
         "upload": False, "swaggerDoc": "", "wires": [["ok"]]},
        {"id": "ok", "type": "http response", "z": "t", "statusCode": "", "headers": {},
         "wires": []},
        {"id": "tin", "type": "tcp in", "z": "t", "server": "server", "host": "",
         "port": str(port), "datamode": "stream", "datatype": "utf8", "newline": "\\n",
         "topic": "", "trim": False, "base64": False, "tls": "", "wires": [["up"]]},
        {"id": "up", "type": "change", "z": "t", "rules": [upper], "wires": [["tout"]]},
        {"id": "tout", "type": "tcp out", "z": "t", "host": "", "port": "",
         "beserver": "reply", "base64": False, "end": False, "tls": "", "wires": []},
    ]


def drive(port: int) -> float:
    with socket.create_connection(("127.0.0.1", port)) as sock:
        sock.settimeout(120)
        start = time.perf_counter()
        sock.sendall(b"".join(b"line %d\n" % i for i in range(LINES)))
        got = b""
        while got.count(b"\n") < LINES:
            got += sock.recv(1 << 20)
        took = time.perf_counter() - start
    assert got.split(b"\n")[5] == b"LINE 5", got[:50]
    return LINES / took


def main() -> None:
    side, work, port = sys.argv[1], Path(sys.argv[2]), free_port()
    if side == "nodered":
        serving = nodered_serving(flow(port), nodered_home(), work / "nr", ready="/ready")
    else:
        serving = flowrt_serving(flow(port), work / "rt", ready="/ready")
    with serving:
        print(side, "lines/s", [round(drive(port)) for _ in range(3)])


if __name__ == "__main__":
    main()
