"""A deploy on any worker of a group reaches every worker: real `flowrt serve` and `flowrt run`
workers of one group over the PostgreSQL on 127.0.0.1, each with a flows directory of its own.
"""

from __future__ import annotations

import json
import subprocess
import time
import urllib.request
from collections.abc import Callable
from pathlib import Path

import psycopg

from tests.group.revision_kit import (
    Worker,
    answer,
    converged,
    make_worker,
    members,
    newest,
    store,
)
from tests.support.servers import PrivateServer
from tests.support.serving import flowrt_command
from tests.support.waiting import wait_until

TIMEOUT = 120.0
WAITING = """\
flowrt: 1
id: version
nodes:
  ask: {type: http-in, url: /version, to: wait}
  wait: {type: delay, delay: "${WAIT}", to: say}
  say:
    type: change
    rules:
      - set: payload
        to: "v2"
    to: answer
  answer: {type: http-response}
"""


def _wait(what: str, probe: object, workers: list[Worker]) -> None:
    try:
        wait_until(probe, what, timeout=TIMEOUT, interval=0.2)  # type: ignore[arg-type]
    except AssertionError as exc:
        raise AssertionError(f"{exc}\n" + "\n".join(w.tail() for w in workers)) from None


def test_a_deploy_in_the_editor_of_one_worker_runs_on_every_worker(
    tmp_path: Path, group_name: str, pg: str
) -> None:
    old = {"version.yaml": answer("v1")}
    a = make_worker(tmp_path, "a", "serve", group_name, pg, old)
    b = make_worker(tmp_path, "b", "serve", group_name, pg, old)
    c = make_worker(tmp_path, "c", "run", group_name, pg, old)
    workers = [a, b, c]
    try:
        for w in workers:
            w.start()
        _wait("every worker to answer v1", lambda: all(w.version() == "v1" for w in workers),
              workers)
        (a.flows / "version.yaml").write_text(answer("v2"))
        (a.flows / "extra.yaml").write_text("flowrt: 1\nid: extra\nnodes:\n"
                                            "  note: {type: comment}\n")
        posted = time.monotonic()
        done = a.post("/api/deploy", {"mode": "nodes", "message": "v2 for all"})
        assert done["revision"] >= 1
        _wait("every worker to answer v2", lambda: all(w.version() == "v2" for w in workers),
              workers)
        # how fast is not asserted (shared machines): printed for the record
        print(f"deploy to every worker answering v2: {time.monotonic() - posted:.2f} s")
        _wait("every worker to report the group's revision",
              lambda: converged(pg, group_name, workers), workers)
        target = newest(pg, group_name)
        for w in (b, c):  # the files themselves, as deployed on a
            assert (w.flows / "version.yaml").read_text() == answer("v2")
            assert (w.flows / "extra.yaml").exists()

        def b_sees_all() -> bool:  # b's view is as of its last round
            seen = b.get("/api/group")
            return {w["worker"]: w["revision"] for w in seen["workers"]} == {
                "a": target, "b": target, "c": target}

        _wait("b's /api/group to show every worker on the revision", b_sees_all, workers)
        seen = b.get("/api/group")
        assert seen["revision"]["hash"] == target
        assert seen["revision"]["message"] == "v2 for all"
        assert all(not w["deploy_error"] for w in seen["workers"])
        status = subprocess.run(
            flowrt_command("group", "status", "--group", group_name, "--group-db", pg,
                           "--json"), capture_output=True, text=True, timeout=60)
        assert status.returncode == 0, status.stderr
        listed = json.loads(status.stdout)
        assert listed["revision"] == target
        assert {w["revision"] for w in listed["workers"]} == {target}
        # a revision removing a file removes it on every worker
        (a.flows / "extra.yaml").unlink()
        a.post("/api/deploy", {"mode": "flows"})
        _wait("extra.yaml removed on every worker",
              lambda: not any((w.flows / "extra.yaml").exists() for w in workers), workers)
        _wait("every worker on the newest revision",
              lambda: converged(pg, group_name, workers) and newest(pg, group_name) != target,
              workers)
    finally:
        codes = {w.name: w.stop() for w in workers}
    assert codes == {"a": 0, "b": 0, "c": 0}, "\n".join(w.tail() for w in workers)


def test_a_worker_that_joins_later_runs_the_groups_revision(
    tmp_path: Path, group_name: str, pg: str
) -> None:
    store(pg, group_name, {"version.yaml": answer("group")})
    late = make_worker(tmp_path, "late", "run", group_name, pg,
                       {"version.yaml": answer("mine"),
                        "other.yaml": "flowrt: 1\nid: other\nnodes:\n  n: {type: comment}\n"})
    try:
        late.start()
        _wait("the late worker to answer the group's revision",
              lambda: late.version() == "group", [late])
        _wait("it reports the revision", lambda: converged(pg, group_name, [late]), [late])
        assert sorted(p.name for p in late.flows.iterdir()) == ["version.yaml"]
    finally:
        assert late.stop() == 0, late.tail()


