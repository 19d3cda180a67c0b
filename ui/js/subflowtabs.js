// A subflow definition open in its own tab: its nodes on the canvas, with an "input" node wired
// to the nodes that receive the instance's input and one "output N" node per output port (the
// inner wires to `$out.N`). Every change is written back into the definition in the flow that
// holds it (`subflows:`), which is what is saved; the tab has its own undo history, and each
// change is also a step to undo in the flow's tab.
import { History, clone, portsOf, position, setPorts } from "./model.js";
import { h } from "./dom.js";
import { toast } from "./dialogs.js";
import { subflowDefs } from "./subflows.js";

const INPUT = "subflow-input";
const OUTPUT = "subflow-output";

/** The catalog entries of the input and output nodes of an open definition. */
export function portInfo(type) {
  if (type !== INPUT && type !== OUTPUT) return null;
  const input = type === INPUT;
  return {
    type,
    category: "subflow",
    inputs: input ? 0 : 1,
    outputs: input ? 1 : 0,
    summary: input ? "The subflow instance's input" : "An output port of the subflow instance",
    schema: { type: "object", properties: {} },
    node_keys: {},
  };
}

/** The document a definition is edited as: its nodes, plus its input and output nodes. */
function viewOf(flowDoc, name) {
  const def = flowDoc.subflows[name];
  const nodes = clone(def.nodes || {});
  const layout = clone(def.layout || {});
  const view = { flowrt: 1, id: `${flowDoc.id}/${name}`, label: def.label || "", nodes, layout };
  if (flowDoc.connections) view.connections = clone(flowDoc.connections);
  const ids = Object.keys(nodes);
  const xs = ids.map((id) => position(view, id)[0]);
  const ys = ids.map((id) => position(view, id)[1]);
  const left = Math.min(200, ...xs);
  const right = Math.max(200, ...xs) + 250;
  const top = Math.min(80, ...ys);
  const input = def.input == null ? [] : Array.isArray(def.input) ? def.input : [def.input];
  nodes.$in = { type: INPUT, label: "input" };
  setPorts(nodes.$in, [input.map(String)]);
  layout.$in = [left - 200, top];
  for (let k = 0; k < (Number(def.outputs) || 0); k++) {
    nodes[`$out.${k}`] = { type: OUTPUT, label: `output ${k}`, port: k };
    layout[`$out.${k}`] = [right, top + 80 * k];
  }
  // inner wires to `$out` (port 0) are wires to the node of output 0
  for (const node of Object.values(nodes))
    setPorts(
      node,
      portsOf(node).map((p) => p.map((t) => (t === "$out" ? "$out.0" : t))),
    );
  return view;
}

/** Write an open definition back into the flow that holds it. */
export function writeBack(tab) {
  const flowDoc = tab.subflowOf.document;
  const def = flowDoc && flowDoc.subflows && flowDoc.subflows[tab.subflow];
  // the flow was read again (text view, reload) or undone since: this view is out of date
  if (!def || tab.base !== flowDoc) {
    toast(`${tab.file} was read again: open subflow ${tab.subflow} again to edit it.`, "warning");
    return;
  }
  const before = JSON.stringify(def);
  const snapshot = clone(flowDoc);
  const view = tab.document;
  const outputOf = new Map();
  const inputs = [];
  for (const [id, node] of Object.entries(view.nodes)) {
    if (node.type === OUTPUT) outputOf.set(id, Number(node.port) || 0);
    if (node.type === INPUT) inputs.push(...portsOf(node).flat());
  }
  const nodes = {};
  const layout = {};
  for (const [id, node] of Object.entries(view.nodes)) {
    if (node.type === INPUT || node.type === OUTPUT) continue;
    const copy = clone(node);
    setPorts(
      copy,
      portsOf(copy).map((p) => p.map((t) => (outputOf.has(t) ? `$out.${outputOf.get(t)}` : t))),
    );
    nodes[id] = copy;
    if (view.layout && view.layout[id]) layout[id] = clone(view.layout[id]);
  }
  def.nodes = nodes;
  if (Object.keys(layout).length) def.layout = layout;
  else delete def.layout;
  def.outputs = Math.max(0, ...[...outputOf.values()].map((k) => k + 1));
  if (view.label) def.label = view.label;
  else delete def.label;
  const kept = [...new Set(inputs)].filter((t) => t in nodes);
  if (kept.length) def.input = kept.length === 1 ? kept[0] : kept;
  else delete def.input;
  // one step to undo in the flow's tab too (which then makes this tab again)
  if (JSON.stringify(def) !== before && tab.subflowOf.history) tab.subflowOf.history.push(snapshot);
}

