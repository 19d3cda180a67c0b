// Drawing the canvas: the SVG of nodes (boxes, ports, labels, status, diagnostics) and wires
// (curves between ports), from the app's current flow. The base of Canvas (canvas.js), which adds
// the view (zoom, pan) and the pointer (select, move, wire).
import { NODE_W, NODE_H, wires, position, outputCount, inputCount } from "./model.js";
import { iconOf } from "./icons.js";
import { h as element } from "./dom.js";
import { summary } from "./summary.js";
import { drawGroups } from "./nodegroups.js";

export const SVG = "http://www.w3.org/2000/svg";
export const PORT_R = 5;

export function el(name, attrs = {}, parent = null) {
  const e = document.createElementNS(SVG, name);
  for (const [k, v] of Object.entries(attrs)) if (v != null) e.setAttribute(k, String(v));
  if (parent) parent.appendChild(e);
  return e;
}

export function curve(x1, y1, x2, y2) {
  const dx = Math.max(40, Math.abs(x2 - x1) / 2);
  return `M${x1},${y1} C${x1 + dx},${y1} ${x2 - dx},${y2} ${x2},${y2}`;
}

const MAX_W = 420; // a longer label is cut with an ellipsis
const TEXT_X = 34; // where the label starts, after the stripe and the icon
let measure = null;

/** The width of `text` in the canvas's label font (a 2D context measures it). */
function textWidth(text, px) {
  measure = measure || element("canvas").getContext("2d");
  measure.font = `${px}px ${getComputedStyle(document.body).fontFamily}`;
  return measure.measureText(text).width;
}

function fitted(text, px, room) {
  if (textWidth(text, px) <= room) return text;
  let cut = text;
  while (cut.length > 1 && textWidth(`${cut}…`, px) > room) cut = cut.slice(0, -1);
  return `${cut}…`;
}

export class CanvasDrawing {
  /** A node's width: wide enough for its label (not its summary, which is cut to fit: a
   * layout made for the usual width stays readable), within NODE_W..MAX_W. */
  nodeWidth(doc, id) {
    const node = doc.nodes[id];
    if (!node) return NODE_W;
    const text = textWidth(node.label || id, 12.5);
    return Math.min(MAX_W, Math.max(NODE_W, Math.ceil((TEXT_X + text + 14) / 10) * 10));
  }

  render() {
    const flow = this.app.current;
    this.wireLayer.replaceChildren();
    this.nodeLayer.replaceChildren();
    this.groupLayer.replaceChildren();
    this.applyView();
    if (!flow) return;
    const doc = flow.document;
    for (const id of [...this.selected]) if (!(id in (doc.nodes || {}))) this.selected.delete(id);
    if (!(doc.groups && this.selectedGroup in doc.groups)) this.selectedGroup = null;
    drawGroups(this, doc, this.groupLayer);
    const diags = this.app.diagnosticsByNode();
    for (const [id, node] of Object.entries(doc.nodes || {}))
      this.renderNode(doc, id, node, diags.get(id));
    for (const w of wires(doc)) this.renderWire(doc, w);
  }

  portXY(doc, id, kind, port = 0) {
    const [x, y] = position(doc, id);
    const node = doc.nodes[id];
    if (kind === "in") return [x, y + NODE_H / 2];
    const n = Math.max(1, outputCount(node, this.app.typeInfo(node.type)));
    const h = Math.max(NODE_H, n * 14 + 8);
    return [x + this.nodeWidth(doc, id), y + (n === 1 ? NODE_H / 2 : ((port + 0.5) * h) / n)];
  }

