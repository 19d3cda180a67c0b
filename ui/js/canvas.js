// The SVG canvas: nodes as boxes with ports, wires as curves, status and diagnostics under and on
// each node (drawn by draw.js); selection, moving, wiring, rubber-band, zoom and pan. It reads the
// app's current flow and changes it only through app.edit(), so every change is undoable and
// revalidated.
import { NODE_H, portsOf, position, setPosition, addWire } from "./model.js";
import { CanvasDrawing, curve, el } from "./draw.js";
import { groupNodes } from "./nodegroups.js";
import { openSubflow } from "./subflowtabs.js";

export class Canvas extends CanvasDrawing {
  constructor(app, svg) {
    super();
    this.app = app;
    this.svg = svg;
    this.view = { x: 0, y: 0, k: 1 };
    this.selected = new Set();
    this.selectedWire = null;
    this.selectedGroup = null;
    this.drag = null;
    this.spaceDown = false;
    el("defs", {}, svg).innerHTML =
      '<pattern id="grid" width="20" height="20" patternUnits="userSpaceOnUse">' +
      '<circle cx="1" cy="1" r="1" class="grid-dot"/></pattern>';
    this.bg = el(
      "rect",
      { class: "canvas-bg", width: "100%", height: "100%", fill: "url(#grid)" },
      svg,
    );
    this.root = el("g", { class: "viewport" }, svg);
    this.groupLayer = el("g", { class: "groups" }, this.root);
    this.wireLayer = el("g", { class: "wires" }, this.root);
    this.nodeLayer = el("g", { class: "nodes" }, this.root);
    this.overlay = el("g", { class: "overlay" }, this.root);
    svg.addEventListener("pointerdown", (e) => this.onDown(e));
    window.addEventListener("pointermove", (e) => this.onMove(e));
    window.addEventListener("pointerup", (e) => this.onUp(e));
    svg.addEventListener("wheel", (e) => this.onWheel(e), { passive: false });
    svg.addEventListener("dblclick", (e) => {
      const g = e.target.closest && e.target.closest("g.node");
      // an instance of a subflow opens its definition
      if (g && g.dataset.type.startsWith("subflow:"))
        openSubflow(this.app, g.dataset.type.slice(8));
      else if (g) this.app.focusProperties(g.dataset.id);
    });
    // Space held down pans with the pointer; a focused button is not pressed by it, unless the
    // Space was a plain press (no panning), which still activates the button from the keyboard
    window.addEventListener("keydown", (e) => {
      if (e.code !== "Space" || isTyping(e)) return;
      if (!this.spaceDown) this.spacePanned = false;
      this.spaceDown = true;
      if (e.target.closest && e.target.closest("button")) e.preventDefault();
    });
    window.addEventListener("keyup", (e) => {
      if (e.code !== "Space") return;
      this.spaceDown = false;
      const button = !isTyping(e) && e.target.closest && e.target.closest("button");
      if (!button) return;
      e.preventDefault();
      if (!this.spacePanned) button.click();
    });
  }

  /** Canvas coordinates of a pointer event. */
  point(e) {
    const r = this.svg.getBoundingClientRect();
    return [
      (e.clientX - r.left - this.view.x) / this.view.k,
      (e.clientY - r.top - this.view.y) / this.view.k,
    ];
  }

  applyView() {
    const { x, y, k } = this.view;
    this.root.setAttribute("transform", `translate(${x},${y}) scale(${k})`);
    this.bg.setAttribute("transform", "");
    this.app.setZoomLabel(Math.round(k * 100));
  }

  zoom(factor, cx = null, cy = null) {
    const r = this.svg.getBoundingClientRect();
    const px = cx ?? r.width / 2;
    const py = cy ?? r.height / 2;
    const k = Math.min(3, Math.max(0.2, this.view.k * factor));
    this.view.x = px - ((px - this.view.x) * k) / this.view.k;
    this.view.y = py - ((py - this.view.y) * k) / this.view.k;
    this.view.k = k;
    this.applyView();
  }

