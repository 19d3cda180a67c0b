// The Dashboard sidebar tab: the current flow's `dashboard` connection as pages -> groups ->
// widgets, edited in place. Every change goes through app.edit() on the flow document (one undo
// step, saved line by line, shown by the Text view); the check's problems about the layout show
// at the top and on their rows, and the widgets the check finds on no page (W112) are listed to
// be placed. Keyboard: every control is a button, field or list; Alt+Up/Down moves the row that
// holds the focus, which stays on the control moved. Rows can also be dragged (dashboard_rows.js).
import { h } from "./dom.js";
import { toast } from "./dialogs.js";
import * as L from "./dashboard_layout.js";
import { DashboardRows, openLink, setText, widgetName } from "./dashboard_rows.js";

const ARROWS = { ArrowUp: -1, ArrowDown: 1 };

export class DashboardPanel extends DashboardRows {
  constructor(app, box) {
    super();
    this.app = app;
    this.box = box;
    this.visible = false;
    this.which = null; // the connection shown, when the flow has several
    this.focusKey = null; // the control to focus after the next render
    this.pending = false;
    this.dragged = null; // the path of the row being dragged
    this.chosen = new Map(); // widget id -> the group chosen for it before Place (kept on render)
    box.addEventListener("keydown", (e) => this.onKey(e));
  }

  shown(visible) {
    this.visible = visible;
    if (visible) this.render();
  }

  /** Render again soon (the document or its problems changed), if the tab is shown. */
  update() {
    if (!this.visible || this.pending) return;
    this.pending = true;
    setTimeout(() => {
      this.pending = false;
      this.render();
    }, 0);
  }

  flow() {
    const f = this.app.current;
    return f && !f.subflowOf ? f : null;
  }

  /** The grid's sizes and the themes, from the catalog (see dashboard_layout.js gridOf). */
  grid() {
    return L.gridOf(this.app.typeInfo("dashboard"));
  }

  isWidget(type) {
    const info = this.app.typeInfo(type);
    return Boolean(info && info.pack === "dashboard" && info.category !== "connection");
  }

  /** Edit the document (one undo step); then focus the control `focusKey`. */
  editDoc(fn, focusKey = null) {
    if (document.querySelector(".text-pane")) {
      toast("Go back to the canvas to edit the dashboard (the text view is open).", "warning");
      this.render();
      return;
    }
    this.focusKey = focusKey;
    this.app.edit(fn);
  }

  /** Change the connection shown; `fn(conn)` returns false when nothing changed. */
  change(fn, focusKey = null) {
    const id = this.which;
    this.editDoc((doc) => {
      const conn = doc.connections && doc.connections[id];
      return conn ? fn(conn) : false;
    }, focusKey);
  }

  render() {
    const flow = this.flow();
    const active = document.activeElement;
    const key = this.focusKey || (this.box.contains(active) && active.dataset.key) || null;
    this.focusKey = null;
    if (!flow) {
      this.box.replaceChildren(h("p", { class: "empty", text: "Open a flow." }));
      return;
    }
    const boards = L.dashboards(flow.document);
    if (!boards.some(([id]) => id === this.which)) this.which = boards.length ? boards[0][0] : null;
    if (!this.which) {
      this.box.replaceChildren(this.none(flow.document));
    } else {
      const conn = flow.document.connections[this.which];
      const marks = new Map();
      const parts = [
        this.head(boards, conn),
        this.problems(flow, marks),
        this.pages(conn, marks),
        this.unplaced(flow, conn),
      ];
      this.box.replaceChildren(...parts.filter(Boolean));
    }
    const target = key && this.box.querySelector(`[data-key="${CSS.escape(key)}"]`);
    if (target) target.focus();
  }

  /** No dashboard yet: a button that adds the one the flow's widgets name. */
  none(doc) {
    const named = L.namedDashboard(doc, (t) => this.isWidget(t));
    const add = () =>
      this.editDoc((d) => {
        const taken = (id) => (d.connections && id in d.connections) || id in (d.nodes || {});
        let id = named && !taken(named) ? named : "dashboard";
        for (let i = 2; taken(id); i++) id = `dashboard-${i}`;
        d.connections = d.connections || {};
        d.connections[id] = { type: "dashboard", title: d.label || d.id || id, pages: [] };
        this.which = id;
      }, "title");
    return h(
      "div",
      { class: "dash-none" },
      h("p", { class: "empty", text: "This flow has no dashboard." }),
      h("button", {
        type: "button",
        class: "secondary",
        "data-key": "add-dashboard",
        text: named ? `Add dashboard '${named}'` : "Add a dashboard",
        onclick: add,
      }),
    );
  }

