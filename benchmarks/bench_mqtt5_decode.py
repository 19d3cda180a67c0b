"""What decoding one MQTT 5 PUBLISH costs in paho, with its own properties and with
nodes/mqtt/mqtt_properties.py's shared tables, beside the same PUBLISH under MQTT 3.1.1.

    python benchmarks/bench_mqtt5_decode.py [--n 50000] [--rounds 5]

Each figure is microseconds per packet (``paho.mqtt._packet.decode_publish``, what paho's
reading of a PUBLISH does before calling back), median of the rounds, the three measured in
turn within each round so that the machine's load hits all of them.
"""

from __future__ import annotations

import argparse
import statistics
import struct
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from flowrt_nodes.mqtt.mqtt_properties import shared_class  # noqa: E402
from paho.mqtt import _packet  # noqa: E402
from paho.mqtt.properties import Properties  # noqa: E402

TOPIC = b"plant/line/1/reading"
PAYLOAD = b'{"id": 1, "device": "d-17", "value": 71.3, "sent": 1700000000.123}'


def packet(mqtt5: bool) -> bytes:
    head = struct.pack("!H", len(TOPIC)) + TOPIC + struct.pack("!H", 42)
    return head + (b"\x00" if mqtt5 else b"") + PAYLOAD


def per_packet(cls: type | None, n: int) -> float:
    mqtt5 = cls is not None
    data, protocol = packet(mqtt5), 5 if mqtt5 else 4
    saved = _packet.Properties
    if cls is not None:
        _packet.Properties = cls
    try:
        decode = _packet.decode_publish
        started = time.perf_counter()
        for _ in range(n):
            decode(0x32, data, protocol)
        return (time.perf_counter() - started) / n * 1e6
    finally:
        _packet.Properties = saved


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=50_000)
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    kinds = {"MQTT 3.1.1": None, "MQTT 5, paho's Properties": Properties,
             "MQTT 5, shared tables": shared_class()}
    found: dict[str, list[float]] = {name: [] for name in kinds}
    for _ in range(args.rounds):
        for name, cls in kinds.items():
            found[name].append(per_packet(cls, args.n))
    for name, values in found.items():
        print(f"{name:28} {statistics.median(values):7.2f} µs a PUBLISH")


if __name__ == "__main__":
    main()
