// The right sidebar's problems list and debug messages.
import { h } from "./dom.js";
import { togglePath } from "./paths.js";

/** The problems list: every diagnostic of the current flow; a click selects its node. */
export function renderProblems(app, box, countEl) {
  const flow = app.current;
  const diags = (flow && flow.diagnostics) || [];
  box.replaceChildren();
  countEl.textContent = diags.length ? String(diags.length) : "";
  const worst = diags.some((d) => d.severity === "error")
    ? " error"
    : diags.length
      ? " warning"
      : "";
  countEl.className = `tab-count${worst}`;
  if (!diags.length) {
    box.append(
      h("p", { class: "empty", text: flow ? "No problems found in this flow." : "No flow open." }),
    );
    return;
  }
  const list = h("ul", { class: "problems" });
  for (const d of diags) {
    const where = [d.node, d.path].filter(Boolean).join(" · ");
    const item = h(
      "li",
      { class: `problem sev-${d.severity}`, tabindex: "0", "data-node": d.node || "" },
      h(
        "div",
        { class: "problem-head" },
        h("span", { class: `sev sev-${d.severity}`, text: d.severity }),
        h("span", { class: "code", text: d.code || "" }),
        d.line
          ? h("span", { class: "line", text: `line ${d.line}${d.column ? `:${d.column}` : ""}` })
          : null,
      ),
      h("div", { class: "problem-msg", text: d.message }),
      where ? h("div", { class: "problem-where", text: where }) : null,
      d.hint ? h("div", { class: "problem-hint", text: d.hint }) : null,
    );
    const go = () => {
      if (d.node && flow.document.nodes[d.node]) {
        app.selectNode(d.node);
        return;
      }
      const path = Array.isArray(d.path) ? d.path : String(d.path || "").split(/[./]/);
      const conn =
        d.node && flow.document.connections && d.node in flow.document.connections
          ? d.node
          : path[0] === "connections"
            ? path[1]
            : null;
      if (conn) app.showConnection(conn);
      else if (d.line) app.showLine(d.line);
    };
    item.addEventListener("click", go);
    item.addEventListener("keydown", (e) => {
      if (e.key === "Enter") go();
    });
    list.append(item);
  }
  box.append(list);
}

/** A value as an expandable tree (objects and arrays collapse past the first level). */
export function valueTree(v, depth = 0) {
  // NaN and the infinities come as Node-RED's debug view sends them (JSON has no such numbers)
  if (v && v.__enc__ === true && v.type === "number" && typeof v.data === "string")
    return h("span", { class: "v v-number", text: v.data });
  if (v === null || typeof v !== "object") {
    const t = v === null ? "null" : typeof v;
    return h("span", { class: `v v-${t}`, text: t === "string" ? JSON.stringify(v) : String(v) });
  }
  const isArr = Array.isArray(v);
  const keys = Object.keys(v);
  const summary = isArr
    ? `array[${v.length}]`
    : `object {${keys.slice(0, 4).join(", ")}${keys.length > 4 ? ", …" : ""}}`;
  const det = h("details", { class: "tree" }, h("summary", { text: summary }));
  if (depth === 0) det.open = true;
  let filled = false;
  const fill = () => {
    if (filled) return;
    filled = true;
    const ul = h("ul");
    for (const k of keys.slice(0, 500))
      ul.append(h("li", {}, h("span", { class: "k", text: `${k}: ` }), valueTree(v[k], depth + 1)));
    if (keys.length > 500)
      ul.append(h("li", { class: "more", text: `… ${keys.length - 500} more` }));
    det.append(ul);
  };
  if (det.open) fill();
  else det.addEventListener("toggle", fill, { once: true });
  return det;
}

export class DebugPanel {
  constructor(app, box, filterSel, clearBtn, countEl) {
    this.app = app;
    this.box = box;
    this.filterSel = filterSel;
    this.countEl = countEl;
    this.messages = [];
    this.unseen = 0;
    filterSel.addEventListener("change", () => this.render());
    clearBtn.addEventListener("click", () => {
      this.messages = [];
      this.render();
    });
  }

