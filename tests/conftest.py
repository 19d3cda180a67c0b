"""Settings for the whole test suite."""

from hypothesis import HealthCheck, settings

# Machines here are shared and noisy: hypothesis must never fail a test on how long it took
# (no per-example deadline, no "input generation is slow" health check).
settings.register_profile("flowrt", deadline=None, suppress_health_check=[HealthCheck.too_slow])
settings.load_profile("flowrt")
