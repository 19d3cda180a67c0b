"""Rebuild the Node-RED export corpus listed in benchmarks/nodered_corpus.txt from git mirrors.

    python benchmarks/nodered_corpus_fetch.py MIRRORS --repos OUT
    python benchmarks/nodered_corpus_fetch.py MIRRORS --tests OUT --node-modules DIR
    python benchmarks/nodered_corpus_fetch.py /work/.mirror --repos /work/corpus/nodered \\
        --tests /work/corpus/nodered-tests --node-modules /tmp/corpus-tools/node_modules

benchmarks/nodered_corpus.txt names every file benchmarks/nodered_import.py was run over
(repository, path, commit; the files stay out of this repository). This script rebuilds its
sections 2 and 3 outside the repository; section 1 (Node-RED's packaged examples) comes with
tests/nodered/helpers.py nodered_home().

--repos (section 3, public repositories): each listed file is written as
OUT/<owner>__<repo>/<path with "/" replaced by "__">.

--tests (section 2, Node-RED's own node tests): every array literal of nodes (each an object
with id and type) in each listed node-red/node-red spec is evaluated with unknown names read
as undefined (the standard globals such as JSON and Buffer as themselves; an array whose
evaluation fails, such as a call of an unknown function, is skipped), those that are exports
(some node wired, or a tab) are kept, and each distinct one (as JSON, keys in source order)
is written as OUT/<spec name>__<n>.json. This needs node and the npm package acorn
(``npm install acorn`` in some directory, then --node-modules DIR/node_modules); the spec
text is parsed, never run. The counts come out near the listed ones (620 against 607).

MIRRORS holds one git directory per repository (such as ``git clone --bare`` makes), found
as MIRRORS/<owner>+<repo>/repo(/.git), MIRRORS/<owner>+<repo> or MIRRORS/<owner>/<repo>(.git).
A file is read at the listed commit, or at HEAD when the mirror lacks that commit (reported
as "at HEAD"). Files that cannot be read, or are no export, are reported and skipped.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path

HERE = Path(__file__).resolve().parent
LIST = HERE / "nodered_corpus.txt"
SELF = "node-red/node-red"

sys.path.insert(0, str(HERE))
from nodered_import import is_export  # noqa: E402

EXTRACT_JS = r"""
// node extract.js OUTDIR name=specfile ...: the distinct flows of each spec, as files.
const fs = require("fs"), path = require("path"), acorn = require("acorn");
const U = undefined, DUMMY = function () {};
const GLOBALS = {JSON, Buffer, Math, Date, String, Number, Boolean, Array, Object, RegExp,
  Error, Symbol, parseInt, parseFloat, NaN, Infinity, undefined};
