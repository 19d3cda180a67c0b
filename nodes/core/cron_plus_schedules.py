"""The cron-plus node's schedules at run time: their timers, the messages they send and the
output each goes to (node-red-contrib-cron-plus's tasks and sendMsg)."""

from __future__ import annotations

from datetime import tzinfo
from typing import TYPE_CHECKING, Any

from flowrt.api import Message, TypedValue, Value, compile_value, setter

from .cron_plus_tasks import Task, export_task, local_time, next_of, task_status

if TYPE_CHECKING:
    from .cron_plus import CronPlus

_REFUSED = ("jsonata", "env")
"""Payload types a schedule added by a message may not have: a message would make the node
evaluate an expression, or read the process's environment."""


class Schedules:
    """The schedules of one cron-plus node."""

    def __init__(self, node: CronPlus, zone: tzinfo) -> None:
        self.node = node
        self.ctx = node.ctx
        self.zone = zone
        self.tasks: list[Task] = []
        self.statics = len(node.config.schedules)
        self.put = setter(node.config.output_property)
        self.live = False
        """Whether the schedules' timers run: while the node reads (in a group of workers,
        while this worker holds the node's lease)."""

    def add(self, option: dict[str, Any], index: int, static: Value = None,
            dynamic: bool = False) -> Task:
        """Make a schedule from cron-plus's option and start it (unless the option says
        ``dontStartTheTask``); ValueError with the reason when it cannot be made."""
        payload_type = option.get("payloadType") or "default"
        if dynamic:
            if payload_type in _REFUSED:
                raise ValueError(f"schedule {option['name']!r}: a schedule added by a message "
                                 f"may not have a {payload_type} payload")
            static = None if payload_type == "default" else "" if payload_type == "none" else (
                TypedValue(type=payload_type, value=option.get("payload")))
        payload = None if payload_type == "default" else compile_value(static, self.ctx)
        task = Task(option, payload, next_of(option, self.zone, self.node.config.location),
                    index, dynamic=dynamic)
        count = option.get("count")
        if isinstance(count, int) and not isinstance(count, bool) and count >= 0:
            task.count = min(count, task.limit) if task.limit else count
        self.tasks.append(task)
        if option.get("dontStartTheTask") is not True and not task.finished:
            self.start(task)
        return task

    def start(self, task: Task) -> None:
        if task.finished:
            task.count = 0
        self.pause(task)
        task.running = True
        if self.live:
            self._arm(task, self.ctx.now())

    def resume(self) -> None:
        """Run the timers of the running schedules (the node reads again)."""
        self.live = True
        for task in self.tasks:
            if task.running and task.timer is None:
                self._arm(task, self.ctx.now())
        self.show()

    def show(self) -> None:
        """cron-plus's status: the next schedule (or solar event) and when it fires."""
        timed = [(t.at, t) for t in self.tasks if t.at is not None]
        if timed:
            at, task = min(timed, key=lambda pair: pair[0])
            shape = "ring" if task.dynamic else "dot"
            self.ctx.status("blue", shape, f"{task.event or task.name}: "
                            f"{local_time(at, self.zone)}")
        elif self.tasks:
            self.ctx.status("grey", "dot", "All stopped")
        else:
            self.ctx.status(None, None, "")

    def suspend(self) -> None:
        """Stop the timers, keeping which schedules run (the node stops reading)."""
        self.live = False
        for task in self.tasks:
            if task.timer is not None:
                task.timer.cancel()
            task.timer, task.at = None, None

    def pause(self, task: Task, reset: bool = False) -> None:
        if task.timer is not None:
            task.timer.cancel()
        task.timer, task.at, task.running = None, None, False
        if reset:
            task.count = 0

    def stop_all(self) -> None:
        for task in self.tasks:
            self.pause(task)

    def _arm(self, task: Task, after: float) -> None:
        found = task.next(after)
        if found is None:
            task.running, task.at = False, None
            self.node.changed.set()
            return
        task.at, task.event = found
        task.timer = self.ctx.call_later(task.at - self.ctx.now(), lambda: self._tick(task))

    def _tick(self, task: Task) -> None:
        at = task.at if task.at is not None else self.ctx.now()
        event = task.event
        task.timer = None
        if task.finished:
            task.running = False
            return
        task.count += 1
        if task.finished:
            task.running, task.at = False, None
            self.node.changed.set()
        else:
            self._arm(task, at)
        self.fire(task, at, manual=False, event=event)
        self.show()

    def fire(self, task: Task, at: float, manual: bool, event: str = "") -> None:
        """Send the schedule's message (cron-plus's sendMsg)."""
        details: dict[str, Any] = {"triggerTimestamp": round(at * 1000),
                                   "status": task_status(task, self.ctx.now(), self.zone),
                                   "config": export_task(task, False)}
        if event or task.event:
            details["status"]["solarEvent"] = event or task.event
        msg: Message = {"_msgid": self.ctx.new_msgid(), "cronplus": details,
                        "topic": task.option.get("topic") or task.name}
        if manual:
            msg["manualTrigger"] = True
        msg["scheduledEvent"] = not manual
        try:
            if task.payload is None:
                value: Any = msg.pop("cronplus")
            else:
                value = task.payload(msg)
            self.put(msg, value)
        except Exception as exc:  # noqa: BLE001 - reported as cron-plus does, with the message
            self.ctx.error(exc, msg)
            return
        self._send(msg, "dynamic" if task.dynamic else "static", task.index)

    def _send(self, msg: Message, kind: str, index: int = 0, origin: Message | None = None
              ) -> None:
        mode = self.node.config.output_mode
        if mode == "single":
            self.ctx.send(msg, origin=origin)
            return
        port = {"static": 0, "dynamic": 0, "command": 1}[kind]
        if mode == "per-schedule":
            port = {"static": index, "dynamic": self.statics,
                    "command": self.statics + 1}[kind]
        ports: list[Any] = [None] * self.node.output_count(self.node.config)
        ports[port] = msg
        self.ctx.send(ports, origin=origin)

    def named(self, name: Any) -> Task | None:
        return next((t for t in self.tasks if t.name == name), None)
