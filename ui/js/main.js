// The editor application: flow tabs, palette, canvas, sidebar, save and deploy.
import { api, events, ApiError, onUnauthorized } from "./api.js";
import { Canvas, isTyping } from "./canvas.js";
import { History, addWire, clone, newId, portsOf, position, removeNodes, removeWire, setPorts, setPosition, NODE_W, NODE_H } from "./model.js";
import { markFields, renderPanel } from "./panel.js";
import { renderProblems, DebugPanel } from "./sidebar.js";
import { h } from "./props.js";
import { importDialog, exportDialog, loginDialog, modal, toast } from "./dialogs.js";
import { Palette } from "./palette.js";
import { historyDialog } from "./history.js";
import { GroupPanel } from "./group.js";
import { runtimeMethods } from "./runtime.js";
import { gotoLine, openText } from "./textview.js";

const $ = (id) => document.getElementById(id);

class App {
  constructor() {
    this.types = [];
    this.typeMap = new Map();
    this.flows = [];          // tabs: {file, label, revision, document, saved, deployed, history, diagnostics}
    this.current = null;
    this.status = new Map();
    this.deployed = false;
    this.clipboard = null;
    this.lastCoalesce = null;
    this.validateTimer = null;
    this.canvas = new Canvas(this, $("canvas"));
    this.debug = new DebugPanel(this, $("debug-list"), $("debug-filter"), $("debug-clear"), $("count-debug"));
    this.palette = new Palette(this, $("palette-list"), $("palette-search"));
    this.group = new GroupPanel(this, $("tab-group"), $("panel-group"));
  }

  async start() {
    this.bindUi();
    onUnauthorized(loginDialog);
    try {
      this.types = await api.nodes();
    } catch (err) { toast(`Could not load the node catalog: ${err.message}`, "error", 10000); }
    for (const t of this.types) this.typeMap.set(t.type, t);
    this.palette.render();
    await this.reloadList();
    try { const st = await api.state(); this.applyState(st); } catch { /* no runtime state yet */ }
    events((ev) => this.onEvent(ev), (up) => {
      $("conn-state").className = `conn-state ${up ? "up" : "down"}`;
      $("conn-state").title = up ? "Connected to the runtime" : "Not connected to the runtime: retrying";
    });
    this.debug.render();
    this.group.start();
    document.body.dataset.ready = "true";  // flows listed and opened (tests wait for this)
  }

  typeInfo(type) { return this.typeMap.get(type) || null; }

  // ---- tabs and files -------------------------------------------------------------------------
  async reloadList(open = null) {
    let list = [];
    try { list = await api.flows(); } catch (err) { toast(`Could not list flows: ${err.message}`, "error", 10000); }
    const known = new Map(this.flows.map((f) => [f.file, f]));
    this.flows = list.map((f) => known.get(f.file) || { file: f.file, label: f.label || f.id || f.file, revision: f.revision, document: null });
    for (const f of known.values()) if (f.revision === null && !this.flows.includes(f)) this.flows.push(f);
    this.renderTabs();
    const has = (file) => file && this.flows.some((f) => f.file === file);
    const target = [open, this.current && this.current.file, this.flows[0] && this.flows[0].file].find(has);
    if (target) await this.open(target, Boolean(open));
    else { this.current = null; this.refresh(); }
  }

  /** Forget every loaded document and read the files again (after a rollback). */
  async reloadAll() {
    const file = this.current && this.current.file;
    this.flows = [];
    this.current = null;
    await this.reloadList();
    if (file && this.flows.some((f) => f.file === file)) await this.open(file, true);
  }

  async open(file, reload = false) {
    let flow = this.flows.find((f) => f.file === file);
    if (!flow) return;
    const pane = document.querySelector(".text-pane");
    if (pane) pane.remove(); // the text view is for one flow: leaving it drops unsaved text
    if (!flow.document || reload) {
      try {
        const res = await api.flow(file);
        const doc = res.document || {};
        doc.nodes = doc.nodes || {};
        Object.assign(flow, { revision: res.revision, document: doc, history: new History(), diagnostics: [] });
        flow.saved = clone(doc);
        if (!flow.deployed) flow.deployed = clone(doc);
        flow.label = doc.label || doc.id || file;
      } catch (err) { toast(`Could not open ${file}: ${err.message}`, "error", 10000); return; }
    }
    if (this.current) this.current.view = { ...this.canvas.view };
    this.current = flow;
    this.canvas.selected.clear();
    this.canvas.selectedWire = null;
    this.renderTabs();
    if (flow.view && !reload) { this.canvas.view = { ...flow.view }; this.canvas.applyView(); } else this.canvas.showAll();
    this.refresh();
    this.validateSoon(0);
  }

