// The Dashboard sidebar tab: the current flow's `dashboard` connection as pages -> groups ->
// widgets, edited in place. Every change goes through app.edit() on the flow document (one undo
// step, saved line by line, shown by the Text view); the check's problems about the layout show
// at the top, and the widgets the check finds on no page (W112) are listed to be placed.
// Keyboard: every control is a button, field or list; Alt+Up/Down moves the row in focus.
import { h } from "./dom.js";
import * as L from "./dashboard_layout.js";

const ARROWS = { ArrowUp: -1, ArrowDown: 1 };

export class DashboardPanel {
  constructor(app, box) {
    this.app = app;
    this.box = box;
    this.visible = false;
    this.which = null; // the connection shown, when the flow has several
    this.focusKey = null; // the control to focus after the next render
    this.pending = false;
    this.dragged = null; // {kind, path} of the row being dragged
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

  isWidget(type) {
    const info = this.app.typeInfo(type);
    return Boolean(info && info.pack === "dashboard" && info.category !== "connection");
  }

  /** One undoable change to the connection shown; `fn(conn, doc)` returns false for none. */
  change(fn, focusKey = null) {
    const id = this.which;
    this.focusKey = focusKey;
    this.app.edit((doc) => {
      const conn = doc.connections && doc.connections[id];
      return conn ? fn(conn, doc) : false;
    });
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
      const problems = this.problems(flow);
      const parts = [this.head(boards, conn), problems.list, this.pages(conn, problems.marks),
        this.unplaced(flow, conn)];
      this.box.replaceChildren(...parts.filter(Boolean));
    }
    const target = key && this.box.querySelector(`[data-key="${CSS.escape(key)}"]`);
    if (target) target.focus();
  }

  none(doc) {
    const named = L.namedDashboard(doc, (t) => this.isWidget(t));
    const add = () => {
      this.app.edit((d) => {
        const taken = (id) => (d.connections && id in d.connections) || (d.nodes && id in d.nodes);
        let id = named && !taken(named) ? named : "dashboard";
        for (let i = 2; taken(id); i++) id = `dashboard-${i}`;
        d.connections = d.connections || {};
        d.connections[id] = { type: "dashboard", title: d.label || d.id || id, pages: [] };
        this.which = id;
      });
    };
    return h(
      "div",
      { class: "dash-none" },
      h("p", { class: "empty", text: "This flow has no dashboard." }),
      h("button", {
        type: "button", class: "secondary", "data-key": "add-dashboard", onclick: add,
        text: named ? `Add dashboard '${named}'` : "Add a dashboard",
      }),
    );
  }

  head(boards, conn) {
    const pick = boards.length > 1
      ? h("select", { "aria-label": "Dashboard", "data-key": "which",
          onchange: (e) => { this.which = e.target.value; this.render(); } },
        ...boards.map(([id]) => h("option", { value: id, text: id, selected: id === this.which })))
      : h("strong", { text: this.which });
    const title = h("input", {
      type: "text", class: "dash-title", value: conn.title || "", "aria-label": "Dashboard title",
      "data-key": "title", placeholder: "Dashboard",
      onchange: (e) => this.change((c) => setText(c, "title", e.target.value), "title"),
    });
    const theme = h("select", {
      "aria-label": "Theme", "data-key": "theme",
      onchange: (e) => this.change((c) => { c.theme = e.target.value; }, "theme"),
    }, ...L.THEMES.map((t) =>
      h("option", { value: t, text: t, selected: (conn.theme || "light") === t })));
    return h(
      "div", { class: "dash-head" },
      h("div", { class: "dash-line" }, pick, openLink("", "Open dashboard")),
      h("label", { class: "dash-field" }, h("span", { text: "Title" }), title),
      h("label", { class: "dash-field" }, h("span", { text: "Theme" }), theme),
    );
  }

  /** The check's problems about this dashboard: a list, and a map from row key to messages. */
  problems(flow) {
    const marks = new Map();
    const mine = (flow.diagnostics || []).filter((d) => {
      const p = d.path || [];
      return p[0] === "connections" && p[1] === this.which;
    });
    for (const d of mine) {
      const rowKey = keyOfPath(d.path.slice(2));
      if (rowKey) marks.set(rowKey, [...(marks.get(rowKey) || []), d.message]);
    }
    const list = mine.length
      ? h("ul", { class: "dash-problems", "aria-label": "Problems in the layout" },
        ...mine.map((d) => h("li", { class: `sev-${d.severity}`, "data-code": d.code },
          h("span", { class: "code", text: d.code }), ` ${d.message}`,
          d.hint ? h("div", { class: "muted", text: d.hint }) : null)))
      : null;
    return { list, marks };
  }

