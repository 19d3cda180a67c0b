// The properties tab: the selected node's form (from its type's schema) and help, or, with
// nothing selected, the flow's label and its shared connections.
import { h } from "./dom.js";
import { buildForm } from "./props.js";
import { markdown } from "./markdown.js";
import { clone, portsOf, setPorts } from "./model.js";
import { groupPanel } from "./nodegroups.js";
import { subflowPanel } from "./subflowtabs.js";
import { wiresSection } from "./wiring.js";
import { endpointKeys } from "./keys.js";

const ID_RE = /^[A-Za-z0-9_][A-Za-z0-9_.-]*$/;

function setter(app, obj, key) {
  // returns set(k, v) that edits obj (found again in the current document by `key` path)
  return (k, v) =>
    app.edit(
      (doc) => {
        const target = obj(doc);
        if (!target) return;
        if (v === undefined) delete target[k];
        else target[k] = v;
      },
      { coalesce: `${key}.${k}`, keepPanel: true },
    );
}

function renameNode(doc, from, to) {
  const nodes = {};
  for (const [k, v] of Object.entries(doc.nodes)) nodes[k === from ? to : k] = v;
  doc.nodes = nodes;
  for (const n of Object.values(doc.nodes)) {
    const ports = portsOf(n);
    if (ports.some((p) => p.includes(from)))
      setPorts(
        n,
        ports.map((p) => p.map((t) => (t === from ? to : t))),
      );
  }
  if (doc.layout && from in doc.layout) {
    const layout = {};
    for (const [k, v] of Object.entries(doc.layout)) layout[k === from ? to : k] = v;
    doc.layout = layout;
  }
  for (const g of Object.values(doc.groups || {}))
    if (Array.isArray(g.nodes)) g.nodes = g.nodes.map((n) => (n === from ? to : n));
}

/** Show the server's diagnostics under the fields they are about (node or connection forms). */
export function markFields(app) {
  const box = document.getElementById("panel-props");
  for (const e of box.querySelectorAll(".field-diag")) {
    e.textContent = "";
    e.closest(".field").classList.remove("invalid");
  }
  for (const e of box.querySelectorAll("details.connection.invalid")) e.classList.remove("invalid");
  const diags = (app.current && app.current.diagnostics) || [];
  const sel = app.selectedId();
  for (const d of diags) {
    const path = Array.isArray(d.path) ? d.path.map(String) : [];
    if (path.length < 3) continue;
    let scope = null;
    if (path[0] === "nodes" && path[1] === sel) scope = box.querySelector(".props-form");
    else if (path[0] === "connections")
      scope = box.querySelector(`details.connection[data-connection="${CSS.escape(path[1])}"]`);
    const field = scope && scope.querySelector(`[data-field="${CSS.escape(path[2])}"]`);
    if (!field) continue;
    const out = field.querySelector(".field-diag");
    out.textContent = out.textContent ? `${out.textContent} ${d.message}` : d.message;
    field.classList.add("invalid");
    if (scope.tagName === "DETAILS") scope.classList.add("invalid");
  }
}

export function renderPanel(app, box) {
  box.replaceChildren();
  const flow = app.current;
  if (!flow) {
    box.append(h("p", { class: "empty", text: "Open or create a flow." }));
    return;
  }
  const doc = flow.document;
  const sel = [...app.canvas.selected];
  const group = app.canvas.selectedGroup;
  if (group && doc.groups && group in doc.groups) {
    groupPanel(app, box, doc, group);
    return;
  }
  if (sel.length > 1) {
    box.append(
      h("p", {
        class: "empty",
        text:
          `${sel.length} nodes selected. Delete removes them; Ctrl-C copies them; ` +
          "Ctrl-G groups them.",
      }),
    );
    return;
  }
  if (sel.length === 1) nodePanel(app, box, doc, sel[0]);
  else if (flow.subflowOf) subflowPanel(app, box);
  else flowPanel(app, box, doc);
  markFields(app);
}

function nodePanel(app, box, doc, id) {
  const node = doc.nodes[id];
  const info = app.typeInfo(node.type);
  const idInput = h("input", { id: "node-id", type: "text", value: id, spellcheck: "false" });
  const idErr = h("div", { class: "field-error", role: "alert" });
  idInput.addEventListener("change", () => {
    const to = idInput.value.trim();
    if (to === id) return;
    if (!ID_RE.test(to)) {
      idErr.textContent = "An id is letters, digits, _ . - (not starting with . or -).";
      return;
    }
    if (to in app.current.document.nodes) {
      idErr.textContent = `'${to}' is already a node of this flow.`;
      return;
    }
    if (app.takenIds().has(to)) {
      idErr.textContent = `'${to}' is already used in another flow: ids are unique in a project.`;
      return;
    }
    app.edit((d) => renameNode(d, id, to));
    app.selectNode(to);
  });
  box.append(
    h(
      "div",
      { class: "panel-head" },
      h("span", { class: `type-chip cat-${info ? info.category : "unknown"}`, text: node.type }),
      info && info.summary ? h("p", { class: "summary", text: info.summary }) : null,
    ),
    h(
      "div",
      { class: "field" },
      h("label", { for: "node-id", class: "field-label", text: "id" }),
      idInput,
      idErr,
    ),
  );
  if (!info) {
    box.append(
      h("p", {
        class: "field-error",
        text: `Unknown node type '${node.type}': no pack provides it.`,
      }),
    );
    return;
  }
  const form = h("form", { class: "props-form", onsubmit: (e) => e.preventDefault() });
  const common = {
    label: { type: "string", description: "A name shown in the editor and in logs." },
  };
  const tail = {
    ...Object.fromEntries(
      Object.entries(info.node_keys || {}).map(([key, prop]) => [
        key,
        { ...prop, "x-advanced": true },
      ]),
    ),
    disabled: {
      type: "boolean",
      default: false,
      description: "A disabled node is kept but not run.",
      "x-advanced": true,
    },
    info: {
      type: "string",
      "x-format": "code:markdown",
      description: "Notes about the node (Markdown).",
      "x-advanced": true,
    },
  };
  const schema = {
    ...info.schema,
    properties: { ...common, ...((info.schema && info.schema.properties) || {}), ...tail },
  };
  buildForm(form, {
    schema,
    values: node,
    connections: doc.connections || {},
    placeholders: { label: id },
    set: setter(app, (d) => d.nodes[id], `node:${id}`),
  });
  box.append(form);
  const wired = wiresSection(app, doc, id);
  if (wired) box.append(wired);
  const keys = endpointKeys(app, doc, id);
  if (keys) box.append(keys);
  const help = info.details || "";
  if (help)
    box.append(
      h(
        "details",
        { class: "docs" },
        h("summary", { text: "Help" }),
        h("div", { class: "markdown" }, markdown(help)),
      ),
    );
}

