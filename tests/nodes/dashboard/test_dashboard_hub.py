"""The dashboard's hub on its own: a new client gets the layout and every widget's state, a
slow client gets the latest value of each widget (never a backlog), charts keep their window
and are sent only the points a client has not had, and input frames reach their widget with
the client's info."""

from __future__ import annotations

import asyncio
import json
from typing import Any

from flowrt_nodes.dashboard.dashboard_hub import MAX_UNACKED, Client, Hub


class Browser:
    """A client whose socket takes frames only when let through (``gate``)."""

    def __init__(self, hub: Hub, name: str) -> None:
        self.frames: list[dict[str, Any]] = []
        self.gate = asyncio.Event()
        self.gate.set()
        self.client = Client(name, self.send, user="alice", address="127.0.0.1")
        hub.connect(self.client)
        self.task = asyncio.get_running_loop().create_task(hub.run(self.client))

    async def send(self, text: str) -> None:
        await self.gate.wait()
        self.frames.append(json.loads(text))

    def states(self) -> dict[str, Any]:
        """The latest state of each widget, as the browser would show it."""
        seen: dict[str, Any] = {}
        for frame in self.frames:
            for update in frame.get("u", []):
                seen[update["w"]] = update["s"]
        return seen


async def settle() -> None:
    for _ in range(20):
        await asyncio.sleep(0)


def make_hub(clock: list[float]) -> Hub:
    hub = Hub({"title": "T", "pages": []}, lambda: clock[0])
    hub.register("temp", "text", {"text": ""})
    hub.register("trend", "chart", {}, max_points=3, max_age=60)
    return hub


def test_a_client_that_connects_gets_the_layout_then_every_state() -> None:
    async def scenario() -> None:
        hub = make_hub([1000.0])
        hub.set("temp", {"text": "21 °C"})
        hub.add_points("trend", [("a", 999_000, 1.0), ("b", 999_500, 2.0)])
        late = Browser(hub, "late")
        await settle()
        assert late.frames[0] == {"t": "hello", "socketid": "late",
                                  "layout": {"title": "T", "pages": []}}
        assert late.states()["temp"] == {"text": "21 °C"}
        chart = next(u for u in late.frames[1]["u"] if u["w"] == "trend")
        assert chart["whole"] is True
        assert chart["points"] == {"a": [[999_000, 1.0]], "b": [[999_500, 2.0]]}
        late.task.cancel()

    asyncio.run(scenario())


def test_a_slow_client_gets_the_latest_value_not_a_backlog() -> None:
    async def scenario() -> None:
        hub = make_hub([1000.0])
        fast, slow = Browser(hub, "fast"), Browser(hub, "slow")
        await settle()
        slow.gate.clear()  # its socket stops taking frames
        for i in range(1000):
            hub.set("temp", {"text": str(i)})
            await asyncio.sleep(0)
        assert len(slow.client.dirty) <= 2  # bounded by the widgets, not the messages
        slow.gate.set()
        await settle()
        texts = [u["s"]["text"] for f in slow.frames for u in f.get("u", []) if u["w"] == "temp"]
        assert texts[-1] == "999" and len(texts) <= 3
        assert fast.states()["temp"] == {"text": "999"}
        for browser in (fast, slow):
            browser.task.cancel()

    asyncio.run(scenario())


def test_an_acknowledging_client_is_sent_no_more_frames_ahead_than_the_window() -> None:
    """A socket that takes every frame (as a kernel's send buffer does for seconds) does not
    make a backlog for a client that acknowledges: it is sent MAX_UNACKED frames ahead, then
    the latest value once it acknowledges. A client that never acknowledges is not held."""
    async def scenario() -> None:
        hub = make_hub([1000.0])
        acking, other = Browser(hub, "acking"), Browser(hub, "other")
        await settle()
        assert hub.receive(acking.client, '{"t": "ack"}') is None  # the replay, shown
        await settle()
        sent, other_sent = len(acking.frames), len(other.frames)
        for i in range(1000):
            hub.set("temp", {"text": str(i)})
            await asyncio.sleep(0)
        assert len(acking.frames) - sent == MAX_UNACKED
        assert len(other.frames) - other_sent > MAX_UNACKED
        assert other.states()["temp"] == {"text": "999"}
        for _ in range(MAX_UNACKED):
            assert hub.receive(acking.client, '{"t": "ack"}') is None
        await settle()
        late = acking.frames[sent + MAX_UNACKED:]
        assert [u["s"] for f in late for u in f["u"]] == [{"text": "999"}]
        for browser in (acking, other):
            browser.task.cancel()

    asyncio.run(scenario())