  pages(conn, marks) {
    const pages = L.listOf(conn, "pages");
    const add = h("button", {
      type: "button", class: "secondary", text: "+ Page", "data-key": "add-page",
      onclick: () => this.change((c) => { L.addPage(c); }, `p${pages.length}:title`),
    });
    return h("div", { class: "dash-layout" },
      h("ol", { class: "dash-pages", "aria-label": "Pages" },
        ...pages.map((page, p) => this.page(conn, page || {}, p, marks))),
      add);
  }

  page(conn, page, p, marks) {
    const key = `p${p}`;
    const groups = L.listOf(page, "groups");
    return this.row("page", key, [p], marks, [
      h("div", { class: "dash-line" },
        this.text(key, "title", page.title || "", `Title of page ${page.id}`,
          (v) => (c) => setText(c.pages[p], "title", v)),
        this.text(key, "id", page.id || "", `Id of page ${page.id}`,
          (v) => (c) => { c.pages[p].id = v; }, "dash-id"),
        openLink(page.id || "", "open"),
        ...this.buttons(key, "page", () => conn.pages, p)),
      h("ol", { class: "dash-groups", "aria-label": `Groups of page ${page.id}` },
        ...groups.map((group, g) => this.group(conn, group || {}, p, g, marks))),
      h("button", {
        type: "button", class: "text", text: "+ Group", "data-key": `${key}:add-group`,
        "aria-label": `Add a group to page ${page.id}`,
        onclick: () => this.change((c) => { L.addGroup(c, c.pages[p]); },
          `${key}g${groups.length}:title`),
      }),
    ]);
  }

  group(conn, group, p, g, marks) {
    const key = `p${p}g${g}`;
    const widgets = L.listOf(group, "widgets");
    const width = this.number(key, "width", group.width ?? L.GROUP_WIDTH, 1, L.COLUMNS,
      `Width of group ${group.id} in columns`, (v) => (c) => { c.pages[p].groups[g].width = v; });
    return this.row("group", key, [p, g], marks, [
      h("div", { class: "dash-line" },
        this.text(key, "title", group.title || "", `Title of group ${group.id}`,
          (v) => (c) => setText(c.pages[p].groups[g], "title", v)),
        this.text(key, "id", group.id || "", `Id of group ${group.id}`,
          (v) => (c) => { c.pages[p].groups[g].id = v; }, "dash-id"),
        h("label", { class: "dash-size", title: "Columns of the page's 12" }, "W", width),
        ...this.buttons(key, "group", () => conn.pages[p].groups, g, [p])),
      h("ol", { class: "dash-widgets", "aria-label": `Widgets of group ${group.id}` },
        ...widgets.map((item, w) => this.widget(conn, item, p, g, w, marks))),
    ]);
  }

  widget(conn, item, p, g, w, marks) {
    const key = `p${p}g${g}w${w}`;
    const at = L.placeOf(item);
    const node = (this.flow().document.nodes || {})[at.node];
    const resize = (field) => (v) => (c) => {
      const list = c.pages[p].groups[g].widgets;
      list[w] = L.itemFor(list[w], { ...L.placeOf(list[w]), [field]: v });
    };
    const groupWidth = conn.pages[p].groups[g].width ?? L.GROUP_WIDTH;
    const moveTo = h("select", {
      "aria-label": `Group of widget ${at.node}`, "data-key": `${key}:group`,
      onchange: (e) => {
        const [tp, tg] = e.target.value.split(",").map(Number);
        this.change((c) => { L.place(c, at.node, tp, tg); }, `${key}:group`);
      },
    }, ...this.groupOptions(conn, [p, g]));
    return this.row("widget", key, [p, g, w], marks, [
      h("div", { class: "dash-line" },
        h("span", { class: "dash-name", title: at.node },
          (node && node.label) || at.node, h("small", { text: node ? ` ${node.type}` : " (no node)" })),
        h("label", { class: "dash-size", title: "Columns (0: the group's width)" }, "W",
          this.number(key, "width", at.width, 0, groupWidth, `Width of widget ${at.node}`,
            resize("width"))),
        h("label", { class: "dash-size", title: "Rows of 48 px" }, "H",
          this.number(key, "height", at.height, 1, L.COLUMNS, `Height of widget ${at.node}`,
            resize("height"))),
        moveTo,
        ...this.buttons(key, "widget", () => conn.pages[p].groups[g].widgets, w, [p, g],
          `Unplace widget ${at.node}`)),
    ]);
  }

