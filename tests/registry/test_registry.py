"""The registry: declarations are checked, duplicates refused, entry-point packs found."""

from __future__ import annotations

import importlib
import sys
import textwrap
from importlib.metadata import EntryPoint
from pathlib import Path
from typing import Any

import pytest

from flowrt.api import NodeConfig, Transform, field
from flowrt.errors import RegistryError
from flowrt.registry import Registry, discover
from flowrt.registry.spec import spec_for

discover_module = importlib.import_module("flowrt.registry.discover")


def make(type_: str = "my-node", doc: str | None = "Does things.", **config: Any) -> type:
    cfg = type("Config", (NodeConfig,), {"__annotations__": {k: int for k in config}, **config})
    return type("MyNode", (Transform,), {"type": type_, "__doc__": doc, "Config": cfg})


def test_spec_is_derived_from_the_class() -> None:
    spec = spec_for(make(limit=field(3, description="A limit.", ge=0)), "pack")
    assert (spec.type, spec.category, spec.pack, spec.inputs) == ("my-node", "transform", "pack", 1)
    assert spec.summary == "Does things."
    assert spec.fields["limit"]["description"] == "A limit."
    assert spec.fields["limit"]["minimum"] == 0 and spec.required == []


@pytest.mark.parametrize(
    ("cls", "needle"),
    [
        (lambda: make("My_Node"), "lower-case"),
        (lambda: make(doc=None), "docstring"),
        (lambda: make(limit=field(3, description="")), "description"),
        (lambda: make(to=field(3, description="x")), "reserved"),
    ],
)
def test_bad_declarations_are_refused(cls: Any, needle: str) -> None:
    with pytest.raises(RegistryError, match=needle):
        spec_for(cls(), "pack")


def test_two_packs_claiming_one_type() -> None:
    registry = Registry([spec_for(make(), "first")])
    with pytest.raises(RegistryError, match="declared twice.*'first'.*'second'"):
        registry.add(spec_for(make(), "second"))


def test_entry_point_packs_are_discovered(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    package = tmp_path / "flowrt_extra"
    package.mkdir()
    (package / "__init__.py").write_text("")
    (package / "beep.py").write_text(
        textwrap.dedent('''
        from flowrt.api import Transform

        class Beep(Transform):
            """Beeps."""

            type = "beep"

            def process(self, msg):
                return msg
    ''')
    )
    monkeypatch.syspath_prepend(str(tmp_path))
    ep = EntryPoint(name="extra", value="flowrt_extra", group="flowrt.nodes")
    monkeypatch.setattr(discover_module, "entry_points", lambda group: [ep])
    registry = discover()
    assert registry["beep"].pack == "extra"
    sys.modules.pop("flowrt_extra", None)
    sys.modules.pop("flowrt_extra.beep", None)


def test_entry_point_that_fails_to_import(monkeypatch: pytest.MonkeyPatch) -> None:
    ep = EntryPoint(name="broken", value="no_such_module_xyz", group="flowrt.nodes")
    monkeypatch.setattr(discover_module, "entry_points", lambda group: [ep])
    with pytest.raises(RegistryError, match="'broken'.*cannot be imported"):
        discover()


def test_secret_fields_are_those_the_schema_marks_secret() -> None:
    # read from the model's fields (flowrt run plans without deriving a schema): the same names,
    # by the name a flow file gives a field (its alias), for every installed node type
    spec = spec_for(make(token=field("", description="A token.", secret=True, alias="key"),
                         size=field(1, description="A size.")), "pack")
    assert spec.secret_fields == {"key"}
    specs = list(discover())
    assert sum(1 for s in specs if s.secret_fields) >= 5
    for s in specs:
        marked = {name for name, prop in s.fields.items() if prop.get("x-secret")}
        assert s.secret_fields == marked, s.type
