// The context viewer: what the running flows keep in context, for the selected node, the flow
// shown and the whole project (global), each refreshed on demand, read-only.
import { api } from "./api.js";
import { h, plural } from "./dom.js";
import { valueTree } from "./sidebar.js";

export class ContextPanel {
  constructor(app, box) {
    this.app = app;
    this.box = box;
  }

  /** The scopes shown: [title, scope name or null when there is nothing to show]. */
  scopes() {
    const selected = [...this.app.canvas.selected];
    const doc = this.app.current && this.app.current.document;
    return [
      ["Node", selected.length === 1 ? `node:${selected[0]}` : null, "Select one node"],
      ["Flow", doc && doc.id ? `flow:${doc.id}` : null, "Open a flow"],
      ["Global", "global", ""],
    ];
  }

  render() {
    this.box.replaceChildren(
      ...this.scopes().map(([title, scope, hint]) => {
        const body = h("div", { class: "context-values" });
        const section = h(
          "section",
          { class: "context-scope", "data-scope": title.toLowerCase() },
          h(
            "div",
            { class: "context-head" },
            h("h3", { text: scope ? `${title}: ${scope.replace(/^\w+:/, "")}` : title }),
            scope
              ? h("button", {
                  type: "button",
                  class: "icon",
                  title: `Read the ${title.toLowerCase()} context again`,
                  "aria-label": `Refresh ${title.toLowerCase()} context`,
                  text: "⟳",
                  onclick: () => this.load(scope, body),
                })
              : null,
          ),
          body,
        );
        if (scope) this.load(scope, body);
        else body.append(h("p", { class: "empty", text: hint }));
        return section;
      }),
    );
  }

  async load(scope, body) {
    body.replaceChildren(h("p", { class: "empty", text: "Reading…" }));
    try {
      const res = await api.context(scope);
      const keys = Object.keys(res.values || {});
      body.replaceChildren(
        keys.length
          ? h(
              "ul",
              { class: "context-list" },
              ...keys.map((k) =>
                h("li", {}, h("span", { class: "k", text: `${k}: ` }), valueTree(res.values[k], 1)),
              ),
            )
          : h("p", { class: "empty", text: "Nothing kept" }),
        res.keys > keys.length
          ? h("p", { class: "empty", text: `${plural(res.keys, "key")}, the first shown` })
          : null,
      );
    } catch (err) {
      body.replaceChildren(h("p", { class: "field-error", text: err.message }));
    }
  }
}
