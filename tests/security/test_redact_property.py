"""For generated secret values used in many places of a flow (a header, a URL, a payload, the
password of an address, a failing node's configuration), no output channel holds the value:
log text (both formats), error events, catch messages, status, diagnostics; and, through a real
`flowrt serve`, API answers and WebSocket frames."""

from __future__ import annotations

import io
import json
import logging
import string
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from tempfile import TemporaryDirectory

from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from flowrt.cli.logs import JsonFormatter, Redacting
from flowrt.errors import CheckError
from flowrt.secrets.redact import SECRETS
from flowrt.testing import run_flow
from tests.security.secrets_kit import clean_env, serving, write_private

NO_SHRINK = (Phase.explicit, Phase.reuse, Phase.generate)
"""Each example runs a flow or a server for seconds: a failure is reported as found (shrinking
it could take longer than the whole suite)."""
ALPHABET = string.ascii_letters + string.digits + "-_.~+/=!*@:%&,;'\" é€"
VALUES = st.text(alphabet=ALPHABET, min_size=8, max_size=24).filter(
    lambda v: v.strip() == v and "${" not in v) | st.sampled_from(
    ["Infinity", "00420042", "12345678", "1e300000", "-0.50000"])
"""Any text, and texts a reference reads as a number (shown as written, and as read)."""

PLACES = {
    "header": ("  get:\n    type: http-request\n    url: http://127.0.0.1:9/x\n"
               "    headers: {Authorization: 'Bearer ${SECRET}', X-Plain: '${SECRET}'}\n"
               "    timeout: 5\n"),
    "url": ("  get:\n    type: http-request\n    url: 'http://127.0.0.1:9/r?key=${SECRET}'\n"
            "    timeout: 5\n"),
    "address": ("  get:\n    type: http-request\n"
                "    url: 'http://ann:${SECRET}@127.0.0.1:9/r'\n    timeout: 5\n"),
    "payload": ("  get:\n    type: function\n    timeout: 5\n"
                "    func: 'node.warn(msg.payload); node.status({text: msg.payload});"
                " throw new Error(\"bad \" + msg.payload);'\n"),
}
HEAD = """\
flowrt: 1
nodes:
  go: {type: inject, once: true, payload: '${SECRET}', to: [get, show]}
  show: {type: debug}
  caught: {type: catch, to: seen}
  seen: {type: debug, active: false}
"""


@contextmanager
def captured_logs() -> Iterator[io.StringIO]:
    """Every log record, as `flowrt run` writes it, in both formats, into one buffer."""
    out = io.StringIO()
    root = logging.getLogger()
    handlers, level = root.handlers[:], root.level
    text = logging.StreamHandler(out)
    text.setFormatter(Redacting(logging.Formatter("%(levelname)s %(name)s %(message)s")))
    structured = logging.StreamHandler(out)
    structured.setFormatter(Redacting(JsonFormatter()))
    root.handlers[:] = [text, structured]
    root.setLevel(logging.DEBUG)
    try:
        yield out
    finally:
        root.handlers[:] = handlers
        root.setLevel(level)


def secrets_env(directory: Path, **values: str) -> dict[str, str]:
    from flowrt.secrets.references import load_secrets, merged_env

    file = write_private(directory / "secrets.yaml",
                         "".join(f"{k}: {json.dumps(v)}\n" for k, v in values.items()))
    return merged_env({}, load_secrets(file)[0], {})


def leaked(value: str, *texts: str) -> bool:
    """The value in any text, plain or escaped as JSON."""
    escaped = json.dumps(value)[1:-1]
    ascii_escaped = json.dumps(value, ensure_ascii=True)[1:-1]
    return any(form in text for text in texts for form in {value, escaped, ascii_escaped})


@settings(max_examples=25, suppress_health_check=[HealthCheck.function_scoped_fixture],
          phases=NO_SHRINK)
@given(value=VALUES, place=st.sampled_from(sorted(PLACES)),
       from_file=st.booleans())
