"""The `flowrt` command line: validate, fmt, test, schema, nodes, docs, import/export (the
commands that run flows, `run` and `serve`, are in :mod:`flowrt.cli.run`).

Exit status everywhere: 0 success, 1 problems found (or a run that failed), 2 usage errors and
input that cannot be read.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click

from flowrt import __version__
from flowrt.cli.common import (
    EXIT_OK,
    EXIT_PROBLEMS,
    EXIT_USAGE,
    files_read,
    node_registry,
    use_colour,
)
from flowrt.cli.group import group_cli
from flowrt.cli.keys import keys_cli
from flowrt.cli.openapi import openapi, openapi_option
from flowrt.cli.run import run, serve
from flowrt.cli.secrets import secrets_cli
from flowrt.cli.tracing import path_sample_option


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="flowrt")
def main() -> None:
    """flowrt: flows of nodes as YAML or JSON files, checked, compiled and run on asyncio."""


@main.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path())
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["text", "json", "github", "sarif"]),
    default="text",
    show_default=True,
    help="Output format.",
)
@click.option("--strict", is_flag=True, help="Treat warnings as errors (exit 1).")
@click.option("--color/--no-color", "colour", default=None, help="Colour the text output.")
@click.option("--max-size", type=int, default=16, show_default=True, help="Largest file, in MiB.")
def validate(
    paths: tuple[str, ...], fmt: str, strict: bool, colour: bool | None, max_size: int
) -> None:
    """Check flow files and directories of flow files; report every problem found.

    Exit status: 0 clean, 1 errors (and warnings with --strict), 2 unreadable input.
    """
    from flowrt.check import check, has_errors
    from flowrt.check.report import RENDERERS
    from flowrt.load import load_project

    registry = node_registry()
    project = load_project(paths, max_bytes=max_size * 1024 * 1024)
    diagnostics = check(project, registry, strict=strict)
    files = files_read(project)
    click.echo(RENDERERS[fmt](diagnostics, files, use_colour(colour) and fmt == "text"))
    if project.unreadable:
        sys.exit(EXIT_USAGE)
    sys.exit(EXIT_PROBLEMS if has_errors(diagnostics) else EXIT_OK)


@main.command("test")
@click.argument("paths", nargs=-1, type=click.Path())
@click.option("--format", "fmt", type=click.Choice(["text", "junit", "github"]), default="text",
              show_default=True, help="Output format.")
@click.option("-o", "--output", type=click.Path(dir_okay=False),
              help="Also write the report to this file (e.g. a JUnit XML file).")
@click.option("--color/--no-color", "colour", default=None, help="Colour the text output.")
def test_command(paths: tuple[str, ...], fmt: str, output: str | None, colour: bool | None) -> None:
    """Run flow test files (*.test.yaml) on simulated time; see docs/testing.md.

    PATHS are test files or directories (default: flows/). Exit status: 0 every case passed,
    1 a case failed, 2 a test file is broken (with file:line:col) or none was found.
    """
    from flowrt.testing.report import RENDERERS
    from flowrt.testing.suite import default_paths, run_tests

    suite = run_tests(list(paths) or default_paths(), node_registry())
    text = RENDERERS[fmt](suite, use_colour(colour) and fmt == "text")
    click.echo(text)
    if output:
        Path(output).write_text(RENDERERS[fmt](suite, False) + "\n", encoding="utf-8")
    if suite.broken:
        sys.exit(EXIT_USAGE)
    sys.exit(EXIT_PROBLEMS if suite.failed else EXIT_OK)


@main.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path())
@click.option(
    "--check",
    "check_only",
    is_flag=True,
    help="Change nothing; exit 1 if a file would be reformatted.",
)
def fmt(paths: tuple[str, ...], check_only: bool) -> None:
    """Format flow files and flow test files canonically, keeping comments and key order; a
    directory's files are treated as if each were named.

    With --check, each file that would change is error E013 at its first differing line,
    followed by a unified diff of the change. Exit status: 0 nothing to change (or formatted),
    1 a file would change (--check) or cannot be read as YAML/JSON, 2 a missing path.
    """
    from flowrt.diagnostics import diagnostic
    from flowrt.errors import LoadError
    from flowrt.load.formatter import first_difference, format_diff, format_document
    from flowrt.load.project import find_flow_files, load

    files, problems = find_flow_files(paths, tests=True)
    for problem in problems:
        click.echo(str(problem), err=True)
    changed = 0
    broken = 0
    for path in files:
        try:
            doc = load(path)
        except LoadError as exc:
            broken += 1
            for d in exc.diagnostics:
                click.echo(str(d), err=True)
            continue
        formatted = format_document(doc)
        if formatted == doc.text:
            continue
        changed += 1
        if check_only:
            line, column = first_difference(doc.text, formatted)
            click.echo(str(diagnostic("E013", "file is not in the canonical format",
                                      f"run `flowrt fmt {doc.file}`", file=doc.file,
                                      line=line, column=column)))
            click.echo(format_diff(doc.text, formatted, doc.file), nl=False)
        else:
            Path(path).write_text(formatted, encoding="utf-8")
            click.echo(f"formatted {doc.file}")
    verb = "would be reformatted" if check_only else "reformatted"
    click.echo(f"{changed} of {len(files)} file{'s' if len(files) != 1 else ''} {verb}")
    if problems:
        sys.exit(EXIT_USAGE)
    sys.exit(EXIT_PROBLEMS if broken or (check_only and changed) else EXIT_OK)


@main.group("import")
def import_group() -> None:
    """Convert flows from another tool into flowrt flow files."""


@import_group.command("nodered")
@click.argument("source", type=click.Path(dir_okay=False))
@click.option("-o", "--output", required=True, type=click.Path(file_okay=False),
              help="Directory for the flow files (and secrets.yaml).")
@click.option("--credentials", type=click.Path(dir_okay=False), metavar="FILE",
              help="Node-RED's flows_cred.json.")
@click.option("--credential-secret", envvar="NODE_RED_CREDENTIAL_SECRET", metavar="SECRET",
              help="The credentialSecret that encrypts it [env: NODE_RED_CREDENTIAL_SECRET].")
@click.option("--report", "report_format", type=click.Choice(["text", "json"]), default="text",
              show_default=True, help="Format of the import report.")
def import_nodered(source: str, output: str, credentials: str | None,
                   credential_secret: str | None, report_format: str) -> None:
    """Import a Node-RED export (flows.json) as flow files, with a node-by-node report."""
    from flowrt.nodered.command import run_import

    sys.exit(run_import(source, output, credentials, credential_secret, report_format, click.echo))


@main.group("export")
def export_group() -> None:
    """Convert flowrt flow files for another tool."""


@export_group.command("nodered")
@click.argument("paths", nargs=-1, required=True, type=click.Path())
@click.option("-o", "--output", type=click.Path(dir_okay=False), default="-",
              show_default=True, help="The Node-RED JSON file to write (- for stdout).")
@click.option("--dashboard", type=click.Choice(["1", "2"]), default=None,
              help="Write dashboards as node-red-dashboard 3.x (1) or FlowFuse Dashboard 2 (2); "
              "default: the package each dashboard's widgets were imported from, else 1.")
def export_nodered(paths: tuple[str, ...], output: str, dashboard: str | None) -> None:
    """Export flow files as Node-RED JSON (the editor's Import dialog or flows.json)."""
    from flowrt.nodered.command import run_export

    sys.exit(run_export(list(paths), output, click.echo, dashboard))


def source_checkout() -> Path | None:
    """The root of the flowrt source checkout this flowrt runs from (a pyproject.toml of the
    project flowrt, with schemas/ beside it), or None when flowrt is installed."""
    import tomllib

    root = Path(__file__).resolve().parent.parent.parent
    try:
        project = tomllib.loads((root / "pyproject.toml").read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError):
        return None
    name = project.get("project", {}).get("name")
    return root if name == "flowrt" and (root / "schemas").is_dir() else None


def source_schema_path(tests: bool = False) -> Path:
    """schemas/flow.schema.json (test.schema.json) in the source tree this flowrt runs from."""
    name = "test.schema.json" if tests else "flow.schema.json"
    return Path(__file__).resolve().parent.parent.parent / "schemas" / name


def schema_text(tests: bool) -> str:
    """What `flowrt schema` (with --tests: `flowrt schema --tests`) prints."""
    from flowrt.registry.catalog import build_flow_schema
    from flowrt.testing.spec import build_test_schema

    built = build_test_schema() if tests else build_flow_schema(node_registry())
    return json.dumps(built, indent=2) + "\n"


@main.command()
@click.option("-o", "--output", type=click.Path(dir_okay=False), help="Write to this file.")
@click.option("--write", is_flag=True, help="Write the schema into schemas/ of the source tree.")
@click.option("--tests", is_flag=True, help="The schema of flow test files (*.test.yaml).")
@click.option("--check", "check_dir", type=click.Path(file_okay=False), metavar="DIR",
              help="Exit 1 unless DIR/flow.schema.json and DIR/test.schema.json are current.")
def schema(output: str | None, write: bool, tests: bool, check_dir: str | None) -> None:
    """Print the JSON Schema of flow files, assembled from the installed node types (with
    --tests: of flow test files)."""
    if check_dir is not None:
        behind = []
        for kind in (False, True):
            path = Path(check_dir) / source_schema_path(kind).name
            if not path.is_file() or path.read_text(encoding="utf-8") != schema_text(kind):
                behind.append(f"{path} is not what this flowrt writes: run "
                              f"`flowrt schema{' --tests' if kind else ''} -o {path}`")
        for line in behind:
            click.echo(f"flowrt: {line}", err=True)
        sys.exit(EXIT_PROBLEMS if behind else EXIT_OK)
    if write and source_checkout() is None:
        click.echo("flowrt: error: --write updates schemas/ of a flowrt source checkout, and "
                   "this flowrt is installed, not run from one: give -o FILE to write the "
                   "schema elsewhere", err=True)
        sys.exit(EXIT_USAGE)
    text = schema_text(tests)
    target = source_schema_path(tests) if write else Path(output) if output else None
    if target is None:
        click.echo(text, nl=False)
        return
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(text, encoding="utf-8")
    click.echo(f"wrote {target}", err=True)


@main.group(invoke_without_command=True)
@click.option(
    "--category",
    type=click.Choice(["source", "transform", "script", "sink", "connection"]),
    help="Only this category.",
)
@click.option(
    "--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True
)
@click.pass_context
def nodes(ctx: click.Context, category: str | None, fmt: str) -> None:
    """List the installed node types by category (`flowrt nodes show TYPE` for one)."""
    if ctx.invoked_subcommand is not None:
        return
    from flowrt.registry.docs import render_listing

    specs = [s for s in node_registry() if category is None or s.category == category]
    if fmt == "json":
        click.echo(json.dumps([s.to_dict() for s in specs], indent=2))
    else:
        click.echo(render_listing(specs))


@main.command()
@click.option("-o", "--output", type=click.Path(file_okay=False), default="docs/nodes",
              show_default=True, help="Directory for the generated pages.")
def docs(output: str) -> None:
    """Write one Markdown page per node type, generated from the declarations."""
    from flowrt.registry.docs import render_index, render_markdown

    target = Path(output)
    target.mkdir(parents=True, exist_ok=True)
    specs = list(node_registry())
    for spec in specs:
        (target / f"{spec.type}.md").write_text(render_markdown(spec) + "\n", encoding="utf-8")
    (target / "README.md").write_text(render_index(specs) + "\n", encoding="utf-8")
    click.echo(f"wrote {len(specs) + 1} pages to {target}", err=True)


@nodes.command("show")
@click.argument("type_name", metavar="TYPE")
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["text", "markdown", "json"]),
    default="text",
    show_default=True,
    help="text: fields and help for a terminal; markdown: the docs/nodes page; json: the "
    "catalog entry.",
)
@click.option("--schema", is_flag=True, help="Print the configuration's JSON Schema instead.")
def nodes_show(type_name: str, fmt: str, schema: bool) -> None:
    """Print one node type's fields (type, default, description) and help."""
    from flowrt.diagnostics import suggest
    from flowrt.registry.docs import render_markdown, render_summary

    registry = node_registry()
    spec = registry.get(type_name)
    if spec is None:
        hint = suggest(type_name, registry.types()) or "run `flowrt nodes` to list them"
        click.echo(f"flowrt: error: unknown node type '{type_name}'. Hint: {hint}", err=True)
        sys.exit(EXIT_USAGE)
    if schema:
        click.echo(json.dumps(spec.config_schema, indent=2))
    elif fmt == "json":
        click.echo(json.dumps(spec.to_dict(), indent=2))
    elif fmt == "markdown":
        click.echo(render_markdown(spec))
    else:
        click.echo(render_summary(spec))


@nodes.command("policy")
def nodes_policy() -> None:
    """Print what each node type evaluates of what a flow author writes, and which `--scripts`
    policy allows it (the tables of docs/security.md)."""
    from flowrt.registry.docs import render_policy

    click.echo(render_policy(list(node_registry())))


main.add_command(openapi_option(run))  # --openapi/--no-openapi: flowrt.cli.openapi
main.add_command(openapi_option(path_sample_option(serve)))  # flowrt.cli.tracing
main.add_command(group_cli)
main.add_command(secrets_cli)
main.add_command(keys_cli)
main.add_command(openapi)
