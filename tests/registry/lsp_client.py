"""A small Language Server Protocol client over stdio, for driving Red Hat's yaml-language-server.

JSON-RPC 2.0 messages framed with ``Content-Length`` headers, as the protocol specifies. The
server is installed from npm once into a cache directory (:func:`install_server`); a failed
install raises, so a test that needs the server fails instead of skipping.
"""

from __future__ import annotations

import json
import os
import queue
import shutil
import subprocess
import threading
from pathlib import Path
from typing import Any

SERVER_PACKAGE = "yaml-language-server@1.25"


def install_server(cache: Path) -> Path:
    """The server's entry script under ``cache``, installed there with npm if not yet."""
    script = cache / "node_modules" / "yaml-language-server" / "bin" / "yaml-language-server"
    if script.exists():
        return script
    npm = shutil.which("npm")
    if npm is None:
        raise RuntimeError("npm is not installed: it is needed to install yaml-language-server")
    cache.mkdir(parents=True, exist_ok=True)
    done = subprocess.run(
        [npm, "install", "--no-audit", "--no-fund", "--prefix", str(cache), SERVER_PACKAGE],
        capture_output=True, text=True, timeout=300, check=False,
    )
    if done.returncode != 0 or not script.exists():
        raise RuntimeError(f"npm install {SERVER_PACKAGE} failed:\n{done.stdout}{done.stderr}")
    return script


class LanguageServer:
    """One running server: requests wait for their answer; notifications the server sends
    (diagnostics) are kept by document URI."""

    def __init__(self, script: Path, root: Path, settings: dict[str, Any]) -> None:
        node = shutil.which("node") or "node"
        self.proc = subprocess.Popen(
            [node, str(script), "--stdio"],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
            env={**os.environ, "NODE_OPTIONS": ""},
        )
        self.settings = settings
        self.answers: dict[int, queue.Queue[Any]] = {}
        self.diagnostics: dict[str, queue.Queue[list[Any]]] = {}
        self.lock = threading.Lock()
        self.next_id = 0
        self.reader = threading.Thread(target=self._read, daemon=True)
        self.reader.start()
        self.request("initialize", {
            "processId": os.getpid(),
            "rootUri": root.as_uri(),
            "workspaceFolders": [{"uri": root.as_uri(), "name": root.name}],
            "capabilities": {
                "textDocument": {
                    "hover": {"contentFormat": ["markdown", "plaintext"]},
                    "completion": {"completionItem": {"snippetSupport": True}},
                    "publishDiagnostics": {},
                },
                "workspace": {"configuration": True},
            },
        })
        self.notify("initialized", {})
        self.notify("workspace/didChangeConfiguration", {"settings": settings})

    def _send(self, message: dict[str, Any]) -> None:
        body = json.dumps({"jsonrpc": "2.0", **message}).encode()
        assert self.proc.stdin is not None
        self.proc.stdin.write(b"Content-Length: %d\r\n\r\n" % len(body) + body)
        self.proc.stdin.flush()

    def _read(self) -> None:
        out = self.proc.stdout
        assert out is not None
        while True:
            length = 0
            while True:
                line = out.readline()
                if not line:
                    return
                if line in (b"\r\n", b"\n"):
                    break
                name, _, value = line.decode().partition(":")
                if name.lower() == "content-length":
                    length = int(value)
            message = json.loads(out.read(length))
            self._dispatch(message)

    def _dispatch(self, message: dict[str, Any]) -> None:
        method = message.get("method")
        if method is None:
            self._queue(self.answers, message["id"]).put(message)
        elif method == "textDocument/publishDiagnostics":
            params = message["params"]
            self._queue(self.diagnostics, params["uri"]).put(params["diagnostics"])
        elif "id" in message:  # a request from the server: configuration, registrations
            result: Any = None
            if method == "workspace/configuration":
                result = [
                    self.settings.get(item.get("section", ""), None)
                    for item in message["params"]["items"]
                ]
            self._send({"id": message["id"], "result": result})

    def _queue(self, table: dict[Any, queue.Queue[Any]], key: Any) -> queue.Queue[Any]:
        with self.lock:
            return table.setdefault(key, queue.Queue())

    def request(self, method: str, params: Any, timeout: float = 60) -> Any:
        with self.lock:
            self.next_id += 1
            ident = self.next_id
        answers = self._queue(self.answers, ident)
        self._send({"id": ident, "method": method, "params": params})
        message = answers.get(timeout=timeout)
        if "error" in message:
            raise RuntimeError(f"{method}: {message['error']}")
        return message.get("result")

    def notify(self, method: str, params: Any) -> None:
        self._send({"method": method, "params": params})

    def open(self, path: Path, text: str | None = None) -> str:
        """Open a document (its text from disk unless given); returns its URI."""
        uri = path.as_uri()
        self._queue(self.diagnostics, uri)
        self.notify("textDocument/didOpen", {"textDocument": {
            "uri": uri, "languageId": "yaml", "version": 1,
            "text": path.read_text(encoding="utf-8") if text is None else text,
        }})
        return uri

    def diagnostics_of(self, uri: str, timeout: float = 60) -> list[Any]:
        """The first diagnostics published for a document opened with :meth:`open`."""
        return self._queue(self.diagnostics, uri).get(timeout=timeout)

    def hover(self, uri: str, line: int, character: int) -> str:
        """The hover text at a 0-based position ("" when there is none)."""
        result = self.request("textDocument/hover", {
            "textDocument": {"uri": uri}, "position": {"line": line, "character": character},
        })
        if not result:
            return ""
        contents = result["contents"]
        return contents["value"] if isinstance(contents, dict) else str(contents)

    def completion(self, uri: str, line: int, character: int) -> list[dict[str, Any]]:
        result = self.request("textDocument/completion", {
            "textDocument": {"uri": uri}, "position": {"line": line, "character": character},
        })
        items: list[dict[str, Any]] = (
            result.get("items", []) if isinstance(result, dict) else result or []
        )
        return items

    def close(self) -> None:
        try:
            self.request("shutdown", None, timeout=10)
            self.notify("exit", None)
            self.proc.wait(timeout=10)
        except Exception:  # noqa: BLE001 - a server that will not stop is killed
            self.proc.kill()
            self.proc.wait()
        self.reader.join(timeout=10)
        for pipe in (self.proc.stdin, self.proc.stdout):
            if pipe is not None:
                pipe.close()
