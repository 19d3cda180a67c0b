"""The flows directory as Node-RED's admin API sees it: one Node-RED configuration.

:func:`current` exports what is deployed (the latest revision's files, else the files on disk)
with the exporter, as ``flows`` and their ``rev`` (a hash of that JSON), kept until the next
deploy. :func:`plan` converts a configuration posted to ``/flows`` with the importer and
decides, file by file, what a deploy writes: a flow (tab) whose conversion is what the deployed
file's own export converts to keeps its file untouched (so a GET -> POST round trip writes
nothing), others are written, and flow files the configuration no longer holds are deleted, as
Node-RED replaces its whole configuration (a file saved but not deployed since is replaced too:
what is posted is what runs). The files a plan would leave are checked first
(:func:`check_texts`): a deploy that would not validate writes nothing.

Credentials a configuration carries become secrets (:func:`keep_secrets`): stored in the
server's encrypted store when it has one, else held in memory until the server stops; their
values are hidden from every response from then on.
"""

from __future__ import annotations

import copy
import hashlib
import json
import re
import weakref
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from flowrt.diagnostics import Diagnostic
from flowrt.errors import LoadError
from flowrt.load import Document, Project
from flowrt.server.files import load_flow_text
from flowrt.server.state import Server


class AdminError(Exception):
    """An answer of Node-RED's shape, ``{"code", "message"}`` (and ``extra``), with a status."""

    def __init__(self, status: int, code: str, message: str, **extra: Any) -> None:
        super().__init__(message)
        self.status, self.code, self.message, self.extra = status, code, message, extra

    def body(self) -> dict[str, Any]:
        return {"code": self.code, "message": self.message, **self.extra}


@dataclass
class Current:
    """The deployed configuration."""

    texts: dict[str, str]
    """Flow file name -> the text deployed."""
    flows: list[dict[str, Any]]
    """The Node-RED export of those files."""
    files: dict[str, str] = field(default_factory=dict)
    """Flow (tab) id -> its file name."""
    node_ids: dict[str, str] = field(default_factory=dict)
    """Node-RED id of each flow's own node -> its flowrt id (what the runtime knows)."""

    @property
    def rev(self) -> str:
        return rev_of(self.flows)


def rev_of(flows: list[dict[str, Any]]) -> str:
    text = json.dumps(flows, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:32]


def deployed_texts(server: Server) -> tuple[int | None, dict[str, str]]:
    """The latest deploy's revision and files, else (None, the files on disk)."""
    latest = server.revisions.list()[:1]
    revision = server.revisions.get(latest[0].id) if latest and latest[0].id else None
    if revision is None:
        return None, server.files.snapshot()
    return revision.id, revision.snapshot()


_exported: weakref.WeakKeyDictionary[Server, tuple[int, Current]] = \
    weakref.WeakKeyDictionary()
"""The export of each server's latest revision: a revision never changes, so neither does it."""


def documents(texts: Mapping[str, str]) -> list[Document]:
    """Each flow text loaded; AdminError (500) when a deployed file cannot be read."""
    docs = []
    for name, text in sorted(texts.items()):
        try:
            docs.append(load_flow_text(text, name))
        except LoadError as exc:
            problem = exc.diagnostics[0] if exc.diagnostics else "cannot be read"
            raise AdminError(500, "unexpected_error", f"{name}: {problem}") from exc
    return docs


def current(server: Server) -> Current:
    """The deployed configuration, exported (in a worker thread: it loads every file)."""
    from flowrt.nodered.export import export_documents
    from flowrt.nodered.export_ids import NodeIds

    latest = server.revisions.list()[:1]
    cached = _exported.get(server)
    if latest and cached is not None and cached[0] == latest[0].id:
        return cached[1]
    revision, texts = deployed_texts(server)
    docs = documents(texts)
    if not docs:
        return Current(texts, [])
    flows, _ = export_documents(docs, server.registry)
    files = {doc.id: name for doc, name in zip(docs, sorted(texts), strict=True)}
    top = NodeIds(docs).top
    now = Current(texts, flows, files, {nr: flowrt for flowrt, nr in top.items()})
    if revision is not None:
        _exported[server] = (revision, now)
    return now