def test_a_revision_naming_a_file_outside_the_directory_writes_nothing(
    tmp_path: Path, group_name: str, pg: str
) -> None:
    """The attack: a revision in the group's table (anyone who can write the database) naming
    ``../x.yaml`` or an absolute path. The worker refuses the whole revision, writes no file,
    keeps running what it ran, and says why in its member row."""
    w = make_worker(tmp_path, "w", "run", group_name, pg, {"version.yaml": answer("v1")})
    outside = tmp_path / "w" / "x.yaml"
    absolute = tmp_path / "abs.yaml"
    try:
        w.start()
        _wait("the worker to answer v1", lambda: w.version() == "v1", [w])
        for bad in ("../x.yaml", str(absolute), ".flowrt/x.yaml", "sub/../../x.yaml"):
            evil = store(pg, group_name, {bad: answer("evil"), "version.yaml": answer("v2")})

            def refused(evil: str = evil) -> bool:
                row = members(pg, group_name).get("w", {})
                return evil in row.get("deploy_error", "")

            _wait(f"the worker to refuse {bad}", refused, [w])
            row = members(pg, group_name)["w"]
            assert row["revision"] != evil
            assert not outside.exists() and not absolute.exists()
            assert not (w.flows / ".flowrt" / "x.yaml").exists()
            assert (w.flows / "version.yaml").read_text() == answer("v1"), "a file was written"
            assert w.version() == "v1"
        good = store(pg, group_name, {"version.yaml": answer("v3")})
        _wait("the next good revision to run", lambda: w.version() == "v3", [w])
        _wait("the error to clear", lambda: converged(pg, group_name, [w]), [w])
        assert members(pg, group_name)["w"]["revision"] == good
    finally:
        assert w.stop() == 0, w.tail()


def test_a_revision_that_fails_on_one_worker_is_shown_as_failed_there(
    tmp_path: Path, group_name: str, pg: str
) -> None:
    """A revision whose delay is ${WAIT}, set on worker a only: b cannot compile it, keeps
    running its revision and reports why."""
    a = make_worker(tmp_path, "a", "serve", group_name, pg, {"version.yaml": answer("v1")},
                    "-e", "WAIT=0")
    b = make_worker(tmp_path, "b", "run", group_name, pg, {"version.yaml": answer("v1")})
    workers = [a, b]
    try:
        for w in workers:
            w.start()
        _wait("both to answer v1", lambda: all(w.version() == "v1" for w in workers), workers)
        (a.flows / "version.yaml").write_text(WAITING)
        a.post("/api/deploy", {"mode": "flows"})
        _wait("a to answer v2", lambda: a.version() == "v2", workers)
        target = newest(pg, group_name)
        assert target is not None

        def failed_on_b() -> bool:
            return bool(members(pg, group_name).get("b", {}).get("deploy_error"))

        _wait("b to report its deploy failed", failed_on_b, workers)
        rows = members(pg, group_name)
        assert rows["a"]["revision"] == target and not rows["a"]["deploy_error"]
        assert rows["b"]["revision"] != target
        error = rows["b"]["deploy_error"]
        assert "delay" in error and target in error, error
        assert b.version() == "v1", "b stopped running what it ran"
        status = subprocess.run(
            flowrt_command("group", "status", "--group", group_name, "--group-db", pg),
            capture_output=True, text=True, timeout=60)
        assert status.returncode == 0, status.stderr
        assert "deploy failed on b:" in status.stdout and "(old)" in status.stdout
    finally:
        for w in workers:
            w.stop()


