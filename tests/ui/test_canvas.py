"""Canvas editing in Chromium: selection, copy/paste, delete, undo/redo, zoom and pan,
auto-layout, connections in the property panel, a stale save (409), import and export."""

from __future__ import annotations

import json
import re
import urllib.request
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect

from tests.ui.conftest import Served, bbox

NODE = "#canvas g.node"


def drop(page: Any, type_: str, x: int, y: int) -> None:
    page.locator(f".palette-item[data-type='{type_}']").drag_to(
        page.locator("#canvas"), target_position={"x": x, "y": y})


def node(page: Any, node_id: str) -> Any:
    return page.locator(f"{NODE}[data-id='{node_id}']")


def put(served: Served, file: str, body: dict[str, Any]) -> dict[str, Any]:
    req = urllib.request.Request(
        f"{served.url}/api/flows/{file}", data=json.dumps(body).encode(), method="PUT",
        headers={"Content-Type": "application/json", "X-Flowrt-Request": "1"})
    with urllib.request.urlopen(req, timeout=10) as res:
        result: dict[str, Any] = json.load(res)
        return result


def get(served: Served, path: str) -> Any:
    with urllib.request.urlopen(f"{served.url}{path}", timeout=10) as res:
        return json.load(res)


def test_select_copy_paste_delete_undo_redo(page: Any) -> None:
    drop(page, "inject", 120, 300)
    drop(page, "debug", 380, 300)
    node(page, "inject").locator(".port-out").drag_to(node(page, "debug").locator(".port-in"))
    expect(page.locator("#canvas path.wire")).to_have_count(1)

    # rubber-band both, copy and paste: new ids, the wire between them copied too
    canvas = page.locator("#canvas")
    box = bbox(canvas)
    page.mouse.move(box["x"] + 20, box["y"] + 250)
    page.mouse.down()
    page.mouse.move(box["x"] + 500, box["y"] + 340, steps=5)
    page.mouse.up()
    expect(page.locator(f"{NODE}.selected")).to_have_count(2)
    page.keyboard.press("Control+c")
    page.keyboard.press("Control+v")
    expect(page.locator(NODE)).to_have_count(5)
    expect(node(page, "inject-2")).to_have_class(re.compile(r"\bselected\b"))
    expect(node(page, "debug-2")).to_be_visible()
    pasted = page.locator("#canvas path.wire[data-from='inject-2'][data-to='debug-2']")
    expect(pasted).to_have_count(1)

    # delete the pasted pair; undo brings them back, redo removes them again
    page.keyboard.press("Delete")
    expect(page.locator(NODE)).to_have_count(3)
    page.keyboard.press("Control+z")
    expect(page.locator(NODE)).to_have_count(5)
    page.keyboard.press("Control+y")
    expect(page.locator(NODE)).to_have_count(3)

    # shift-click adds to the selection; a click on a wire selects it and Delete removes it
    node(page, "inject").locator(".node-box").click()
    node(page, "debug").locator(".node-box").click(modifiers=["Shift"])
    expect(page.locator(f"{NODE}.selected")).to_have_count(2)
    out = bbox(node(page, "inject").locator(".port-out"))
    into = bbox(node(page, "debug").locator(".port-in"))
    page.mouse.click((out["x"] + into["x"]) / 2 + 5, (out["y"] + into["y"]) / 2 + 5)
    expect(page.locator(f"{NODE}.selected")).to_have_count(0)
    page.keyboard.press("Delete")
    expect(page.locator("#canvas path.wire")).to_have_count(0)

    # arrow keys move the selection; a run of presses is one undo step
    node(page, "debug").locator(".node-box").click()
    where = node(page, "debug").get_attribute("transform")
    page.keyboard.press("ArrowRight")
    page.keyboard.press("ArrowRight")
    page.keyboard.press("Shift+ArrowDown")
    expect(node(page, "debug")).not_to_have_attribute("transform", where)
    page.keyboard.press("Control+z")
    expect(node(page, "debug")).to_have_attribute("transform", where)

    # moving a node: drag its box; undo puts it back
    before = bbox(node(page, "debug"))
    node(page, "debug").locator(".node-box").drag_to(canvas, target_position={"x": 400, "y": 500})
    after = bbox(node(page, "debug"))
    assert after["y"] > before["y"] + 100
    page.keyboard.press("Control+z")
    expect(node(page, "debug")).to_have_attribute("transform", re.compile(r"translate\("))
    assert abs(bbox(node(page, "debug"))["y"] - before["y"]) < 2


