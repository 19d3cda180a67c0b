"""udp-in on real datagram sockets of 127.0.0.1: data types, the sender's address, a port
in use, and a multicast group."""

from __future__ import annotations

import asyncio
import socket
from typing import Any

import pytest

from tests.nodes.net.net_kit import running, until
from tests.nodes.net.udp_kit import receiver
from tests.support.servers import free_port


@pytest.mark.parametrize(("data_type", "payload"),
                         [("buffer", b"\x00hi\xff"), ("utf8", "\x00hi\ufffd"),
                          ("base64", "AGhp/w==")])
def test_udp_in_gives_each_datagram_with_the_senders_address(data_type: str,
                                                             payload: Any) -> None:
    async def main() -> None:
        port = free_port()
        text = ("flowrt: 1\nnodes:\n"
                f"  uin: {{type: udp-in, port: {port}, data_type: {data_type}}}\n")
        async with running(text) as harness:
            sender = receiver()
            try:
                async def probe() -> list[Any]:
                    sender.sendto(b"\x00hi\xff", ("127.0.0.1", port))
                    await asyncio.sleep(0.1)
                    return harness.result.sent("uin")
                [msg, *_] = await until(probe, "a datagram read")
                here = sender.getsockname()
                assert msg == {"payload": payload, "fromip": f"127.0.0.1:{here[1]}",
                               "ip": "127.0.0.1", "port": here[1], "_msgid": msg["_msgid"]}
            finally:
                sender.close()

    asyncio.run(main())


def test_udp_in_on_a_port_in_use_is_an_error_for_catch_nodes() -> None:
    async def main() -> None:
        taken = receiver()
        port = taken.getsockname()[1]
        text = ("flowrt: 1\nnodes:\n"
                f"  uin: {{type: udp-in, port: {port}}}\n"
                "  catcher: {type: catch, to: sink}\n  sink: {type: debug}\n")
        try:
            async with running(text) as harness:
                caught = await until(lambda: harness.result.received("sink"), "the error")
                assert caught[0]["error"]["source"]["id"] == "uin"
                assert "cannot listen" in caught[0]["error"]["message"]
        finally:
            taken.close()

    asyncio.run(main())


def test_udp_in_joins_a_multicast_group() -> None:
    async def main() -> None:
        port = free_port()
        text = ("flowrt: 1\nnodes:\n"
                f"  uin: {{type: udp-in, port: {port}, group: 239.255.42.99, "
                "interface: 127.0.0.1}\n")
        async with running(text) as harness:
            sender = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
            sender.setsockopt(socket.IPPROTO_IP, socket.IP_MULTICAST_IF,
                              socket.inet_aton("127.0.0.1"))
            sender.setsockopt(socket.IPPROTO_IP, socket.IP_MULTICAST_LOOP, 1)
            try:
                async def probe() -> list[Any]:
                    sender.sendto(b"group", ("239.255.42.99", port))
                    await asyncio.sleep(0.1)
                    return harness.result.payloads("uin")
                assert (await until(probe, "a multicast datagram"))[0] == b"group"
            finally:
                sender.close()

    asyncio.run(main())
