"""Testing flows: :func:`run_flow` for one call, :class:`Harness` for step by step, and the
``flowrt test`` runner of declarative test files (:mod:`flowrt.testing.suite`).

Shipped in the package, as Starlette's test client is: node packs and flows are tested through
the same load, check, compile and run path that runs them in production.
"""

from flowrt.testing.harness import FlowResult, Harness, arun_flow, run_flow

__all__ = ["FlowResult", "Harness", "arun_flow", "run_flow"]
