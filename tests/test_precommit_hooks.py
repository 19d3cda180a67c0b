"""The hooks of .pre-commit-hooks.yaml, run by the real pre-commit client as a repository of flows
uses them (docs/ci.md): this checkout, at its HEAD commit, as the hooks' repository; a copy of the
shipped flows passes, and a broken flow fails with its file:line in the output.

pre-commit installs flowrt from the commit into an environment of its own (a few minutes the
first time), so what is tested is the committed tree, not uncommitted changes."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
HOOKS = ("flowrt-validate", "flowrt-fmt", "flowrt-test")


def git(cwd: Path, *args: str) -> str:
    return subprocess.run(["git", *args], cwd=cwd, check=True, capture_output=True,
                          text=True).stdout.strip()


def pre_commit(repo: Path, home: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PRE_COMMIT_HOME": str(home), "NO_COLOR": "1"}
    env.pop("VIRTUAL_ENV", None)
    return subprocess.run([sys.executable, "-m", "pre_commit", "run", "--all-files",
                           "--color", "never"], cwd=repo, env=env, capture_output=True,
                          text=True, timeout=1500)


def test_the_published_hooks_pass_the_shipped_flows_and_fail_a_broken_one(
        tmp_path: Path) -> None:
    repo = tmp_path / "flows-repo"
    repo.mkdir()
    shutil.copytree(ROOT / "flows", repo / "flows")
    hooks = "".join(f"      - id: {hook}\n" for hook in HOOKS)
    (repo / ".pre-commit-config.yaml").write_text(
        f"repos:\n  - repo: {ROOT}\n    rev: {git(ROOT, 'rev-parse', 'HEAD')}\n    hooks:\n"
        f"{hooks}", encoding="utf-8")
    git(repo, "init", "-q", "-b", "main")
    git(repo, "add", ".")
    git(repo, "-c", "user.name=flows", "-c", "user.email=flows@example.com", "commit", "-q",
        "-m", "flows")
    home = tmp_path / "pre-commit-home"

    passed = pre_commit(repo, home)
    assert passed.returncode == 0, passed.stdout + passed.stderr
    for name in ("flowrt validate", "flowrt fmt --check", "flowrt test"):
        assert any(line.startswith(name + ".") and line.endswith("Passed")
                   for line in passed.stdout.splitlines()), passed.stdout

    flow = repo / "flows" / "hello.yaml"
    lines = flow.read_text(encoding="utf-8").splitlines(keepends=True)
    number = next(i for i, line in enumerate(lines, 1) if line.startswith("  log: "))
    lines[number - 1] = "  log: {type: debug, colour: red}\n"
    flow.write_text("".join(lines), encoding="utf-8")
    failed = pre_commit(repo, home)
    assert failed.returncode != 0, failed.stdout
    assert f"flows/hello.yaml:{number}:" in failed.stdout, failed.stdout
    assert "E023" in failed.stdout, failed.stdout