def test_a_failed_revision_puts_the_files_back_and_is_not_applied_again_after_a_restart(
    tmp_path: Path, group_name: str, pg: str
) -> None:
    """A revision whose delay is ${WAIT}, set on worker a only, fails on b (`flowrt run`) and c
    (`flowrt serve`): their flows directories hold the files of the flows they run again;
    restarted, they run those, report the failure again and do not apply it again; the next
    revision runs everywhere and the failure is forgotten."""
    old = {"version.yaml": answer("v1")}
    a = make_worker(tmp_path, "a", "serve", group_name, pg, old, "-e", "WAIT=0")
    b = make_worker(tmp_path, "b", "run", group_name, pg, old)
    c = make_worker(tmp_path, "c", "serve", group_name, pg, old)
    workers = [a, b, c]
    try:
        for w in workers:
            w.start()
        _wait("all to answer v1", lambda: all(w.version() == "v1" for w in workers), workers)
        (a.flows / "version.yaml").write_text(WAITING)
        a.post("/api/deploy", {"mode": "flows"})
        target = newest(pg, group_name)
        assert target is not None

        def failed_on_b_and_c() -> bool:
            rows = members(pg, group_name)
            return all(target in rows.get(n, {}).get("deploy_error", "") for n in "bc")

        _wait("b and c to report the revision failed", failed_on_b_and_c, workers)
        for w in (b, c):
            assert (w.flows / "version.yaml").read_text() == answer("v1"), w.name
            assert w.version() == "v1", w.name
        logged = {}
        for w in (b, c):
            assert w.stop() == 0, w.tail()
            logged[w.name] = len(w.log.read_text())
            w.start()

        def restarted(w: Worker) -> bool:
            since = w.log.read_text()[logged[w.name]:]
            return w.version() == "v1" and "not applied again until a newer one comes" in since

        _wait("b and c to run their files again, without the failed revision",
              lambda: restarted(b) and restarted(c), workers)
        rows = members(pg, group_name)
        for w in (b, c):
            assert rows[w.name]["alive"] and rows[w.name]["revision"] != target
            assert target in rows[w.name]["deploy_error"], rows[w.name]
            assert (w.flows / "version.yaml").read_text() == answer("v1"), w.name
            assert w.log.read_text().count(f"deploying revision {target}") == 1, w.tail()
        records = [*(b.flows.parent / ".flowrt").glob("group-failed-*.json"),
                   *(c.flows.parent / "state").glob("group-failed-*.json")]
        assert len(records) == 2, records
        store(pg, group_name, {"version.yaml": answer("v3")})
        _wait("all to answer v3", lambda: all(w.version() == "v3" for w in workers), workers)
        _wait("all to report the newest revision", lambda: converged(pg, group_name, workers),
              workers)
        assert not any(path.exists() for path in records)
    finally:
        codes = {w.name: w.stop() for w in workers}
    assert codes == {"a": 0, "b": 0, "c": 0}, "\n".join(w.tail() for w in workers)


def test_a_failed_revision_stored_again_is_tried_again(
    tmp_path: Path, group_name: str, pg: str
) -> None:
    """The same files deployed again (a newer revision, with the same hash) are tried again:
    the environment may have been fixed; an older failure does not hide them."""
    b = make_worker(tmp_path, "b", "run", group_name, pg, {"version.yaml": answer("v1")})
    try:
        b.start()
        _wait("b to answer v1", lambda: b.version() == "v1", [b])
        target = store(pg, group_name, {"version.yaml": WAITING})

        def tried(times: int) -> bool:
            return (b.log.read_text().count(f"deploying revision {target}") == times
                    and target in members(pg, group_name).get("b", {}).get("deploy_error", ""))

        _wait("b to try the revision", lambda: tried(1), [b])
        assert store(pg, group_name, {"version.yaml": WAITING}) == target
        _wait("b to try it again", lambda: tried(2), [b])
        assert b.version() == "v1"
    finally:
        assert b.stop() == 0, b.tail()


SAME_ROUTE = """\
flowrt: 1
id: other
nodes:
  ask_too: {type: http-in, url: /version, to: answer_too}
  answer_too: {type: http-response}
"""


def test_a_revision_that_fails_as_it_starts_leaves_the_old_flows_and_files(
    tmp_path: Path, group_name: str, pg: str
) -> None:
    """A revision whose flows pass the checks but cannot all start (two flows serve GET
    /version): on `flowrt run` and `flowrt serve` the flows of the files put back run again
    (not the revision's that started), from the files put back."""
    old = {"version.yaml": answer("v1")}
    b = make_worker(tmp_path, "b", "run", group_name, pg, old)
    c = make_worker(tmp_path, "c", "serve", group_name, pg, old)
    workers = [b, c]
    try:
        for w in workers:
            w.start()
        _wait("both to answer v1", lambda: all(w.version() == "v1" for w in workers), workers)
        target = store(pg, group_name, {"version.yaml": answer("v2"), "other.yaml": SAME_ROUTE})

        def failed_on_both() -> bool:
            rows = members(pg, group_name)
            return all(target in rows.get(w.name, {}).get("deploy_error", "") for w in workers)

        _wait("both to report the revision failed", failed_on_both, workers)
        for w in workers:
            assert sorted(p.name for p in w.flows.iterdir()) == ["version.yaml"], w.name
            assert (w.flows / "version.yaml").read_text() == answer("v1"), w.name
        _wait("both to answer v1 again", lambda: all(w.version() == "v1" for w in workers),
              workers)
        assert "/version" in members(pg, group_name)["c"]["deploy_error"]
    finally:
        codes = {w.name: w.stop() for w in workers}
    assert codes == {"b": 0, "c": 0}, "\n".join(w.tail() for w in workers)


