"""udp-out on real datagram sockets of 127.0.0.1: the address from the node or the message,
base64, sending from udp-in's port, and the warnings and errors Node-RED gives."""

from __future__ import annotations

import asyncio
import json
from typing import Any

from tests.nodes.net.net_kit import running, until
from tests.nodes.net.udp_kit import datagram, receiver
from tests.support.servers import free_port


def out_flow(**config: Any) -> str:
    return f"flowrt: 1\nnodes:\n  uout: {json.dumps({'type': 'udp-out', **config})}\n"


def test_udp_out_sends_to_the_node_address_or_the_message_address() -> None:
    async def main() -> None:
        sock = receiver()
        port = sock.getsockname()[1]
        try:
            async with running(out_flow(host="127.0.0.1", port=port)) as harness:
                harness.send("uout", {"payload": "hello"})
                assert (await datagram(sock))[0] == b"hello"
                harness.send("uout", {"payload": 3.5})
                assert (await datagram(sock))[0] == b"3.5"
            async with running(out_flow(base64=True)) as harness:
                harness.send("uout", {"payload": "aGVsbG8=", "ip": "127.0.0.1",
                                      "port": str(port)})
                assert (await datagram(sock))[0] == b"hello"
        finally:
            sock.close()

    asyncio.run(main())


def test_udp_out_warns_without_an_address_or_a_valid_port() -> None:
    async def main() -> None:
        async with running(out_flow()) as harness:
            harness.send("uout", {"payload": "x"})
            harness.send("uout", {"payload": "x", "ip": "127.0.0.1"})
            harness.send("uout", {"payload": "x", "ip": "127.0.0.1", "port": "nine"})
            await harness.run()
            assert [t for _, t in harness.result.warnings] == [
                "udp: ip address not set", "udp: port not set", "udp: port number not valid"]

    asyncio.run(main())


def test_udp_out_from_udp_ins_port_answers_from_the_port_asked() -> None:
    async def main() -> None:
        port = free_port()
        text = ("flowrt: 1\nnodes:\n"
                f"  uin: {{type: udp-in, port: {port}, data_type: utf8, to: answer}}\n"
                "  answer: {type: change, rules: [{set: payload, to: {type: jsonata, value: "
                "'\"re:\" & payload'}}], to: uout}\n"
                f"  uout: {{type: udp-out, local_port: {port}}}\n")
        sock = receiver()
        try:
            async with running(text):
                async def probe() -> Any:
                    sock.sendto(b"ping", ("127.0.0.1", port))
                    try:
                        return await asyncio.wait_for(
                            asyncio.get_running_loop().sock_recvfrom(sock, 100), 0.5)
                    except TimeoutError:
                        return None
                data, sender = await until(probe, "an answer")
                assert data == b"re:ping" and sender == ("127.0.0.1", port)
        finally:
            sock.close()

    asyncio.run(main())


def test_a_datagram_the_system_refuses_is_an_error_for_catch_with_the_message() -> None:
    async def main() -> None:
        text = ("flowrt: 1\nnodes:\n"
                "  uout: {type: udp-out, host: 255.255.255.255, port: 9}\n"
                "  catcher: {type: catch, to: sink}\n  sink: {type: debug}\n")
        async with running(text) as harness:
            harness.send("uout", {"payload": "x", "topic": "bcast"})
            [caught] = await until(lambda: harness.result.received("sink"), "the error")
            assert caught["topic"] == "bcast" and caught["error"]["source"]["id"] == "uout"
            assert caught["error"]["message"].startswith("udp : ")
            assert "255.255.255.255:9" in caught["error"]["message"]

    asyncio.run(main())
