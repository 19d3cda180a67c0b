"""The dashboard's later widgets under `flowrt serve` (in process): what each shows after a
message (and replays to a browser that connects later), what a browser's input sends into
the flow, a message with `msg.socketid` shown in that browser only, a password never sent to
other browsers, Markdown's raw HTML escaped, and ui-control's page, groups and connect
events."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.nodes.dashboard.test_dashboard_serve import states
from tests.nodes.dashboard.widget_boards import WIDGETS
from tests.security.http_kit import client_of


@pytest.fixture
def client(tmp_path: Path) -> Iterator[Any]:
    with client_of(tmp_path / "flows", {"widgets.yaml": WIDGETS}) as made:
        yield made


def feed(client: Any, w: str, value: Any = None, **more: Any) -> None:
    body = {"w": w, **({} if value is None else {"value": value}), **more}
    assert client.post("/feed", json=body).status_code == 200


def debug_messages(events: Any, count: int, node: str = "seen") -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = []
    while len(found) < count:
        event = events.receive_json()
        if event["type"] == "debug" and event["node"] == node:
            found.append(event["msg"])
    return found


def layout_widgets(hello: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {w["id"]: w for page in hello["layout"]["pages"] for g in page["groups"]
            for w in g["widgets"]}


def test_messages_in_set_what_each_widget_shows_and_a_new_browser_gets_it(
        client: Any) -> None:
    feed(client, "count", 7)  # above max: kept within the range
    feed(client, "mode", "manual")
    feed(client, "name", "Ada")
    feed(client, "colour", "#1e88e5")
    feed(client, "day", "2026-12-06")
    feed(client, "visitor", {"who": "Bo", "age": 3, "other": "dropped"})
    feed(client, "rooms", [{"name": "hall", "temp": 21.5, "x": 1}, "not a row",
                           {"name": "attic", "temp": {"c": 9}}])
    feed(client, "alarms", [{"title": "Door", "description": "open"}, "Smoke"])
    feed(client, "notes", "<img src=x onerror=alert(1)>")
    feed(client, "level", 7)
    for topic, value in (("a", 3), ("b", 4), ("a", 5)):
        feed(client, "bars", value, topic=topic)
    feed(client, "pie", {"x": 1, "y": "2", "z": "no"})
    with client.websocket_connect("/dashboard/ws") as ws:
        hello = ws.receive_json()
        seen = states(ws, {"pie": lambda u: u["s"]["values"] != []})
    s = {w: u["s"] for w, u in seen.items()}
    assert s["count"] == {"value": 5, "text": "5 on"}
    assert s["mode"]["value"] == "manual"
    assert s["mode"]["options"] == [["Automatic", "auto"], ["Manual", "manual"], ["3", 3]]
    assert s["name"] == {"value": "Ada"}
    assert s["colour"] == {"value": "#1e88e5"}
    assert s["day"] == {"value": 1796515200000, "date": "2026-12-06"}
    assert s["visitor"]["values"] == {"who": "Bo", "age": 3}
    assert s["rooms"] == {"columns": [{"field": "name", "title": "Room", "align": "left"},
                                      {"field": "temp", "title": "°C", "align": "right"}],
                          "rows": [["hall", "21.5"], ["attic", '{"c": 9}']]}
    assert s["alarms"] == {"items": [{"title": "Door", "description": "open"},
                                     {"title": "Smoke", "description": ""}]}
    assert s["notes"]["html"] == \
        "<p><strong>&lt;img src=x onerror=alert(1)&gt;</strong> °C</p>\n"
    assert s["level"] == {"value": 7, "text": "7"}
    assert s["bars"]["values"] == [["a", 5], ["b", 4]]
    assert s["pie"]["values"] == [["x", 1], ["y", 2]]
    widgets = layout_widgets(hello)
    assert widgets["level"]["gtype"] == "linear"
    assert widgets["bars"]["chart_type"] == "bar"
    assert widgets["gap"]["type"] == "spacer"
    assert [(w["id"], w["type"]) for w in hello["layout"]["unplaced"]] == [
        ("alert", "notification"), ("control", "control")]


def test_browser_inputs_reach_the_flow_and_every_browser(client: Any) -> None:
    with client.websocket_connect("/api/events") as events, \
            client.websocket_connect("/dashboard/ws") as one, \
            client.websocket_connect("/dashboard/ws") as two:
        first = one.receive_json()["socketid"]
        two.receive_json()
        one.send_json({"t": "input", "w": "count", "v": 2})
        one.send_json({"t": "input", "w": "mode", "v": 2})  # the third option
        one.send_json({"t": "input", "w": "mode", "v": 9})  # no such option: ignored
        one.send_json({"t": "input", "w": "name", "v": "Grace"})
        one.send_json({"t": "input", "w": "colour", "v": "#ff8000"})
        one.send_json({"t": "input", "w": "day", "v": "2026-01-02"})
        one.send_json({"t": "input", "w": "visitor", "v": {"age": "4"}})  # who is required
        one.send_json({"t": "input", "w": "visitor",
                       "v": {"who": "Cy", "age": "4", "badge": True, "x": 1}})
        got = debug_messages(events, 6)
        for ws in (one, two):
            states(ws, {"count": lambda u: u["s"]["value"] == 2,
                        "mode": lambda u: u["s"]["value"] == 3,
                        "name": lambda u: u["s"] == {"value": "Grace"},
                        "colour": lambda u: u["s"] == {"value": "#ff8000"},
                        "visitor": lambda u: u["s"]["seq"] == 1})
    assert [m["payload"] for m in got] == [
        2, 3, "Grace", "rgb(255, 128, 0)",
        1767312000000, {"who": "Cy", "age": 4, "badge": True}]
    assert {m["socketid"] for m in got} == {first}
    assert all(m["_client"]["socketid"] == first for m in got)


def test_a_password_is_sent_into_the_flow_but_never_to_other_browsers(
        client: Any) -> None:
    with client.websocket_connect("/api/events") as events, \
            client.websocket_connect("/dashboard/ws") as one, \
            client.websocket_connect("/dashboard/ws") as two:
        one.receive_json()
        two.receive_json()
        one.send_json({"t": "input", "w": "secret", "v": "hunter2"})
        assert debug_messages(events, 1)[0]["payload"] == "hunter2"
        one.send_json({"t": "input", "w": "name", "v": "after"})
        frames = [two.receive_json() for _ in range(2)]
        while not any(u["w"] == "name" and u["s"]["value"] == "after"
                      for f in frames for u in f.get("u", [])):
            frames.append(two.receive_json())
    assert "hunter2" not in repr(frames)


def test_a_message_with_a_socketid_changes_that_browser_only(client: Any) -> None:
    with client.websocket_connect("/dashboard/ws") as one, \
            client.websocket_connect("/dashboard/ws") as two:
        first = one.receive_json()["socketid"]
        two.receive_json()
        states(two, {"mode": lambda u: True})  # the replay
        feed(client, "mode", None, socketid=first, options=["x", "y"])
        feed(client, "name", "for one", socketid=first)
        feed(client, "name", "to all")  # then for every browser
        seen_one = states(one, {"mode": lambda u: u["s"]["options"] == [["x", "x"], ["y", "y"]],
                                "name": lambda u: u["s"]["value"] == "to all"})
        one.send_json({"t": "input", "w": "mode", "v": 1})  # "y", from its own options
        seen_two = states(two, {"mode": lambda u: u["s"]["value"] == "y",
                                "name": lambda u: u["s"]["value"] == "to all"})
    assert seen_one["mode"]["s"]["value"] is None
    assert all(u["s"]["value"] != "for one" for u in [seen_two["name"]])


def test_ui_control_changes_pages_hides_groups_and_sends_connects(
        client: Any) -> None:
    with client.websocket_connect("/api/events") as events:
        with client.websocket_connect("/dashboard/ws") as ws:
            me = ws.receive_json()["socketid"]
            feed(client, "control", {"page": "shows", "group": {"hide": ["forms", "nope"]}})
            seen = states(ws, {"control": lambda u: u["s"]["seq"] == 1})
            ws.send_json({"t": "input", "w": "control", "v": {"page": "shows"}})
            ws.send_json({"t": "input", "w": "control", "v": {"page": "nowhere"}})
            feed(client, "control", {"tab": 0, "group": {"show": "forms"}}, socketid=me)
            mine = states(ws, {"control": lambda u: u["s"]["seq"] == 2})
        got = debug_messages(events, 3, "heard")
    assert seen["control"]["s"] == {"seq": 1, "page": "shows", "hidden": ["forms", "nope"]}
    assert mine["control"]["s"] == {"seq": 2, "page": "inputs", "hidden": ["nope"]}
    assert [(m["payload"], m.get("page"), m["socketid"]) for m in got] == [
        ("connect", None, me), ("change", "shows", me), ("disconnect", None, me)]


def test_a_notification_reaches_the_browsers_open(client: Any) -> None:
    with client.websocket_connect("/dashboard/ws") as ws:
        ws.receive_json()
        feed(client, "alert", {"level": 3}, topic="Boiler")
        seen = states(ws, {"alert": lambda u: u["s"]["seq"] == 1})
    assert seen["alert"]["s"] == {"seq": 1, "title": "Boiler", "message": '{"level": 3}'}
