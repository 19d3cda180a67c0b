// Node groups: named, coloured boxes around nodes (the flow's `groups:` key, Node-RED's groups).
// The document's groups, their boxes behind the nodes, the dialog that makes one from the
// selection, and the properties form of a selected group. Groups have no runtime meaning.
import { NODE_H, position } from "./model.js";
import { el } from "./draw.js";
import { h } from "./dom.js";
import { modal, toast } from "./dialogs.js";

export const COLOURS = [
  "#d1e7ff",
  "#dff5d8",
  "#fff3c4",
  "#ffe0cc",
  "#f5d5e9",
  "#e6dcf7",
  "#d5f2ef",
  "#e3e3e3",
];
const PAD = 14; // room around the nodes
const HEAD = 20; // room above them for the label

/** The id of the group a node is in, or null. */
export function groupOf(doc, id) {
  for (const [gid, g] of Object.entries(doc.groups || {}))
    if ((g.nodes || []).includes(id)) return gid;
  return null;
}

/** Node ids of a group, its nested groups' included. */
export function groupNodes(doc, gid, seen = new Set()) {
  const g = (doc.groups || {})[gid];
  if (!g || seen.has(gid)) return [];
  seen.add(gid);
  const ids = (g.nodes || []).filter((id) => doc.nodes && id in doc.nodes);
  for (const [cid, c] of Object.entries(doc.groups))
    if (c.group === gid) ids.push(...groupNodes(doc, cid, seen));
  return ids;
}

/** A group id from a label: its words joined by '-', unique among the flow's groups. */
function groupId(doc, label) {
  const base =
    label
      .toLowerCase()
      .replace(/[^a-z0-9_.-]+/g, "-")
      .replace(/^[-.]+|-+$/g, "") || "group";
  let id = base;
  for (let n = 2; doc.groups && id in doc.groups; n++) id = `${base}-${n}`;
  return id;
}

/** Put `ids` in a new group (out of any group they were in); returns its id. */
export function makeGroup(doc, ids, label, color) {
  removeFromGroups(doc, ids);
  doc.groups = doc.groups || {};
  const gid = groupId(doc, label);
  doc.groups[gid] = { label, color, nodes: [...ids] };
  return gid;
}

/** Take `ids` out of their groups; a group left with no nodes and no nested group goes. */
export function removeFromGroups(doc, ids) {
  const gone = new Set(ids);
  for (const g of Object.values(doc.groups || {}))
    if (g.nodes) g.nodes = g.nodes.filter((id) => !gone.has(id));
  pruneGroups(doc);
}

/** Drop members that are no longer nodes, then empty groups; no `groups` key when none is left. */
export function pruneGroups(doc) {
  if (!doc.groups) return;
  const groups = doc.groups;
  for (const g of Object.values(groups))
    if (Array.isArray(g.nodes)) g.nodes = g.nodes.filter((id) => doc.nodes && id in doc.nodes);
  let again = true;
  while (again) {
    again = false;
    for (const [gid, g] of Object.entries(groups)) {
      const nested = Object.values(groups).some((c) => c.group === gid);
      if (!(g.nodes || []).length && !nested) {
        delete groups[gid];
        again = true;
      }
    }
  }
  if (!Object.keys(groups).length) delete doc.groups;
}

/** Remove a group, its nodes staying where they are (its nested groups move up a level). */
export function ungroup(doc, gid) {
  const g = doc.groups && doc.groups[gid];
  if (!g) return false;
  for (const c of Object.values(doc.groups)) {
    if (c.group !== gid) continue;
    if (g.group) c.group = g.group;
    else delete c.group;
  }
  delete doc.groups[gid];
  if (!Object.keys(doc.groups).length) delete doc.groups;
  return true;
}

/** The box of a group on the canvas: around its nodes and its nested groups' boxes. */
export function groupBox(canvas, doc, gid, seen = new Set()) {
  const g = doc.groups[gid];
  if (seen.has(gid)) return null;
  seen.add(gid);
  const boxes = [];
  for (const id of g.nodes || []) {
    if (!doc.nodes || !(id in doc.nodes)) continue;
    const [x, y] = position(doc, id);
    boxes.push([x, y, x + canvas.nodeWidth(doc, id), y + NODE_H]);
  }
  for (const [cid, c] of Object.entries(doc.groups)) {
    if (c.group !== gid) continue;
    const b = groupBox(canvas, doc, cid, seen);
    if (b) boxes.push([b.x, b.y, b.x + b.w, b.y + b.h]);
  }
  if (!boxes.length) return null;
  const x = Math.min(...boxes.map((b) => b[0])) - PAD;
  const y = Math.min(...boxes.map((b) => b[1])) - PAD - HEAD;
  const x2 = Math.max(...boxes.map((b) => b[2])) + PAD;
  const y2 = Math.max(...boxes.map((b) => b[3])) + PAD;
  return { x, y, w: x2 - x, h: y2 - y };
}