  /** A page, group or widget row: its marks from the check, dragging, and its content. */
  row(kind, key, path, marks, content) {
    const messages = marks.get(key) || [];
    const li = h("li", {
      class: `dash-${kind}${messages.length ? " has-error" : ""}`, "data-key": `${key}:row`,
      "data-kind": kind, draggable: "true", title: messages.join("\n") || null,
    }, ...content);
    li.addEventListener("dragstart", (e) => {
      e.stopPropagation();
      this.dragged = { kind, path };
      e.dataTransfer.setData("text/plain", key);
      e.dataTransfer.effectAllowed = "move";
    });
    li.addEventListener("dragover", (e) => {
      if (this.accepts(kind, path)) { e.preventDefault(); e.stopPropagation(); }
    });
    li.addEventListener("drop", (e) => {
      if (!this.accepts(kind, path)) return;
      e.preventDefault();
      e.stopPropagation();
      this.drop(kind, path);
    });
    return li;
  }

  /** A row of `kind` at `path` takes the row dragged: one of its own kind (drops before it),
   * or a widget on a group (goes to its end). */
  accepts(kind, path) {
    const d = this.dragged;
    if (!d) return false;
    if (d.kind === "widget") return kind === "widget" || kind === "group";
    return d.kind === kind && String(d.path.slice(0, -1)) === String(path.slice(0, -1));
  }

  drop(kind, path) {
    const d = this.dragged;
    this.dragged = null;
    this.change((c) => {
      if (d.kind === "widget") {
        const [sp, sg, sw] = d.path;
        const item = c.pages[sp].groups[sg].widgets[sw];
        const node = L.placeOf(item).node;
        const [tp, tg, tw] = path;
        const target = kind === "widget" ? L.placeOf(c.pages[tp].groups[tg].widgets[tw]).node : null;
        if (target === node) return false;
        L.place(c, node, tp, tg);
        const list = c.pages[tp].groups[tg].widgets;
        if (target) L.moveTo(list, list.length - 1, list.findIndex((x) => L.placeOf(x).node === target));
        return true;
      }
      const list = d.kind === "page" ? c.pages : c.pages[path[0]].groups;
      const from = d.path[d.path.length - 1];
      return L.moveTo(list, from, path[path.length - 1]) !== from;
    });
  }

  /** Up, down and remove buttons of item `i` of the list `listFn()` returns. */
  buttons(key, kind, listFn, i, parent = [], removeLabel = null) {
    const len = listFn().length;
    const go = (delta, name) => h("button", {
      type: "button", class: "icon", text: delta < 0 ? "↑" : "↓", "data-key": `${key}:${name}`,
      "aria-label": `Move ${kind} ${i + 1} ${name}`, title: `Move ${name} (Alt+${delta < 0 ? "↑" : "↓"})`,
      "aria-disabled": String(i + delta < 0 || i + delta >= len),
      onclick: () => this.move(kind, [...parent, i], delta),
    });
    const remove = h("button", {
      type: "button", class: "icon danger", text: "✕", "data-key": `${key}:remove`,
      "aria-label": removeLabel || `Remove ${kind} ${i + 1}`, title: removeLabel || `Remove this ${kind}`,
      onclick: () => this.change((c) => removeAt(c, kind, [...parent, i]),
        kind === "page" ? "add-page" : kind === "group" ? `p${parent[0]}:add-group`
          : `p${parent[0]}g${parent[1]}:title`),
    });
    return [go(-1, "up"), go(1, "down"), remove];
  }

  move(kind, path, delta) {
    const key = keyOf(kind, path.map((v, k) => (k === path.length - 1 ? v + delta : v)));
    this.change((c) => shift(c, kind, path, delta) !== null, `${key}:${delta < 0 ? "up" : "down"}`);
  }

