"""Every block of README.md and docs/*.md runs and does what the page says.

Blocks run in order, page by page, in a scratch directory holding a copy of ``flows/``
(tests/docs/runner.py), following the directives written before them
(tests/docs/markdown_blocks.py):

- ``sh``: each command runs and exits 0 (or the ``exit:`` given); a command that keeps running
  must start and stop cleanly; lines after ``$`` prompts are its output.
- no language: what a command prints (the shell block just before, or ``output of:``),
  compared with what it prints, with paths, times and durations normalised and ``...`` for
  any text; or synopses of flowrt commands, whose commands and options must exist; or a map
  of the repository, whose directories must exist.
- ``python``: executed, the page's blocks in one namespace; a ``test_*`` function it defines
  is called.
- ``yaml``, ``json``: a flow file, or a part of one, passes load and check
  (tests/docs/flow_examples.py); a flow test file passes the test file checks; a CI or
  pre-commit configuration runs its flowrt commands; an auth file, a secrets file and editor
  settings are read as flowrt or the editor would.

Any other block fails unless marked ``<!-- not run: REASON -->``. The pages are found at test
time, so a new page is covered when it is written. A command of ``KNOWN_FAILURES`` may fail
until it is fixed, and must then be removed from it. The generated docs/nodes/ pages are checked
against what ``flowrt docs`` generates now.
"""

from __future__ import annotations

import json
import os
import re
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from ruamel.yaml import YAML

from flowrt.cli.commands import main
from tests.docs.flow_examples import example_errors
from tests.docs.markdown_blocks import ROOT, Block, blocks, commands, documents
from tests.docs.runner import BlockFailed, Result, Shell, shows

SHELLS = ("sh", "bash", "shell", "console")
KNOWN_FAILURES: dict[str, str] = {}
"""Documented commands that fail today for a reason being fixed elsewhere, by how they start:
tolerated while they fail, and an error once they work, so each is removed when it is fixed."""


