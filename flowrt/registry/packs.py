"""The built-in packs' manifests: what each pack needs, declared once, in its ``pack.toml``::

    requires = ["paho-mqtt>=2.1"]      # the distributions its modules import
    test-servers = ["mosquitto"]        # the servers its tests talk to

What derives from them: pyproject.toml's dependencies (flowrt's own, then every pack's, so the
default install runs every pack) and one extra per pack (``pip install flowrt[mqtt]``), both
written by ``python -m flowrt.registry.packs --write`` and checked by a test; the servers
``.ci/services.sh ensure`` starts; the packs whose backends the conformance suite runs.
"""

from __future__ import annotations

import argparse
import importlib
import json
import re
import sys
import tomllib
from dataclasses import dataclass
from pathlib import Path

from flowrt.errors import RegistryError
from flowrt.registry.discover import BUILTIN_PACKAGE

MANIFEST = "pack.toml"
WRITE = "python -m flowrt.registry.packs --write"
DEPENDENCIES_MARK = f"  # the node packs' (nodes/*/pack.toml; written by {WRITE})"
EXTRAS_START = f"# one extra per node pack (nodes/*/pack.toml; written by {WRITE})"
EXTRAS_END = "# end of the packs' extras"


@dataclass(frozen=True)
class PackManifest:
    name: str
    requires: tuple[str, ...]
    test_servers: tuple[str, ...]


def packs_folder(package: str = BUILTIN_PACKAGE) -> Path:
    """The folder the built-in packs are imported from."""
    return Path(importlib.import_module(package).__path__[0])


def read_manifest(path: Path) -> PackManifest:
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise RegistryError(f"{path}: {exc}") from exc
    fields = {"requires": (), "test-servers": ()} | data
    wrong = sorted(set(fields) - {"requires", "test-servers"}) + sorted(
        key for key in ("requires", "test-servers")
        if not isinstance(fields[key], list | tuple)
        or not all(isinstance(v, str) and v for v in fields[key])
    )
    if wrong:
        raise RegistryError(
            f"{path}: {', '.join(wrong)}: a manifest has `requires` and `test-servers`, "
            "each a list of strings"
        )
    return PackManifest(path.parent.name, tuple(fields["requires"]), tuple(fields["test-servers"]))


def manifests(package: str = BUILTIN_PACKAGE) -> list[PackManifest]:
    """Every built-in pack's manifest, by pack name; a pack without one is an error."""
    found = []
    for pack in sorted(p for p in packs_folder(package).iterdir() if (p / "__init__.py").is_file()):
        if not (pack / MANIFEST).is_file():
            raise RegistryError(f"pack {pack.name!r} has no {MANIFEST}: write one in {pack}")
        found.append(read_manifest(pack / MANIFEST))
    return found


def _requirements(lines: list[str]) -> list[str]:
    return [m.group(1) for line in lines if (m := re.match(r'\s*"([^"]+)",?\s*$', line))]


def render_pyproject(text: str, packs: list[PackManifest]) -> str:
    """pyproject.toml's text with the packs' dependencies and extras as the manifests say."""
    lines = text.splitlines()
    try:
        start = lines.index("dependencies = [")
        mark = lines.index(DEPENDENCIES_MARK, start)
        end = lines.index("]", mark)
        extras, extras_end = lines.index(EXTRAS_START), lines.index(EXTRAS_END)
    except ValueError:
        raise RegistryError(
            f"pyproject.toml lacks the lines that frame what {WRITE} writes: "
            f"{DEPENDENCIES_MARK.strip()!r} in dependencies, {EXTRAS_START!r} and "
            f"{EXTRAS_END!r} in [project.optional-dependencies]"
        ) from None
    own = _requirements(lines[start + 1 : mark])
    added: list[str] = []
    for pack in packs:
        added += [r for r in pack.requires if r not in own and r not in added]
    dependencies = [f'  "{r}",' for r in sorted(added, key=str.lower)]
    extras_lines = [
        f"{pack.name} = {json.dumps(list(pack.requires))}" for pack in packs
    ]
    new = [
        *lines[: mark + 1], *dependencies, *lines[end:extras + 1], *extras_lines,
        *lines[extras_end:],
    ]
    return "\n".join(new) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m flowrt.registry.packs",
        description="Check (or --write) pyproject.toml's dependencies and extras against the "
        "packs' manifests, nodes/*/pack.toml.",
    )
    parser.add_argument("--write", action="store_true", help="rewrite pyproject.toml")
    parser.add_argument("--pyproject", type=Path, default=Path("pyproject.toml"))
    args = parser.parse_args(argv)
    text = args.pyproject.read_text(encoding="utf-8")
    try:
        wanted = render_pyproject(text, manifests())
    except RegistryError as exc:
        print(exc, file=sys.stderr)
        return 2
    if wanted == text:
        return 0
    if args.write:
        args.pyproject.write_text(wanted, encoding="utf-8")
        print(f"{args.pyproject}: the packs' dependencies and extras written")
        return 0
    print(f"{args.pyproject} does not match the packs' manifests: run `{WRITE}`", file=sys.stderr)
    return 1


if __name__ == "__main__":
    sys.exit(main())
