"""cron-plus: several schedules (cron, fixed dates, solar events) in one node, controlled by
messages, as node-red-contrib-cron-plus."""

from __future__ import annotations

import asyncio
from datetime import datetime, tzinfo
from typing import Any, Literal
from zoneinfo import ZoneInfo

from pydantic import field_validator, model_validator

from flowrt.api import (
    Ack,
    EndOfInput,
    Message,
    NodeConfig,
    Output,
    PropertyPath,
    Source,
    Value,
    field,
)

from .cron_plus_commands import Commands
from .cron_plus_tasks import typed_pair
from .cron_plus_times import cron_fields, parse_dates, parse_location, time_zone_name

SolarEvent = Literal[
    "nightEnd", "nauticalDawn", "civilDawn", "sunrise", "sunriseEnd", "morningGoldenHourEnd",
    "solarNoon", "eveningGoldenHourStart", "sunsetStart", "sunset", "civilDusk", "nauticalDusk",
    "nightStart", "nadir",
]


class Solar(NodeConfig):
    """Solar events of a schedule, at a place, shifted by some minutes."""

    events: list[SolarEvent] | Literal["all"] = field(
        description="The events to fire on (suncalc's names), or `all` of them.",
        examples=["all"], min_length=1,
    )
    location: str | None = field(
        None, description="`latitude,longitude` in decimal degrees; none: the node's "
        "`location`.", examples=["51.4779,-0.0015"],
    )
    offset: float = field(0, description="Minutes after each event (negative: before).")

    @field_validator("location")
    @classmethod
    def _location(cls, value: str | None) -> str | None:
        if value is not None and "${" not in value:
            parse_location(value)
        return value


class Schedule(NodeConfig):
    """One schedule: exactly one of `cron`, `dates` or `solar`."""

    name: str = field(description="The schedule's name (commands name it).", min_length=1)
    topic: str | None = field(None, description="`msg.topic` of its messages; none: the name.")
    payload: Value = field(
        None, description="The payload: a literal or a typed value; none: the schedule's "
        "details (cron-plus's `default`: what `msg.cronplus` holds otherwise).",
        examples=["on", 42],
    )
    cron: str | None = field(
        None, description="A cron expression as cron-plus reads it: 5 fields (minute hour day "
        "month weekday), 6 (a seconds field first) or 7 (seconds first, a year last).",
        examples=["0 30 7 * * 1-5", "*/10 * * * *"],
    )
    dates: list[str | int] | None = field(
        None, description="Fixed times: ISO 8601 texts (local time of `time_zone` when they "
        "name no offset) or epoch milliseconds.",
    )
    solar: Solar | None = field(None, description="Solar events.")
    limit: int | None = field(None, ge=1, description="Stop after firing this many times.")

    @model_validator(mode="after")
    def _one_kind(self) -> Schedule:
        kinds = [k for k in ("cron", "dates", "solar") if getattr(self, k) is not None]
        if len(kinds) != 1:
            raise ValueError(f"schedule {self.name!r}: give exactly one of cron, dates and "
                             f"solar (got {', '.join(kinds) or 'none'})")
        if self.cron is not None:
            cron_fields(self.cron)
        if self.dates is not None:
            parse_dates(self.dates, ZoneInfo("UTC"))
        return self


