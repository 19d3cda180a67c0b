// The palette: node types from the catalog grouped by category, with a search box. A type is
// dragged onto the canvas (pointer events, so it works the same with mouse, pen and touch);
// Enter on a focused type adds it at the centre of the view. A type the server's script policy
// refuses (`refused` in the catalog, `flowrt serve --scripts`) is shown greyed and cannot be added.
import { h } from "./dom.js";
import { subflowTypes } from "./subflows.js";

const ORDER = [
  "subflow",
  "common",
  "source",
  "input",
  "transform",
  "function",
  "script",
  "sequence",
  "parser",
  "sink",
  "output",
  "network",
  "storage",
  "config",
];

// The types nearly every flow uses, shown first whatever their category (as Node-RED's palette
// opens with them): with a hundred types from the packs, they would be below the fold.
const COMMON = ["inject", "debug", "change", "switch", "function"];

export class Palette {
  constructor(app, box, search) {
    this.app = app;
    this.box = box;
    this.search = search;
    search.addEventListener("input", () => this.render());
    search.addEventListener("keydown", (e) => {
      if (e.key === "Escape") {
        search.value = "";
        this.render();
      }
    });
  }

  render() {
    const q = this.search.value.trim().toLowerCase();
    const groups = new Map();
    for (const t of [...this.app.types, ...subflowTypes(this.app)]) {
      if (t.category === "connection") continue;
      if (
        q &&
        !`${t.type} ${t.category} ${t.summary || ""} ${t.pack || ""}`.toLowerCase().includes(q)
      )
        continue;
      const group = COMMON.includes(t.type) ? "common" : t.category;
      if (!groups.has(group)) groups.set(group, []);
      groups.get(group).push(t);
    }
    const rank = (c) => {
      const i = ORDER.indexOf(c);
      return i < 0 ? ORDER.length : i;
    };
    const cats = [...groups.keys()].sort((a, b) => rank(a) - rank(b) || a.localeCompare(b));
    this.box.replaceChildren();
    if (!cats.length)
      this.box.append(
        h("p", { class: "empty", text: q ? `No node type matches '${q}'.` : "No node types." }),
      );
    for (const c of cats) {
      const list = h("ul", { class: "palette-items" });
      const order =
        c === "common"
          ? (a, b) => COMMON.indexOf(a.type) - COMMON.indexOf(b.type)
          : (a, b) => a.type.localeCompare(b.type);
      for (const t of groups.get(c).sort(order)) {
        const title = t.refused
          ? `${t.type}: refused by this server's script policy (flowrt serve --scripts)`
          : t.summary || t.type;
        const item = h(
          "li",
          {
            class: `palette-item cat-${t.category}${t.refused ? " refused" : ""}`,
            tabindex: "0",
            "data-type": t.type,
            title,
          },
          h("span", { class: "swatch" }),
          h("span", { class: "palette-name", text: t.type }),
        );
        if (t.refused) {
          item.setAttribute("aria-disabled", "true");
          list.append(item);
          continue;
        }
        item.addEventListener("pointerdown", (e) => this.startDrag(e, t.type));
        item.addEventListener("keydown", (e) => {
          if (e.key !== "Enter") return;
          const r = this.app.canvas.svg.getBoundingClientRect();
          const v = this.app.canvas.view;
          this.app.addNode(t.type, (r.width / 2 - v.x) / v.k, (r.height / 2 - v.y) / v.k);
        });
        list.append(item);
      }
      const title = c === "subflow" ? "Subflows" : c;
      this.box.append(h("section", { class: "palette-group" }, h("h3", { text: title }), list));
    }
  }

  startDrag(e, type) {
    if (e.button !== 0) return;
    e.preventDefault();
    const ghost = h("div", {
      class: `drag-ghost cat-${(this.app.typeInfo(type) || {}).category}`,
      text: type,
    });
    document.body.append(ghost);
    const move = (ev) => {
      ghost.style.transform = `translate(${ev.clientX + 6}px, ${ev.clientY + 6}px)`;
    };
    move(e);
    const up = (ev) => {
      window.removeEventListener("pointermove", move);
      window.removeEventListener("pointerup", up);
      ghost.remove();
      const svg = this.app.canvas.svg;
      const r = svg.getBoundingClientRect();
      if (
        ev.clientX >= r.left &&
        ev.clientX <= r.right &&
        ev.clientY >= r.top &&
        ev.clientY <= r.bottom
      ) {
        const [x, y] = this.app.canvas.point(ev);
        this.app.addNode(type, x, y);
      }
    };
    window.addEventListener("pointermove", move);
    window.addEventListener("pointerup", up);
  }
}
