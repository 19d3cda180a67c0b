// The flow document as the editor sees it: the same JSON as the flow file
// ({flowrt, id, label, connections, nodes: {id: {type, ..., to}}, layout: {id: [x, y]}}),
// plus helpers for wiring, ids and positions, and a snapshot history for undo/redo.

export const NODE_W = 150;
export const NODE_H = 36;

/** Normalise a node's `to` into an array of ports, each an array of target ids. */
export function portsOf(node) {
  const to = node && node.to;
  const ports = [];
  const asList = (t) => (t == null ? [] : Array.isArray(t) ? t.map(String) : [String(t)]);
  if (to == null) return ports;
  if (typeof to === "string" || Array.isArray(to)) {
    ports[0] = asList(to);
  } else if (typeof to === "object") {
    for (const [k, v] of Object.entries(to)) {
      const i = Number(k);
      if (Number.isInteger(i) && i >= 0) ports[i] = asList(v);
    }
  }
  for (let i = 0; i < ports.length; i++) if (!ports[i]) ports[i] = [];
  return ports;
}

/** Write ports back as the simplest `to` form: a string, a list, or a port mapping. */
export function setPorts(node, ports) {
  const used = ports.map((p, i) => [i, p || []]).filter(([, p]) => p.length);
  if (!used.length) {
    delete node.to;
    return;
  }
  if (used.length === 1 && used[0][0] === 0) {
    const p = used[0][1];
    node.to = p.length === 1 ? p[0] : [...p];
    return;
  }
  const map = {};
  for (const [i, p] of used) map[String(i)] = p.length === 1 ? p[0] : [...p];
  node.to = map;
}

/** Every wire of the document: {from, port, to}. */
export function wires(doc) {
  const out = [];
  for (const [id, node] of Object.entries(doc.nodes || {})) {
    portsOf(node).forEach((targets, port) => {
      for (const t of targets) out.push({ from: id, port, to: t });
    });
  }
  return out;
}

export function addWire(doc, from, port, to) {
  const node = doc.nodes[from];
  const ports = portsOf(node);
  while (ports.length <= port) ports.push([]);
  if (ports[port].includes(to)) return false;
  ports[port].push(to);
  setPorts(node, ports);
  return true;
}

export function removeWire(doc, from, port, to) {
  const node = doc.nodes[from];
  if (!node) return;
  const ports = portsOf(node);
  if (!ports[port]) return;
  ports[port] = ports[port].filter((t) => t !== to);
  setPorts(node, ports);
}

/** Remove nodes and every wire into them; keeps the rest of the document as it was. */
export function removeNodes(doc, ids) {
  const gone = new Set(ids);
  for (const id of gone) {
    delete doc.nodes[id];
    if (doc.layout) delete doc.layout[id];
  }
  for (const [, node] of Object.entries(doc.nodes)) {
    const ports = portsOf(node);
    if (ports.some((p) => p.some((t) => gone.has(t)))) {
      setPorts(
        node,
        ports.map((p) => p.filter((t) => !gone.has(t))),
      );
    }
  }
  if (doc.layout && !Object.keys(doc.layout).length) delete doc.layout;
}

/** A new node id made from the type: `debug`, `debug-2`, ... unique in the document. */
export function newId(doc, type, taken = new Set()) {
  const base =
    String(type)
      .replace(/[^A-Za-z0-9_.-]/g, "-")
      .replace(/^[^A-Za-z0-9_]+/, "") || "node";
  const used = (id) =>
    (doc.nodes && id in doc.nodes) || (doc.connections && id in doc.connections) || taken.has(id);
  if (!used(base)) return base;
  for (let i = 2; ; i++) if (!used(`${base}-${i}`)) return `${base}-${i}`;
}

/** Number of output ports: the catalog's, or more when the node says so or is wired so. */
export function outputCount(node, info) {
  let n = info ? Number(info.outputs) || 0 : 1;
  if (typeof node.outputs === "number") n = node.outputs;
  if (node.type === "switch" && Array.isArray(node.rules)) n = Math.max(n, node.rules.length);
  return Math.max(n, portsOf(node).length);
}

export function inputCount(node, info) {
  return info ? Number(info.inputs) || 0 : 1;
}

/** Position of a node; nodes without one get a place in layers (by longest path from a source). */
export function position(doc, id) {
  const p = doc.layout && doc.layout[id];
  if (Array.isArray(p) && p.length >= 2) return [Number(p[0]) || 0, Number(p[1]) || 0];
  return layered(doc)[id] || [60, 60];
}

const layeredCache = new WeakMap();

/** Layered positions for every node: a node's column is its longest path from a source. */
export function layered(doc) {
  const nodes = doc.nodes || {};
  const ids = Object.keys(nodes);
  const edges = wires(doc).filter((w) => w.to in nodes);
  const sig = JSON.stringify([ids, edges]);
  const hit = layeredCache.get(doc);
  if (hit && hit.sig === sig) return hit.pos;
  const preds = new Map(ids.map((i) => [i, []]));
  for (const w of edges) preds.get(w.to).push(w.from);
  const layer = new Map();
  const visiting = new Set();
  const depth = (id) => {
    if (layer.has(id)) return layer.get(id);
    if (visiting.has(id)) return 0; // a cycle: cut here
    visiting.add(id);
    let d = 0;
    for (const p of preds.get(id)) d = Math.max(d, depth(p) + 1);
    visiting.delete(id);
    layer.set(id, d);
    return d;
  };
  const rows = [];
  const pos = {};
  for (const id of ids) {
    const d = depth(id);
    rows[d] = (rows[d] || 0) + 1;
    pos[id] = [60 + d * 200, 60 + (rows[d] - 1) * 80];
  }
  layeredCache.set(doc, { sig, pos });
  return pos;
}

export function setPosition(doc, id, x, y) {
  if (!doc.layout) doc.layout = {};
  doc.layout[id] = [Math.round(x), Math.round(y)];
}

export const clone = (v) => (v === undefined ? undefined : JSON.parse(JSON.stringify(v)));

/** Undo/redo over whole-document snapshots (flows are small; this is simple and exact). */
export class History {
  constructor(limit = 200) {
    this.undoStack = [];
    this.redoStack = [];
    this.limit = limit;
  }
  push(doc) {
    this.undoStack.push(JSON.stringify(doc));
    if (this.undoStack.length > this.limit) this.undoStack.shift();
    this.redoStack = [];
  }
  undo(doc) {
    if (!this.undoStack.length) return null;
    this.redoStack.push(JSON.stringify(doc));
    return JSON.parse(this.undoStack.pop());
  }
  redo(doc) {
    if (!this.redoStack.length) return null;
    this.undoStack.push(JSON.stringify(doc));
    return JSON.parse(this.redoStack.pop());
  }
}

/** Node ids whose content differs between two documents (added, removed or changed). */
export function changedNodes(before, after) {
  if (!before) return Object.keys((after && after.nodes) || {}); // never deployed: every node
  const a = (before && before.nodes) || {};
  const b = (after && after.nodes) || {};
  const ids = new Set([...Object.keys(a), ...Object.keys(b)]);
  const out = [];
  for (const id of ids) if (JSON.stringify(a[id]) !== JSON.stringify(b[id])) out.push(id);
  const rest = (d) => JSON.stringify({ ...d, nodes: undefined, layout: undefined });
  if (rest(before || {}) !== rest(after || {})) out.push("(flow settings)");
  return out;
}
