"""Node-RED import and export, beside the flow's path (not a stage of it).

``import_nodered`` reads a Node-RED export (and its credentials), converts it into flowrt flow
files that pass ``flowrt validate``, and reports node by node what was mapped, what differs and
what could not be imported. ``export_nodered`` writes flowrt flows back as Node-RED JSON.
This package may use load, check and the registry; no stage imports it.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from flowrt.nodered.convert import Conversion, convert
from flowrt.nodered.credentials import CredentialsError, read_credentials
from flowrt.nodered.reader import Export, ReadError, read_data, read_file, read_text
from flowrt.nodered.report import Report, aggregate

__all__ = [
    "Conversion", "CredentialsError", "Export", "ImportResult", "ReadError", "Report",
    "aggregate", "convert", "export_nodered", "import_nodered", "read_data", "read_file",
    "read_text",
]


@dataclass
class ImportResult:
    conversion: Conversion
    files: list[Path]
    secrets_file: Path | None

    @property
    def report(self) -> Report:
        return self.conversion.report


def import_nodered(
    source: str | Path,
    output: str | Path | None = None,
    *,
    credentials: str | Path | None = None,
    credential_secret: str | None = None,
    registry: Any = None,
) -> ImportResult:
    """Import a Node-RED export file; write the flows (and secrets.yaml) to ``output``.

    With ``output`` None nothing is written (the conversion and report are returned).
    Raises ReadError for a file that is not an export, CredentialsError for credentials that
    cannot be read or decrypted.
    """
    from flowrt.nodered.writer import write_flows, write_secrets

    export = read_file(source)
    creds = read_credentials(credentials, credential_secret) if credentials else {}
    conversion = convert(export, creds, Path(source).name, registry)
    files: list[Path] = []
    secrets_file = None
    if output is not None:
        files = write_flows(conversion.flows, output)
        if conversion.secrets:
            secrets_file = write_secrets(conversion.secrets, Path(output) / "secrets.yaml")
    report = conversion.report
    report.files = [str(f) for f in files] or [f.file for f in conversion.flows]
    report.secrets_file = str(secrets_file) if secrets_file else None
    return ImportResult(conversion, files, secrets_file)


def export_nodered(paths: list[str], registry: Any = None) -> tuple[list[dict[str, Any]], Any]:
    """flowrt flow files -> a Node-RED flows array, and the notes on what was left out."""
    from flowrt.nodered.export import export_project

    return export_project(paths, registry)
