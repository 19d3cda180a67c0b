"""``flowrt_nodes`` in an editable install: the repository's ``nodes/`` folder, in place.

A wheel installs the folder ``nodes/`` as the package ``flowrt_nodes`` (the rename is in
pyproject.toml, ``[tool.hatch.build.targets.wheel]``), so no package named ``nodes`` reaches
site-packages. An editable install (``pip install -e .``) cannot rename a folder: it puts this
directory on ``sys.path`` instead (``dev-mode-dirs``), and this module loads ``nodes/__init__.py``
as ``flowrt_nodes``, with its submodules found in ``nodes/``, so an edit to a pack takes effect
without installing again.
"""

import importlib.util
import sys
from pathlib import Path

_FOLDER = Path(__file__).resolve().parents[2] / "nodes"
_spec = importlib.util.spec_from_file_location(
    __name__, _FOLDER / "__init__.py", submodule_search_locations=[str(_FOLDER)]
)
assert _spec is not None and _spec.loader is not None
_module = importlib.util.module_from_spec(_spec)
sys.modules[__name__] = _module  # the import statement returns what is there once this ends
_spec.loader.exec_module(_module)
