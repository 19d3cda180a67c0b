"""Settings for the whole test suite."""

from collections.abc import Iterator

import pytest
from hypothesis import HealthCheck, settings

# Machines here are shared and noisy: hypothesis must never fail a test on how long it took
# (no per-example deadline, no "input generation is slow" health check).
settings.register_profile("flowrt", deadline=None, suppress_health_check=[HealthCheck.too_slow])
settings.load_profile("flowrt")


@pytest.fixture(autouse=True)
def _forget_secret_values() -> Iterator[None]:
    """Each test starts with no secret value registered for redaction (flowrt.secrets.redact keeps
    one registry per process: a value one test read from a secrets file would be hidden from the
    output of every test after it)."""
    from flowrt.secrets.redact import SECRETS

    yield
    SECRETS.clear()


@pytest.fixture(autouse=True)
def _forget_file_rule() -> Iterator[None]:
    """Each test starts with the default script policy, rule for files and journal settings
    (flowrt.check.policy, flowrt.file_access and flowrt.run.journal_file keep one per process,
    set by `flowrt run` and `flowrt serve`: a test that runs the CLI in-process with
    `--scripts deny` would otherwise confine the file nodes of every test after it, and one that
    serves would keep every later journal in its state directory)."""
    from flowrt import file_access
    from flowrt.check import policy
    from flowrt.run import journal_file

    yield
    file_access.configure(file_access.FileAccess())
    policy.configure("allow")
    journal_file.configure(journal_file.JournalSettings())