  head(boards, conn) {
    const pick =
      boards.length > 1
        ? h(
            "select",
            { "aria-label": "Dashboard", "data-key": "which", onchange: (e) => this.pick(e) },
            ...boards.map(([id]) =>
              h("option", { value: id, text: id, selected: id === this.which }),
            ),
          )
        : h("strong", { text: this.which });
    const title = this.text("title", conn.title || "", "Dashboard title", (v) => (c) =>
      setText(c, "title", v));
    const theme = h(
      "select",
      {
        "aria-label": "Theme",
        "data-key": "theme",
        onchange: (e) => this.change((c) => void (c.theme = e.target.value), "theme"),
      },
      ...this.grid().themes.map((t) =>
        h("option", { value: t, text: t, selected: (conn.theme || this.grid().theme) === t }),
      ),
    );
    return h(
      "div",
      { class: "dash-head" },
      h("div", { class: "dash-line" }, pick, openLink("", "Open dashboard")),
      h("label", { class: "dash-field" }, h("span", { text: "Title" }), title),
      h("label", { class: "dash-field" }, h("span", { text: "Theme" }), theme),
    );
  }

  pick(e) {
    this.which = e.target.value;
    this.render();
  }

  /** The check's problems about this dashboard, listed; `marks` gets each row's messages. */
  problems(flow, marks) {
    const mine = (flow.diagnostics || []).filter((d) => {
      const p = d.path || [];
      return p[0] === "connections" && p[1] === this.which;
    });
    if (!mine.length) return null;
    for (const d of mine) {
      const row = L.rowOfPath(d.path.slice(2));
      if (row.length) marks.set(L.keyOf(row), [...(marks.get(L.keyOf(row)) || []), d.message]);
    }
    return h(
      "ul",
      { class: "dash-problems", "aria-label": "Problems in the layout" },
      ...mine.map((d) =>
        h(
          "li",
          { class: `sev-${d.severity}`, "data-code": d.code },
          h("span", { class: "code", text: d.code }),
          ` ${d.message}`,
          d.hint ? h("div", { class: "muted", text: d.hint }) : null,
        ),
      ),
    );
  }

  /** Move a row; the focus follows it, on the control `field` (a button or a field). */
  move(path, delta, field) {
    this.change((c) => L.shiftAt(c, path, delta), `${L.keyOf(L.nudged(path, delta))}:${field}`);
  }

  onKey(e) {
    if (!e.altKey || !(e.key in ARROWS)) return;
    const li = e.target.closest && e.target.closest("li[data-key]");
    if (!li || !this.box.contains(li)) return;
    e.preventDefault();
    const path = (li.dataset.key.match(/\d+/g) || []).map(Number);
    const field = (e.target.dataset.key || ":row").split(":")[1];
    this.move(path, ARROWS[e.key], field);
  }

  /** The widgets of this dashboard the check finds on no page (W112), each to be placed. */
  unplaced(flow, conn) {
    const at = L.placed(conn);
    const nodes = flow.document.nodes || {};
    const mine = (d) => nodes[d.node] && (nodes[d.node].dashboard || this.which) === this.which;
    const ids = (flow.diagnostics || [])
      .filter((d) => d.code === "W112" && mine(d) && !at.has(d.node))
      .map((d) => d.node);
    if (!ids.length) return null;
    const options = () => this.groupOptions(conn, [-1, -1]);
    const none = !options().length;
    const item = (id, i) => {
      const where = h(
        "select",
        { "aria-label": `Group for widget ${id}`, "data-key": `u:${id}:group` },
        ...options(),
      );
      // a render (a check's answer) between the choice and Place must not undo the choice
      if ([...where.options].some((o) => o.value === this.chosen.get(id))) {
        where.value = this.chosen.get(id);
      }
      where.addEventListener("change", () => this.chosen.set(id, where.value));
      const put = () => {
        const [p, g] = where.value.split(",").map(Number);
        this.chosen.delete(id);
        const next = ids[i + 1] || ids[i - 1]; // the focus goes on to the next to place
        this.change((c) => {
          L.place(c, id, p, g);
          const w = c.pages[p].groups[g].widgets.length - 1;
          this.focusKey = next ? `u:${next}:place` : `p${p}g${g}w${w}:group`;
        });
      };
      return h(
        "li",
        { "data-widget": id },
        widgetName(id, nodes[id]),
        where,
        h("button", {
          type: "button",
          class: "secondary",
          text: "Place",
          disabled: none,
          title: none ? "Add a page and a group first" : null,
          "aria-label": `Place widget ${id}`,
          "data-key": `u:${id}:place`,
          onclick: put,
        }),
      );
    };
    return h(
      "section",
      { class: "dash-unplaced", "aria-label": "Widgets on no page" },
      h("h4", { text: "Not on any page" }),
      h("ul", {}, ...ids.map(item)),
    );
  }
}
