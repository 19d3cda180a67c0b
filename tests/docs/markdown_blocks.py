"""The fenced code blocks of the project's Markdown, with the directives written before them.

A directive is an HTML comment on the lines just before a block (blank lines between are
allowed), invisible to a reader, for the docs test (tests/docs/test_docs_run.py):

- ``<!-- not run: REASON -->``: the block is not run; the reason is required.
- ``<!-- output of: COMMAND -->``: the block shows what COMMAND (bash, in the scratch directory)
  prints; without it, a block with no language shows the output of the shell block just before.
- ``<!-- exit: N... -->``: the commands of the shell block exit with N (default 0); with
  several, one for each command in turn (the last for the rest).
- ``<!-- before: COMMAND -->``: run COMMAND first (to make the input the block names).
- ``<!-- in: the repository -->``: the block's commands run in the repository itself (they
  name its files, such as a test module).
- ``<!-- while running: COMMAND -->``: the block runs while COMMAND (a worker, a server: it
  must start) runs beside it; a server's port is in ``$PORT``.
- ``<!-- input: TEXT -->``: what the block's commands read on standard input (what a reader
  types when asked).
- ``<!-- env: NAME=VALUE ... -->``: the block's commands see these environment variables (a
  value the reader has, such as a secret).
- ``<!-- file: PATH -->``: a YAML or JSON block is also written to PATH in the scratch directory,
  for the blocks after it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent.parent
DIRECTIVES = ("not run", "output of", "exit", "before", "while running", "input", "env",
              "file", "in")
_FENCE = re.compile(r"^( *)(```+)\s*([\w+-]*)\s*$")
_DIRECTIVE = re.compile(r"^\s*<!--\s*([a-z ]+?)\s*:\s*(.*?)\s*-->\s*$")


@dataclass
class Block:
    """One fenced block: where it is, its language (empty for none), its text (unindented)."""

    file: str
    line: int
    lang: str
    text: str
    directives: dict[str, str] = field(default_factory=dict)

    @property
    def where(self) -> str:
        return f"{self.file}:{self.line}"


def documents() -> list[Path]:
    """README.md and docs/*.md: the pages people follow (not the generated docs/nodes/)."""
    return [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]


def blocks(path: Path) -> list[Block]:
    """Every fenced block of a Markdown file, in order, with its directives."""
    lines = path.read_text(encoding="utf-8").splitlines()
    name = path.relative_to(ROOT).as_posix() if path.is_relative_to(ROOT) else path.name
    found: list[Block] = []
    i = 0
    while i < len(lines):
        opening = _FENCE.match(lines[i])
        if not opening:
            i += 1
            continue
        indent, fence, lang = opening.groups()
        body: list[str] = []
        j = i + 1
        while j < len(lines) and lines[j].strip() != fence:
            body.append(lines[j][len(indent):] if lines[j].startswith(indent) else lines[j])
            j += 1
        found.append(Block(name, i + 1, lang.lower(), "\n".join(body) + "\n",
                           _directives(lines, i)))
        i = j + 1
    return found


def _directives(lines: list[str], fence: int) -> dict[str, str]:
    found: dict[str, str] = {}
    k = fence - 1
    while k >= 0 and (not lines[k].strip() or _DIRECTIVE.match(lines[k])):
        match = _DIRECTIVE.match(lines[k])
        if match and match.group(1) in DIRECTIVES:
            found.setdefault(match.group(1), match.group(2))
        k -= 1
    return found


@dataclass
class Command:
    """One command of a shell block, with the output written under it after a ``$`` prompt."""

    line: str
    output: str | None = None


def commands(block: Block) -> list[Command]:
    """The commands of a shell block: continued lines joined, comments dropped; a block that
    uses ``$`` prompts holds commands after them and their output below."""
    text = re.sub(r"\\\n\s*", "", block.text)
    prompted = any(line.startswith("$ ") for line in text.splitlines())
    found: list[Command] = []
    for line in text.splitlines():
        if prompted and not line.startswith("$ "):
            if found:
                found[-1].output = (found[-1].output or "") + line + "\n"
            continue
        line = re.sub(r"(^|\s+)#.*$", "", line.removeprefix("$ ")).strip()
        if line:
            found.append(Command(line))
    return found