class CronPlus(Source):
    """Fire several schedules (cron, fixed dates, solar events), controlled by messages.

    ### Inputs

    Commands, as node-red-contrib-cron-plus takes them: `msg.topic` naming the command with
    the schedule's name in `payload` (`trigger`, `pause`, `start`, `stop`, `list`, `status`,
    `export`, `remove`, `delete`), or with no name (`trigger-all`, `pause-all`, `start-all`,
    `stop-all`, `list-all`, `export-all`, `remove-all`, `clear`, `next`; `-all` may also be
    `-all-static`, `-all-dynamic`, `-active`, `-inactive`...), or `payload` an object (or a list
    of them) such as `{command: add, name: tick, expression: "*/5 * * * * *", payloadType:
    str, payload: hi}`, `{command: trigger, name: tick}` or `{command: describe, expression:
    "0 30 7 * * *", time: "2030-01-01T00:00:00Z"}` (the next times, without a schedule). A
    message with neither topic nor payload triggers the first schedule (Node-RED's button).

    ### Outputs

    Each time a schedule fires: `topic` (the schedule's topic), `payload` (or
    `output_property`) set to its payload, `scheduledEvent` (false, and `manualTrigger` true,
    when a command triggered it) and `cronplus`: `triggerTimestamp` (epoch ms), `config` (the
    schedule, in cron-plus's terms) and `status` (`count`, `nextDate`, `isRunning`...; for a
    solar schedule `solarEvent`). Command answers: the command message with `payload`
    `{command, result}`. With `output_mode: separate-commands` the answers leave by a second
    output; with `per-schedule` each schedule has its own output, then one for schedules
    added by commands, then the answers.

    ### Details

    A schedule fires on a cron expression (cron-plus's: seconds first when there are six or
    seven fields), at fixed dates, or at solar events (sunrise, sunset, dusk... at a
    `latitude,longitude`, with an offset in minutes; computed with suncalc's formulas, as
    cron-plus computes them). Times are in `time_zone` (default: the machine's).

    In a group of workers (`flowrt run --group`) the schedules fire on one worker at a time,
    as an inject node's do; commands reach the worker their message reaches. When no
    schedule runs (none, all paused, limits reached) the node is done as a source, so
    `flowrt run --until-idle` can end.

    Commands pause, restart, trigger, list, add and remove schedules while the flow runs.
    Schedules added by commands are not kept across restarts, and their payload cannot be a
    JSONata expression or an environment variable (a message could otherwise read the
    process's environment). `status.description` gives the expression, not cron-plus's
    English sentence.

    ```yaml
    lights:
      type: cron-plus
      location: "51.4779,-0.0015"
      schedules:
        - {name: workdays, cron: "0 30 7 * * 1-5", payload: {type: str, value: "on"}}
        - {name: dusk, solar: {events: [sunset], offset: -15}, payload: "off"}
    ```
    """

    type = "cron-plus"
    icon = "clock"
    inputs = 1
    originates = True  # its schedules send without an input: nothing need be wired into it
    evaluates = {"jsonata": ("schedules[].payload",)}

    class Config(NodeConfig):
        schedules: list[Schedule] = field(
            default_factory=list, description="The schedules, each with a unique name.",
        )
        output_property: PropertyPath = field(
            "payload", description="The message property a schedule's payload goes to.",
        )
        time_zone: str | None = field(
            None, description="IANA time zone of the schedules; none: the machine's.",
            examples=["Europe/London"],
        )
        location: str | None = field(
            None, description="`latitude,longitude` of solar schedules that name none.",
            examples=["51.4779,-0.0015"],
        )
        output_mode: Literal["single", "separate-commands", "per-schedule"] = field(
            "single", description="`single`: everything on one output; `separate-commands`: "
            "command answers on a second output; `per-schedule`: one output per schedule, one "
            "for schedules added by commands, then the answers.",
        )

        @field_validator("time_zone")
        @classmethod
        def _zone(cls, value: str | None) -> str | None:
            return time_zone_name(value)

        @field_validator("schedules")
        @classmethod
        def _unique(cls, value: list[Schedule]) -> list[Schedule]:
            names = [s.name for s in value]
            doubled = sorted({n for n in names if names.count(n) > 1})
            if doubled:
                raise ValueError(f"schedule names must be unique: {', '.join(doubled)}")
            return value

    config: Config

    @classmethod
    def output_count(cls, config: Any) -> int:
        mode = config.output_mode
        return 1 if mode == "single" else 2 if mode == "separate-commands" else (
            len(config.schedules) + 2)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        zone: tzinfo | None = (ZoneInfo(self.config.time_zone) if self.config.time_zone
                               else datetime.now().astimezone().tzinfo)
        assert zone is not None
        self.commands = Commands(self, zone)

    async def start(self) -> None:
        self.changed = asyncio.Event()
        for index, schedule in enumerate(self.config.schedules):
            self.commands.add(_option(schedule), index, static=schedule.payload)

    async def connect(self) -> None:
        self.commands.resume()

    async def read(self) -> tuple[Message, Ack | None]:
        """Schedules send from their timers, each to its output; reading waits while one
        runs, so that in a group of workers this one keeps the node's lease (and the others
        stay on standby). With none running the node has ended as a source (the flow can be
        idle); commands still start schedules."""
        while self.commands.live and any(t.running for t in self.commands.tasks):
            self.changed.clear()
            await self.changed.wait()
        raise EndOfInput("cron-plus: no schedule runs")

    async def close(self) -> None:
        self.commands.suspend()
        self.changed.set()

    async def stop(self) -> None:
        self.commands.stop_all()

    def process(self, msg: Message) -> Output:
        self.commands.handle(msg)
        self.changed.set()
        return None


def _option(s: Schedule) -> dict[str, Any]:
    """A schedule of the configuration as cron-plus's option."""
    payload, payload_type = typed_pair(s.payload)
    option: dict[str, Any] = {"name": s.name, "topic": s.topic or s.name,
                              "payloadType": payload_type, "payload": payload,
                              "limit": s.limit}
    if s.cron is not None:
        option |= {"expressionType": "cron", "expression": s.cron}
    elif s.dates is not None:
        option |= {"expressionType": "dates", "expression": list(s.dates)}
    elif s.solar is not None:
        events = s.solar.events
        option |= {"expressionType": "solar", "location": s.solar.location or "",
                   "offset": s.solar.offset, "solarType": "all" if events == "all" else
                   "selected", "solarEvents": "" if events == "all" else ",".join(events)}
    return option

