"""The fault tests: real worker processes against the real servers on 127.0.0.1.

The modules beside this one (harness, brokers, stores, flows and the scenarios) are imported
by plain name, by these tests and by benchmarks/bench_faults.py alike.
"""

from __future__ import annotations

import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
for path in (HERE, HERE.parent):
    if str(path) not in sys.path:
        sys.path.append(str(path))  # last: another directory's `conftest` must not find ours
