// ui-table and ui-list: rows and items, every cell written as text.
import { h } from "../dom.js";
import { labelOf } from "./common.js";

export function table(spec) {
  const head = h("thead");
  const body = h("tbody");
  const el = h("div", { class: "table" }, labelOf(spec),
               h("div", { class: "table-scroll" }, h("table", {}, head, body)));
  return {
    el,
    update(state) {
      const columns = state.columns ?? [];
      const aligned = (cell, c) => { cell.style.textAlign = c.align; return cell; };
      head.replaceChildren(h("tr", {}, ...columns.map((c) => aligned(
        h("th", { scope: "col", text: c.title }), c))));
      body.replaceChildren(...(state.rows ?? []).map((row) => h("tr", {}, ...row.map(
        (cell, i) => aligned(h("td", { text: cell }), columns[i] ?? {})))));
      el.dataset.rows = String((state.rows ?? []).length);
    },
  };
}

export function list(spec, send) {
  const items = h("ul", { class: "list-items" });
  const el = h("div", { class: `list list-${spec.action}` }, labelOf(spec), items);
  return {
    el,
    update(state) {
      items.replaceChildren(...(state.items ?? []).map((item, i) => {
        const parts = [h("span", { class: "item-title", text: item.title })];
        if (item.description) {
          parts.push(h("span", { class: "item-description", text: item.description }));
        }
        if (spec.action !== "click") return h("li", {}, ...parts);
        return h("li", {}, h("button", { type: "button", onclick: () => send(i) }, ...parts));
      }));
      el.dataset.items = String((state.items ?? []).length);
    },
  };
}