def test_a_member_table_of_an_earlier_version_gets_the_revision_columns(
    tmp_path: Path, group_name: str, pg: str
) -> None:
    """A table made before the revision columns (in a schema of its own, as an older flowrt
    made it) gains them when a worker joins."""
    schema = group_name.replace("-", "_")
    with psycopg.connect(pg, autocommit=True) as conn:
        conn.execute(f"CREATE SCHEMA {schema}")
        conn.execute(f"""CREATE TABLE {schema}.flowrt_group_member (
            group_name text NOT NULL, worker text NOT NULL, host text NOT NULL,
            pid integer NOT NULL, address text NOT NULL DEFAULT '',
            started timestamptz NOT NULL, seen timestamptz NOT NULL,
            messages bigint NOT NULL DEFAULT 0, holds text[] NOT NULL DEFAULT '{{}}',
            backend_pid integer NOT NULL DEFAULT 0, PRIMARY KEY (group_name, worker))""")
    url = f"{pg}?options=-csearch_path%3D{schema}"
    w = make_worker(tmp_path, "old", "run", group_name, url, {"version.yaml": answer("v1")})
    try:
        w.start()
        _wait("the worker to answer", lambda: w.version() == "v1", [w])
        with psycopg.connect(pg, autocommit=True) as conn:
            def migrated() -> bool:
                rows = conn.execute(
                    f"SELECT revision FROM {schema}.flowrt_group_member WHERE worker = 'old'"
                ).fetchall()
                return bool(rows and rows[0][0])

            _wait("the old table to hold the worker's revision", migrated, [w])
    finally:
        assert w.stop() == 0, w.tail()
        with psycopg.connect(pg, autocommit=True) as conn:
            conn.execute(f"DROP SCHEMA {schema} CASCADE")


def test_a_deploy_while_the_database_is_down_reaches_the_others_once_it_is_back(
    tmp_path: Path, group_name: str, private: Callable[[str], PrivateServer]
) -> None:
    """The editor's deploy runs on its worker at once; the revision is stored when that worker
    reaches the database again (it does not go back to the group's older one), and then the
    others run it."""
    server = private("pg")
    a = make_worker(tmp_path, "a", "serve", group_name, server.url,
                    {"version.yaml": answer("v1")})
    b = make_worker(tmp_path, "b", "run", group_name, server.url,
                    {"version.yaml": answer("v1")})
    workers = [a, b]
    try:
        for w in workers:
            w.start()
        _wait("both to answer v1", lambda: all(w.version() == "v1" for w in workers), workers)
        server.stop()
        (a.flows / "version.yaml").write_text(answer("v2"))
        a.post("/api/deploy", {"mode": "flows"})
        assert a.version() == "v2"
        assert b.version() == "v1"
        server.start()
        _wait("b to answer v2", lambda: b.version() == "v2", workers)
        _wait("both on the stored revision",
              lambda: converged(server.url, group_name, workers), workers)
        assert a.version() == "v2", "a went back to the older revision"
    finally:
        codes = [w.stop() for w in workers]
    assert codes == [0, 0], "\n".join(w.tail() for w in workers)


def test_a_run_worker_restarts_its_flows_for_a_changed_source_and_counts_both(
    tmp_path: Path, group_name: str, pg: str
) -> None:
    """A revision changing an http-in's path (a source: its flows restart in a group): the new
    path answers on the same address, the old one no longer, and the summary at the end adds
    up the messages of both runtimes."""
    w = make_worker(tmp_path, "w", "run", group_name, pg, {"version.yaml": answer("v1")})
    try:
        w.start()
        _wait("the worker to answer v1", lambda: w.version() == "v1", [w])
        for _ in range(2):
            assert w.version() == "v1"
        store(pg, group_name, {"version.yaml": answer("v2").replace("/version", "/moved")})

        def moved() -> str | None:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{w.port}/moved",
                                            timeout=5) as res:
                    return str(res.read().decode())
            except OSError:
                return None

        _wait("the new path to answer", moved, [w])
        assert w.version() is None, "the old path still answers"
        assert moved() == "v2"
    finally:
        assert w.stop() == 0, w.tail()
    said = w.log.read_text()
    assert "restarting the flows: a source changed in a group of workers" in said, w.tail()
    rows = [line.split() for line in said.splitlines() if line.startswith("say ")]
    assert rows and int(rows[-1][2]) >= 5, w.tail()  # 3 (or more) before, 2 after