function key(p) { return p.key.type === "Identifier" ? p.key.name : p.key.value; }
function member(n) {
  const o = ev(n.object);
  if (o === U || o === null) throw new TypeError("member of undefined");
  return [o, o[n.computed ? ev(n.property) : n.property.name]];
}
function ev(n) {
  switch (n.type) {
    case "Literal": return n.regex ? U : n.value;
    case "TemplateLiteral":
      return n.quasis.map((q, i) =>
        q.value.cooked + (i < n.expressions.length ? String(ev(n.expressions[i])) : "")).join("");
    case "ArrayExpression": {
      const out = [];
      for (const e of n.elements) {
        if (!e) out.push(null);
        else if (e.type !== "SpreadElement") out.push(ev(e));
        else { const v = ev(e.argument); if (Array.isArray(v)) out.push(...v); }
      }
      return out;
    }
    case "ObjectExpression": {
      const o = {};
      for (const p of n.properties) {
        if (p.type === "SpreadElement") { Object.assign(o, ev(p.argument)); continue; }
        const k = p.computed ? ev(p.key) : key(p);
        if (k !== U) o[k] = p.kind === "init" && !p.method ? ev(p.value) : U;
      }
      return o;
    }
    case "Identifier": return Object.hasOwn(GLOBALS, n.name) ? GLOBALS[n.name] : U;
    case "MemberExpression": return member(n)[1];
    case "CallExpression": {
      const [self, fn] = n.callee.type === "MemberExpression" ? member(n.callee)
        : [U, ev(n.callee)];
      if (typeof fn !== "function" || fn === DUMMY) throw new TypeError("not a function");
      return fn.apply(self, n.arguments.map(ev));
    }
    case "NewExpression": {
      const fn = ev(n.callee);
      if (typeof fn !== "function" || fn === DUMMY) throw new TypeError("not a constructor");
      return new fn(...n.arguments.map(ev));
    }
    case "FunctionExpression": case "ArrowFunctionExpression": return DUMMY;
    case "UnaryExpression": {
      const a = ev(n.argument);
      return {"-": -a, "+": +a, "!": !a, "typeof": typeof a}[n.operator];
    }
    case "BinaryExpression": {
      const a = ev(n.left), b = ev(n.right);
      return {"+": a + b, "-": a - b, "*": a * b, "/": a / b, "%": a % b, "===": a === b,
        "!==": a !== b, "==": a == b, "!=": a != b}[n.operator];
    }
    case "LogicalExpression": {
      const a = ev(n.left);
      return n.operator === "||" ? a || ev(n.right)
        : n.operator === "&&" ? a && ev(n.right) : a ?? ev(n.right);
    }
    case "ConditionalExpression": return ev(n.test) ? ev(n.consequent) : ev(n.alternate);
    case "SequenceExpression": return ev(n.expressions[n.expressions.length - 1]);
    default: return U;
  }
}
function hasKey(o, name) {
  return o.properties.some(p => p.type === "Property" && !p.computed && key(p) === name);
}
function isNodeArray(n) {
  return n.type === "ArrayExpression" && n.elements.length > 0 && n.elements.every(e =>
    e && e.type === "ObjectExpression" && hasKey(e, "id") && hasKey(e, "type"));
}
function walk(node, visit) {
  visit(node);
  for (const v of Object.values(node)) {
    for (const c of Array.isArray(v) ? v : [v]) {
      if (c && typeof c.type === "string") walk(c, visit);
    }
  }
}
const [outdir, ...specs] = process.argv.slice(2);
let total = 0, failed = 0, notflow = 0;
for (const spec of specs) {
  const name = spec.slice(0, spec.indexOf("=")), file = spec.slice(spec.indexOf("=") + 1);
  const ast = acorn.parse(fs.readFileSync(file, "utf8"), {ecmaVersion: "latest",
    allowHashBang: true, allowReturnOutsideFunction: true, allowAwaitOutsideFunction: true});
  const seen = new Set();
  walk(ast, n => {
    if (!isNodeArray(n)) return;
    let text;
    try { text = JSON.stringify(ev(n)); } catch (e) { failed += 1; return; }
    const flow = JSON.parse(text);
    if (flow.every(x => x && typeof x === "object" && "id" in x && "type" in x)
        && flow.some(x => "wires" in x || x.type === "tab")) seen.add(text);
    else notflow += 1;
  });
  [...seen].forEach((text, i) => fs.writeFileSync(path.join(outdir, `${name}__${i + 1}.json`),
    JSON.stringify(JSON.parse(text), null, 1) + "\n"));
  total += seen.size;
  console.log(`${name}\t${seen.size} flows`);
}
console.log(`${total} flows (${failed} arrays not evaluated, ${notflow} not a flow)`);
"""


def listed(path: Path = LIST) -> Iterator[tuple[str, str, str, str]]:
    """(repository, path, commit, note) of every line of the list."""
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line or line.startswith("#"):
            continue
        fields = line.split("\t")
        if len(fields) >= 3:
            yield fields[0], fields[1], fields[2], (fields[3] if len(fields) > 3 else "")


def git_dir(mirrors: Path, repo: str) -> Path | None:
    """The git directory of a repository's mirror, or None."""
    owner, name = repo.split("/", 1)
    base = mirrors / f"{owner}+{name}"
    candidates = [base / "repo" / ".git", base / "repo", base,
                  mirrors / owner / f"{name}.git", mirrors / owner / name]
    for candidate in candidates:
        if (candidate / "HEAD").is_file() and (candidate / "objects").is_dir():
            return candidate
    return None


