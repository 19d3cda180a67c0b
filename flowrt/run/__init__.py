"""Stage 4: run an execution plan on asyncio (see :mod:`flowrt.run.runtime`)."""

from flowrt.run.clock import Clock, RealClock, VirtualClock
from flowrt.run.runtime import Runtime
from flowrt.run.stores import Stores

__all__ = ["Clock", "RealClock", "Runtime", "Stores", "VirtualClock"]
