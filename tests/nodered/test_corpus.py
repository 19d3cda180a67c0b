"""The corpus: every example flow shipped in Node-RED's @node-red/nodes package imports, passes
the checker, and comes back the same through export; and real Node-RED runs what flowrt exports.

The package is installed with npm into a cache directory on first use (helpers.nodered_home),
not copied into the repository. The aggregate report is printed (run with ``-s`` to see it).
"""

from __future__ import annotations

import json
import shutil
import subprocess
import time
from pathlib import Path

import pytest

from flowrt.nodered import aggregate, convert, import_nodered, read_data
from flowrt.nodered.export import export_project
from flowrt.nodered.writer import write_flows
from tests.nodered.helpers import errors, examples_dir, nodered_home, nr_import
from tests.nodered.test_roundtrip import REPRESENTATIVE, graph


@pytest.fixture(scope="module")
def examples() -> list[Path]:
    nodered_home()
    files = sorted(examples_dir().rglob("*.json"))
    assert len(files) > 100, f"expected over 100 example flows in {examples_dir()}"
    return files


def test_every_example_imports_and_passes_the_checker(examples: list[Path],
                                                      tmp_path: Path) -> None:
    reports = []
    for index, source in enumerate(examples):
        result = import_nodered(source, tmp_path / str(index))
        report = result.report
        assert not errors(result.conversion), (source, errors(result.conversion))
        for entry in report.entries:
            assert entry.status != "unsupported" or entry.reason, (source, entry)
        done = subprocess.run(["flowrt", "validate", str(tmp_path / str(index))],
                              capture_output=True, text=True, timeout=120) if index < 3 else None
        assert done is None or done.returncode == 0, done.stdout if done else ""
        reports.append(report)
    figures = aggregate(reports)
    print("\nNode-RED example corpus:", json.dumps(figures, indent=2))
    assert figures["files"] == len(examples)
    counts = figures["counts"]
    assert counts["mapped"] + counts["caveats"] > 0.9 * figures["nodes"]
    assert set(figures["unsupported_by_type"]) <= {"link out"}


def test_every_example_survives_import_export_import(examples: list[Path],
                                                     tmp_path: Path) -> None:
    for index, source in enumerate(examples):
        first, second = tmp_path / f"{index}a", tmp_path / f"{index}b"
        import_nodered(source, first)
        exported, _ = export_project([str(first)])
        again = convert(read_data(exported), {}, source.name)
        write_flows(again.flows, second)
        assert graph(first) == graph(second), source


def test_node_red_runs_the_flows_flowrt_exports(tmp_path: Path) -> None:
    home = nodered_home()
    node = shutil.which("node")
    if node is None:
        pytest.fail("node (Node.js) is needed to run Node-RED")
    local = [n for n in REPRESENTATIVE if "mqtt" not in n["type"]]
    conversion = nr_import(local)
    assert not errors(conversion)
    write_flows(conversion.flows, tmp_path / "flows")
    exported, _ = export_project([str(tmp_path / "flows")])
    user = tmp_path / "user"
    user.mkdir()
    (user / "flows.json").write_text(json.dumps(exported))
    settings = tmp_path / "settings.js"
    settings.write_text(
        "module.exports = {uiHost: '127.0.0.1', uiPort: 0, httpAdminRoot: false, "
        "httpNodeRoot: false, flowFile: 'flows.json', credentialSecret: false, "
        "logging: {console: {level: 'info', metrics: false, audit: false}}};\n"
    )
    process = subprocess.Popen(
        [node, str(home / "node_modules/node-red/red.js"), "--settings", str(settings),
         "--userDir", str(user)], stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )
    lines: list[str] = []
    try:
        assert process.stdout is not None
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline:
            line = process.stdout.readline()
            if not line and process.poll() is not None:
                break
            lines.append(line.rstrip())
            if "Started flows" in line:
                break
    finally:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        if process.stdout is not None:
            process.stdout.close()
    log = "\n".join(lines)
    assert "Started flows" in log, log
    problems = [line for line in lines if "[error]" in line or "Missing node" in line
                or "Error:" in line]
    assert problems == [], log
