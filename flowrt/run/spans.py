"""What the runtime asks of a way of recording node visits: :class:`Spans`.

A node's visits are wrapped by :class:`flowrt.run.tracing.NodeTrace` (when
:func:`flowrt.run.tracing.active` gives a :class:`Spans`): each visit of a message is a span,
the child of the span of the node that sent it, carried in the message's ``_traceparent``. Two
kinds record them: OpenTelemetry's (:class:`flowrt.run.tracing.Tracing`, ``--trace``) and the
path recorder of ``flowrt serve`` (:class:`flowrt.run.paths.Paths`), which needs no
OpenTelemetry.
"""

from __future__ import annotations

from typing import Any


class Spans:
    """How each node's visits become spans: OpenTelemetry's
    (:class:`flowrt.run.tracing.Tracing`) or the path recorder's
    (:class:`flowrt.run.paths.Paths`)."""

    follow_parent = True
    """A child of an unrecorded span is not recorded either: it is not even made."""
    light = False
    """A message without a trace starts one at a source only, and is otherwise left alone
    (dispatch calls a node's own ``process`` for it: :func:`flowrt.run.dispatch.make_input`)."""

    def kind(self, category: str, messaging: bool) -> Any:
        """The span kind of a node."""
        return None

    def new_trace(self) -> bool:
        """Whether a trace starting now is recorded."""
        return True

    def start(self, name: str, kind: Any, parent: str | None, attributes: dict[str, Any]
              ) -> tuple[Any, str]:
        """A span of a node's visit (``name``: ``<type> <id>``; ``kind``: :meth:`kind`'s), the
        child of the span of the traceparent ``parent`` (None: a new trace); and the span's
        traceparent."""
        raise NotImplementedError

    def end(self, span: Any, error: BaseException | None) -> None:
        """End ``span`` (``error``: the visit failed)."""
        raise NotImplementedError

    def processor(self) -> Any:
        """An OpenTelemetry span processor that feeds this one from OpenTelemetry's spans,
        when tracing is on too (None: nothing to feed)."""
        return None