class Page:
    """One page being run: its scratch directory, shell and Python namespace."""

    def __init__(self, scratch: Path) -> None:
        shutil.copytree(ROOT / "flows", scratch / "flows")
        self.scratch = scratch
        self.shell = Shell(scratch)
        self.namespace: dict[str, Any] = {"__name__": "__doc_page__"}
        self.previous: Block | None = None

    def run(self, block: Block) -> None:
        if "not run" in block.directives:
            if not block.directives["not run"]:
                raise BlockFailed("`not run:` needs a reason")
            return
        for pair in block.directives.get("env", "").split():
            self.shell.env.update([pair.split("=", 1)])
        if "before" in block.directives:
            self.shell.run(block.directives["before"])
        handler = RUNNERS.get(block.lang)
        if handler is None:
            raise BlockFailed(f"cannot run a {block.lang or 'plain'} block; mark it "
                              "`<!-- not run: REASON -->` if it truly cannot run")
        if "while running" not in block.directives:
            handler(self, block)
            return
        with self.shell.running(block.directives["while running"]):
            handler(self, block)

    def sh(self, block: Block) -> None:
        statuses = [int(n) for n in block.directives.get("exit", "0").split()]
        shell = self.shell
        if block.directives.get("in") == "the repository":
            shell = Shell(ROOT)
            shell.env.update(self.shell.env)
        shell.last = self.shell.last = []
        for n, command in enumerate(commands(block)):
            status = statuses[min(n, len(statuses) - 1)]
            result = self.command(command.line, status, block.directives.get("input", ""),
                                  shell)
            if result is None:
                continue
            if command.output is not None and not shows(command.output, result.output,
                                                        self.scratch):
                raise BlockFailed(f"`{command.line}` printed:\n{result.output}")

    def command(self, line: str, status: int = 0, stdin: str = "",
                shell: Shell | None = None) -> Result | None:
        """Run one command of the page; None for a command of KNOWN_FAILURES that failed."""
        known = next((why for start, why in KNOWN_FAILURES.items() if line.startswith(start)),
                     None)
        try:
            result = (shell or self.shell).run(line, status, stdin=stdin)
        except BlockFailed:
            if known is None:
                raise
            return None
        if known is not None:
            raise BlockFailed(f"`{line}` works now: remove it from KNOWN_FAILURES ({known})")
        return result

    def output(self, block: Block) -> None:
        scratch = self.scratch
        if "output of" in block.directives:
            scratch = self.scratch.with_name(f"{self.scratch.name}-aside{block.line}")
            shutil.copytree(self.scratch, scratch)
            aside = Shell(scratch)  # a copy: the command may break files for the page's sake
            aside.env.update(self.shell.env)
            aside.run(block.directives["output of"], int(block.directives.get("exit", "0")))
            self.shell.last = aside.last
        elif all(line.startswith(("flowrt ", " ")) for line in block.text.splitlines()):
            return self.synopsis(block)
        elif all(re.match(r"[\w.-]+/ ", line) for line in block.text.splitlines()):
            missing = [d for d in re.findall(r"^([\w.-]+/) ", block.text, re.M)
                       if not (ROOT / d).is_dir()]
            if missing:  # a map of the repository: its directories exist
                raise BlockFailed(f"the repository has no {missing}")
            return None
        elif self.previous is None or self.previous.lang not in SHELLS or not self.shell.last:
            raise BlockFailed("an output block must follow the shell block whose output it "
                              "shows, or say `<!-- output of: COMMAND -->`")
        printed = "".join(r.output for r in self.shell.last)
        if not shows(block.text, printed, scratch):
            raise BlockFailed(f"the page shows:\n{block.text}but the command printed:\n{printed}")

    def python(self, block: Block) -> None:
        before = set(self.namespace)
        cwd = Path.cwd()
        os.chdir(self.scratch)
        try:
            exec(compile(block.text, block.where, "exec"), self.namespace)
            for name in sorted(set(self.namespace) - before):
                if name.startswith("test_") and callable(self.namespace[name]):
                    self.namespace[name]()
        except Exception as exc:
            raise BlockFailed(f"{type(exc).__name__}: {exc}") from exc
        finally:
            os.chdir(cwd)

    def data(self, block: Block) -> None:
        try:
            data = (json.loads(block.text) if block.lang == "json"
                    else YAML(typ="safe").load(block.text))
        except Exception as exc:
            raise BlockFailed(f"not valid {block.lang}: {exc}") from exc
        if "file" in block.directives:
            target = self.scratch / block.directives["file"]
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(block.text, encoding="utf-8")
        modeline = re.fullmatch(r"# yaml-language-server: \$schema=(\S+)\n", block.text)
        if modeline:  # in a flow file of flows/
            if not (ROOT / "flows" / modeline.group(1)).resolve().is_file():
                raise BlockFailed(f"{modeline.group(1)} names no file from flows/")
            return
        errors = example_errors(data, block.text, block.directives.get("file", "example.yaml"))
        if errors is None:
            errors = self.other_data(block, data)
        if errors:
            raise BlockFailed("\n".join(errors))

    def other_data(self, block: Block, data: Any) -> list[str]:
        from flowrt.errors import LoadError
        from flowrt.testing.spec import load_test_file

        if isinstance(data, dict) and "flowrt-test" in data:
            path = self.scratch / block.directives.get("file", "example.test.yaml")
            path.write_text(block.text, encoding="utf-8")
            try:
                load_test_file(path, path.name)
            except LoadError as exc:
                return [str(d) for d in exc.diagnostics]
            return []
        for _kind, recognise, check in DATA_KINDS:
            if recognise(data):
                return check(self, data)
        raise BlockFailed(f"cannot tell what this {block.lang} is (a flow, a flow test, a CI "
                          "or pre-commit configuration, an auth or secrets file); mark it "
                          "`<!-- not run: REASON -->` if it truly cannot be checked")

    def ci_steps(self, data: Any) -> list[str]:
        """A GitHub Actions workflow or steps: the flowrt commands of its ``run:`` steps run;
        installing flowrt is what made this environment."""
        jobs = data.get("jobs", {}).values() if isinstance(data, dict) else [{"steps": data}]
        for job in jobs:
            for step in job.get("steps", []):
                for line in str(step.get("run", "")).splitlines():
                    if line.strip().startswith("flowrt "):
                        self.command(line.strip())
        return []

    def pre_commit(self, data: Any) -> list[str]:
        """A pre-commit configuration: a local hook's entry runs (on the flow files its
        ``files`` pattern matches, unless ``pass_filenames: false``); a hook of the flowrt
        repository must be one it publishes."""
        published = {h["id"] for h in YAML(typ="safe").load(
            (ROOT / ".pre-commit-hooks.yaml").read_text())}
        problems = []
        for repo in data["repos"]:
            for hook in repo["hooks"]:
                if repo["repo"] != "local":
                    if hook["id"] not in published:
                        problems.append(f"hook {hook['id']!r} is not in .pre-commit-hooks.yaml")
                    continue
                files = [p.relative_to(self.scratch).as_posix()
                         for p in sorted(self.scratch.rglob("*"))
                         if re.search(hook.get("files", ""), p.relative_to(self.scratch).as_posix())
                         and not p.name.endswith(".test.yaml")]
                names = "" if hook.get("pass_filenames") is False else " " + " ".join(files)
                self.command(hook["entry"] + names)
        return problems

    def auth_file(self, data: Any) -> list[str]:
        from flowrt.server.passwords import read_users

        path = self.scratch / "example-users.yaml"
        YAML(typ="safe").dump(data, path)
        try:
            read_users(path)
        except Exception as exc:
            return [f"flowrt cannot read this auth file: {exc}"]
        return []

    def secrets_file(self, data: Any) -> list[str]:
        from flowrt.secrets.references import load_secrets

        path = self.scratch / "example-secrets.yaml"
        YAML(typ="safe").dump(data, path)
        try:
            load_secrets(path)
        except Exception as exc:
            return [f"flowrt cannot read this secrets file: {exc}"]
        return []

    def editor_settings(self, data: Any) -> list[str]:
        return [f"{path} names no file of the repository" for path in data["yaml.schemas"]
                if not (ROOT / path).is_file()]

    def synopsis(self, block: Block) -> None:
        """A block of command synopses (``flowrt CMD [--option ...]``): each command exists and
        has each option written."""
        text = re.sub(r"\n\s+(?=[\[-])", " ", block.text)
        problems = [p for line in text.splitlines() if line.startswith("flowrt ")
                    for p in command_problems(line.split("  ")[0])]
        if problems:
            raise BlockFailed("\n".join(problems))