@dataclass
class Plan:
    """What deploying a posted configuration does to the flows directory."""

    texts: dict[str, str]
    """Every flow file after the deploy, by name."""
    write: dict[str, str]
    """The files written (new or changed), by name."""
    delete: list[str]
    secrets: dict[str, str]
    """Secret name -> value, from the configuration's credentials."""
    report: dict[str, Any]


def plan(server: Server, flows: Any, credentials: Any, now: Current) -> Plan:
    """Convert ``flows`` (a Node-RED configuration) into the directory's next files."""
    from flowrt.nodered import CredentialsError, ReadError, convert, read_data
    from flowrt.nodered.credentials import plain_credentials

    try:
        export = read_data(flows, "flows.json")
        if isinstance(credentials, dict) and "$" in credentials:
            raise CredentialsError("encrypted credentials are not accepted: send them plain")
        creds = plain_credentials(credentials) if credentials else {}
    except (ReadError, CredentialsError) as exc:
        raise AdminError(400, "invalid_flows", str(exc)) from exc
    on_disk = server.files.snapshot()
    if now.flows and _canonical(flows) == _canonical(now.flows) and not creds:
        # what is deployed, posted back: the deployed files (a file saved since is put back)
        put_back = {n: t for n, t in now.texts.items() if on_disk.get(n) != t}
        gone = sorted(n for n in on_disk if n not in now.texts)
        return Plan(dict(now.texts), put_back, gone, {}, {"unsupported": [], "problems": []})
    conversion = convert(export, creds, "flows.json", server.registry)
    new, secrets = _texts(conversion, now.files)
    # a deployed file the import would write otherwise, in a tab posted as it is deployed: is
    # its flow unchanged? The deployed configuration's own conversion says (only then made)
    posted, deployed = _tabs(flows), _tabs(now.flows)
    tab_of = {name: tab for tab, name in now.files.items()}
    unsure = [name for name, text in new.items()
              if on_disk.get(name) not in (None, text) and on_disk[name] == now.texts.get(name)
              and tab_of.get(name) in posted and posted[tab_of[name]] == deployed[tab_of[name]]]
    same: dict[str, str] = {}
    if unsure:
        before = convert(read_data(copy.deepcopy(now.flows), "flows.json"), {}, "flows.json",
                         server.registry)
        same = _texts(before, now.files)[0]
    texts: dict[str, str] = {}
    write: dict[str, str] = {}
    for name, text in new.items():
        kept = on_disk.get(name)
        if kept == text:
            texts[name] = text
        elif kept is not None and name in unsure and same.get(name) == text:
            texts[name] = kept  # this flow is what is deployed: its file stays as it is
        else:
            texts[name] = write[name] = text
    delete = sorted(n for n in on_disk if n not in texts)
    return Plan(texts, write, delete, secrets, _report(conversion))


def _tabs(flows: list[Any]) -> dict[str, str]:
    """Tab id -> the tab and its nodes, as canonical JSON (what tells a tab unchanged)."""
    nodes = [n for n in flows if isinstance(n, dict)]
    tabs = {str(n.get("id")) for n in nodes if n.get("type") == "tab"}
    return {tab: _canonical(sorted((n for n in nodes if n.get("id") == tab or n.get("z") == tab),
                                   key=lambda n: str(n.get("id"))))
            for tab in tabs}


REFERENCE = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)\}")
"""A credential that is a whole ``${NAME}``: a reference to a secret (what GET /flows shows in
place of each value), never a value."""


def _texts(conversion: Any, files: Mapping[str, str]) -> tuple[dict[str, str], dict[str, str]]:
    """File name -> text of each converted flow, and the secrets it carries. A flow that is
    deployed keeps its file name; a credential that refers to a secret keeps referring to it."""
    from flowrt.nodered.stored import renamed

    refs = {name: m[1] for name, value in conversion.secrets.items()
            if (m := REFERENCE.fullmatch(value))}
    secrets = {n: v for n, v in conversion.secrets.items() if n not in refs}
    return renamed(_named(conversion.flows, files), refs), secrets