def show(gitdir: Path, rev: str, path: str) -> bytes | None:
    """The blob at rev:path, or None."""
    done = subprocess.run(
        ["git", f"--git-dir={gitdir}", "show", f"{rev}:{path}"],
        capture_output=True, check=False,
    )
    return done.stdout if done.returncode == 0 else None


def read(mirrors: Path, repo: str, path: str, commit: str) -> tuple[bytes | None, str]:
    """A listed file's bytes (at its commit, else at HEAD), and what went wrong or ''."""
    gitdir = git_dir(mirrors, repo)
    if gitdir is None:
        return None, "no mirror"
    blob = show(gitdir, commit, path)
    if blob is not None:
        return blob, ""
    blob = show(gitdir, "HEAD", path)
    if blob is None:
        return None, f"not at {commit[:12]} nor at HEAD"
    print(f"at HEAD\t{repo}\t{path}")
    return blob, ""


def build_repos(mirrors: Path, out: Path) -> int:
    """Section 3: write each listed file of the public repositories; the number written."""
    written = total = 0
    for repo, path, commit, _ in listed():
        if repo == SELF:
            continue
        total += 1
        blob, problem = read(mirrors, repo, path, commit)
        if blob is not None:
            try:
                if not is_export(json.loads(blob.decode("utf-8-sig"))):
                    problem = "no export"
            except (UnicodeDecodeError, ValueError):
                problem = "not JSON"
        if blob is None or problem:
            print(f"skipped\t{repo}\t{path}\t{problem}")
            continue
        target = out / repo.replace("/", "__") / path.replace("/", "__")
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(blob)
        written += 1
    print(f"{written} of {total} listed files written to {out}")
    return written


def build_tests(mirrors: Path, out: Path, node_modules: Path) -> int:
    """Section 2: write the distinct flows of Node-RED's test specs; node's exit status."""
    out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="nrspecs-") as tmp:
        specs = []
        for repo, path, commit, note in listed():
            if repo != SELF:
                continue
            blob, problem = read(mirrors, repo, path, commit)
            if blob is None:
                print(f"skipped\t{repo}\t{path}\t{problem}")
                continue
            name = Path(path).stem
            (Path(tmp) / f"{name}.js").write_bytes(blob)
            specs.append(f"{name}={Path(tmp) / f'{name}.js'}")
            print(f"listed\t{name}\t{note}")
        script = Path(tmp) / "extract.js"
        script.write_text(EXTRACT_JS, encoding="utf-8")
        env = {**os.environ, "NODE_PATH": str(node_modules)}
        return subprocess.run(["node", str(script), str(out), *specs], env=env,
                              check=False).returncode


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("mirrors", type=Path, help="directory of git mirrors")
    parser.add_argument("--repos", type=Path, help="where section 3's files are written")
    parser.add_argument("--tests", type=Path, help="where section 2's flows are written")
    parser.add_argument("--node-modules", type=Path, default=Path("node_modules"),
                        help="a node_modules directory holding acorn (for --tests)")
    args = parser.parse_args(argv)
    if not args.repos and not args.tests:
        parser.error("give --repos, --tests or both")
    status = 0
    if args.repos and not build_repos(args.mirrors, args.repos):
        status = 1
    if args.tests and build_tests(args.mirrors, args.tests, args.node_modules.resolve()):
        status = 1
    return status


if __name__ == "__main__":
    sys.exit(main())
