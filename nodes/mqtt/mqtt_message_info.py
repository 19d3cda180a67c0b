"""paho's MQTTMessageInfo without a ``threading.Condition`` made for every message received.

paho 2.x makes an ``MQTTMessage`` for each PUBLISH it reads, and with it an ``MQTTMessageInfo``
holding a ``threading.Condition`` (a lock, a deque and six attributes: about 2 µs, on paho's
network thread, for every message). Only a message this client published is ever waited on
(``wait_for_publish``, ``is_published``); a received one never is.

:class:`LazyInfo` is paho's class with the condition made on first use, under a lock, so that
two threads asking at once get the same one; marking a message published makes none when nobody
asked yet (the flag is set first, so a waiter that makes it later sees the flag before it
waits). :func:`install` has paho make these; it is installed when the first client is made, and
only on the paho versions it was checked against (2.x), so another version works as it always
did.
"""

from __future__ import annotations

import threading
from typing import Any

_made = threading.Lock()
_class: Any = None


def install() -> bool:
    """Have paho make :class:`LazyInfo` objects; False when this paho is not one it knows
    (nothing is changed then)."""
    try:
        import paho.mqtt as paho
        from paho.mqtt import client
    except ImportError:
        return False
    if not paho.__version__.startswith("2.") or not hasattr(client, "MQTTMessageInfo"):
        return False
    client.MQTTMessageInfo = lazy_class()  # type: ignore[misc]
    return True


def lazy_class() -> Any:
    """The class (made on first use, so that importing this module does not import paho)."""
    global _class
    if _class is None:
        _class = _make()
    return _class


def _make() -> Any:
    from paho.mqtt.client import MQTTMessageInfo
    from paho.mqtt.enums import MQTTErrorCode

    success = MQTTErrorCode.MQTT_ERR_SUCCESS

    class LazyInfo(MQTTMessageInfo):
        """paho's MQTTMessageInfo, its condition made on first use (see the module)."""

        __slots__ = ("_lazy",)

        def __init__(self, mid: int) -> None:
            self.mid = mid
            self._published = False
            self.rc = success
            self._iterpos = 0
            self._lazy: threading.Condition | None = None

        @property
        def _condition(self) -> threading.Condition:  # type: ignore[override]
            condition = self._lazy
            if condition is None:
                with _made:
                    condition = self._lazy
                    if condition is None:
                        condition = self._lazy = threading.Condition()
            return condition

        def _set_as_published(self) -> None:
            self._published = True
            condition = self._lazy
            if condition is not None:
                with condition:
                    condition.notify()

    return LazyInfo
