// The rows of the Dashboard tab (dashboard_tab.js): pages, their groups and the groups' widgets,
// each a list item with its fields and its up, down and remove buttons, draggable onto a row of
// its kind (a widget also onto a group). A layer of DashboardPanel, which supplies change(),
// move() and flow().
import { h } from "./dom.js";
import * as L from "./dashboard_layout.js";

export class DashboardRows {
  pages(conn, marks) {
    const pages = L.listOf(conn, "pages");
    return h(
      "div",
      { class: "dash-layout" },
      h(
        "ol",
        { class: "dash-pages", "aria-label": "Pages" },
        ...pages.map((page, p) => this.page(conn, page || {}, p, marks)),
      ),
      h("button", {
        type: "button",
        class: "secondary",
        text: "+ Page",
        "data-key": "add-page",
        onclick: () => this.change((c) => void L.addPage(c), `p${pages.length}:title`),
      }),
    );
  }

  page(conn, page, p, marks) {
    const key = `p${p}`;
    const groups = L.listOf(page, "groups");
    const at = (c) => c.pages[p];
    return this.row([p], marks, page.id, [
      h(
        "div",
        { class: "dash-line" },
        this.text(`${key}:title`, page.title || "", `Title of page ${page.id}`, (v) => (c) =>
          setText(at(c), "title", v)),
        ...this.buttons(conn, [p]),
      ),
      h(
        "div",
        { class: "dash-line" },
        this.idField(key, page.id, `Id of page ${page.id} (its address)`, at),
        openLink(page.id || "", "open"),
      ),
      h(
        "ol",
        { class: "dash-groups", "aria-label": `Groups of page ${page.id}` },
        ...groups.map((group, g) => this.group(conn, group || {}, p, g, marks)),
      ),
      h("button", {
        type: "button",
        class: "text",
        text: "+ Group",
        "data-key": `${key}:add-group`,
        "aria-label": `Add a group to page ${page.id}`,
        onclick: () =>
          this.change((c) => void L.addGroup(c, c.pages[p]), `${key}g${groups.length}:title`),
      }),
    ]);
  }

  group(conn, group, p, g, marks) {
    const key = `p${p}g${g}`;
    const at = (c) => c.pages[p].groups[g];
    const grid = this.grid();
    const width = this.number(`${key}:width`, group.width ?? grid.groupWidth, 1, grid.columns,
      `Width of group ${group.id} in columns`, (v) => (c) => void (at(c).width = v));
    return this.row([p, g], marks, group.id, [
      h(
        "div",
        { class: "dash-line" },
        this.text(`${key}:title`, group.title || "", `Title of group ${group.id}`, (v) => (c) =>
          setText(at(c), "title", v)),
        ...this.buttons(conn, [p, g]),
      ),
      h(
        "div",
        { class: "dash-line" },
        this.idField(key, group.id, `Id of group ${group.id}`, at),
        h("label", { class: "dash-size", title: "Columns of the page's 12" }, "width", width),
      ),
      h(
        "ol",
        { class: "dash-widgets", "aria-label": `Widgets of group ${group.id}` },
        ...L.listOf(group, "widgets").map((item, w) => this.widget(conn, item, [p, g, w], marks)),
      ),
    ]);
  }

  widget(conn, item, path, marks) {
    const key = L.keyOf(path);
    const [p, g, w] = path;
    const grid = this.grid();
    const at = L.placeOf(item, grid);
    const node = (this.flow().document.nodes || {})[at.node];
    const resize = (field) => (v) => (c) => {
      const list = c.pages[p].groups[g].widgets;
      list[w] = L.itemFor(list[w], { ...L.placeOf(list[w], grid), [field]: v }, grid);
    };
    const groupWidth = conn.pages[p].groups[g].width ?? grid.groupWidth;
    const size = (field, text, value, min, max, title) =>
      h("label", { class: "dash-size", title }, text,
        this.number(`${key}:${field}`, value, min, max, `${title} of widget ${at.node}`,
          resize(field)));
    const group = h(
      "select",
      {
        "aria-label": `Group of widget ${at.node}`,
        "data-key": `${key}:group`,
        onchange: (e) => {
          const [tp, tg] = e.target.value.split(",").map(Number);
          this.change((c) => void L.place(c, at.node, tp, tg), `${key}:group`);
        },
      },
      ...this.groupOptions(conn, [p, g]),
    );
    return this.row(path, marks, at.node, [
      h(
        "div",
        { class: "dash-line" },
        widgetName(at.node, node),
        ...this.buttons(conn, path, `Take widget ${at.node} off the page`),
      ),
      h(
        "div",
        { class: "dash-line" },
        size("width", "W", at.width, 0, groupWidth, "Width (columns; 0: the group's)"),
        size("height", "H", at.height, 1, grid.rows, "Height (rows of 48 px)"),
        group,
      ),
    ]);
  }