/** Draw the flow's groups into `layer`, outer groups first (so nested ones are on top). */
export function drawGroups(canvas, doc, layer) {
  layer.replaceChildren();
  const depth = (gid, n = 0) => {
    const up = doc.groups[gid] && doc.groups[gid].group;
    return up && up in doc.groups && n < 20 ? depth(up, n + 1) : n;
  };
  const order = Object.keys(doc.groups || {}).sort((a, b) => depth(a) - depth(b));
  for (const gid of order) {
    const g = doc.groups[gid];
    const box = groupBox(canvas, doc, gid);
    if (!box) continue;
    const selected = canvas.selectedGroup === gid;
    const color = /^#[0-9a-f]{6}$/i.test(g.color || "") ? g.color : COLOURS[7];
    const group = el(
      "g",
      { class: `node-group${selected ? " selected" : ""}`, "data-group": gid },
      layer,
    );
    const { x, y, w, h: height } = box;
    el("rect", { class: "group-box", x, y, width: w, height, rx: 10, fill: color }, group);
    const label = el(
      "text",
      { class: "group-label", x: box.x + 10, y: box.y + 16, "data-group": gid },
      group,
    );
    label.textContent = g.label || gid;
    el("title", {}, group).textContent = `Group ${g.label || gid}: its label selects its nodes`;
  }
}

/** The colour choices: one radio button a colour; `value()` the chosen one. */
function swatches(current, onPick = null) {
  const name = `colour-${Math.random().toString(36).slice(2, 8)}`;
  const box = h("div", { class: "group-colours", role: "radiogroup", "aria-label": "Colour" });
  for (const c of COLOURS) {
    const input = h("input", {
      type: "radio",
      name,
      value: c,
      checked: c === current,
      "aria-label": c,
      title: c,
    });
    input.style.background = c; // through the CSSOM: the editor's CSP refuses style attributes
    if (onPick) input.addEventListener("change", () => onPick(c));
    box.append(input);
  }
  box.value = () => (box.querySelector("input:checked") || {}).value || COLOURS[0];
  return box;
}

/** Ctrl-G: put the selected nodes into a new group (a label asked, a colour chosen). */
export async function groupSelection(app) {
  const ids = [...app.canvas.selected];
  if (!app.current || !ids.length) {
    toast("Select the nodes to group first.", "warning");
    return;
  }
  const used = new Set(Object.values(app.current.document.groups || {}).map((g) => g.color));
  const input = h("input", { id: "group-label", type: "text", value: "Group" });
  const colours = swatches(COLOURS.find((c) => !used.has(c)) || COLOURS[0]);
  const body = h(
    "div",
    { class: "field" },
    h("label", { for: "group-label", class: "field-label", text: "Label" }),
    input,
    h("div", { class: "field-label", text: "Colour" }),
    colours,
  );
  setTimeout(() => input.select(), 0);
  const ok = await modal(`Group ${ids.length} node${ids.length === 1 ? "" : "s"}`, body, [
    { label: "Cancel", value: null },
    { label: "Group", value: () => true, primary: true },
  ]);
  if (!ok) return;
  const label = input.value.trim() || "Group";
  let gid = null;
  app.edit((doc) => {
    gid = makeGroup(doc, ids, label, colours.value());
  });
  app.canvas.selectGroup(gid);
}

/** Ctrl-Shift-G: remove the selected group, or the groups of the selected nodes. */
export function ungroupSelection(app) {
  const doc = app.current && app.current.document;
  if (!doc) return;
  const gids = new Set();
  if (app.canvas.selectedGroup) gids.add(app.canvas.selectedGroup);
  else for (const id of app.canvas.selected) if (groupOf(doc, id)) gids.add(groupOf(doc, id));
  if (!gids.size) return;
  app.canvas.selectedGroup = null;
  app.edit((d) => [...gids].forEach((gid) => ungroup(d, gid)));
}

/** The properties of the selected group: its label and colour. */
export function groupPanel(app, box, doc, gid) {
  const g = doc.groups[gid];
  const input = h("input", { id: "group-label-prop", type: "text", value: g.label || "" });
  input.addEventListener("input", () =>
    app.edit(
      (d) => {
        d.groups[gid].label = input.value;
      },
      { coalesce: `group-label:${gid}`, keepPanel: true },
    ),
  );
  const colours = swatches(g.color, (c) =>
    app.edit(
      (d) => {
        d.groups[gid].color = c;
      },
      { keepPanel: true },
    ),
  );
  const count = groupNodes(doc, gid).length;
  box.append(
    h("div", { class: "panel-head" }, h("span", { class: "type-chip cat-flow", text: "group" })),
    h("p", {
      class: "summary",
      text: `${count} node${count === 1 ? "" : "s"}. Ctrl-Shift-G ungroups them.`,
    }),
    h(
      "div",
      { class: "field" },
      h("label", { for: "group-label-prop", class: "field-label", text: "Label" }),
      input,
    ),
    h("div", { class: "field" }, h("div", { class: "field-label", text: "Colour" }), colours),
  );
}