def test_zoom_pan_and_auto_layout(page: Any, served: Served) -> None:
    drop(page, "inject", 500, 500)
    drop(page, "debug", 200, 150)
    node(page, "inject").locator(".port-out").drag_to(node(page, "debug").locator(".port-in"))
    page.locator("#save").click()
    expect(page.locator("#save")).to_be_disabled()

    width = bbox(node(page, "inject"))["width"]
    page.locator("#zoom-in").click()
    expect(page.locator("#zoom-level")).to_have_text("120%")
    assert bbox(node(page, "inject"))["width"] > width * 1.1
    page.locator("#zoom-reset").click()
    expect(page.locator("#zoom-level")).to_have_text("100%")
    page.locator("#canvas").hover(position={"x": 300, "y": 300})
    page.mouse.wheel(0, 400)
    expect(page.locator("#zoom-level")).not_to_have_text("100%")
    page.locator("#zoom-reset").click()

    # pan: middle-button drag moves everything
    x0 = bbox(node(page, "inject"))["x"]
    box = bbox(page.locator("#canvas"))
    page.mouse.move(box["x"] + 300, box["y"] + 650)
    page.mouse.down(button="middle")
    page.mouse.move(box["x"] + 380, box["y"] + 650, steps=4)
    page.mouse.up(button="middle")
    assert abs(bbox(node(page, "inject"))["x"] - (x0 + 80)) < 2

    # auto-layout from the server: the source ends up left of what it feeds
    page.locator("#layout").click()
    expect(page.locator("#zoom-level")).to_have_text("100%")
    page.wait_for_function(
        "() => { const d = window.flowrtEditor.current.document.layout;"
        " return d.inject[0] < d.debug[0]; }")


def test_connection_select_and_stale_save(page: Any, served: Served) -> None:
    # with nothing selected the panel edits the flow's connections
    page.locator("#new-connection").select_option("mqtt-broker")
    page.get_by_role("button", name="Add connection").click()
    expect(page.locator("details.connection[data-connection='mqtt']")).to_have_count(1)
    drop(page, "mqtt-in", 200, 300)
    sel = page.locator("#panel-props [data-key='connection']")
    sel.select_option(label="mqtt")
    expect(node(page, "mqtt-in")).to_be_visible()
    page.wait_for_function(
        "() => window.flowrtEditor.current.document.nodes['mqtt-in'].connection === 'mqtt'")

    # someone else saves the file meanwhile: our save gets 409 and offers a reload
    current = get(served, "/api/flows/demo.yaml")
    put(served, "demo.yaml", {"revision": current["revision"],
                              "text": current["text"].replace("label: Demo", "label: Theirs")})
    page.locator("#save").click()
    dialog = page.locator("dialog.modal")
    expect(dialog).to_contain_text("Someone else changed this flow")
    dialog.get_by_role("button", name="Reload from server").click()
    expect(page.locator(".tab.active")).to_have_text("Theirs")
    expect(node(page, "mqtt-in")).to_have_count(0)


