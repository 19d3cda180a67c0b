"""The editor's Group tab under `flowrt serve --group`: the workers, which one runs each
singleton source, the revision each runs (a worker whose deploy failed, or that runs another
revision, marked); and no tab at all for a server outside a group."""

from __future__ import annotations

import re
import uuid
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect

from tests.group.revision_kit import make_worker, store
from tests.support.servers import url
from tests.support.waiting import wait_until
from tests.ui.conftest import ARTIFACTS

TIMER_FLOW = """\
flowrt: 1
id: timers
nodes:
  beat: {type: inject, repeat: 1, to: sink}
  sink: {type: debug, console: false}
"""


@pytest.fixture
def flow_files() -> dict[str, str]:
    return {"timers.yaml": TIMER_FLOW}


@pytest.fixture
def group_name() -> str:
    return f"ui-{uuid.uuid4().hex[:8]}"


@pytest.fixture
def serve_args(request: pytest.FixtureRequest, group_name: str) -> list[str]:
    if "outside_a_group" in request.node.name:
        return []
    return ["--group", group_name, "--group-db", url("pg"),
            "--worker", "editor-worker", "--group-poll", "0.3", "-e", "WAIT=0"]


def test_the_group_tab_lists_the_workers_and_who_runs_each_singleton(page: Any,
                                                                     served: Any) -> None:
    page.goto(served.url)
    tab = page.locator("#tab-group")
    expect(tab).to_be_visible(timeout=20_000)
    tab.click()
    panel = page.locator("#panel-group")
    expect(panel).to_be_visible()
    row = panel.locator("tr[data-worker='editor-worker']")
    expect(row).to_contain_text("editor-worker (this one)")
    expect(row).to_contain_text("alive")
    expect(panel.locator("li[data-node='beat']")).to_contain_text("runs on editor-worker",
                                                                  timeout=20_000)
    expect(row.locator("td").nth(3)).to_have_text("beat")


def test_no_group_tab_outside_a_group(page: Any, served: Any) -> None:
    with page.expect_response(lambda r: r.url.endswith("/api/group")):
        page.goto(served.url)
    # what the editor was told, asked again from the page (the body of the editor's own
    # request may be gone by the time the test reads it)
    answer = page.evaluate("fetch('api/group').then(r => r.json())")
    assert answer["group"] is None
    expect(page.locator("#tab-debug")).to_be_visible()
    expect(page.locator("#tab-group")).to_be_hidden()


WAITING_FLOW = """\
flowrt: 1
id: timers
nodes:
  beat: {type: inject, repeat: 1, to: wait}
  wait: {type: delay, delay: "${WAIT}", to: sink}
  sink: {type: debug, console: false}
"""


