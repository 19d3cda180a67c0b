"""The group revision that failed to deploy on this worker, remembered across restarts.

A revision that fails here (its flows have errors under this worker's environment, a node
cannot start) leaves the flows directory as it was, and is not applied again until a newer
revision comes: neither by the follower (:mod:`flowrt.group.follow`) nor when the worker
restarts (`flowrt run` takes the group's newest revision before it reads its directory, and
each follower compares the newest with what it runs). Restarting would otherwise apply it
again, and a worker whose environment it does not fit would not start at all.

The record is a small JSON file (the revision's id and hash, and why it failed) in the state
directory, ``.flowrt`` beside the flows directory unless ``--state-dir`` is given; its name
holds a hash of the group's name and the flows directory, so workers of other groups or
directories sharing a state directory keep records of their own. Deploying anything newer
(here or on another worker) removes it. A record that cannot be read is taken as none.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import logging
import os
from dataclasses import dataclass
from pathlib import Path

log = logging.getLogger("flowrt.group")


@dataclass(frozen=True)
class Failure:
    """A group revision (``id``, ``hash``) that failed here, and ``why``."""

    id: int
    hash: str
    why: str


class FailureRecord:
    """Where this worker remembers the revision that failed here (``path``)."""

    def __init__(self, path: Path) -> None:
        self.path = path

    @classmethod
    def of(cls, group: str, flows: Path, state_dir: Path | None = None) -> FailureRecord:
        """The record of ``group``'s revisions in the flows directory ``flows``."""
        flows = flows.resolve()
        state = state_dir if state_dir is not None else flows.parent / ".flowrt"
        key = hashlib.sha256(f"{group}\0{flows}".encode()).hexdigest()[:16]
        return cls(state / f"group-failed-{key}.json")

    def read(self) -> Failure | None:
        try:
            data = json.loads(self.path.read_text(encoding="utf-8"))
            return Failure(int(data["id"]), str(data["hash"]), str(data["why"]))
        except FileNotFoundError:
            return None
        except (OSError, ValueError, KeyError, TypeError) as exc:
            log.warning("%s cannot be read (%s): taken as no failed revision", self.path, exc)
            return None

    def write(self, failure: Failure) -> None:
        """Remember ``failure`` (said in the log when it cannot be: the worker goes on)."""
        text = json.dumps({"id": failure.id, "hash": failure.hash, "why": failure.why})
        temp = self.path.with_name(f".{self.path.name}.{os.getpid()}.tmp")
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            temp.write_text(text, encoding="utf-8")
            os.replace(temp, self.path)
        except OSError as exc:
            with contextlib.suppress(OSError):
                temp.unlink(missing_ok=True)
            log.warning("cannot remember the failed revision %s in %s (%s): a restart "
                        "applies it again", failure.hash, self.path, exc)

    def clear(self) -> None:
        try:
            self.path.unlink(missing_ok=True)
        except OSError as exc:
            log.warning("cannot remove %s (%s)", self.path, exc)


__all__ = ["Failure", "FailureRecord"]