def command_problems(line: str) -> list[str]:
    """What a written ``flowrt ...`` command names that flowrt does not have: a command, or an
    option of that command."""
    import click

    command: click.Command = main
    words = line.split()[1:]
    path = ["flowrt"]
    for word in words:
        if not isinstance(command, click.Group) or word.startswith("-"):
            break
        if word not in command.commands:
            if isinstance(command, click.Group) and command is main:
                return [f"`{line}`: flowrt has no command {word!r}"]
            break
        command = command.commands[word]
        path.append(word)
    options = {o for p in command.params for o in (*p.opts, *p.secondary_opts)} | {"--help"}
    return [f"`{line}`: `{' '.join(path)}` has no option {o}"
            for o in re.findall(r"(?<![\w-])--?[a-zA-Z][\w-]*", line.split(" #")[0])
            if o.split("=")[0] not in options]


@pytest.mark.parametrize("path", documents(), ids=lambda p: p.relative_to(ROOT).as_posix())
def test_every_command_in_the_text_exists_with_its_options(path: Path) -> None:
    """Commands written in the text (`` `flowrt run --workers N` ``) name what flowrt has."""
    text = path.read_text(encoding="utf-8")
    problems = [p for span in re.findall(r"`(flowrt [^`]+)`", text) for p in command_problems(span)]
    assert not problems, "\n".join(problems)


def _is_secrets(data: Any) -> bool:
    return isinstance(data, dict) and all(
        isinstance(k, str) and re.fullmatch(r"[A-Z_][A-Z0-9_]*", k) for k in data)


DATA_KINDS: list[tuple[str, Callable[[Any], bool], Callable[[Page, Any], list[str]]]] = [
    ("pre-commit", lambda d: isinstance(d, dict) and "repos" in d, Page.pre_commit),
    ("workflow", lambda d: (isinstance(d, dict) and "jobs" in d) or (
        isinstance(d, list) and all(isinstance(s, dict) and {"run", "uses"} & set(s)
                                    for s in d)), Page.ci_steps),
    ("auth file", lambda d: isinstance(d, dict) and set(d) == {"users"}, Page.auth_file),
    ("editor settings", lambda d: isinstance(d, dict) and "yaml.schemas" in d,
     Page.editor_settings),
    ("secrets", _is_secrets, Page.secrets_file),
]
RUNNERS: dict[str, Callable[[Page, Block], None]] = {
    **{lang: Page.sh for lang in SHELLS},
    "": Page.output,
    "python": Page.python,
    "yaml": Page.data,
    "yml": Page.data,
    "json": Page.data,
}


def run_page(path: Path, scratch: Path) -> list[str]:
    """Run every block of a page in order; what failed, each with its file and line."""
    page = Page(scratch)
    failures = []
    for block in blocks(path):
        try:
            page.run(block)
        except BlockFailed as exc:
            failures.append(f"{block.where}: {exc}")
        page.previous = block
    return failures


@pytest.mark.parametrize("path", documents(), ids=lambda p: p.relative_to(ROOT).as_posix())
def test_every_block_of_the_page_runs(path: Path, tmp_path: Path) -> None:
    failures = run_page(path, tmp_path)
    assert not failures, "\n\n".join(failures)


def test_a_page_fails_on_what_it_cannot_run_or_that_differs(tmp_path: Path) -> None:
    page = tmp_path / "page.md"
    page.write_text("""```sh
flowrt validate flows/
```

```
3 files checked, no problems
```

```toml
a = 1
```

<!-- not run: -->
```sh
false
```

```yaml
flowrt: 1
nodes:
  tick: {type: inject, repeet: 1}
```

<!-- not run: shows nothing that runs -->
```sh
false
```
""")
    failures = run_page(page, tmp_path / "scratch")
    assert [f.split(":", 2)[1] for f in failures] == ["5", "9", "14", "18"], failures
    assert "unknown field 'repeet'" in failures[3]


def test_the_pages_are_found() -> None:
    assert {p.name for p in documents()} >= {"README.md", "format.md", "validate.md"}


def test_the_node_pages_are_what_flowrt_docs_generates(tmp_path: Path) -> None:
    result = CliRunner().invoke(main, ["docs", "-o", str(tmp_path)])
    assert result.exit_code == 0, result.output
    generated = {p.name: p.read_text() for p in tmp_path.glob("*.md")}
    committed = {p.name: p.read_text() for p in (ROOT / "docs" / "nodes").glob("*.md")}
    stale = sorted(n for n in generated.keys() | committed.keys()
                   if generated.get(n) != committed.get(n))
    assert not stale, f"docs/nodes is stale, run `flowrt docs`: {stale}"