  /** Move the view so that node `id` is in the middle (the zoom stays). */
  centerOn(id) {
    const doc = this.app.current && this.app.current.document;
    if (!doc || !doc.nodes || !(id in doc.nodes)) return;
    const [x, y] = position(doc, id);
    const r = this.svg.getBoundingClientRect();
    this.view.x = r.width / 2 - (x + this.nodeWidth(doc, id) / 2) * this.view.k;
    this.view.y = r.height / 2 - (y + NODE_H / 2) * this.view.k;
    this.applyView();
  }

  /** Show the flow: at 100% when it fits, else zoomed out to fit (not below 70%, to stay
   * readable). */
  showAll(minZoom = 0.7) {
    const doc = this.app.current && this.app.current.document;
    const ids = Object.keys((doc && doc.nodes) || {});
    this.view = { x: 0, y: 0, k: 1 };
    if (!ids.length) return this.applyView();
    const ps = ids.map((id) => position(doc, id));
    const minX = Math.min(...ps.map((p) => p[0]));
    const minY = Math.min(...ps.map((p) => p[1]));
    const maxX = Math.max(...ids.map((id, i) => ps[i][0] + this.nodeWidth(doc, id)));
    const maxY = Math.max(...ps.map((p) => p[1])) + NODE_H + 20;
    const r = this.svg.getBoundingClientRect();
    const margin = 40;
    const k = Math.max(
      minZoom,
      Math.min(
        1,
        (r.width - 2 * margin) / (maxX - minX),
        (r.height - 2 * margin - 40) / (maxY - minY),
      ),
    );
    const inView = minX >= 20 && minY >= 20 && maxX <= r.width - 20 && maxY <= r.height - 60;
    if (!inView) this.view = { x: margin - minX * k, y: margin - minY * k, k };
    this.applyView();
  }

  resetView() {
    this.view = { x: 0, y: 0, k: 1 };
    this.applyView();
  }

  select(ids, add = false) {
    if (!add) this.selected.clear();
    this.selectedGroup = null;
    for (const id of ids) this.selected.add(id);
    this.selectedWire = null;
    this.app.selectionChanged();
    this.render();
  }

  /** Select a group: its nodes, and the group itself for the properties panel. */
  selectGroup(gid) {
    this.select(groupNodes(this.app.current.document, gid));
    this.selectedGroup = gid;
    this.app.selectionChanged();
    this.render();
  }

  onDown(e) {
    if (!this.app.current) return;
    const t = e.target;
    const doc = this.app.current.document;
    if (e.button === 1 || (e.button === 0 && (this.spaceDown || (e.ctrlKey && t === this.bg)))) {
      if (this.spaceDown) this.spacePanned = true;
      this.drag = { kind: "pan", sx: e.clientX, sy: e.clientY, vx: this.view.x, vy: this.view.y };
      this.svg.classList.add("panning");
      e.preventDefault();
      return;
    }
    if (e.button !== 0) return;
    const groupLabel = t.classList.contains("group-label") && t.dataset.group;
    if (groupLabel) {
      // a group's label selects its nodes; dragging it moves them
      this.selectGroup(groupLabel);
      const [px, py] = this.point(e);
      const start = new Map([...this.selected].map((n) => [n, position(doc, n)]));
      this.drag = { kind: "move", px, py, start, moved: false };
      e.preventDefault();
      return;
    }
    const inject = t.closest && t.closest("[data-inject]");
    if (inject) {
      this.app.inject(inject.dataset.inject);
      e.stopPropagation();
      return;
    }
    if (t.classList.contains("port-out")) {
      const id = t.dataset.id;
      const port = Number(t.dataset.port);
      const [x, y] = this.portXY(doc, id, "out", port);
      this.drag = {
        kind: "wire",
        from: id,
        port,
        line: el("path", { class: "wire drawing", d: curve(x, y, x, y) }, this.overlay),
        x,
        y,
      };
      e.preventDefault();
      return;
    }
    if (t.classList.contains("wire-hit")) {
      this.selected.clear();
      this.selectedGroup = null;
      this.selectedWire = t.dataset.wire;
      this.app.selectionChanged();
      this.render();
      return;
    }
    const g = t.closest && t.closest("g.node");
    if (g) {
      const id = g.dataset.id;
      if (e.shiftKey) {
        this.selectedGroup = null;
        if (this.selected.has(id)) this.selected.delete(id);
        else this.selected.add(id);
        this.selectedWire = null;
        this.app.selectionChanged();
        this.render();
        return;
      }
      if (!this.selected.has(id)) {
        this.selected.clear();
        this.selectedGroup = null;
        this.selected.add(id);
        this.selectedWire = null;
        this.app.selectionChanged();
        this.render();
      }
      const [px, py] = this.point(e);
      const start = new Map([...this.selected].map((n) => [n, position(doc, n)]));
      this.drag = { kind: "move", px, py, start, moved: false };
      e.preventDefault();
      return;
    }
    // background: rubber-band selection (shift adds to the selection)
    const [px, py] = this.point(e);
    const rect = el("rect", { class: "rubber", x: px, y: py, width: 0, height: 0 }, this.overlay);
    this.drag = { kind: "band", px, py, rect, add: e.shiftKey };
    this.selectedGroup = null;
    if (!e.shiftKey) {
      this.selected.clear();
      this.selectedWire = null;
    }
    e.preventDefault();
  }

