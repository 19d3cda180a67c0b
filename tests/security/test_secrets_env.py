"""Flows cannot read the process's own secrets: FLOWRT_SECRETS_KEY, FLOWRT_TOKENS and the other
credentials the operator gives flowrt itself are not in the environment any node sees (a
template's `env`, an `env` typed value, `env.get` in a function or script node), nor in the
process environment once read, nor in /proc/self/environ through a file node."""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest

from flowrt.testing import run_flow
from tests.security.secrets_kit import clean_env, run_cli, serving

KEY = "k3y-material-for-the-store-0123456789abcdefgh"
TOKEN = "t0ken-of-the-admin-api-0123456789"
GROUP_DB = "postgresql://postgres:gr0up-db-passw0rd@127.0.0.1:5432/postgres"
OWN = {"FLOWRT_SECRETS_KEY": KEY, "FLOWRT_TOKENS": f"ops:{TOKEN}",
       "FLOWRT_GROUP_DB": GROUP_DB}
"""The group database is the real PostgreSQL (trust: the password is only there to leak)."""

READERS = """\
flowrt: 1
nodes:
  tpl:
    type: template
    template: >-
      key={{ env.FLOWRT_SECRETS_KEY }} tokens={{ env.FLOWRT_TOKENS }}
      db={{ env.FLOWRT_GROUP_DB }}
    to: typed
  typed:
    type: change
    rules:
      - {set: key, to: {type: env, value: FLOWRT_SECRETS_KEY}}
      - {set: tokens, to: {type: env, value: FLOWRT_TOKENS}}
      - {set: db, to: {type: env, value: FLOWRT_GROUP_DB}}
    to: fn
  fn:
    type: function
    timeout: 5
    func: |
      msg.fn = [env.get("FLOWRT_SECRETS_KEY"), env.get("FLOWRT_TOKENS"),
                env.get("FLOWRT_GROUP_DB")].join("|");
      return msg;
"""


def _leaks(text: str) -> list[str]:
    return [name for name, value in (("key", KEY), ("token", TOKEN), ("group db", GROUP_DB))
            if value in text or value.split("@")[0].split(":")[-1] in text]


def test_no_node_reads_the_processs_own_secrets_from_its_environment() -> None:
    result = run_flow(READERS, inputs=[{"payload": 1}], env={**OWN, "PLAIN": "kept"})
    assert result.errors == []
    [msg] = result.sent("fn")
    shown = repr(msg)
    assert _leaks(shown) == [], shown
    assert msg["payload"] == "key= tokens= db="


def test_no_reference_resolves_to_them() -> None:
    flow = ("flowrt: 1\nnodes:\n  t: {type: template, "
            "template: 'k=${FLOWRT_SECRETS_KEY} t=${FLOWRT_TOKENS:-none}'}\n")
    result = run_flow(flow, inputs=[{"payload": 1}], env=OWN)
    [shown] = result.payloads("t")
    assert _leaks(shown) == [] and shown.endswith("t=none"), shown


def test_ordinary_variables_stay_visible() -> None:
    flow = ("flowrt: 1\nnodes:\n  tpl: {type: template, template: '{{ env.PLAIN }}'}\n")
    result = run_flow(flow, inputs=[{"payload": 1}], env={**OWN, "PLAIN": "kept"})
    assert result.payloads("tpl") == ["kept"]


def _flow_reading_environ(out: Path) -> str:
    return (
        "flowrt: 1\nnodes:\n"
        "  once: {type: inject, once: true, to: [tpl, proc]}\n"
        "  tpl: {type: template, template: 'k={{ env.FLOWRT_SECRETS_KEY }} "
        "t={{ env.FLOWRT_TOKENS }}', to: save}\n"
        "  proc: {type: file-in, filename: /proc/self/environ, format: bytes, to: save}\n"
        f"  save: {{type: file-out, filename: '{out}'}}\n"
    )


@pytest.mark.parametrize("scripts", ["deny", "sandboxed"])
def test_flowrt_run_gives_flows_none_of_its_own_secrets(tmp_path: Path, scripts: str) -> None:
    """A real process with the secrets in its environment: the flow reads neither them nor
    /proc/self/environ, and they appear nowhere in its output."""
    data = tmp_path / "data"
    data.mkdir()
    out = data / "out.txt"
    flow = tmp_path / "flow.yaml"
    flow.write_text(_flow_reading_environ(out), encoding="utf-8")
    done = run_cli(["run", "--until-idle", "--scripts", scripts, "--files", str(data),
                    str(flow)], clean_env(**OWN, FLOWRT_GROUP=f"secrets-{scripts}"), tmp_path)
    written = out.read_bytes().decode(errors="replace") if out.exists() else ""
    assert "k= t=" in written, done.stderr  # the template ran, with nothing to show
    assert _leaks(written) == [], written
    assert _leaks(done.stdout + done.stderr) == [], done.stderr
    assert "/proc/self/environ" in done.stderr  # the refusal names the path


def test_flowrt_serve_gives_flows_none_of_its_own_secrets(tmp_path: Path) -> None:
    flows = tmp_path / "flows"
    flows.mkdir()
    data = tmp_path / "data"
    data.mkdir()
    out = data / "out.txt"
    (flows / "reader.yaml").write_text(_flow_reading_environ(out), encoding="utf-8")
    env = clean_env(**OWN, FLOWRT_GROUP="secrets-serve")
    with serving(flows, "--scripts", "deny", "--files", str(data), env=env,
                 token=TOKEN) as served:
        status, _ = served.call("/api/state")
        assert status == 200
        for _ in range(300):
            if out.exists() and out.stat().st_size:
                break
            time.sleep(0.1)
        environ = Path(f"/proc/{served.proc.pid}/environ").read_bytes().decode(errors="replace")
    written = out.read_bytes().decode(errors="replace") if out.exists() else ""
    assert "k= t=" in written, served.log_text()
    assert _leaks(written) == []
    assert _leaks(served.log_text()) == []
    assert KEY in environ  # what /proc shows is the environment at exec: confinement closes it


def test_the_process_environment_no_longer_holds_them_once_read(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Once flowrt read its own secrets they are out of os.environ (a child process a flow
    starts does not inherit them), yet the store still decrypts with the key."""
    from flowrt.secrets.references import withhold_own_secrets
    from flowrt.secrets.store import key_from, new_key

    key = new_key()
    for name, value in {**OWN, "FLOWRT_SECRETS_KEY": key}.items():
        monkeypatch.setenv(name, value)
    taken = withhold_own_secrets()
    try:
        assert not {"FLOWRT_SECRETS_KEY", "FLOWRT_TOKENS", "FLOWRT_GROUP_DB"} & set(os.environ)
        assert taken["FLOWRT_TOKENS"] == f"ops:{TOKEN}"
        assert key_from() == key
    finally:
        from flowrt.secrets import store as secrets_store

        secrets_store.forget_key()
