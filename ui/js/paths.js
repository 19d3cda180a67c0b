// The path of a debug message: the nodes and wires it went through, highlighted on the canvas
// with each node's time, and its visits listed in order in the debug sidebar. The server
// records the path of a sample of messages (flowrt serve --path-sample); a debug message whose
// path it kept names its trace, and gets a "path" button.
import { api } from "./api.js";
import { $, h } from "./dom.js";
import { toast } from "./dialogs.js";

/** A duration in microseconds as people read it: 7.5 µs, 420 µs, 1.25 ms, 2.40 s. */
export function formatTime(us) {
  if (us === null || us === undefined) return "still there";
  if (us < 10) return `${us.toFixed(1)} µs`;
  if (us < 1000) return `${Math.round(us)} µs`;
  if (us < 10000) return `${(us / 1000).toFixed(2)} ms`;
  if (us < 1e6) return `${(us / 1000).toFixed(1)} ms`;
  return `${(us / 1e6).toFixed(2)} s`;
}

/** The visits of one message's path, as the canvas asks for them: which node of a flow's
 * document a visit is (a subflow instance's inner node is the instance, or the inner node in
 * the subflow's own tab), its time, and the wires between visits. */
export class PathView {
  constructor(app, trace, visits) {
    this.app = app;
    this.trace = trace;
    this.visits = visits;
  }

  /** The id in `doc` of the node a visit's `node` is, or null when `doc` has none. */
  local(doc, node) {
    const nodes = (doc && doc.nodes) || {};
    const s = String(node);
    if (s in nodes) return s;
    const cut = s.indexOf("/");
    if (cut < 0) return null;
    if (this.app.current && this.app.current.subflowOf && s.slice(cut + 1) in nodes)
      return s.slice(cut + 1);
    return s.slice(0, cut) in nodes ? s.slice(0, cut) : null;
  }

  /** {order, text, error} of node `id` of `doc` on the path (its visits' times summed), or
   * null when the message did not go through it. */
  at(doc, id) {
    const mine = this.visits
      .map((v, i) => [v, i])
      .filter(([v]) => this.local(doc, v.node) === id);
    if (!mine.length) return null;
    const still = mine.some(([v]) => v.duration_us === null);
    const total = mine.reduce((sum, [v]) => sum + (v.duration_us || 0), 0);
    let text = still ? formatTime(null) : formatTime(total);
    if (mine.length > 1) text = `${mine.length}× ${text}`;
    return { order: mine[0][1] + 1, text, error: mine.some(([v]) => v.error) };
  }

  /** Whether the message went along the wire from `from` to `to` of `doc`. */
  wire(doc, from, to) {
    return this.visits.some(
      (v) =>
        v.from !== null &&
        this.local(doc, v.node) === to &&
        this.local(doc, this.visits[v.from].node) === from,
    );
  }

  /** Whether a flow tab holds nodes of the path. */
  crosses(flow) {
    return this.visits.some((v) => this.app.flowOf(v.node) === flow);
  }
}

/** Show the path of debug event `ev` (again: hide it). */
export async function togglePath(app, ev) {
  if (app.pathView && app.pathView.event === ev) {
    clearPath(app);
    return;
  }
  let found;
  try {
    found = await api.path(ev.trace);
  } catch (err) {
    toast(`No path to show: ${(err.body && err.body.error) || err.message}`, "warning", 6000);
    return;
  }
  // the flow of the debug node that showed it; the other tabs it went through are marked
  const shown = app.flowOf(ev.node);
  if (shown && shown !== app.current && !(app.current && app.current.subflowOf === shown))
    await app.open(shown.file);
  app.pathView = new PathView(app, ev.trace, found.visits);
  app.pathView.event = ev;
  bindClearing(app);
  redraw(app);
}

/** Hide the path shown, if one is. */
export function clearPath(app) {
  if (!app.pathView) return;
  app.pathView = null;
  redraw(app);
}

function bindClearing(app) {
  if (app.pathClearing) return;
  app.pathClearing = true;
  app.canvas.bg.addEventListener("pointerdown", () => clearPath(app));
  window.addEventListener("keydown", (e) => {
    if (e.key === "Escape") clearPath(app);
  });
}

function redraw(app) {
  app.canvas.svg.classList.toggle("path-shown", Boolean(app.pathView));
  app.canvas.render();
  app.renderTabs(); // marks the tabs the path goes through (files.js)
  const trace = app.pathView && app.pathView.trace;
  for (const msg of document.querySelectorAll("#debug-list .debug-msg[data-trace]"))
    msg.classList.toggle("on-path", msg.dataset.trace === trace);
  renderList(app);
}

/** The visits in order, above the debug messages: a click shows the node in its flow. */
function renderList(app) {
  let box = $("path-view");
  if (!box) {
    box = h("div", { id: "path-view", class: "path-view" });
    $("debug-list").before(box);
  }
  box.replaceChildren();
  const view = app.pathView;
  box.hidden = !view;
  if (!view) return;
  const close = h("button", { type: "button", class: "link", text: "Hide (Esc)" });
  close.addEventListener("click", () => clearPath(app));
  box.append(h("div", { class: "path-head" }, h("strong", { text: "Path" }), close));
  const list = h("ol", { class: "path-visits" });
  for (const v of view.visits) {
    const flow = app.flowOf(v.node);
    const name = h("button", {
      type: "button",
      class: "link",
      text: app.nodeLabel(v.node),
      title: "Show this node in its flow",
    });
    name.addEventListener("click", () => app.revealNode(v.node));
    list.append(
      h(
        "li",
        { class: `path-visit${v.error ? " failed" : ""}`, "data-node": v.node },
        name,
        h("span", { class: "path-type", text: v.type }),
        flow && flow !== app.current ? h("span", { class: "path-flow", text: v.flow }) : null,
        h("span", { class: "path-time", text: formatTime(v.duration_us) }),
        v.error ? h("span", { class: "sev-error", text: v.error }) : null,
      ),
    );
  }
  box.append(list);
}
