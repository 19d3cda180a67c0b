"""What the cron-plus node's input messages do to its schedules (node-red-contrib-cron-plus's
input handling, command for command)."""

from __future__ import annotations

from typing import Any

from flowrt.api import Message, clone

from .cron_plus_schedules import Schedules
from .cron_plus_tasks import Task, export_task, iso, next_of, task_status
from .cron_plus_times import cron_fields, parse_dates

_NAMED = ("trigger", "status", "list", "export", "stop", "pause", "start", "remove", "delete",
          "debug")
_EXTENDED = ("trigger", "status", "export", "list", "remove", "delete", "debug")
_SUFFIXES = ("all", "all-dynamic", "all-static", "active", "active-dynamic", "active-static",
             "inactive", "inactive-dynamic", "inactive-static")
CONTROL_TOPICS: dict[str, bool] = (
    dict.fromkeys(_NAMED, True)
    | {f"{c}-{s}": False for c in ("stop", "pause", "start") for s in _SUFFIXES[:3]}
    | {"clear": False, "next": False}
    | {f"{c}-{s}": False for c in _EXTENDED for s in _SUFFIXES}
)
"""cron-plus's commands given as ``msg.topic`` -> whether ``msg.payload`` names the schedule."""

def _filter(action: str) -> str | None:
    """cron-plus's reading of a command's suffix (``-all`` is no filter)."""
    for suffix in ("all-dynamic", "all-static", "active", "inactive"):
        if action.endswith("-" + suffix):
            return suffix.removeprefix("all-")
    for suffix in ("active-dynamic", "active-static", "inactive-dynamic", "inactive-static"):
        if f"-{suffix}" in action:
            return suffix
    return None


