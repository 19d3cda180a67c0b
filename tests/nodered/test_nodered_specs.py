"""Node-RED's own node specs, translated to data (tests/nodered/specs/), pass on real Node-RED
and on flowrt: a case Node-RED fails is a wrong translation; a case flowrt fails is a flowrt
bug, unless the case names the documented difference (``differs``), which must still show."""

from __future__ import annotations

import pytest

from tests.nodered.spec_oracle import kinds, run_kind


@pytest.mark.parametrize("kind", kinds())
def test_node_red_specs(kind: str) -> None:
    outcomes = run_kind(kind)
    wrong = [f"{o.case.name}: {o.nodered}" for o in outcomes if o.nodered is not None]
    assert not wrong, "translations Node-RED does not pass:\n" + "\n".join(wrong)
    failing = [f"{o.case.name}: {o.flowrt}" for o in outcomes
               if o.flowrt is not None and o.case.differs is None]
    assert not failing, "flowrt fails:\n" + "\n".join(failing)
    stale = [o.case.name for o in outcomes if o.flowrt is None and o.case.differs is not None]
    assert not stale, "marked as differing but flowrt passes: " + ", ".join(stale)


def test_a_case_node_red_fails_is_reported() -> None:
    """The oracle itself: a wrong expectation shows on both sides."""
    from tests.nodered.spec_oracle import Case, run_flowrt, run_nodered, verdict

    case = Case("range", "wrong", "none",
                [{"id": "n1", "type": "range", "minin": 0, "maxin": 10, "minout": 0,
                  "maxout": 100, "action": "scale", "wires": [["h"]]},
                 {"id": "h", "type": "helper"}],
                [{"payload": 5}], {"h": [{"payload": 51}]}, "n1")
    assert verdict(case, run_nodered([case])["wrong"]) is not None
    assert verdict(case, run_flowrt(case)) is not None
