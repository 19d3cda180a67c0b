"""Node-RED contrib packages for differential tests, installed with npm on first use.

They go to one directory beside Node-RED's (``FLOWRT_NODERED_CONTRIB_DIR`` to choose another);
:func:`with_contrib` links its ``node_modules`` into a test's Node-RED user directory, where
Node-RED looks for node packages, before :func:`tests.nodered.differential.run_nodered` starts it.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.nodered.helpers import NODERED_DIR

CONTRIB_DIR = Path(os.environ.get("FLOWRT_NODERED_CONTRIB_DIR",
                                  NODERED_DIR.parent / "nodered-contrib"))


def contrib_modules(*packages: str) -> Path:
    """The ``node_modules`` directory holding ``packages`` (npm installs the missing ones; a
    missing npm, or a failed install, fails the test)."""
    modules = CONTRIB_DIR / "node_modules"
    missing = [p for p in packages if not (modules / p / "package.json").exists()]
    if missing:
        npm = shutil.which("npm")
        if npm is None:
            pytest.fail("npm is needed to install Node-RED contrib packages")
        CONTRIB_DIR.mkdir(parents=True, exist_ok=True)
        done = subprocess.run([npm, "install", "--prefix", str(CONTRIB_DIR), "--no-audit",
                               "--no-fund", *missing], capture_output=True, text=True,
                              timeout=600)
        if done.returncode != 0:
            pytest.fail(f"npm install {' '.join(missing)} failed:\n{done.stderr[-2000:]}")
    return modules


def version(package: str) -> str:
    """The installed version of a contrib package."""
    manifest = CONTRIB_DIR / "node_modules" / package / "package.json"
    return str(json.loads(manifest.read_text())["version"])


def with_contrib(work: Path, *packages: str) -> None:
    """Make the Node-RED user directory ``work/user`` (run_nodered's) load ``packages``."""
    modules = contrib_modules(*packages)
    user = work / "user"
    user.mkdir(parents=True, exist_ok=True)
    link = user / "node_modules"
    if not link.exists():
        link.symlink_to(modules, target_is_directory=True)