  /** A page, group or widget row: marked with the check's messages, and draggable. */
  row(path, marks, name, content) {
    const kind = L.kindOf(path);
    const messages = marks.get(L.keyOf(path)) || [];
    const li = h(
      "li",
      {
        class: `dash-${kind}${messages.length ? " has-error" : ""}`,
        "data-key": `${L.keyOf(path)}:row`,
        "data-name": name,
        draggable: "true",
        title: messages.join("\n") || null,
      },
      ...content,
    );
    const ours = (e) => {
      if (!this.dragged || !L.canDrop(this.dragged, path)) return false;
      e.preventDefault();
      e.stopPropagation();
      return true;
    };
    li.addEventListener("dragstart", (e) => {
      e.stopPropagation();
      this.dragged = path;
      e.dataTransfer.setData("text/plain", name || "");
      e.dataTransfer.effectAllowed = "move";
    });
    li.addEventListener("dragend", () => (this.dragged = null));
    li.addEventListener("dragover", ours);
    li.addEventListener("drop", (e) => {
      if (!ours(e)) return;
      const from = this.dragged;
      this.dragged = null;
      this.change((c) => L.dropAt(c, from, path));
    });
    return li;
  }

  /** Up, down and remove buttons of the row at `path`. */
  buttons(conn, path, removeLabel = null) {
    const kind = L.kindOf(path);
    const i = path[path.length - 1];
    const len = L.listAt(conn, path).length;
    const parentKey = L.keyOf(path.slice(0, -1));
    const afterRemove = { page: "add-page", group: `${parentKey}:add-group` }[kind] ||
      `${parentKey}:title`;
    const move = (delta, name, arrow) =>
      h("button", {
        type: "button",
        class: "icon",
        text: arrow,
        "data-key": `${L.keyOf(path)}:${name}`,
        "aria-label": `Move ${kind} ${i + 1} ${name}`,
        title: `Move ${name} (Alt+${arrow})`,
        "aria-disabled": String(i + delta < 0 || i + delta >= len),
        onclick: () => this.move(path, delta, name),
      });
    const remove = h("button", {
      type: "button",
      class: "icon danger",
      text: "✕",
      "data-key": `${L.keyOf(path)}:remove`,
      "aria-label": removeLabel || `Remove ${kind} ${i + 1}`,
      title: removeLabel || `Remove this ${kind}`,
      onclick: () => this.change((c) => L.removeAt(c, path), afterRemove),
    });
    const up = move(-1, "up", "↑");
    return [h("span", { class: "dash-buttons" }, up, move(1, "down", "↓"), remove)];
  }

  /** An option for each group of the dashboard ("page / group"), `selected` chosen. */
  groupOptions(conn, selected) {
    const out = [];
    L.listOf(conn, "pages").forEach((page, pi) =>
      L.listOf(page || {}, "groups").forEach((group, gi) =>
        out.push(
          h("option", {
            value: `${pi},${gi}`,
            selected: pi === selected[0] && gi === selected[1],
            text: `${page.title || page.id} / ${group.title || group.id}`,
          }),
        ),
      ),
    );
    return out;
  }

  /** A text field at `key`; `setter(value)` gives the change to make. */
  text(key, value, label, setter) {
    return h("input", {
      type: "text",
      value,
      "aria-label": label,
      "data-key": key,
      spellcheck: "false",
      onchange: (e) => this.change(setter(e.target.value.trim())), // focus: where it went
    });
  }

  idField(key, id, label, at) {
    const input = this.text(`${key}:id`, id || "", label, (v) => (c) => void (at(c).id = v));
    input.classList.add("dash-id");
    return input;
  }

  number(key, value, min, max, label, setter) {
    return h("input", {
      type: "number",
      value: String(value),
      min,
      max,
      step: 1,
      class: "dash-num",
      "aria-label": label,
      "data-key": key,
      onchange: (e) => {
        const v = Math.round(Number(e.target.value));
        if (Number.isFinite(v)) this.change(setter(Math.min(max, Math.max(min, v))));
      },
    });
  }
}

/** Set a text field, or remove it when empty. */
export function setText(obj, field, value) {
  if (value) obj[field] = value;
  else delete obj[field];
}

export function widgetName(id, node) {
  return h(
    "span",
    { class: "dash-name", title: id },
    (node && node.label) || id,
    h("small", { text: node ? ` ${node.type}` : " (no such node)" }),
  );
}

export function openLink(page, text) {
  return h("a", {
    href: `/dashboard/${page ? `#${encodeURIComponent(page)}` : ""}`,
    target: "_blank",
    rel: "noopener",
    class: "dash-open",
    text,
  });
}
