"""kill -9 of a worker while it applies a group deploy: restarted, it runs the group's newest
revision, and so does every worker, a revision deployed while it was dead included.

The group: a `flowrt serve` worker whose editor deploys, and two `flowrt run` workers, each
with a flows directory of its own, over the PostgreSQL on 127.0.0.1. The revision is large
(many files) so that applying it takes a while; the victim is killed the moment it logs that
it is deploying it. How fast they converge is not asserted: the timeouts are generous.
"""

from __future__ import annotations

import uuid
from pathlib import Path

from tests.faults.harness import Worker, workers
from tests.group.revision_kit import answer, converged, make_worker, members, newest
from tests.support.servers import free_port, url
from tests.support.waiting import wait_until

FILES = 60
TIMEOUT = 180.0


def _follower(name: str, flows: Path, group: str, port: int) -> Worker:
    return Worker(name, [flows], args=[
        "--group", group, "--group-db", url("pg"), "--worker", name, "--group-poll", "0.5",
        "--http", f"127.0.0.1:{port}"])


def _version(port: int) -> str | None:
    import urllib.request

    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/version", timeout=5) as res:
            return str(res.read().decode())
    except OSError:
        return None


def test_a_worker_killed_during_a_group_deploy_converges_after_restart(tmp_path: Path) -> None:
    group, pg = f"fd-{uuid.uuid4().hex[:10]}", url("pg")
    editor = make_worker(tmp_path, "editor", "serve", group, pg,
                         {"version.yaml": answer("v1")})
    dirs, ports = {}, {}
    for name in ("victim", "other"):
        dirs[name] = tmp_path / name / "flows"
        dirs[name].mkdir(parents=True)
        (dirs[name] / "version.yaml").write_text(answer("v1"))
        ports[name] = free_port()
    victim = _follower("victim", dirs["victim"], group, ports["victim"])
    other = _follower("other", dirs["other"], group, ports["other"])
    editor.start()
    try:
        with workers(victim, other):
            wait_until(lambda: editor.version() == "v1"
                       and all(_version(p) == "v1" for p in ports.values()),
                       "every worker to answer v1", TIMEOUT, 0.2)
            for i in range(FILES):
                (editor.flows / f"part{i:03}.yaml").write_text(
                    f"flowrt: 1\nid: part{i}\nnodes:\n  note{i}: {{type: comment, info: "
                    f"'{'x' * 2000}'}}\n")
            (editor.flows / "version.yaml").write_text(answer("v2"))
            editor.post("/api/deploy", {"mode": "flows", "message": "v2"})
            wait_until(lambda: any("deploying revision" in str(r.get("message"))
                                   for r in victim.log()),
                       "the victim to start deploying", TIMEOUT, 0.01)
            victim.kill()
            applied = any("runs revision" in str(r.get("message")) for r in victim.log())
            print(f"the victim had {'finished' if applied else 'not finished'} the deploy")
            # while the victim is dead: another deploy, whose notification it cannot get
            (editor.flows / "version.yaml").write_text(answer("v3"))
            editor.post("/api/deploy", {"mode": "flows", "message": "v3"})
            target = newest(pg, group)
            wait_until(lambda: not members(pg, group).get("victim", {}).get("alive", True),
                       "the victim to show as gone", TIMEOUT, 0.2)
            again = _follower("victim", dirs["victim"], group, ports["victim"])
            with workers(again):
                alive = [editor, again, other]

                def one_revision() -> bool:
                    return converged(pg, group, alive)  # type: ignore[arg-type]

                try:
                    wait_until(one_revision, "every alive worker on the newest revision",
                               TIMEOUT, 0.2)
                    wait_until(lambda: all(_version(p) == "v3" for p in ports.values()),
                               "every worker to answer v3", TIMEOUT, 0.2)
                except AssertionError as exc:
                    raise AssertionError(f"{exc}\n{again.tail()}\n{other.tail()}\n"
                                         f"{editor.tail()}") from None
                assert newest(pg, group) == target
                for name in ("victim", "other"):
                    names = sorted(p.name for p in dirs[name].iterdir()
                                   if not p.name.startswith("."))
                    assert names == sorted(p.name for p in editor.flows.iterdir()
                                           if p.name.endswith(".yaml"))
                    # a write cut by the kill leaves its hidden temporary file, never a
                    # half-written flow file
                    left = [p.name for p in dirs[name].iterdir() if p.name.endswith(".tmp")]
                    print(f"{name}: temporary files left by the kill: {left}")
                assert again.stop() == 0, again.tail()
            assert other.stop() == 0, other.tail()
    finally:
        editor.stop()
