"""The convert node's compression and String to Date conversions give what
node-red-contrib-prib-functions' transform node gives: its compression is the npm package
``compressiontool`` (installed by npm in ~/.cache/flowrt/prib-oracle on first use), run here
in Node.js as the transform node runs it (``compressor[compressionType]()``, then
``compress``/``decompress``); its String to Date is ``new Date(text)`` (the contrib's
``toDateTypeZulu`` for a text), seen as ``JSON.stringify`` shows it.

Run: `python -m pytest -q -p no:cacheprovider tests/nodered/test_same_behaviour_prib_convert.py`
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

from flowrt.testing import run_flow

ORACLE_DIR = Path.home() / ".cache" / "flowrt" / "prib-oracle"
CHOICES = {"setGzip": "gzip", "setGzipSpeed": "gzip_speed", "setGzipCompression": "gzip_best",
           "setZlib": "gzip", "setZlibCompression": "gzip_best", "setFlate": "deflate"}
DATA = [b"", b"a", "héllo wörld ✓".encode(), bytes(range(256)) * 8,
        b"flowrt and Node-RED, " * 200]
DATES = ["2024", "2024-03", "2024-03-05", "2024-03-05T10:20:30Z", "2024-03-05T10:20:30.5Z",
         "2024-03-05T10:20:30.123456-05:30", "2024-02-30", "2024-03-05T10:20:30",
         "2024-03-05 10:20", "Tue, 05 Mar 2024 10:20:30 GMT", "Tue, 05 Mar 2024 10:20:30 +0100",
         "nonsense", "", "+002024-03-05T00:00:00Z", "2024-13-01", "2024-02-31T10:00Z",
         "20240305", "2024-3-5", "March 5, 2024", "2024/03/05", "3/5/2024", "Mar 5 2024 10:20",
         "Tuesday, March 5, 2024 10:20:30", "2024/03/05 10:20:30", "5 Mar 2024",
         "5 March 2024 10:20", "Foo 5, 2024", "2024/02/30", "2024-03-05T25:00Z",
         "2024-03-05t10:20:30z", "2024-03-05T10:20:30+0530", "Tue, 5 Mar 2024 10:20:30 EST"]

SCRIPT = r"""
const CompressionTool = require('compressiontool');
const [choices, data, dates] = JSON.parse(require('fs').readFileSync(0, 'utf8'));
const out = {compressed: {}, dates: dates.map(d => JSON.stringify(new Date(d)))};
let pending = 0;
for (const choice of choices) {
  const compressor = new CompressionTool();
  compressor[choice]();
  out.compressed[choice] = [];
  data.forEach((hex, i) => {
    pending++;
    compressor.compress(Buffer.from(hex, 'hex'), c => {
      compressor.decompress(c, back => {
        out.compressed[choice][i] = [c.toString('hex'), back.toString('hex')];
        if (--pending === 0) console.log(JSON.stringify(out));
      }, e => { throw Error(String(e)); });
    }, e => { throw Error(String(e)); });
  });
}
"""


def oracle() -> dict[str, Any]:
    node, npm = shutil.which("node"), shutil.which("npm")
    if node is None or npm is None:
        pytest.fail("node and npm are needed to run compressiontool")
    if not (ORACLE_DIR / "node_modules" / "compressiontool").exists():
        ORACLE_DIR.mkdir(parents=True, exist_ok=True)
        done = subprocess.run([npm, "install", "--prefix", str(ORACLE_DIR), "--no-audit",
                               "--no-fund", "compressiontool@0.1.3"], capture_output=True,
                              text=True, timeout=600)
        if done.returncode != 0:
            pytest.fail(f"npm install compressiontool failed:\n{done.stderr[-2000:]}")
    stdin = json.dumps([list(CHOICES), [d.hex() for d in DATA], DATES])
    done = subprocess.run([node, "-e", SCRIPT], input=stdin, capture_output=True, text=True,
                          cwd=ORACLE_DIR, timeout=120, env={**os.environ, "TZ": "UTC"})
    assert done.returncode == 0, done.stderr
    result: dict[str, Any] = json.loads(done.stdout)
    return result


def converted(action: str, payloads: list[Any], **config: Any) -> list[Any]:
    flow = {"flowrt": 1, "nodes": {"c": {"type": "convert", "action": action, **config}}}
    result = run_flow(json.dumps(flow), [{"payload": p} for p in payloads], into="c")
    assert result.sent("c", 1) == []
    return [m["payload"] for m in result.sent("c", 0)]


def test_compression_and_dates_are_the_contribs(monkeypatch: pytest.MonkeyPatch) -> None:
    import time
    theirs = oracle()
    for choice, compression in CHOICES.items():
        streams = [bytes.fromhex(c) for c, _ in theirs["compressed"][choice]]
        compressed = converted("BufferToCompressed", DATA, compression=compression)
        if compression != "gzip_speed":  # Node's zlib (Chromium's) differs at level 1
            assert compressed == streams, choice
        assert [bytes.fromhex(b) for _, b in theirs["compressed"][choice]] == DATA
        for made in (compressed, streams):
            assert converted("CompressedToBuffer", made, compression=compression) == DATA
    monkeypatch.setenv("TZ", "UTC")
    time.tzset()
    try:
        dates = converted("StringToDate", DATES)
    finally:
        monkeypatch.undo()
        time.tzset()
    assert dict(zip(DATES, dates, strict=True)) == dict(
        zip(DATES, [json.loads(d) for d in theirs["dates"]], strict=True))
