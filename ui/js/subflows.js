// Subflows in the editor: the definitions of the open flows (`subflows:`) as node types for the
// palette and the canvas (`subflow:<name>`), and a subflow made from the selected nodes: wires
// into the selection become its input, wires out of it its output ports, and one instance
// takes the selection's place.
import {
  clone,
  newId,
  portsOf,
  position,
  removeNodes,
  setPorts,
  setPosition,
  wires,
} from "./model.js";
import { groupOf, pruneGroups } from "./nodegroups.js";
import { h } from "./dom.js";
import { modal, toast } from "./dialogs.js";

const NAME_RE = /^[A-Za-z0-9_][A-Za-z0-9_.-]*$/;

/** Every subflow definition of the open flows: name -> {flow, def}. */
export function subflowDefs(app) {
  const found = new Map();
  for (const f of app.flows || [])
    for (const [name, def] of Object.entries((f.document && f.document.subflows) || {}))
      if (!found.has(name)) found.set(name, { flow: f, def });
  return found;
}

/** The catalog entry of `subflow:<name>`, made from its definition; null for another type. */
export function subflowInfo(app, type) {
  if (!String(type).startsWith("subflow:")) return null;
  const name = type.slice("subflow:".length);
  const hit = subflowDefs(app).get(name);
  if (!hit) return null;
  const { def } = hit;
  const params = Object.entries(def.params || {}).map(([k, p]) => {
    const dflt = p && p.default !== undefined ? ` (default ${JSON.stringify(p.default)})` : "";
    return `${k}${dflt}${p && p.description ? `: ${p.description}` : ""}`;
  });
  const properties = {};
  if (params.length)
    properties.env = {
      type: "object",
      description: `Parameter values, read inside as \${NAME}. ${params.join("; ")}.`,
    };
  return {
    type,
    category: "subflow",
    inputs: 1,
    outputs: Number(def.outputs) || 0,
    summary: def.label || `Subflow ${name}`,
    schema: { type: "object", properties },
    node_keys: {},
  };
}

/** The palette entries of the subflows. */
export function subflowTypes(app) {
  return [...subflowDefs(app).keys()].map((name) => subflowInfo(app, `subflow:${name}`));
}

/** Replace `ids` by one instance of a new subflow `name`; returns the instance's id. */
export function makeSubflow(doc, ids, name, instanceId) {
  const inside = new Set(ids);
  const inputs = [];
  const feeders = [];
  const outs = []; // "node:port" of each output port
  const outTargets = [];
  for (const w of wires(doc)) {
    const from = inside.has(w.from);
    const to = inside.has(w.to);
    if (!from && to) {
      if (!inputs.includes(w.to)) inputs.push(w.to);
      if (!feeders.some(([f, p]) => f === w.from && p === w.port)) feeders.push([w.from, w.port]);
    } else if (from && !to && doc.nodes[w.to]) {
      const key = `${w.from}:${w.port}`;
      if (!outs.includes(key)) {
        outs.push(key);
        outTargets.push([]);
      }
      outTargets[outs.indexOf(key)].push(w.to);
    }
  }
  const spots = ids.map((id) => position(doc, id));
  const left = Math.min(...spots.map((p) => p[0]));
  const top = Math.min(...spots.map((p) => p[1]));
  const def = { outputs: outs.length, nodes: {}, layout: {} };
  if (inputs.length) def.input = inputs.length === 1 ? inputs[0] : inputs;
  ids.forEach((id, i) => {
    const node = clone(doc.nodes[id]);
    const ports = portsOf(node).map((targets, port) => {
      const kept = targets.filter((t) => inside.has(t));
      const k = outs.indexOf(`${id}:${port}`);
      return k < 0 ? kept : [...kept, `$out.${k}`];
    });
    setPorts(node, ports);
    def.nodes[id] = node;
    def.layout[id] = [spots[i][0] - left + 200, spots[i][1] - top + 80];
  });
  const groups = new Set(ids.map((id) => groupOf(doc, id)));
  removeNodes(doc, ids);
  doc.subflows = doc.subflows || {};
  doc.subflows[name] = def;
  const instance = { type: `subflow:${name}` };
  setPorts(instance, outTargets);
  doc.nodes[instanceId] = instance;
  // nodes all of one group: the instance takes their place in it
  const [group] = groups;
  if (groups.size === 1 && group && doc.groups && doc.groups[group])
    doc.groups[group].nodes.push(instanceId);
  pruneGroups(doc);
  const x = spots.reduce((s, p) => s + p[0], 0) / spots.length;
  const y = spots.reduce((s, p) => s + p[1], 0) / spots.length;
  setPosition(doc, instanceId, Math.round(x / 10) * 10, Math.round(y / 10) * 10);
  for (const [from, port] of feeders) {
    const ports = portsOf(doc.nodes[from]);
    while (ports.length <= port) ports.push([]);
    if (!ports[port].includes(instanceId)) ports[port].push(instanceId);
    setPorts(doc.nodes[from], ports);
  }
  return instanceId;
}

/** Ask for a name, then make a subflow of the selected nodes. */
export async function subflowFromSelection(app) {
  const ids = [...app.canvas.selected];
  if (!app.current || !ids.length) {
    toast("Select the nodes to make a subflow of first.", "warning");
    return;
  }
  if (app.current.subflowOf) {
    toast("A subflow is made from a flow's nodes, not inside a subflow.", "warning");
    return;
  }
  const taken = subflowDefs(app);
  let base = "subflow";
  for (let n = 2; taken.has(base); n++) base = `subflow-${n}`;
  const input = h("input", { id: "subflow-name", type: "text", value: base, spellcheck: "false" });
  const err = h("div", { class: "field-error", role: "alert" });
  const body = h(
    "div",
    { class: "field" },
    h("label", { for: "subflow-name", class: "field-label", text: "Name" }),
    input,
    err,
  );
  setTimeout(() => input.select(), 0);
  let name = null;
  while (!name) {
    const ok = await modal(`Make a subflow of ${ids.length} node(s)`, body, [
      { label: "Cancel", value: null },
      { label: "Make subflow", value: () => true, primary: true },
    ]);
    if (!ok) return;
    const wanted = input.value.trim();
    if (!NAME_RE.test(wanted)) err.textContent = "A name is letters, digits, _ . - ";
    else if (taken.has(wanted)) err.textContent = `'${wanted}' is already a subflow.`;
    else name = wanted;
  }
  let id = null;
  app.edit((doc) => {
    id = makeSubflow(doc, ids, name, newId(doc, name, app.takenIds()));
  });
  app.canvas.select([id]);
}

let shown = "";

/** Show the palette's Subflows again when the definitions changed (made, undone, renamed). */
export function refreshSubflowPalette(app) {
  const now = JSON.stringify(subflowTypes(app));
  if (now !== shown && app.palette) app.palette.render();
  shown = now;
}
