"""flowrt: a dataflow runtime for integrators.

A flow file goes through four stages, each usable alone::

    load ──► check ──► compile ──► run

``flowrt.load`` reads files into Documents with positions, ``flowrt.check`` returns every
problem as a Diagnostic, ``flowrt.compile`` builds an execution plan and ``flowrt.run`` runs it on
asyncio. Node packs import ``flowrt.api`` only.
"""

from flowrt.diagnostics import Diagnostic
from flowrt.errors import (
    CheckError,
    CompileError,
    FlowrtError,
    LoadError,
    NodeError,
    RegistryError,
)

__version__ = "0.1.0"

__all__ = [
    "CheckError",
    "CompileError",
    "Diagnostic",
    "FlowrtError",
    "LoadError",
    "NodeError",
    "RegistryError",
    "__version__",
]