  onKey(e) {
    if (!e.altKey || !(e.key in ARROWS)) return;
    const li = e.target.closest && e.target.closest("li[data-kind]");
    if (!li) return;
    e.preventDefault();
    const kind = li.dataset.kind;
    const path = (li.dataset.key.match(/\d+/g) || []).map(Number);
    const delta = ARROWS[e.key];
    const field = e.target.dataset.key ? e.target.dataset.key.split(":")[1] : "row";
    this.change((c) => shift(c, kind, path, delta) !== null,
      `${keyOf(kind, path.map((v, k) => (k === path.length - 1 ? v + delta : v)))}:${field}`);
  }

  groupOptions(conn, [p, g]) {
    const out = [];
    L.listOf(conn, "pages").forEach((page, pi) => L.listOf(page || {}, "groups").forEach((group, gi) =>
      out.push(h("option", { value: `${pi},${gi}`, selected: pi === p && gi === g,
        text: `${page.title || page.id} / ${group.title || group.id}` }))));
    return out;
  }

  /** The widgets of this dashboard the check finds on no page (W112), to be placed. */
  unplaced(flow, conn) {
    const at = L.placed(conn);
    const nodes = flow.document.nodes || {};
    const ids = (flow.diagnostics || [])
      .filter((d) => d.code === "W112" && nodes[d.node] && !at.has(d.node) &&
        (nodes[d.node].dashboard || this.which) === this.which)
      .map((d) => d.node);
    if (!ids.length) return null;
    const hasGroups = this.groupOptions(conn, [-1, -1]).length > 0;
    return h("section", { class: "dash-unplaced", "aria-label": "Widgets not placed" },
      h("h4", { text: "Not on any page" }),
      h("ul", {}, ...ids.map((id) => {
        const where = h("select", { "aria-label": `Group for widget ${id}`, "data-key": `u:${id}:group` },
          ...this.groupOptions(conn, [-1, -1]));
        return h("li", { "data-widget": id },
          h("span", { class: "dash-name", title: id }, nodes[id].label || id,
            h("small", { text: ` ${nodes[id].type}` })),
          where,
          h("button", {
            type: "button", class: "secondary", text: "Place", disabled: !hasGroups,
            "aria-label": `Place widget ${id}`, "data-key": `u:${id}:place`,
            title: hasGroups ? null : "Add a page and a group first",
            onclick: () => {
              const [p, g] = where.value.split(",").map(Number);
              this.change((c) => { L.place(c, id, p, g); }, `u:${id}:place`);
            },
          }));
      })));
  }

  text(key, field, value, label, setter, cls = null) {
    return h("input", {
      type: "text", value, class: cls, "aria-label": label, "data-key": `${key}:${field}`,
      spellcheck: "false",
      onchange: (e) => this.change(setter(e.target.value.trim())),
    });
  }

  number(key, field, value, min, max, label, setter) {
    return h("input", {
      type: "number", value: String(value), min, max, step: 1, class: "dash-num",
      "aria-label": label, "data-key": `${key}:${field}`,
      onchange: (e) => {
        const v = Math.round(Number(e.target.value));
        if (Number.isFinite(v)) this.change(setter(Math.min(max, Math.max(min, v))));
      },
    });
  }
}

/** Set or (empty) remove a text field. */
function setText(obj, field, value) {
  if (value) obj[field] = value;
  else delete obj[field];
}

function openLink(page, text) {
  return h("a", {
    href: `/dashboard/${page ? `#${encodeURIComponent(page)}` : ""}`, target: "_blank",
    rel: "noopener", class: "dash-open", text,
  });
}

const keyOf = (kind, path) =>
  ({ page: `p${path[0]}`, group: `p${path[0]}g${path[1]}`, widget: `p${path[0]}g${path[1]}w${path[2]}` })[kind];

/** The row key of a path inside the connection (pages, 0, groups, 1, ...): the deepest row. */
function keyOfPath(rel) {
  const idx = [];
  for (let i = 0; i + 1 < rel.length && ["pages", "groups", "widgets"][idx.length] === rel[i]; i += 2)
    idx.push(rel[i + 1]);
  return idx.length ? keyOf(["page", "group", "widget"][idx.length - 1], idx) : null;
}

function listAt(conn, kind, path) {
  if (kind === "page") return conn.pages;
  if (kind === "group") return conn.pages[path[0]].groups;
  return conn.pages[path[0]].groups[path[1]].widgets;
}

function shift(conn, kind, path, delta) {
  return L.shift(listAt(conn, kind, path), path[path.length - 1], delta);
}

function removeAt(conn, kind, path) {
  listAt(conn, kind, path).splice(path[path.length - 1], 1);
  return true;
}
