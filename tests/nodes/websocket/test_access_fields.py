"""http-in's and websocket-listener's access fields are one declaration (flowrt.api's
AccessConfig): the same names, defaults, schemas and refusals; only what a limit counts
(requests, frames) is worded by each node."""

from __future__ import annotations

from typing import Any

import pytest
from flowrt_nodes.http.http_in import HttpIn
from flowrt_nodes.websocket.websocket_listener import WebsocketListener
from pydantic import ValidationError

from flowrt.api import AccessConfig

NODES = {"http-in": (HttpIn.Config, {"url": "/in"}),
         "websocket-listener": (WebsocketListener.Config, {"path": "/ws"})}
SHARED = ("auth", "scopes", "tokens", "users")
LIMITS = ("rate", "burst", "quota")

REFUSED = [
    ({"scopes": ["a"]}, "scopes are the scopes of API keys: they need `auth: key`"),
    ({"auth": "bearer"}, "`auth: bearer` needs `tokens` (name: ${SECRET})"),
    ({"auth": "basic"}, "`auth: basic` needs `users` (name: ${PASSWORD_HASH})"),
    ({"tokens": {"a": "${A}"}}, "`tokens` are for `auth: bearer`"),
    ({"auth": "bearer", "tokens": {"a": "${A}"}, "users": {"b": "${B}"}},
     "`users` are for `auth: basic`"),
    ({"burst": 3}, "`burst` needs a `rate`"),
    ({"rate": 0}, "greater than 0"),
    ({"burst": 0, "rate": 1}, "greater than or equal to 1"),
    ({"quota": 0}, "greater than or equal to 1"),
]


def properties(config: Any) -> dict[str, Any]:
    return dict(config.model_json_schema()["properties"])


@pytest.mark.parametrize("node", NODES)
def test_each_node_takes_the_one_access_config(node: str) -> None:
    config, _ = NODES[node]
    assert issubclass(config, AccessConfig)


@pytest.mark.parametrize("node", NODES)
@pytest.mark.parametrize(("given", "message"), REFUSED, ids=[m for _, m in REFUSED])
def test_the_same_refusals(node: str, given: dict[str, Any], message: str) -> None:
    config, required = NODES[node]
    with pytest.raises(ValidationError) as raised:
        config(**required, **given)
    assert message in str(raised.value)


def test_the_same_fields_but_for_what_a_limit_counts() -> None:
    (http, _), (ws, _) = NODES.values()
    ours, theirs = properties(http), properties(ws)
    assert {n: ours[n] for n in SHARED} == {n: theirs[n] for n in SHARED}
    for name in LIMITS:
        mine, other = dict(ours[name]), dict(theirs[name])
        assert mine.pop("description").startswith("Requests")
        assert other.pop("description").startswith("Frames")
        assert mine == other and "examples" in mine


def test_a_consistent_access_is_taken() -> None:
    for config, required in NODES.values():
        made = config(**required, auth="key", scopes=["s"], rate=2.5, burst=5, quota=100)
        assert (made.auth, made.scopes, made.rate, made.burst, made.quota) == (
            "key", ["s"], 2.5, 5, 100)