  onMove(e) {
    // where the pointer is on the canvas, if it is (a paste goes there)
    this.pointer = e.target && this.svg.contains(e.target) ? this.point(e) : null;
    const d = this.drag;
    if (!d) return;
    if (d.kind === "pan") {
      this.view.x = d.vx + e.clientX - d.sx;
      this.view.y = d.vy + e.clientY - d.sy;
      this.applyView();
      return;
    }
    const [px, py] = this.point(e);
    if (d.kind === "wire") {
      d.line.setAttribute("d", curve(d.x, d.y, px, py));
    } else if (d.kind === "move") {
      const dx = px - d.px;
      const dy = py - d.py;
      if (!d.moved && Math.hypot(dx, dy) < 3) return;
      if (!d.moved) {
        this.app.checkpoint();
        d.moved = true;
      }
      const doc = this.app.current.document;
      for (const [id, [x0, y0]] of d.start) setPosition(doc, id, snap(x0 + dx), snap(y0 + dy));
      this.render();
    } else if (d.kind === "band") {
      const x = Math.min(px, d.px);
      const y = Math.min(py, d.py);
      Object.entries({ x, y, width: Math.abs(px - d.px), height: Math.abs(py - d.py) }).forEach(
        ([k, v]) => d.rect.setAttribute(k, v),
      );
    }
  }

  onUp(e) {
    const d = this.drag;
    if (!d) return;
    this.drag = null;
    this.svg.classList.remove("panning");
    if (d.kind === "wire") {
      d.line.remove();
      const hit = document.elementFromPoint(e.clientX, e.clientY);
      let target =
        hit && hit.classList && hit.classList.contains("port-in") ? hit.dataset.id : null;
      if (!target && hit && hit.closest) {
        const g = hit.closest("g.node");
        const info = g && this.app.typeInfo(g.dataset.type);
        if (g && (!info || info.inputs > 0)) target = g.dataset.id;
      }
      if (target && target !== d.from) {
        this.app.edit((doc) => addWire(doc, d.from, d.port, target));
      }
    } else if (d.kind === "move" && d.moved) {
      this.app.changed({ layoutOnly: true });
    } else if (d.kind === "band") {
      const x = Number(d.rect.getAttribute("x"));
      const y = Number(d.rect.getAttribute("y"));
      const w = Number(d.rect.getAttribute("width"));
      const h = Number(d.rect.getAttribute("height"));
      d.rect.remove();
      const doc = this.app.current.document;
      for (const id of Object.keys(doc.nodes || {})) {
        const [nx, ny] = position(doc, id);
        const nw = this.nodeWidth(doc, id);
        if (nx + nw > x && nx < x + w && ny + NODE_H > y && ny < y + h) this.selected.add(id);
      }
      this.app.selectionChanged();
      this.render();
    }
  }

  onWheel(e) {
    e.preventDefault();
    const r = this.svg.getBoundingClientRect();
    this.zoom(Math.exp(-e.deltaY * 0.0015), e.clientX - r.left, e.clientY - r.top);
  }
}

function snap(v) {
  return Math.round(v / 10) * 10;
}

export function isTyping(e) {
  const t = e.target;
  return (
    t &&
    (t.tagName === "INPUT" ||
      t.tagName === "TEXTAREA" ||
      t.tagName === "SELECT" ||
      t.isContentEditable)
  );
}

export { portsOf };