def test_import_nodered_and_flowrt_file(page: Any, served: Served) -> None:
    nodered = [
        {"id": "t1", "type": "tab", "label": "From Node-RED"},
        {"id": "i1", "z": "t1", "type": "inject", "name": "", "repeat": "", "once": False,
         "payload": "hi", "payloadType": "str", "topic": "", "x": 100, "y": 80, "wires": [["d1"]]},
        {"id": "d1", "z": "t1", "type": "debug", "name": "out", "active": True,
         "complete": "false", "x": 300, "y": 80, "wires": []},
    ]
    page.locator("#import").click()
    page.locator("#import-text").fill(json.dumps(nodered))
    page.locator("dialog.modal").get_by_role("button", name="Import").click()
    # the inject has a caveat (Node-RED's button): the report says so, node by node
    report = page.locator("dialog.modal", has_text="Node-RED import")
    expect(report).to_contain_text("i1")
    expect(report).to_contain_text("1 with caveats")
    report.get_by_role("button", name="Close").click()
    expect(page.locator(".toast-ok")).to_contain_text("Imported 1 flow")
    expect(page.locator(".tab.active")).to_contain_text("From Node-RED")
    expect(page.locator("#canvas path.wire")).to_have_count(1)
    listed = {f["file"] for f in get(served, "/api/flows")}
    assert len(listed) == 2

    text = "# pasted by hand\nflowrt: 1\nid: pasted\nlabel: Pasted\nnodes:\n  a: {type: debug}\n"
    page.locator("#import").click()
    page.locator("#import-text").fill(text)
    page.locator("#import-name").fill("pasted.yaml")
    page.locator("dialog.modal").get_by_role("button", name="Import").click()
    expect(page.locator(".tab.active")).to_have_text("Pasted")
    assert (served.flows / "pasted.yaml").read_text() == text


def test_palette_search_new_flow_and_delete(page: Any, served: Served) -> None:
    search = page.locator("#palette-search")
    search.fill("mqtt")
    items = page.locator(".palette-item")
    expect(items).to_have_count(4)  # mqtt-in, mqtt-in-dynamic, mqtt-out, mqtt-server
    expect(page.locator(".palette-item[data-type='mqtt-in']")).to_be_visible()
    expect(page.locator(".palette-item[data-type='mqtt-in-dynamic']")).to_be_visible()
    search.fill("no such node")
    expect(items).to_have_count(0)
    expect(page.locator("#palette-list")).to_contain_text("No node type matches")
    search.fill("")
    expect(page.locator(".palette-item[data-type='inject']")).to_be_visible()
    # connection types are not dropped on the canvas: they live in the flow's connections
    expect(page.locator(".palette-item[data-type='mqtt-broker']")).to_have_count(0)

    # a new flow: a tab, saved on the first save, then deleted
    page.locator(".tab.add").click()
    page.locator("#new-flow-name").fill("second")
    page.locator("dialog.modal").get_by_role("button", name="Create").click()
    expect(page.locator(".tab.active")).to_contain_text("second")
    drop(page, "inject", 200, 200)
    page.keyboard.press("Control+s")
    expect(page.locator("#save")).to_be_disabled()
    assert (served.flows / "second.yaml").is_file()
    assert "inject" in (served.flows / "second.yaml").read_text()

    page.locator("#canvas").click(position={"x": 500, "y": 600})
    page.locator("#delete-flow").click()
    page.locator("dialog.modal").get_by_role("button", name="Delete").click()
    expect(page.locator(".toast-ok", has_text="Deleted")).to_contain_text("Deleted second.yaml")
    expect(page.locator(".tab.active")).to_have_text("Demo")
    assert not (served.flows / "second.yaml").exists()


def test_upload_and_export(page: Any, served: Served, tmp_path: Path) -> None:
    upload = tmp_path / "upload.yaml"
    upload.write_text("# uploaded\nflowrt: 1\nid: uploaded\nlabel: Uploaded\nnodes:\n"
                      "  only: {type: debug}\n")
    page.locator("#import").click()
    page.locator("#import-file").set_input_files(str(upload))
    expect(page.locator("#import-text")).to_have_value(re.compile("# uploaded"))
    expect(page.locator("#import-name")).to_have_value("upload.yaml")
    page.locator("dialog.modal").get_by_role("button", name="Import").click()
    expect(page.locator(".tab.active")).to_have_text("Uploaded")
    assert (served.flows / "upload.yaml").read_text() == upload.read_text()

    # export: the flow file as saved, and every flow as a Node-RED export
    page.locator("#export").click()
    with page.expect_download() as got:
        page.locator("dialog.modal").get_by_role("button", name="Download upload.yaml").click()
    assert got.value.suggested_filename == "upload.yaml"
    assert Path(got.value.path()).read_text() == upload.read_text()
    page.locator("#export").click()
    with page.expect_download() as got:
        page.locator("dialog.modal").get_by_role("button", name="Node-RED JSON").click()
    exported = json.loads(Path(got.value.path()).read_text())
    assert any(n.get("type") == "debug" for n in exported)