def test_a_chart_keeps_its_window_and_sends_only_new_points() -> None:
    async def scenario() -> None:
        clock = [1000.0]
        hub = make_hub(clock)
        browser = Browser(hub, "b")
        await settle()
        hub.add_points("trend", [("a", 1000_000 + i, float(i)) for i in range(5)])
        await settle()
        first = [u for f in browser.frames for u in f.get("u", []) if u["w"] == "trend"][-1]
        assert first["points"]["a"] == [[1000_002, 2.0], [1000_003, 3.0], [1000_004, 4.0]]
        hub.add_points("trend", [("a", 1000_010, 10.0)])
        await settle()
        second = [u for f in browser.frames for u in f.get("u", []) if u["w"] == "trend"][-1]
        assert second == {"w": "trend", "s": {}, "points": {"a": [[1000_010, 10.0]]},
                          "whole": False}
        clock[0] = 1000.0 + 61  # every point is now older than max_age
        late = Browser(hub, "late")
        await settle()
        replay = [u for f in late.frames for u in f.get("u", []) if u["w"] == "trend"][-1]
        assert replay["points"] == {"a": []} and replay["whole"] is True
        hub.clear("trend")
        await settle()
        cleared = [u for f in browser.frames for u in f.get("u", []) if u["w"] == "trend"][-1]
        assert cleared["whole"] is True and cleared["points"] == {}
        for b in (browser, late):
            b.task.cancel()

    asyncio.run(scenario())


def test_two_clients_see_the_same_states() -> None:
    async def scenario() -> None:
        hub = make_hub([1000.0])
        one, two = Browser(hub, "one"), Browser(hub, "two")
        pressed: list[tuple[Any, dict[str, Any]]] = []

        def turned(value: Any, client: dict[str, Any]) -> None:
            pressed.append((value, client))
            hub.set("fan", {"on": value})

        hub.register("fan", "switch", {"on": False}, on_input=turned)
        await settle()
        assert hub.receive(one.client, json.dumps({"t": "input", "w": "fan", "v": True})) is None
        await settle()
        assert pressed == [(True, {"socketid": "one", "user": "alice", "address": "127.0.0.1"})]
        assert one.states()["fan"] == two.states()["fan"] == {"on": True}
        for b in (one, two):
            b.task.cancel()

    asyncio.run(scenario())


def test_frames_that_are_not_input_for_a_widget_are_refused() -> None:
    async def scenario() -> None:
        hub = make_hub([1000.0])
        browser = Browser(hub, "b")
        await settle()
        assert hub.receive(browser.client, "{not json") == "not JSON"
        assert hub.receive(browser.client, "[1]") == "not an input frame"
        assert hub.receive(browser.client, '{"t": "input", "w": "temp", "v": 1}') == \
            "no input widget has that id"
        assert hub.receive(browser.client, '{"t": "input", "w": "nope", "v": 1}') == \
            "no input widget has that id"
        browser.task.cancel()

    asyncio.run(scenario())


def test_a_state_for_one_client_reaches_it_alone_until_set_for_all() -> None:
    async def scenario() -> None:
        hub = make_hub([1000.0])
        one, two = Browser(hub, "one"), Browser(hub, "two")
        await settle()
        hub.set("temp", {"text": "yours"}, socketid="one")
        hub.set("temp", {"text": "gone"}, socketid="nobody")  # a client that left: nothing
        await settle()
        assert one.states()["temp"] == {"text": "yours"}
        assert two.states()["temp"] == {"text": ""}
        assert hub.state("temp", "one") == {"text": "yours"}
        assert hub.state("temp") == {"text": ""}
        late = Browser(hub, "late")
        await settle()
        assert late.states()["temp"] == {"text": ""}
        hub.set("temp", {"text": "all"})
        await settle()
        assert [b.states()["temp"] for b in (one, two, late)] == [{"text": "all"}] * 3
        assert hub.state("temp", "one") == {"text": "all"}
        for b in (one, two, late):
            b.task.cancel()

    asyncio.run(scenario())


def test_listeners_hear_clients_connect_and_leave() -> None:
    async def scenario() -> None:
        hub = make_hub([1000.0])
        heard: list[tuple[str, str]] = []
        hub.listeners.append(lambda event, info: heard.append((event, info["socketid"])))
        browser = Browser(hub, "b1")
        hub.disconnect(browser.client)
        hub.disconnect(browser.client)  # twice: heard once
        browser.task.cancel()
        assert heard == [("connect", "b1"), ("disconnect", "b1")]

    asyncio.run(scenario())