  renderNode(doc, id, node, diags) {
    const info = this.app.typeInfo(node.type);
    const [x, y] = position(doc, id);
    const nOut = outputCount(node, info);
    const h = Math.max(NODE_H, nOut * 14 + 8);
    const cat = info ? info.category : "unknown";
    const onPath = this.app.pathView && this.app.pathView.at(doc, id); // paths.js
    const g = el(
      "g",
      {
        class: [
          `node cat-${cat}`,
          this.selected.has(id) ? " selected" : "",
          node.disabled ? " disabled" : "",
          info ? "" : " unknown",
          onPath ? " on-path" : "",
        ].join(""),
        transform: `translate(${x},${y})`,
        "data-id": id,
        "data-type": node.type,
      },
      this.nodeLayer,
    );
    const w = this.nodeWidth(doc, id);
    el("rect", { class: "node-box", width: w, height: h, rx: 6 }, g);
    el("rect", { class: "node-stripe", width: 8, height: h, rx: 3 }, g);
    el("path", { class: "node-icon", d: iconOf(info), transform: `translate(13,${h / 2 - 8})` }, g);
    const said = summary(node);
    const room = w - TEXT_X - 10;
    const label = el("text", { class: "node-label", x: TEXT_X, y: h / 2 + (said ? -1 : 4) }, g);
    label.textContent = fitted(node.label || id, 12.5, room);
    if (said) {
      const sub = el("text", { class: "node-summary", x: TEXT_X, y: h / 2 + 11 }, g);
      sub.textContent = fitted(said, 10.5, room);
    }
    el("title", {}, g).textContent = `${id} (${node.type})${said ? `: ${said}` : ""}`;
    if (inputCount(node, info) > 0) {
      el("circle", { class: "port port-in", cx: 0, cy: NODE_H / 2, r: PORT_R, "data-id": id }, g);
    }
    for (let p = 0; p < nOut; p++) {
      const cy = nOut === 1 ? NODE_H / 2 : ((p + 0.5) * h) / nOut;
      const port = el(
        "circle",
        { class: "port port-out", cx: w, cy, r: PORT_R, "data-id": id, "data-port": p },
        g,
      );
      if (nOut > 1) el("title", {}, port).textContent = `output ${p}`;
    }
    if (node.type === "inject" && this.app.deployed) {
      const b = el(
        "g",
        { class: "inject-button", transform: `translate(-24,${h / 2 - 9})`, "data-inject": id },
        g,
      );
      el("rect", { width: 18, height: 18, rx: 4 }, b);
      el("path", { d: "M6,5 L13,9 L6,13 Z" }, b);
      el("title", {}, b).textContent = "Send a message now (deployed flow)";
    }
    if (diags && diags.length) {
      const err = diags.some((d) => d.severity === "error");
      const b = el(
        "g",
        {
          class: `badge ${err ? "badge-error" : "badge-warning"}`,
          transform: `translate(${w - 4},-4)`,
        },
        g,
      );
      el("circle", { r: 9 }, b);
      el("text", { y: 4, "text-anchor": "middle" }, b).textContent = String(diags.length);
      el("title", {}, b).textContent = diags.map((d) => `${d.code}: ${d.message}`).join("\n");
    }
    if (onPath) {
      // the message's order on its path and the time this node had it
      const t = el("g", { class: "path-time", transform: `translate(${w / 2},-8)` }, g);
      el("rect", { x: -34, y: -11, width: 68, height: 15, rx: 7 }, t);
      el("text", { y: 0, "text-anchor": "middle" }, t).textContent = onPath.text;
      el("title", {}, t).textContent = `visit ${onPath.order} of the path: ${onPath.text}`;
    }
    const st = this.app.statusOf(id);
    if (st && (st.text || st.fill)) {
      const s = el("g", { class: "node-status", transform: `translate(4,${h + 14})` }, g);
      const shape = st.shape === "ring" ? "ring" : "dot";
      el(
        "rect",
        {
          class: `status-${shape} fill-${st.fill || "grey"}`,
          x: 0,
          y: -8,
          width: 8,
          height: 8,
          rx: shape === "dot" ? 2 : 4,
        },
        s,
      );
      const t = String(st.text || "");
      el("text", { x: 13, y: 0 }, s).textContent = t.length > 32 ? `${t.slice(0, 31)}…` : t;
      if (t.length > 32) el("title", {}, s).textContent = t;
    }
  }

  renderWire(doc, w) {
    if (!doc.nodes[w.from]) return;
    if (!doc.nodes[w.to]) {
      // a subflow's `$out.N` is drawn in the subflow's own tab, where it is a node
      if (!String(w.to).startsWith("$")) this.renderBrokenWire(doc, w);
      return;
    }
    const [x1, y1] = this.portXY(doc, w.from, "out", w.port);
    const [x2, y2] = this.portXY(doc, w.to, "in");
    const key = `${w.from}:${w.port}:${w.to}`;
    const sel = this.selectedWire === key || this.selected.has(w.from) || this.selected.has(w.to);
    const on = this.app.pathView && this.app.pathView.wire(doc, w.from, w.to); // paths.js
    const d = curve(x1, y1, x2, y2);
    el("path", { class: "wire-hit", d, "data-wire": key }, this.wireLayer);
    el(
      "path",
      {
        class: `wire${sel ? " selected" : ""}${on ? " on-path" : ""}`,
        d,
        "data-from": w.from,
        "data-to": w.to,
        "data-port": w.port,
      },
      this.wireLayer,
    );
  }

  /** A wire to a node the flow does not have: a dashed stub ending in a cross and the id. */
  renderBrokenWire(doc, w) {
    const [x1, y1] = this.portXY(doc, w.from, "out", w.port);
    const key = `${w.from}:${w.port}:${w.to}`;
    const sel = this.selectedWire === key || this.selected.has(w.from);
    const d = `M${x1},${y1} L${x1 + 50},${y1}`;
    el("path", { class: "wire-hit", d, "data-wire": key }, this.wireLayer);
    const g = el(
      "g",
      {
        class: `wire-broken${sel ? " selected" : ""}`,
        "data-from": w.from,
        "data-to": w.to,
        "data-port": w.port,
      },
      this.wireLayer,
    );
    el("path", { class: "wire", d }, g);
    el("path", { class: "wire-cross", d: `M${x1 + 46},${y1 - 4} l8,8 m0,-8 l-8,8` }, g);
    const label = el("text", { x: x1 + 58, y: y1 + 4 }, g);
    label.textContent = `${w.to}?`;
    el("title", {}, g).textContent = `A wire to '${w.to}', which is not in this flow`;
  }
}
