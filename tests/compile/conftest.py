from tests.run.conftest import _clean, registry  # noqa: F401 - the engine test pack's fixtures