function flowPanel(app, box, doc) {
  const flowId = h("input", {
    id: "flow-id",
    type: "text",
    value: doc.id || "",
    spellcheck: "false",
  });
  const flowIdErr = h("div", { class: "field-error", role: "alert" });
  flowId.addEventListener("change", () => {
    const to = flowId.value.trim();
    flowIdErr.textContent = "";
    if (to === doc.id) return;
    if (!ID_RE.test(to)) {
      flowIdErr.textContent = "An id is letters, digits, _ . - (not starting with . or -).";
      return;
    }
    const other = app.flows.find(
      (f) => f !== app.current && (f.document ? f.document.id : f.id) === to,
    );
    if (other) {
      flowIdErr.textContent = `'${to}' is the id of ${other.file}.`;
      return;
    }
    app.edit((d) => {
      d.id = to;
    });
  });
  const label = h("input", { id: "flow-label", type: "text", value: doc.label || "" });
  label.addEventListener("input", () =>
    app.edit(
      (d) => {
        if (label.value) d.label = label.value;
        else delete d.label;
      },
      { coalesce: "flow.label", keepPanel: true },
    ),
  );
  box.append(
    h(
      "div",
      { class: "panel-head" },
      h("span", { class: "type-chip cat-flow", text: "flow" }),
      h("p", {
        class: "summary",
        text: `${app.current.file} · id ${doc.id || "?"}. Select a node to edit it.`,
      }),
    ),
    h(
      "div",
      { class: "field" },
      h("label", { for: "flow-id", class: "field-label", text: "id" }),
      flowId,
      flowIdErr,
    ),
    h(
      "div",
      { class: "field" },
      h("label", { for: "flow-label", class: "field-label", text: "label" }),
      label,
    ),
  );
  const conns = doc.connections || {};
  const section = h("section", { class: "connections" }, h("h3", { text: "Connections" }));
  if (!Object.keys(conns).length)
    section.append(
      h("p", {
        class: "empty",
        text: "No connections yet: nodes that talk to a server share one.",
      }),
    );
  for (const [cid, conn] of Object.entries(conns)) {
    const info = app.typeInfo(conn.type);
    const det = h("details", { class: "connection", "data-connection": cid });
    const del = h("button", {
      type: "button",
      class: "icon danger",
      title: `Remove connection ${cid}`,
      text: "✕",
    });
    del.addEventListener("click", (e) => {
      e.preventDefault();
      app.edit((d) => {
        delete d.connections[cid];
        if (!Object.keys(d.connections).length) delete d.connections;
      });
    });
    det.append(
      h(
        "summary",
        {},
        h("strong", { text: cid }),
        h("span", { class: "muted", text: ` ${conn.type}` }),
        del,
      ),
    );
    const form = h("form", { class: "props-form", onsubmit: (e) => e.preventDefault() });
    if (info) {
      buildForm(form, {
        schema: info.schema,
        values: conn,
        idPrefix: `conn-${cid}`,
        set: setter(app, (d) => d.connections && d.connections[cid], `conn:${cid}`),
      });
    } else
      form.append(
        h("p", { class: "field-error", text: `Unknown connection type '${conn.type}'.` }),
      );
    det.append(form);
    section.append(det);
  }
  const types = app.types.filter((t) => t.category === "connection");
  if (types.length) {
    const pick = h(
      "select",
      { id: "new-connection", "aria-label": "Connection type" },
      ...types.map((t) => h("option", { value: t.type, text: t.type })),
    );
    const add = h("button", { type: "button", class: "secondary", text: "Add connection" });
    add.addEventListener("click", () => {
      const type = pick.value;
      let cid = type.split("-")[0];
      for (let i = 2; (doc.connections && cid in doc.connections) || cid in doc.nodes; i++)
        cid = `${type.split("-")[0]}-${i}`;
      app.edit((d) => {
        d.connections = { ...(d.connections || {}), [cid]: { type } };
      });
    });
    section.append(h("div", { class: "row" }, pick, add));
  }
  box.append(section);
  const del = h("button", {
    id: "delete-flow",
    type: "button",
    class: "secondary danger-text",
    text: "Delete this flow…",
  });
  del.addEventListener("click", () => app.deleteFlow());
  box.append(h("section", { class: "flow-danger" }, del));
}

export { clone };
