// The editor application: the App class, built in layers: runtime.js (save, deploy, live
// events) <- files.js (flow tabs and files) <- edits.js (undoable edits) <- App here
// (selection, panels, validation, the page's wiring and keys).
import { api, events, onUnauthorized } from "./api.js";
import { Canvas, isTyping } from "./canvas.js";
import { addWire, position, setPosition } from "./model.js";
import { markFields, renderPanel } from "./panel.js";
import { renderProblems, DebugPanel } from "./sidebar.js";
import { importDialog, exportDialog, loginDialog, toast } from "./dialogs.js";
import { Palette } from "./palette.js";
import { historyDialog } from "./history.js";
import { findDialog } from "./find.js";
import { ContextPanel } from "./context.js";
import { GroupPanel } from "./group.js";
import { MonitorPanel } from "./monitor.js";
import { DashboardPanel } from "./dashboard_tab.js";
import { gotoLine, openText } from "./textview.js";
import { $ } from "./dom.js";
import { AppEdits } from "./edits.js";
import { groupSelection, ungroupSelection } from "./nodegroups.js";
import { subflowFromSelection, subflowInfo } from "./subflows.js";
import { portInfo } from "./subflowtabs.js";
import { loadMe } from "./roles.js";

class App extends AppEdits {
  constructor() {
    super();
    this.types = [];
    this.typeMap = new Map();
    // tabs: {file, label, revision, document, saved, deployed, history, diagnostics}
    this.flows = [];
    this.current = null;
    this.status = new Map();
    this.deployed = false;
    this.running = new Set(); // ids of the flows running on the server
    this.clipboard = null;
    this.lastCoalesce = null;
    this.validateTimer = null;
    this.canvas = new Canvas(this, $("canvas"));
    this.debug = new DebugPanel(
      this,
      $("debug-list"),
      $("debug-filter"),
      $("debug-clear"),
      $("count-debug"),
    );
    this.palette = new Palette(this, $("palette-list"), $("palette-search"));
    this.group = new GroupPanel(this, $("tab-group"), $("panel-group"));
    this.monitor = new MonitorPanel(this, $("panel-monitor"));
    this.context = new ContextPanel(this, $("panel-context"));
    this.dashboard = new DashboardPanel(this, $("panel-dashboard"));
  }

  async start() {
    this.bindUi();
    onUnauthorized(loginDialog);
    try {
      this.types = await api.nodes();
    } catch (err) {
      toast(`Could not load the node catalog: ${err.message}`, "error", 10000);
    }
    for (const t of this.types) this.typeMap.set(t.type, t);
    await loadMe(); // after the catalog: a login it asked for is done
    this.palette.render();
    let st = null;
    try {
      st = await api.state(); // first: what runs decides what counts as deployed
    } catch {
      /* no runtime state yet */
    }
    this.running = new Set((st && st.flows) || []);
    await this.reloadList();
    if (st) this.applyState(st);
    events(
      (ev) => this.onEvent(ev),
      (up) => {
        $("conn-state").className = `conn-state ${up ? "up" : "down"}`;
        $("conn-state").title = up
          ? "Connected to the runtime"
          : "Not connected to the runtime: retrying";
      },
    );
    this.debug.render();
    this.group.start();
    document.body.dataset.ready = "true"; // flows listed and opened (tests wait for this)
  }

  typeInfo(type) {
    return this.typeMap.get(type) || subflowInfo(this, type) || portInfo(type);
  }

  // ---- selection and panels -------------------------------------------------------------------
  selectNode(id) {
    this.canvas.select(id ? [id] : []);
  }
  /** The flow's panel with one connection opened (a problem about it was clicked). */
  showConnection(id) {
    this.canvas.select([]);
    this.showSidebar("props");
    const det = document.querySelector(
      `#panel-props details.connection[data-connection="${CSS.escape(id)}"]`,
    );
    if (det) {
      det.open = true;
      det.scrollIntoView({ block: "nearest" });
    }
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
    if (area) gotoLine(area, line);
    else openText(this, line);
  }

  selectedId() {
    return this.canvas.selected.size === 1 ? [...this.canvas.selected][0] : null;
  }
  selectionChanged() {
    this.lastCoalesce = null;
    renderPanel(this, $("panel-props"));
    if ($("debug-filter").value === "@selected") this.debug.render();
    if (this.sidebarTab("context")) this.context.render();
  }
  sidebarTab(name) {
    return $(`tab-${name}`).getAttribute("aria-selected") === "true";
  }
  showSidebar(name) {
    for (const t of ["props", "problems", "debug", "context", "group", "monitor", "dashboard"]) {
      $(`tab-${t}`).setAttribute("aria-selected", String(t === name));
      $(`panel-${t}`).hidden = t !== name;
    }
    if (name === "debug") this.debug.seen();
    if (name === "context") this.context.render();
    this.group.shown(name === "group");
    this.monitor.shown(name === "monitor");
    this.dashboard.shown(name === "dashboard");
  }
  setZoomLabel(pct) {
    $("zoom-level").textContent = `${pct}%`;
  }

  refresh() {
    this.canvas.render();
    renderPanel(this, $("panel-props"));
    renderProblems(this, $("panel-problems"), $("count-problems"));
    this.updateDeploy();
    this.updateHint();
    this.dashboard.update();
  }

  /** An edit, undo or redo: the Dashboard tab shows the document as it is now. */
  changed(opts = {}) {
    super.changed(opts);
    this.dashboard.update();
  }