  add(ev) {
    this.messages.push(ev);
    if (this.messages.length > 500) this.messages.shift();
    if (!this.app.sidebarTab("debug")) this.unseen++;
    this.refreshFilter();
    const hint = this.box.querySelector(".empty");
    if (hint) hint.remove();
    // follow new messages only while the list is scrolled to its end: a reader is not moved
    const box = this.box;
    const atEnd = box.scrollHeight - box.scrollTop - box.clientHeight < 24;
    if (this.passes(ev)) box.append(this.entry(ev));
    while (box.children.length > 500) box.firstChild.remove();
    if (atEnd) box.scrollTop = box.scrollHeight;
    this.countEl.textContent = this.unseen ? String(this.unseen) : "";
  }

  seen() {
    this.unseen = 0;
    this.countEl.textContent = "";
  }

  passes(ev) {
    const f = this.filterSel.value;
    if (!f) return true;
    if (f === "@selected") return this.app.canvas.selected.has(this.app.localId(ev.node));
    if (f === "@flow") return this.app.flowOf(ev.node) === this.app.current;
    return ev.node === f;
  }

  refreshFilter() {
    const nodes = [...new Set(this.messages.map((m) => m.node))].sort();
    const have = new Set([...this.filterSel.options].map((o) => o.value));
    for (const n of nodes)
      if (!have.has(n))
        this.filterSel.append(h("option", { value: n, text: this.app.nodeLabel(n) }));
  }

  entry(ev) {
    const t = ev.time
      ? new Date(typeof ev.time === "number" && ev.time < 1e11 ? ev.time * 1000 : ev.time)
      : new Date();
    const id = this.app.localId(ev.node);
    const nodeBtn = h("button", {
      class: "link",
      type: "button",
      text: this.app.nodeLabel(ev.node),
      title: "Show this node in its flow",
    });
    nodeBtn.addEventListener("click", () => this.app.revealNode(ev.node));
    const msg = ev.msg;
    // a debug node showing the payload sends {payload, _msgid[, topic]}: show msg.payload, as
    // Node-RED does
    const payloadOnly =
      msg &&
      typeof msg === "object" &&
      !Array.isArray(msg) &&
      "payload" in msg &&
      Object.keys(msg).every((k) => k === "payload" || k === "_msgid" || k === "topic");
    const body = payloadOnly
      ? h("div", {}, h("span", { class: "k", text: "msg.payload: " }), valueTree(msg.payload))
      : valueTree(msg);
    if (ev.level === "error") {
      return h(
        "div",
        { class: "debug-msg error", "data-node": ev.node },
        h(
          "div",
          { class: "debug-head" },
          h("time", { text: isNaN(t) ? "" : t.toLocaleTimeString() }),
          nodeBtn,
          h("span", { class: "sev-error", text: "error" }),
        ),
        h("div", { class: "debug-body", text: String(ev.msg) }),
      );
    }
    // a message whose path the server kept: a button shows it on the canvas (paths.js)
    let pathBtn = null;
    if (ev.trace) {
      pathBtn = h("button", {
        class: "path-button",
        type: "button",
        text: "path",
        title: "Show the nodes this message went through, with their times",
      });
      pathBtn.addEventListener("click", () => togglePath(this.app, ev));
    }
    const shown = this.app.pathView && this.app.pathView.trace === ev.trace;
    return h(
      "div",
      {
        class: `debug-msg${shown ? " on-path" : ""}`,
        "data-node": ev.node,
        "data-trace": ev.trace || null,
      },
      h(
        "div",
        { class: "debug-head" },
        h("time", { text: isNaN(t) ? "" : t.toLocaleTimeString() }),
        nodeBtn,
        msg && msg.topic ? h("span", { class: "topic", text: `topic: ${msg.topic}` }) : null,
        pathBtn,
      ),
      h("div", { class: "debug-body" }, body),
    );
  }

  render() {
    this.box.replaceChildren(
      ...this.messages.filter((m) => this.passes(m)).map((m) => this.entry(m)),
    );
    if (!this.messages.length)
      this.box.append(
        h("p", {
          class: "empty",
          text: "Messages that reach debug nodes appear here after a deploy.",
        }),
      );
  }
}