class Commands(Schedules):
    """The schedules of one cron-plus node, and what its input messages do to them."""

    def handle(self, msg: Message) -> None:
        payload, topic = msg.get("payload"), msg.get("topic")
        if not payload and not topic:  # Node-RED's button
            if self.tasks:
                self.fire(self.tasks[0], self.ctx.now(), manual=True)
            return
        if isinstance(topic, str) and topic in CONTROL_TOPICS:
            if CONTROL_TOPICS[topic]:
                if not payload or not isinstance(payload, str):
                    self.ctx.error(f"Invalid payload! Control topic '{topic}' expects the name "
                                   "of the schedule to be in msg.payload", msg)
                    return
                payload = {"command": topic, "name": payload}
            else:
                payload = {"command": topic}
        if not isinstance(payload, dict | list):
            return
        try:
            for cmd in payload if isinstance(payload, list) else [payload]:
                if isinstance(cmd, dict):
                    self._command(cmd, msg)
        except LookupError as exc:
            self.ctx.error(str(exc), msg)
        self.show()

    def _command(self, cmd: dict[str, Any], msg: Message) -> None:
        action = str(cmd.get("command") or "")
        answer = clone(msg)
        answer["payload"] = {"command": cmd, "result": {}}
        main = action.split("-")[0] + ("-" if "-" in action else "")
        wanted = _filter(action)
        chosen = [t for t in self.tasks if t.matches(wanted)]
        task = self.named(cmd.get("name"))
        if main == "trigger":
            if task is None:
                raise LookupError("Manual Trigger failed. Cannot find schedule named "
                                  f"'{cmd.get('name')}'")
            self.fire(task, self.ctx.now(), manual=True)
        elif main == "trigger-":
            for t in chosen:
                self.fire(t, self.ctx.now(), manual=True)
        elif main in ("list", "status", "export"):
            if task is None:
                answer["error"] = f"{cmd.get('name')} not found"
            elif main == "export":
                answer["payload"]["result"] = export_task(task, False)
            else:
                answer["payload"]["result"] = self._listed(task)
            self._answer(answer, msg)
        elif main in ("list-", "status-", "export-"):
            answer["payload"]["result"] = [
                export_task(t, False) if main == "export-" else self._listed(t) for t in chosen]
            self._answer(answer, msg)
        elif main in ("add", "update"):
            self._update(cmd, msg)
        elif main in ("clear", "remove-", "delete-"):
            for t in chosen if main != "clear" else list(self.tasks):
                self._remove(t)
        elif main in ("remove", "delete") and task is not None:
            self._remove(task)
        elif main == "start" and task is not None:
            self.start(task)
        elif main == "start-":
            for t in chosen:
                self.start(t)
        elif main in ("stop", "pause") and task is not None:
            self.pause(task, reset=main == "stop")
        elif main in ("stop-", "pause-"):
            for t in chosen:
                self.pause(t, reset=main == "stop-")
        elif main == "next":
            answer["payload"] = self._next()
            self._answer(answer, msg)
        elif main in ("debug", "debug-"):
            picked = ([task] if task else []) if main == "debug" else chosen
            found = [self._debug(t) for t in picked]
            answer["payload"] = found[0] if main == "debug" and found else found
            self._answer(answer, msg)
        elif main == "describe":
            answer["payload"]["result"] = self._describe(cmd)
            self._answer(answer, msg)

    def _answer(self, answer: Message, msg: Message) -> None:
        answer["_msgid"] = msg.get("_msgid", answer.get("_msgid"))
        self._send(answer, "command", origin=msg)

    def _listed(self, task: Task) -> dict[str, Any]:
        return {"config": export_task(task, True),
                "status": task_status(task, self.ctx.now(), self.zone)}

    def _remove(self, task: Task) -> None:
        self.pause(task)
        self.tasks.remove(task)

    def _update(self, cmd: dict[str, Any], msg: Message) -> None:
        """cron-plus's add/update: a new dynamic schedule, or one replacing the schedule of
        that name (keeping its count)."""
        option = {k: v for k, v in cmd.items() if k != "command"}
        option["payloadType"] = option.get("payloadType") or option.pop("type", None) or (
            "str" if isinstance(option.get("payload"), str) and option["payload"] else
            "default")
        if not option.get("name"):
            self.ctx.warn("Schedule name property missing", msg)
            return
        kind = option.get("expressionType") or "cron"
        if kind in ("cron", "dates") and isinstance(option.get("expression"), str):
            try:
                cron_fields(option["expression"])
                option["expressionType"] = "cron"
            except ValueError:
                option["expressionType"] = "dates"
        old = self.named(option["name"])
        if old is not None:
            option["count"] = option.get("count", old.count)
            self._remove(old)
        index = old.index if old is not None and self.node.config.output_mode == (
            "per-schedule") else len(self.tasks)
        option.setdefault("topic", option["name"])
        try:
            task = self.add(option, index, dynamic=old is None or old.dynamic)
        except (ValueError, TypeError) as exc:
            self.ctx.warn(str(exc), msg)
            return
        task.modified = old is not None

    def _next(self) -> dict[str, Any]:
        """The schedule firing next, as cron-plus picks it: of equal times the last one; a
        paused schedule counts with the time it would fire."""
        now = self.ctx.now()
        chosen: tuple[float, Task] | None = None
        for task in self.tasks:
            found = task.next(now) if task.at is None else (task.at, "")
            at = found[0] if found and not task.finished else 0.0
            if chosen is None or not chosen[0] < at:
                chosen = (at, task)
        if chosen is None:
            return {}
        at, task = chosen
        status = task_status(task, now, self.zone)
        return {"name": task.name, "topic": task.option.get("topic") or task.name,
                "next": status["nextDate"], "nextLocal": status["nextDateTZ"],
                "timeZone": status["serverTimeZone"], "when": status["description"],
                "msUntil": round((at - now) * 1000), "description": status["nextDescription"]}

    def _debug(self, task: Task) -> dict[str, Any]:
        o = task.option
        return task_status(task, self.ctx.now(), self.zone) | {
            "name": task.name, "topic": o.get("topic"), "expressionType": o.get("expressionType"),
            "expression": o.get("expression"), "location": o.get("location"),
            "offset": o.get("offset"), "solarType": o.get("solarType"),
            "solarEvents": o.get("solarEvents")}

    def _describe(self, cmd: dict[str, Any]) -> dict[str, Any]:
        """cron-plus's describe: the next times of an expression, from ``time`` (epoch ms or
        an ISO 8601 text) or now; the description, ``nextDate``, ``prettyNext``,
        ``nextDates`` (five) and, for solar events, ``nextEvent``."""
        option = dict(cmd) | {"name": "describe"}
        if option.get("expressionType") == "solar":
            option.setdefault("solarType", "selected" if option.get("solarEvents") else "all")
        now = self.ctx.now()
        when = cmd.get("time")
        try:
            if when is not None:
                now = parse_dates([when], self.zone)[0]
            times = next_of(option, self.zone, self.node.config.location)
        except (ValueError, TypeError):
            return {"description": "Invalid expression", "prettyNext": "Never"}
        found: list[tuple[float, str]] = []
        for _ in range(5):
            got = times(found[-1][0] if found else now)
            if got is None:
                break
            found.append(got)
        task = Task(option, None, times, 0)
        result: dict[str, Any] = {
            "description": task_status(task, now, self.zone)["description"],
            "nextDate": iso(found[0][0]) if found else None,
            "prettyNext": task_status(task, now, self.zone)["nextDescription"] or "Never",
            "nextDates": [iso(t) for t, _ in found]}
        if found and found[0][1]:
            result["nextEvent"] = found[0][1]
        return result