  /** The hint on an empty canvas: shown while the flow has no node, or there is no flow. */
  updateHint() {
    $("empty-hint").hidden = Boolean(
      this.current && Object.keys(this.current.document.nodes || {}).length,
    );
    $("empty-hint").textContent = this.current
      ? "Drag a node type from the palette to start. " +
        "Wire an output port (right) to an input port (left)."
      : "No flow yet: create one with + next to the tabs, or import one (Node-RED or flowrt).";
  }

  // ---- validation -----------------------------------------------------------------------------
  validateSoon(ms = 350) {
    clearTimeout(this.validateTimer);
    this.validateTimer = setTimeout(() => this.validate(), ms);
  }

  async validate() {
    const flow = this.current && (this.current.subflowOf || this.current); // a subflow: its flow
    if (!flow) return;
    const sent = JSON.stringify(flow.document);
    try {
      const res = await api.validate(flow.file, flow.document);
      if (JSON.stringify(flow.document) !== sent) return; // changed meanwhile: a newer check is due
      flow.diagnostics = res.diagnostics || [];
    } catch (err) {
      flow.diagnostics = [
        {
          code: "EDITOR",
          severity: "error",
          message: `The server could not check the flow: ${err.message}`,
        },
      ];
    }
    if (flow === this.current) {
      this.canvas.render();
      markFields(this);
      renderProblems(this, $("panel-problems"), $("count-problems"));
      this.dashboard.update();
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
    $("deploy-mode").addEventListener("click", () => this.chooseDeployMode());
    this.showDeployMode();
    $("save").addEventListener("click", () => this.save());
    $("import").addEventListener("click", () => importDialog(this));
    $("export").addEventListener("click", () => exportDialog(this));
    $("history").addEventListener("click", () => historyDialog(this));
    $("layout").addEventListener("click", () => this.autoLayout());
    $("group-nodes").addEventListener("click", () => groupSelection(this));
    $("make-subflow").addEventListener("click", () => subflowFromSelection(this));
    $("find").addEventListener("click", () => findDialog(this));
    $("text-view").addEventListener("click", () => openText(this));
    $("zoom-in").addEventListener("click", () => this.canvas.zoom(1.2));
    $("zoom-out").addEventListener("click", () => this.canvas.zoom(1 / 1.2));
    $("zoom-reset").addEventListener("click", () => this.canvas.resetView());
    $("undo").addEventListener("click", () => this.undo());
    $("redo").addEventListener("click", () => this.redo());
    for (const t of ["props", "problems", "debug", "context", "group", "monitor", "dashboard"])
      $(`tab-${t}`).addEventListener("click", () => this.showSidebar(t));
    window.addEventListener("keydown", (e) => this.onKey(e));
    window.addEventListener("beforeunload", (e) => {
      if (this.flows.some((f) => this.dirty(f))) {
        e.preventDefault();
        e.returnValue = "";
      }
    });
  }

  onKey(e) {
    const mod = e.ctrlKey || e.metaKey;
    if (mod && e.key.toLowerCase() === "s") {
      e.preventDefault();
      this.save();
      return;
    }
    if (mod && e.key.toLowerCase() === "f" && !document.querySelector("dialog[open]")) {
      e.preventDefault();
      findDialog(this);
      return;
    }
    if (isTyping(e) || document.querySelector("dialog[open]")) return;
    const k = e.key.toLowerCase();
    if (e.key === "Delete" || e.key === "Backspace") {
      e.preventDefault();
      this.deleteSelection();
    } else if (mod && k === "c") {
      this.copy();
    } else if (mod && k === "x") {
      this.copy();
      this.deleteSelection();
    } else if (mod && k === "v") {
      e.preventDefault();
      this.paste();
    } else if (mod && k === "z" && !e.shiftKey) {
      e.preventDefault();
      this.undo();
    } else if (mod && (k === "y" || (k === "z" && e.shiftKey))) {
      e.preventDefault();
      this.redo();
    } else if (mod && k === "g") {
      e.preventDefault();
      if (e.shiftKey) ungroupSelection(this);
      else groupSelection(this);
    } else if (mod && k === "a") {
      e.preventDefault();
      this.canvas.select(Object.keys(this.current ? this.current.document.nodes : {}));
    } else if (e.key === "Escape") {
      this.canvas.select([]);
    } else if (e.key.startsWith("Arrow") && this.canvas.selected.size) {
      e.preventDefault();
      const step = e.shiftKey ? 50 : 10;
      const [dx, dy] = {
        ArrowLeft: [-step, 0],
        ArrowRight: [step, 0],
        ArrowUp: [0, -step],
        ArrowDown: [0, step],
      }[e.key];
      const ids = [...this.canvas.selected];
      this.edit(
        (doc) => {
          for (const id of ids) {
            const [x, y] = position(doc, id);
            setPosition(doc, id, x + dx, y + dy);
          }
        },
        { coalesce: `arrows:${ids.join(",")}`, layoutOnly: true, keepPanel: true },
      );
    } else if (!mod && (e.key === "+" || e.key === "=")) this.canvas.zoom(1.2);
    else if (!mod && e.key === "-") this.canvas.zoom(1 / 1.2);
    else if (!mod && e.key === "0") this.canvas.resetView();
  }
}

export { addWire };
const app = new App();
window.flowrtEditor = app;
app.start();
