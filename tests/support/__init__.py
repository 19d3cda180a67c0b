"""What the tests share: waiting for a condition (:mod:`tests.support.waiting`), the test
servers and free ports (:mod:`tests.support.servers`), and ``flowrt serve`` as a process
(:mod:`tests.support.serving`).

Imported as ``tests.support.<module>`` from any test directory (the repository's root is on
``sys.path``, and tests run with ``--import-mode=importlib``), so no conftest edits ``sys.path``.
"""
