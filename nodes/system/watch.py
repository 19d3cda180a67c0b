"""watch: a message for each change to the files and directories it watches."""

from __future__ import annotations

import asyncio
import json
import os
import stat
from collections import deque
from collections.abc import AsyncGenerator
from pathlib import Path
from typing import Any

from flowrt.api import (
    Ack,
    ConfigError,
    FileRefused,
    Message,
    NodeConfig,
    NotConnected,
    Source,
    field,
)

_KINDS = ((stat.S_ISREG, "file"), (stat.S_ISBLK, "blockdevice"), (stat.S_ISCHR, "characterdevice"),
          (stat.S_ISSOCK, "socket"), (stat.S_ISFIFO, "fifo"), (stat.S_ISDIR, "directory"))


class Watch(Source):
    """Send a message when a watched file or directory, or anything in it, changes.

    A watched file gives a message when it is written, its attributes change or it is removed;
    a watched directory when a file or directory in it is created, changed or removed.

    ### Outputs

    - `payload` and `filename`: the path that changed, as the watched name is written
      followed by the name inside it (`logs/today.txt` for `logs`);
    - `file`: its last part (`today.txt`);
    - `topic`: the watched name, or with several, their list as JSON text
      (`["logs","spool"]`);
    - `event`: `update` when the path exists after the change (created, written, its
      attributes changed), `remove` when it no longer does;
    - `type`: `file`, `directory` (or `fifo`, `socket`, `blockdevice`, `characterdevice`),
      `none` when it is gone;
    - `size` (files only): its size in bytes.

    ### Details

    Changes are gathered for `debounce` seconds from the first one, and each path that
    changed in that time gives one message (Node-RED's watch waits 200 ms the same way), so
    saving a file is one message, not one per write. A directory is watched for what changes
    directly in it, and with `recursive` in its subdirectories too. Every name must exist
    when the flow starts; a name that does not (or stops existing) is watched again, with
    back-off, once it is there.

    Names go through the file rule of the operator (`--files DIR`): under `--scripts
    sandboxed` or `deny`, or with `--files`, only paths under those directories can be
    watched, and never /proc, /sys, /dev or flowrt's secrets and users files; a change to a
    path the rule forbids (a symlink leading out, a hard link to a secrets file) is not
    reported. A name the rule refuses stops the node with an error naming it.

    ```yaml
    nodes:
      incoming:
        type: watch
        files: [/srv/spool/incoming]
        to: show
      show: {type: debug}
    ```
    """

    type = "watch"
    icon = "eye"
    stability = "beta"
    evaluates = {"path": ("files",)}

    class Config(NodeConfig):
        files: list[str] = field(
            min_length=1, description="The files and directories to watch.",
            examples=[["/srv/spool/incoming"], ["/etc/plant.conf", "/srv/plant"]],
        )
        recursive: bool = field(False, description="Watch the subdirectories of watched "
                                "directories too.")
        debounce: float = field(
            0.2, gt=0, le=60, advanced=True,
            description="Seconds changes are gathered from the first one before messages are "
            "sent; each changed path gives one message.",
        )

    config: Config
    _stop: asyncio.Event | None = None
    _next: asyncio.Task[set[tuple[Any, str]]] | None = None

    async def connect(self) -> None:
        await self.close()
        files = self.ctx.files
        roots: list[tuple[Path, str]] = []
        for name in self.config.files:
            try:
                real, _ = files.resolve(name)
            except FileRefused as exc:
                raise ConfigError(f"cannot watch '{name}': {exc}") from exc
            if not real.exists():
                raise NotConnected(f"'{name}' does not exist; watching it once it does")
            roots.append((real, name))
        self._roots = roots
        self._private = _identities(files.private)
        self._stop = asyncio.Event()
        self._pending: deque[Message] = deque()
        self._changes = self._watch([real for real, _ in roots])
        self._next = self._step()
        await asyncio.sleep(0)  # its first step sets the watches up before the status says so
        if self._next.done() and self._next.exception() is not None:
            raise NotConnected(f"cannot watch: {self._next.exception()}")
        self.ctx.status("green", "dot", "watching")

    def _step(self) -> asyncio.Task[set[tuple[Any, str]]]:
        async def step() -> set[tuple[Any, str]]:
            return await anext(self._changes)

        return asyncio.ensure_future(step())

    async def _watch(self, paths: list[Path]) -> AsyncGenerator[set[tuple[Any, str]]]:
        from watchfiles import awatch  # imported when a node starts, not with the registry

        window = max(1, int(self.config.debounce * 1000))
        # step = debounce: what changed within the window from the first change is one batch,
        # as node-watch's fixed delay gathers it (a shorter step splits a slow save in two)
        async for changes in awatch(*paths, watch_filter=None, stop_event=self._stop,
                                    debounce=window, step=min(window, 200),
                                    recursive=self.config.recursive):
            yield changes

    async def read(self) -> tuple[Message, Ack | None]:
        while not self._pending:
            missing = [name for real, name in self._roots if not real.exists()]
            if missing:
                raise NotConnected(f"'{missing[0]}' no longer exists; watching it again once "
                                   "it is back")
            if self._next is None:
                self._next = self._step()
            try:
                changes = await self._next
            except StopAsyncIteration:
                raise NotConnected("the watch ended") from None
            except (OSError, RuntimeError) as exc:
                raise NotConnected(f"the watch failed: {exc}") from exc
            finally:
                self._next = None
            for path in sorted({path for _, path in changes}):
                msg = self._message(path)
                if msg is not None:
                    self._pending.append(msg)
        return self._pending.popleft(), None

    def _message(self, path: str) -> Message | None:
        """The message for one changed path, or None when the file rule forbids it."""
        real = Path(path)
        shown = self._shown(real)
        if shown is None:
            return None
        try:
            self.ctx.files.resolve(path)
            info: os.stat_result | None = os.stat(path)
        except FileRefused:
            return None
        except OSError:
            info = None
        if info is not None and (info.st_dev, info.st_ino) in self._private:
            return None
        names = self.config.files
        msg: Message = {"payload": shown, "topic": names[0] if len(names) == 1 else
                        json.dumps(names, separators=(",", ":")),
                        "file": os.path.basename(shown), "filename": shown,
                        "event": "update" if info is not None else "remove"}
        kind = "none"
        if info is not None:
            kind = next((k for test, k in _KINDS if test(info.st_mode)), "n/a")
            if kind == "file":
                msg["size"] = info.st_size
        msg["type"] = kind
        return msg

    def _shown(self, real: Path) -> str | None:
        """The path as the watched name is written, then the part below it."""
        for root, name in self._roots:
            if real == root:
                return name
            if root in real.parents:
                return os.path.normpath(os.path.join(name, real.relative_to(root)))
        return None

    async def close(self) -> None:
        if self._stop is not None:
            self._stop.set()
            self._stop = None
            if self._next is not None:
                self._next.cancel()
                self._next = None
            try:
                await self._changes.aclose()
            except RuntimeError:  # still being read: the cancelled read ends it
                pass


def _identities(paths: tuple[Path, ...]) -> set[tuple[int, int]]:
    found = set()
    for path in paths:
        try:
            info = os.stat(path)
        except OSError:
            continue
        found.add((info.st_dev, info.st_ino))
    return found