def test_a_running_flow_shows_the_value_nowhere(value: str, place: str, from_file: bool) -> None:
    SECRETS.clear()
    flow = HEAD + PLACES[place]
    with TemporaryDirectory() as tmp:
        # from the secrets file, or (for the password of an address) only known as a secret
        # because of where the flow uses it
        env = (secrets_env(Path(tmp), SECRET=value) if from_file or place != "address"
               else {"SECRET": value})
        with captured_logs() as logs:
            result = run_flow(flow, env=env, virtual_time=False, timeout=30)
    catches = [m.get("error") for m in result.sent("caught")]
    assert result.errors, "the flow was expected to fail"
    channels = json.dumps([[e.message for e in result.errors], result.logs, result.statuses,
                           catches], ensure_ascii=False)
    assert not leaked(value, channels, logs.getvalue()), (channels, logs.getvalue())


@settings(max_examples=25)
@given(value=VALUES)
def test_a_diagnostic_never_shows_the_value(value: str) -> None:
    SECRETS.clear()
    flow = ("flowrt: 1\nnodes:\n  bad: {type: inject, repeat: '${SECRET}', "
            "to: get}\n  get: {type: http-request, url: 'http://127.0.0.1:9/${SECRET}', "
            "timeout: '${SECRET}'}\n")
    with TemporaryDirectory() as tmp:
        env = secrets_env(Path(tmp), SECRET=value)
    try:
        run_flow(flow, env=env, until=1)  # a value valid everywhere makes a flow that ticks
    except CheckError as exc:
        text = "\n".join(str(d) for d in exc.diagnostics)
    else:
        return  # the value happens to be valid where it goes: nothing is reported
    assert not leaked(value, text), text


SERVED = """\
flowrt: 1
id: feed
nodes:
  tick: {type: inject, payload: 'v ${ONE} ${TWO}', to: [show, get]}
  show: {type: debug, status: value}
  get:
    type: http-request
    url: 'http://127.0.0.1:9/r?a=${ONE}'
    headers: {Authorization: 'Bearer ${TWO}'}
    timeout: 5
"""
BROKEN = "flowrt: 1\nid: broken\nnodes:\n  bad: {type: inject, repeat: '${THREE}'}\n"


@settings(max_examples=3, phases=NO_SHRINK)
@given(values=st.lists(VALUES, min_size=3, max_size=3, unique=True))
def test_a_real_server_shows_the_values_nowhere(values: list[str]) -> None:
    one, two, three = values
    with TemporaryDirectory() as tmp:
        root = Path(tmp)
        store = write_private(root / "secrets.yaml", "".join(
            f"{k}: {json.dumps(v)}\n" for k, v in (("ONE", one), ("TWO", two), ("THREE", three))))
        flows = root / "flows"
        flows.mkdir()
        (flows / "feed.yaml").write_text(SERVED)
        (flows / "broken.yaml").write_text(BROKEN)
        with serving(flows, "--secrets", str(store), env=clean_env()) as served:
            answers = [served.call("/api/validate", "POST",
                                   {"file": "broken.yaml", "text": BROKEN})[1],
                       served.call("/api/deploy", "POST", {"mode": "full"})[1]]
            revision = json.loads(served.call("/api/flows/broken.yaml")[1])["revision"]
            served.call(f"/api/flows/broken.yaml?revision={revision}", "DELETE")
            answers.append(served.call("/api/deploy", "POST", {"mode": "full"})[1])
            frames: list[str] = []
            listener = threading.Thread(
                target=lambda: frames.extend(served.frames(2, {"debug", "error"})))
            listener.start()
            for _ in range(50):
                served.call("/api/inject/tick", "POST")
                listener.join(0.2)
                if not listener.is_alive():
                    break
            listener.join(60)
            answers += [served.call(p)[1] for p in ("/api/state", "/ready", "/metrics")]
            log = served.log_text()
    assert frames, log
    for value in values:
        assert not leaked(value, *answers, *frames, log), (value, answers, frames, log)