def test_the_group_tab_marks_a_failed_deploy_and_a_worker_on_another_revision(
    page: Any, served: Any, group_name: str, tmp_path: Path
) -> None:
    """Two `flowrt run` workers beside the editor's: "other" follows the group's revisions but
    has no WAIT, so the deploy of a flow needing it fails there; "files" runs a flow file (not
    a directory) and follows no revision."""
    other = make_worker(tmp_path, "other", "run", group_name, url("pg"),
                        {"timers.yaml": TIMER_FLOW})
    files = make_worker(tmp_path, "files", "run", group_name, url("pg"),
                        {"timers.yaml": TIMER_FLOW})
    files.args[1] = str(files.flows / "timers.yaml")
    try:
        other.start()
        files.start()
        page.goto(served.url)
        tab = page.locator("#tab-group")
        expect(tab).to_be_visible(timeout=20_000)
        tab.click()
        panel = page.locator("#panel-group")
        for name in ("other", "files"):
            expect(panel.locator(f"tr[data-worker='{name}']")).to_contain_text(
                "alive", timeout=60_000)
        (served.flows / "timers.yaml").write_text(WAITING_FLOW)
        answer = page.evaluate(DEPLOY)
        assert answer["status"] == 200, answer
        mine = panel.locator("tr[data-worker='editor-worker']")
        failed = panel.locator("tr[data-worker='other']")
        behind = panel.locator("tr[data-worker='files']")
        expect(failed).to_have_class(re.compile(r"\bdeploy-failed\b"), timeout=90_000)
        expect(failed.locator("td.revision")).to_contain_text("(failed)")
        expect(panel.locator("p.deploy-error[data-worker='other']")).to_contain_text(
            "Deploy failed on other: revision")
        expect(panel.locator("p.deploy-error[data-worker='other']")).to_contain_text("delay")
        expect(behind).to_have_class(re.compile(r"\bbehind\b"))
        expect(behind.locator("td.revision")).to_have_text("– (behind)")
        expect(mine).not_to_have_class(re.compile(r"behind|deploy-failed"))
        newest = page.evaluate("fetch('api/group').then(r => r.json())")["revision"]["hash"]
        expect(mine.locator("td.revision")).to_have_text(newest[:8])
        expect(panel.locator(".group-revision")).to_contain_text(f"Revision {newest[:8]}")
        page.screenshot(path=str(ARTIFACTS / "group-revisions.png"))
        # the next revision runs everywhere it is followed: the failure is gone
        (served.flows / "timers.yaml").write_text(TIMER_FLOW)
        assert page.evaluate(DEPLOY)["status"] == 200
        expect(failed).not_to_have_class(re.compile(r"deploy-failed"), timeout=90_000)
        expect(failed.locator("td.revision")).not_to_contain_text("(")
        expect(panel.locator("p.deploy-error")).to_have_count(0)
    finally:
        other.stop()
        files.stop()


DEPLOY = """fetch('api/deploy', {method: 'POST', headers: {'Content-Type': 'application/json',
  'X-Flowrt-Request': '1'}, body: JSON.stringify({mode: 'flows'})})
  .then(async r => ({status: r.status, body: await r.text()}))"""


def store_apart(pg: str, group: str, files: dict[str, str], author: str) -> str:
    """Store a group revision as another worker's deploy does (on a thread of its own: the
    page's event loop runs on this one)."""
    with ThreadPoolExecutor(1) as pool:
        return pool.submit(store, pg, group, files, author).result()


MORE_FLOW = TIMER_FLOW + "  more: {type: debug, console: false}\n"


def test_a_group_revision_from_another_worker_is_named_in_the_editor(
    page: Any, served: Any, group_name: str
) -> None:
    """A revision stored by another worker's deploy runs here; the editor reloads the flow and
    says which revision and whose, also when it comes while this editor deploys (two deploys at
    once: the other one stored last)."""
    expect(page.locator("#conn-state")).to_have_class("conn-state up")
    expect(page.locator("#canvas g.node[data-id='beat']")).to_be_visible()
    first = store_apart(url("pg"), group_name, {"timers.yaml": MORE_FLOW}, author="alice")
    expect(page.locator(".toast", has_text=f"Group revision {first[:8]} by alice deployed.")
           ).to_be_visible(timeout=60_000)
    expect(page.locator("#canvas g.node[data-id='more']")).to_be_visible()
    # this editor's own deploy under way: the revision that came meanwhile is shown after it
    page.evaluate(COUNT_GROUP_EVENTS)
    page.evaluate("window.flowrtEditor.deploying = true")
    second = store_apart(url("pg"), group_name, {"timers.yaml": TIMER_FLOW}, author="bob")
    wait_until(lambda: second in page.evaluate("window.groupEvents"),
               "the editor to receive the second revision's deploy event")
    page.evaluate("window.flowrtEditor.deploying = false")
    expect(page.locator(".toast", has_text=f"Group revision {second[:8]} by bob deployed.")
           ).to_be_visible(timeout=60_000)
    expect(page.locator("#canvas g.node[data-id='more']")).to_have_count(0)


COUNT_GROUP_EVENTS = """() => {
  const app = window.flowrtEditor, handle = app.onEvent.bind(app);
  window.groupEvents = [];
  app.onEvent = (ev) => {
    if (ev.type === "deploy" && ev.group) window.groupEvents.push(ev.group.hash);
    return handle(ev);
  };
}"""