  async newFlow() {
    const name = h("input", { id: "new-flow-name", type: "text", placeholder: "my-flow", spellcheck: "false" });
    const ok = await modal("New flow", h("div", {}, h("label", { for: "new-flow-name", class: "field-label", text: "Flow id (the file is <id>.yaml)" }), name),
      [{ label: "Cancel", value: null }, { label: "Create", value: "ok", primary: true }]);
    const id = name.value.trim().replace(/\.ya?ml$/, "");
    if (ok !== "ok" || !id) return;
    const file = `${id}.yaml`;
    if (this.flows.some((f) => f.file === file)) { toast(`${file} exists already`, "error"); return; }
    const doc = { flowrt: 1, id, label: id, nodes: {} };
    const flow = { file, label: id, revision: null, document: doc, saved: null, deployed: null, history: new History(), diagnostics: [] };
    this.flows.push(flow);
    this.current = flow;
    this.renderTabs();
    this.refresh();
  }

  async deleteFlow() {
    const flow = this.current;
    if (!flow) return;
    const ok = await modal(`Delete ${flow.file}?`, h("p", { text: "The file is removed from the flows directory. Its nodes keep running until the next deploy; revisions keep its history." }),
      [{ label: "Cancel", value: null }, { label: "Delete", value: "delete", primary: true }]);
    if (ok !== "delete") return;
    try {
      if (flow.revision !== null) await api.deleteFlow(flow.file, flow.revision);
    } catch (err) {
      toast(err instanceof ApiError && err.status === 409 ? `${flow.file} changed on the server since you opened it: reload it first.` : err.message, "error", 8000);
      return;
    }
    this.flows = this.flows.filter((f) => f !== flow);
    this.current = null;
    toast(`Deleted ${flow.file}: deploy to stop its nodes.`, "ok");
    await this.reloadList();
  }

  renderTabs() {
    const bar = $("tabs");
    bar.replaceChildren();
    for (const f of this.flows) {
      const label = (f.document && f.document.label) || f.label || f.file;
      const dirty = this.dirty(f);
      const b = h("button", { type: "button", role: "tab", class: `tab${f === this.current ? " active" : ""}${dirty ? " dirty" : ""}`,
        "aria-selected": String(f === this.current), title: dirty ? `${f.file} (unsaved changes)` : f.file, "data-file": f.file }, label);
      b.addEventListener("click", () => this.open(f.file));
      bar.append(b);
    }
    const add = h("button", { type: "button", class: "tab add", title: "New flow", "aria-label": "New flow", text: "+" });
    add.addEventListener("click", () => this.newFlow());
    bar.append(add);
  }

  dirty(f) { return Boolean(f.document) && JSON.stringify(f.document) !== JSON.stringify(f.saved); }

  // ---- edits ----------------------------------------------------------------------------------
  checkpoint() { if (this.current) { this.current.history.push(this.current.document); this.lastCoalesce = null; } }

  /** Apply one change to the current document: undoable, re-rendered, revalidated. */
  edit(fn, opts = {}) {
    const flow = this.current;
    if (!flow) return;
    if (!opts.coalesce || opts.coalesce !== this.lastCoalesce) flow.history.push(flow.document);
    this.lastCoalesce = opts.coalesce || null;
    const result = fn(flow.document);
    if (result === false) { flow.history.undoStack.pop(); return; }
    this.changed(opts);
  }

  changed(opts = {}) {
    this.canvas.render();
    this.renderTabs();
    this.updateDeploy();
    if (!opts.keepPanel) renderPanel(this, $("panel-props"));
    if (!opts.layoutOnly) this.validateSoon();
  }

  undo() { this.restore(this.current && this.current.history.undo(this.current.document)); }
  redo() { this.restore(this.current && this.current.history.redo(this.current.document)); }
  restore(doc) {
    if (!doc) return;
    this.current.document = doc;
    this.lastCoalesce = null;
    this.changed();
  }

  addNode(type, x, y) {
    const info = this.typeInfo(type);
    if (!this.current) { toast("Create a flow first: the + next to the tabs.", "warning"); return null; }
    if (document.querySelector(".text-pane")) { toast("Go back to the canvas to add nodes.", "warning"); return null; }
    if (!info) return null;
    let id = null;
    this.edit((doc) => {
      id = newId(doc, type);
      doc.nodes[id] = { type };
      setPosition(doc, id, Math.round((x - NODE_W / 2) / 10) * 10, Math.round((y - NODE_H / 2) / 10) * 10);
    });
    this.selectNode(id);
    return id;
  }