def _named(flows: list[Any], files: Mapping[str, str]) -> dict[str, str]:
    taken = {files[f.id] for f in flows if f.id in files}
    for flow in flows:
        if flow.id in files:
            flow.file = files[flow.id]
            continue
        name, n = flow.file, 1
        while name in taken:
            n += 1
            name = f"{flow.id}-{n}.yaml"
        flow.file = name
        taken.add(name)
    from flowrt.nodered.writer import render

    return {flow.file: render(flow) for flow in flows}


def _canonical(flows: Any) -> str:
    return json.dumps(flows, sort_keys=True, separators=(",", ":"))


def _report(conversion: Any) -> dict[str, Any]:
    """What a deploy answers besides ``rev``: the nodes the import could not map."""
    unsupported = [{"id": e.nr_id, "type": e.nr_type, "reason": e.reason}
                   for e in conversion.report.entries if getattr(e, "reason", "")]
    return {"unsupported": unsupported,
            "problems": [p.message for p in conversion.report.problems]}


def check_texts(server: Server, texts: Mapping[str, str],
                secrets: Mapping[str, str]) -> list[Diagnostic]:
    """The errors `flowrt validate` finds in these files, with the server's environment (and
    the configuration's secrets as variables) and its scripts policy."""
    from flowrt.check import check

    project = Project()
    for name, text in sorted(texts.items()):
        try:
            project.documents.append(load_flow_text(text, name))
        except LoadError as exc:
            project.diagnostics.extend(exc.diagnostics)
    env = {**secrets, **server.engine.env}
    found = check(project, server.registry, env=env, scripts=server.settings.scripts)
    return [d for d in found if d.severity == "error"]


def keep_secrets(server: Server, secrets: dict[str, str]) -> dict[str, str]:
    """Write imported credentials into the server's encrypted store, and give them to the
    flows; each name -> the name it is stored under (empty when the server has no store and
    key: the values are then dropped, and the response's ``secrets`` lists what to set). A
    value the store holds under that name is never replaced: the new one takes the next free
    ``NAME_2``... (:func:`flowrt.secrets.store.add_to_store`). Values never leave here, and are
    hidden from every output from now on (:mod:`flowrt.secrets.redact`)."""
    from flowrt.secrets.redact import SECRETS
    from flowrt.secrets.store import add_to_store, key_from

    store = server.settings.secrets_file
    if not secrets or store is None or key_from() is None:
        return {}
    placed = add_to_store(store, secrets)
    for name, value in secrets.items():
        SECRETS.add(placed[name], value)
    for env in (server.engine.env, server.settings.env):
        if isinstance(env, dict):
            for name, value in secrets.items():
                env.setdefault(placed[name], value)  # the environment and -e still win
    return placed


_held: weakref.WeakKeyDictionary[Server, set[str]] = weakref.WeakKeyDictionary()
"""The names of the values :func:`hold_secrets` put in each server's environment."""


def hold_secrets(server: Server, secrets: dict[str, str]) -> dict[str, str]:
    """:func:`keep_secrets`, or, when the server has no store, the values held in memory (the
    flows' environment) until it stops: a later deploy's value replaces one held so, never one
    the environment or ``-e`` gave. Always hidden from every output."""
    placed = keep_secrets(server, secrets)
    if placed or not secrets:
        return placed
    from flowrt.secrets.redact import SECRETS

    held = _held.setdefault(server, set())
    for name, value in secrets.items():
        SECRETS.add(name, value)
        if name in held or name not in server.engine.env:
            server.engine.env[name] = value
            held.add(name)
    return {name: name for name in secrets}


def apply_files(server: Server, write: Mapping[str, str], delete: list[str]) -> dict[str, str]:
    """Write and delete flow files; the texts they had before (absent: they did not exist),
    for :func:`restore_files`."""
    files = server.files
    before: dict[str, str] = {}
    for name in [*write, *delete]:
        text = files.read(name)
        if text is not None:
            before[name] = text
    for name, text in write.items():
        files.write(name, text, files.revision(name))
    for name in delete:
        files.delete(name, files.revision(name))
    return before


def restore_files(server: Server, before: Mapping[str, str], touched: list[str]) -> None:
    """Put back the files :func:`apply_files` changed."""
    files = server.files
    for name in touched:
        if name in before:
            files.write(name, before[name], files.revision(name))
        elif files.read(name) is not None:
            Path(files.path(name)).unlink()