/** Open subflow `name` in its own tab (or go back to its tab). */
export function openSubflow(app, name) {
  const hit = subflowDefs(app).get(name);
  if (!hit) return;
  app.subflowTabs = app.subflowTabs || [];
  let tab = app.subflowTabs.find((t) => t.subflow === name);
  if (tab && tab.base !== hit.flow.document) {
    app.subflowTabs = app.subflowTabs.filter((t) => t !== tab); // out of date: made again
    tab = null;
  }
  if (!tab) {
    const view = viewOf(hit.flow.document, name);
    tab = { file: hit.flow.file, subflowOf: hit.flow, subflow: name, document: view };
    tab.base = hit.flow.document;
    Object.assign(tab, { history: new History(), diagnostics: [], saved: clone(view) });
    app.subflowTabs.push(tab);
  }
  const pane = document.querySelector(".text-pane");
  if (pane) pane.remove();
  if (app.current) app.current.view = { ...app.canvas.view };
  app.current = tab;
  app.canvas.select([]);
  app.renderTabs();
  app.canvas.showAll();
  app.refresh();
}

/** With nothing selected in a subflow's tab: its label and its number of outputs. */
export function subflowPanel(app, box) {
  const tab = app.current;
  const def = tab.subflowOf.document.subflows[tab.subflow];
  const label = h("input", { id: "subflow-label", type: "text", value: tab.document.label || "" });
  label.addEventListener("change", () =>
    app.edit((view) => {
      view.label = label.value.trim();
    }),
  );
  const outputs = h("input", {
    id: "subflow-outputs",
    type: "number",
    min: "0",
    max: "32",
    value: String(Number(def.outputs) || 0),
  });
  outputs.addEventListener("change", () => {
    const n = Math.max(0, Math.min(32, Math.round(Number(outputs.value) || 0)));
    app.edit((view) => setOutputs(view, n));
  });
  const field = (id, text, input) =>
    h("div", { class: "field" }, h("label", { for: id, class: "field-label", text }), input);
  box.append(
    h(
      "div",
      { class: "panel-head" },
      h("span", { class: "type-chip cat-subflow", text: "subflow" }),
    ),
    h("p", {
      class: "summary",
      text: `${tab.subflow}, in ${tab.file}: its instances are subflow:${tab.subflow} nodes.`,
    }),
    field("subflow-label", "label", label),
    field("subflow-outputs", "outputs", outputs),
  );
}

/** Give the open definition `n` output nodes (wires to the ones removed go with them). */
function setOutputs(view, n) {
  const top = Math.min(...Object.keys(view.nodes).map((id) => position(view, id)[1]));
  const right = Math.max(...Object.keys(view.nodes).map((id) => position(view, id)[0]));
  const gone = [];
  for (const [id, node] of Object.entries(view.nodes))
    if (node.type === OUTPUT && Number(node.port) >= n) gone.push(id);
  for (const id of gone) {
    delete view.nodes[id];
    delete view.layout[id];
  }
  for (const node of Object.values(view.nodes))
    setPorts(
      node,
      portsOf(node).map((p) => p.filter((t) => !gone.includes(t))),
    );
  const have = new Set(
    Object.values(view.nodes)
      .filter((x) => x.type === OUTPUT)
      .map((x) => Number(x.port)),
  );
  for (let k = 0; k < n; k++) {
    if (have.has(k) || view.nodes[`$out.${k}`]) continue;
    view.nodes[`$out.${k}`] = { type: OUTPUT, label: `output ${k}`, port: k };
    view.layout[`$out.${k}`] = [right, top + 80 * k];
  }
}

/** The tabs of the open definitions, after the flows' tabs. */
export function subflowTabButtons(app) {
  const tabs = (app.subflowTabs || []).filter(
    (t) => t.subflowOf.document && t.subflowOf.document.subflows?.[t.subflow],
  );
  app.subflowTabs = tabs;
  return tabs.map((t) => {
    const active = t === app.current;
    const close = h("span", { class: "tab-close", title: "Close", text: "×" });
    close.addEventListener("click", (e) => {
      e.stopPropagation();
      app.subflowTabs = app.subflowTabs.filter((x) => x !== t);
      if (app.current === t) app.open(t.subflowOf.file);
      else app.renderTabs();
    });
    const b = h(
      "button",
      {
        type: "button",
        role: "tab",
        class: `tab subflow-tab${active ? " active" : ""}`,
        "aria-selected": String(active),
        title: `Subflow ${t.subflow} of ${t.file}`,
        "data-subflow": t.subflow,
      },
      `Subflow: ${t.subflow}`,
      close,
    );
    b.addEventListener("click", () => openSubflow(app, t.subflow));
    return b;
  });
}
