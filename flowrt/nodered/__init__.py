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
from flowrt.nodered.stored import renamed, renaming_problems, store_credentials

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
    """Import a Node-RED export file; write the flows, and the credentials, to ``output``.

    The credentials go to ``secrets.enc``, an encrypted store (:mod:`flowrt.secrets.store`;
    added to when it exists) when ``FLOWRT_SECRETS_KEY`` is set, else to ``secrets.yaml``
    (plain, mode 600). With ``output`` None nothing is written (the conversion and report are
    returned). Raises ReadError for a file that is not an export, CredentialsError for
    credentials that cannot be read, decrypted or stored.
    """
    from flowrt.nodered.writer import write_texts

    export = read_file(source)
    creds = read_credentials(credentials, credential_secret) if credentials else {}
    conversion = convert(export, creds, Path(source).name, registry)
    files: list[Path] = []
    secrets_file = None
    report = conversion.report
    if output is not None:
        texts = conversion.texts()
        if conversion.secrets:
            secrets_file, placed = _store(conversion.secrets, Path(output))
            texts = renamed(texts, placed)
            report.problems.extend(renaming_problems(placed))
        files = write_texts(texts, output)
    report.files = [str(f) for f in files] or [f.file for f in conversion.flows]
    report.secrets_file = str(secrets_file) if secrets_file else None
    return ImportResult(conversion, files, secrets_file)


def _store(secrets: dict[str, str], output: Path) -> tuple[Path, dict[str, str]]:
    from flowrt.errors import ConfigError

    try:
        return store_credentials(secrets, output)
    except ConfigError as exc:
        raise CredentialsError(f"the credentials cannot be stored: {exc}") from None


def export_nodered(paths: list[str], registry: Any = None) -> tuple[list[dict[str, Any]], Any]:
    """flowrt flow files -> a Node-RED flows array, and the notes on what was left out."""
    from flowrt.nodered.export import export_project

    return export_project(paths, registry)