  deleteSelection() {
    const c = this.canvas;
    if (c.selected.size) {
      const ids = [...c.selected];
      this.edit((doc) => removeNodes(doc, ids));
      c.selected.clear();
      this.selectionChanged();
    } else if (c.selectedWire) {
      const [from, port, to] = c.selectedWire.split(":");
      c.selectedWire = null;
      this.edit((doc) => removeWire(doc, from, Number(port), to));
    }
  }

  copy() {
    const doc = this.current && this.current.document;
    if (!doc || !this.canvas.selected.size) return;
    const ids = [...this.canvas.selected];
    this.clipboard = { nodes: Object.fromEntries(ids.map((id) => [id, clone(doc.nodes[id])])), layout: Object.fromEntries(ids.map((id) => [id, position(doc, id)])) };
    if (navigator.clipboard && window.isSecureContext) navigator.clipboard.writeText(JSON.stringify(this.clipboard)).catch(() => {});
    toast(`Copied ${ids.length} node${ids.length === 1 ? "" : "s"}`);
  }

  paste() {
    const clip = this.clipboard;
    if (!clip || !this.current) return;
    const rename = new Map();
    const fresh = [];
    this.edit((doc) => {
      const taken = new Set();
      for (const id of Object.keys(clip.nodes)) { const n = newId(doc, id.replace(/-\d+$/, ""), taken); taken.add(n); rename.set(id, n); }
      for (const [id, node] of Object.entries(clip.nodes)) {
        const copy = clone(node);
        setPorts(copy, portsOf(copy).map((p) => p.filter((t) => rename.has(t)).map((t) => rename.get(t))));
        const nid = rename.get(id);
        doc.nodes[nid] = copy;
        const [x, y] = clip.layout[id] || [40, 40];
        setPosition(doc, nid, x + 40, y + 40);
        fresh.push(nid);
      }
    });
    this.clipboard = { nodes: Object.fromEntries(fresh.map((id) => [id, clone(this.current.document.nodes[id])])),
      layout: Object.fromEntries(fresh.map((id) => [id, position(this.current.document, id)])) };
    this.canvas.select(fresh);
  }

  async autoLayout() {
    const flow = this.current;
    if (!flow) return;
    try {
      // the document as JSON is a flow text the server reads (JSON is YAML): unsaved nodes count
      const res = await api.layout(flow.file, JSON.stringify(flow.document));
      this.edit((doc) => {
        for (const [id, xy] of Object.entries(res.layout || {})) if (doc.nodes[id]) setPosition(doc, id, xy[0], xy[1]);
      }, { layoutOnly: true });
      this.canvas.showAll();
    } catch (err) { toast(err.message, "error", 8000); }
  }

  // ---- selection and panels -------------------------------------------------------------------
  selectNode(id) { this.canvas.select(id ? [id] : []); }
  /** The flow's panel with one connection opened (a problem about it was clicked). */
  showConnection(id) {
    this.canvas.select([]);
    this.showSidebar("props");
    const det = document.querySelector(`#panel-props details.connection[data-connection="${CSS.escape(id)}"]`);
    if (det) { det.open = true; det.scrollIntoView({ block: "nearest" }); }
  }

  /** Select a node and put the cursor in its first property (a double click on the node). */
  focusProperties(id) {
    this.selectNode(id);
    this.showSidebar("props");
    const first = document.querySelector("#panel-props .props-form [data-key]");
    if (first) first.focus();
  }

  /** The text view at a line (a problem that is about no node or connection was clicked). */
  showLine(line) {
    const area = document.getElementById("flow-text");
    if (area) gotoLine(area, line); else openText(this, line);
  }

  selectedId() { return this.canvas.selected.size === 1 ? [...this.canvas.selected][0] : null; }
  selectionChanged() {
    this.lastCoalesce = null;
    renderPanel(this, $("panel-props"));
    if ($("debug-filter").value === "@selected") this.debug.render();
  }
  sidebarTab(name) { return $(`tab-${name}`).getAttribute("aria-selected") === "true"; }
  showSidebar(name) {
    for (const t of ["props", "problems", "debug", "group"]) {
      $(`tab-${t}`).setAttribute("aria-selected", String(t === name));
      $(`panel-${t}`).hidden = t !== name;
    }
    if (name === "debug") this.debug.seen();
    this.group.shown(name === "group");
  }
  setZoomLabel(pct) { $("zoom-level").textContent = `${pct}%`; }

  refresh() {
    this.canvas.render();
    renderPanel(this, $("panel-props"));
    renderProblems(this, $("panel-problems"), $("count-problems"));
    this.updateDeploy();
    $("empty-hint").hidden = Boolean(this.current && Object.keys(this.current.document.nodes || {}).length);
    $("empty-hint").textContent = this.current
      ? "Drag a node type from the palette to start. Wire an output port (right) to an input port (left)."
      : "No flow yet: create one with + next to the tabs, or import one (Node-RED or flowrt).";
  }

