"""Log output for `flowrt run` and `flowrt serve`: readable text, or one JSON object per line.

Records about a node carry ``node``, ``node_type`` and ``msgid`` (see flowrt.run.events); the
JSON format puts them in their own keys so log pipelines can filter on them.

Every record, of every logger, leaves through :class:`Redacting`: the formatted line (message,
arguments, traceback) with each secret value hidden (see flowrt.secrets.redact), in both formats,
and
the values of credential headers (Authorization, Cookie...) hidden (flowrt.secrets.redact_headers).
"""

from __future__ import annotations

import json
import logging
import sys
import time

from flowrt.secrets.redact import redact
from flowrt.secrets.redact_headers import hide_in_record

FIELDS = ("worker", "node", "node_type", "msgid")


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        data: dict[str, object] = {
            "time": time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(record.created))
            + f".{int(record.msecs):03d}Z",
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": record.getMessage(),
        }
        for key in FIELDS:
            value = getattr(record, key, None)
            if value:
                data[key] = value
        if record.exc_info:
            data["exception"] = self.formatException(record.exc_info)
        return json.dumps(data, ensure_ascii=False)


class TextFormatter(logging.Formatter):
    """One record per line start: a message's line breaks are followed by an indent, and other
    control characters are written escaped (``\\x1b``), so text from a message (a payload a
    debug node prints, a user name) can neither forge a record of its own (an audit line) nor
    drive the terminal. A traceback keeps its lines, each indented the same way."""

    def format(self, record: logging.LogRecord) -> str:
        return _one_record(super().format(record))


_CONTROLS = {c: f"\\x{c:02x}" for c in (*range(0x20), 0x7F) if c not in (0x09, 0x0A)}
_CONTROLS[0x0D] = "\\r"


def _one_record(text: str) -> str:
    return text.translate(_CONTROLS).replace("\n", "\n    ")


class Redacting(logging.Formatter):
    """Another formatter's lines with every secret value hidden. The whole line is redacted
    after formatting, so arguments, tracebacks and extra fields are covered; in JSON a value is
    found in its escaped form and replaced by ``${NAME}``, which needs no escaping."""

    def __init__(self, inner: logging.Formatter) -> None:
        super().__init__()
        self.inner = inner

    def format(self, record: logging.LogRecord) -> str:
        hide_in_record(record)  # credential headers some libraries log at debug level
        return redact(self.inner.format(record))


def setup_logging(fmt: str = "text", level: str = "info", worker: str | None = None) -> None:
    """Log to stderr in ``fmt``; ``worker`` (a worker of ``flowrt run --workers``) is named on
    every record, as the workers share the parent's stderr."""
    handler = logging.StreamHandler(sys.stderr)
    if fmt == "json":
        handler.setFormatter(Redacting(JsonFormatter()))
    else:
        where = f"[{worker}] " if worker else ""
        handler.setFormatter(Redacting(
            TextFormatter(f"%(asctime)s %(levelname)-7s {where}%(name)s %(message)s",
                          "%H:%M:%S")
        ))
    if worker:
        def name_worker(record: logging.LogRecord) -> bool:
            record.worker = worker
            return True

        handler.addFilter(name_worker)
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level.upper())
    for name in OWN_HANDLERS:  # their records must pass the redacting handler above
        logger = logging.getLogger(name)
        logger.handlers.clear()
        logger.propagate = True
    if level != "debug":
        for name in CHATTY:
            logging.getLogger(name).setLevel(logging.WARNING)
        for name in ECHOING:
            logging.getLogger(name).setLevel(logging.CRITICAL)


OWN_HANDLERS = ("uvicorn", "uvicorn.error", "uvicorn.access", "uvicorn.asgi")
"""Loggers a library may have given handlers of their own (uvicorn does, whenever it ran with
its default log configuration in this process): they write through the root's handler."""

CHATTY = ("httpx", "httpcore", "pika", "amqtt", "transitions", "urllib3", "asyncio", "uvicorn")
"""Client libraries that log every request or frame at info level: shown from warnings up,
unless the log level is debug (the nodes report what matters with their id)."""

ECHOING = ("pika",)
"""Client libraries that log as errors what the nodes already report with their id (pika: each
refused reconnection attempt while RabbitMQ restarts): shown only at the debug level."""