@pytest.fixture
def flow_files(request: Any) -> dict[str, str]:
    from tests.ui.conftest import DEMO_FLOW

    if request.node.name.startswith("test_empty"):
        return {}
    if request.node.name.startswith("test_env"):
        return {"env.yaml": ENV_FLOW}
    return {"demo.yaml": DEMO_FLOW}


ENV_FLOW = """\
flowrt: 1
id: env
nodes:
  tick: {type: inject, repeat: "${TICK:-5}", once: "${ONCE:-false}", to: out}
  out: {type: debug}
"""


def test_empty_directory_first_flow(page: Any, served: Served) -> None:
    expect(page.locator("#empty-hint")).to_contain_text("No flow yet")
    drop(page, "inject", 200, 200)
    expect(page.locator(".toast")).to_contain_text("Create a flow first")
    page.locator(".tab.add").click()
    page.locator("#new-flow-name").fill("first")
    page.locator("#new-flow-name").press("Enter")
    expect(page.locator(".tab.active")).to_have_text("first")
    drop(page, "inject", 200, 200)
    expect(node(page, "inject")).to_be_visible()
    page.locator("#deploy").click()
    expect(page.locator(".toast-ok")).to_contain_text("Deployed", timeout=30_000)
    assert (served.flows / "first.yaml").is_file()


def test_env_references_stay_text(page: Any, served: Served) -> None:
    node(page, "tick").locator(".node-box").click()
    repeat = page.locator("#panel-props [data-key='repeat']")
    once = page.locator("#panel-props [data-key='once']")
    expect(repeat).to_have_value("${TICK:-5}")
    expect(once).to_have_value("${ONCE:-false}")
    assert once.get_attribute("type") == "text"
    repeat.fill("7")
    page.wait_for_function(
        "() => window.flowrtEditor.current.document.nodes.tick.repeat === 7")
    once.fill("true")
    page.wait_for_function(
        "() => window.flowrtEditor.current.document.nodes.tick.once === true")


def test_importing_the_same_export_twice_makes_a_copy_that_deploys(page: Any,
                                                                    served: Served) -> None:
    nodered = [
        {"id": "t1", "type": "tab", "label": "Twice"},
        {"id": "a1b2c3d4e5f60718", "z": "t1", "type": "inject", "payload": "hi",
         "payloadType": "str", "x": 100, "y": 80, "wires": [["d1"]]},
        {"id": "d1", "z": "t1", "type": "debug", "name": "out", "x": 300, "y": 80, "wires": []},
    ]
    for _ in range(2):
        page.locator("#import").click()
        page.locator("#import-text").fill(json.dumps(nodered))
        page.locator("dialog.modal").get_by_role("button", name="Import").click()
        page.locator("dialog.modal", has_text="Node-RED import").get_by_role(
            "button", name="Close").click()
        expect(page.locator(".toast-ok", has_text="Imported").last).to_contain_text(
            "Imported 1 flow")
    listed = get(served, "/api/flows")
    imported = [f for f in listed if f["file"] != "demo.yaml"]
    assert len(imported) == 2, listed
    first, second = (set(f["ids"]) for f in imported)
    assert first and second and not first & second, (first, second)
    assert len({f["id"] for f in listed}) == len(listed)
    page.locator("#deploy").click()
    expect(page.locator(".toast-ok", has_text="Deployed")).to_be_visible(timeout=30_000)