  // ---- validation -----------------------------------------------------------------------------
  validateSoon(ms = 350) {
    clearTimeout(this.validateTimer);
    this.validateTimer = setTimeout(() => this.validate(), ms);
  }

  async validate() {
    const flow = this.current;
    if (!flow) return;
    const sent = JSON.stringify(flow.document);
    try {
      const res = await api.validate(flow.file, flow.document);
      if (JSON.stringify(flow.document) !== sent) return; // changed meanwhile: a newer check is due
      flow.diagnostics = res.diagnostics || [];
    } catch (err) {
      flow.diagnostics = [{ code: "EDITOR", severity: "error", message: `The server could not check the flow: ${err.message}` }];
    }
    if (flow === this.current) {
      this.canvas.render();
      markFields(this);
      renderProblems(this, $("panel-problems"), $("count-problems"));
      $("empty-hint").hidden = Boolean(Object.keys(flow.document.nodes || {}).length);
    }
  }

  diagnosticsByNode() {
    const m = new Map();
    for (const d of (this.current && this.current.diagnostics) || []) {
      if (!d.node) continue;
      if (!m.has(d.node)) m.set(d.node, []);
      m.get(d.node).push(d);
    }
    return m;
  }

  // ---- wiring of the page ---------------------------------------------------------------------
  bindUi() {
    $("deploy").addEventListener("click", () => this.deploy());
    $("save").addEventListener("click", () => this.save());
    $("import").addEventListener("click", () => importDialog(this));
    $("export").addEventListener("click", () => exportDialog(this));
    $("history").addEventListener("click", () => historyDialog(this));
    $("layout").addEventListener("click", () => this.autoLayout());
    $("text-view").addEventListener("click", () => openText(this));
    $("zoom-in").addEventListener("click", () => this.canvas.zoom(1.2));
    $("zoom-out").addEventListener("click", () => this.canvas.zoom(1 / 1.2));
    $("zoom-reset").addEventListener("click", () => this.canvas.resetView());
    $("undo").addEventListener("click", () => this.undo());
    $("redo").addEventListener("click", () => this.redo());
    for (const t of ["props", "problems", "debug", "group"]) $(`tab-${t}`).addEventListener("click", () => this.showSidebar(t));
    window.addEventListener("keydown", (e) => this.onKey(e));
    window.addEventListener("beforeunload", (e) => { if (this.flows.some((f) => this.dirty(f))) { e.preventDefault(); e.returnValue = ""; } });
  }

  onKey(e) {
    const mod = e.ctrlKey || e.metaKey;
    if (mod && e.key.toLowerCase() === "s") { e.preventDefault(); this.save(); return; }
    if (isTyping(e) || document.querySelector("dialog[open]")) return;
    const k = e.key.toLowerCase();
    if (e.key === "Delete" || e.key === "Backspace") { e.preventDefault(); this.deleteSelection(); }
    else if (mod && k === "c") { this.copy(); }
    else if (mod && k === "x") { this.copy(); this.deleteSelection(); }
    else if (mod && k === "v") { e.preventDefault(); this.paste(); }
    else if (mod && k === "z" && !e.shiftKey) { e.preventDefault(); this.undo(); }
    else if (mod && (k === "y" || (k === "z" && e.shiftKey))) { e.preventDefault(); this.redo(); }
    else if (mod && k === "a") { e.preventDefault(); this.canvas.select(Object.keys(this.current ? this.current.document.nodes : {})); }
    else if (e.key === "Escape") { this.canvas.select([]); }
    else if (e.key.startsWith("Arrow") && this.canvas.selected.size) {
      e.preventDefault();
      const step = e.shiftKey ? 50 : 10;
      const [dx, dy] = { ArrowLeft: [-step, 0], ArrowRight: [step, 0], ArrowUp: [0, -step], ArrowDown: [0, step] }[e.key];
      const ids = [...this.canvas.selected];
      this.edit((doc) => {
        for (const id of ids) { const [x, y] = position(doc, id); setPosition(doc, id, x + dx, y + dy); }
      }, { coalesce: `arrows:${ids.join(",")}`, layoutOnly: true, keepPanel: true });
    }
    else if (!mod && (e.key === "+" || e.key === "=")) this.canvas.zoom(1.2);
    else if (!mod && e.key === "-") this.canvas.zoom(1 / 1.2);
    else if (!mod && e.key === "0") this.canvas.resetView();
  }
}

Object.assign(App.prototype, runtimeMethods);

export { addWire };
const app = new App();
window.flowrtEditor = app;
app.start();
