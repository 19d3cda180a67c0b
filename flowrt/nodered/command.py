"""What `flowrt import nodered` and `flowrt export nodered` do; flowrt/cli/commands.py only parses
options.

Exit status, as everywhere in the CLI: 0 success, also when some nodes were not imported (each is
in the report, and stands in its flow as an ``unsupported`` node), 1 the import left errors in
the files, 2 input that cannot be read.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from pathlib import Path

EXIT_OK, EXIT_PROBLEMS, EXIT_USAGE = 0, 1, 2

Echo = Callable[..., None]


def run_import(source: str, output: str, credentials: str | None, secret: str | None,
               report_format: str, echo: Echo) -> int:
    from flowrt.nodered import CredentialsError, ReadError, import_nodered

    try:
        result = import_nodered(source, output, credentials=credentials,
                                credential_secret=secret)
    except (ReadError, CredentialsError) as exc:
        echo(f"flowrt: error: {exc}", err=True)
        return EXIT_USAGE
    report = result.report
    echo(report.to_json() if report_format == "json" else report.render_text())
    failed = any(" error " in d for d in report.diagnostics)
    return EXIT_PROBLEMS if failed else EXIT_OK


def run_export(paths: list[str], output: str | None, echo: Echo,
               dashboard: str | None = None) -> int:
    from flowrt.nodered.export import ExportError, export_project

    try:
        nodes, notes = export_project(paths, dashboard=dashboard)
    except ExportError as exc:
        echo(f"flowrt: error: the flows cannot be exported:\n{exc}", err=True)
        return EXIT_USAGE
    text = json.dumps(nodes, indent=2, ensure_ascii=False) + "\n"
    if output in (None, "-"):
        sys.stdout.write(text)
    else:
        Path(str(output)).write_text(text, encoding="utf-8")
        echo(f"wrote {output}: {sum(1 for n in nodes if n.get('type') != 'tab')} nodes", err=True)
    for item in notes.items:
        echo(f"flowrt: note: {item}", err=True)
    return EXIT_OK
