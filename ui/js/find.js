// Find across all flows (Ctrl-F): nodes whose id, type, label or any property text holds the
// words typed, in every flow of the project (flows not opened yet are read for it). A result
// opens its flow and selects the node.
import { api } from "./api.js";
import { h, plural } from "./dom.js";
import { modal } from "./dialogs.js";

/** Every word of `query` (case-insensitive) is in the node's id, type, label or settings. */
export function matches(id, node, query) {
  const text = `${id} ${JSON.stringify(node)}`.toLowerCase();
  return query
    .toLowerCase()
    .split(/\s+/)
    .filter(Boolean)
    .every((word) => text.includes(word));
}

async function documents(app) {
  for (const f of app.flows)
    if (!f.document && f.revision !== null) {
      try {
        const res = await api.flow(f.file);
        f.found = res.document || { nodes: {} }; // read for finding only: the tab stays closed
      } catch {
        f.found = { nodes: {} };
      }
    }
  return app.flows.map((f) => [f, f.document || f.found || { nodes: {} }]);
}

export async function findDialog(app) {
  const input = h("input", {
    id: "find-text",
    type: "text",
    placeholder: "id, type, label or any setting",
    spellcheck: "false",
  });
  const count = h("p", { class: "find-count", role: "status" });
  const list = h("ul", { class: "find-results" });
  const docs = await documents(app);
  let chosen = null;
  const show = () => {
    list.replaceChildren();
    const q = input.value.trim();
    if (!q) {
      count.textContent = "";
      return;
    }
    let n = 0;
    for (const [flow, doc] of docs)
      for (const [id, node] of Object.entries(doc.nodes || {})) {
        if (!matches(id, node, q)) continue;
        n++;
        if (n > 200) continue;
        const item = h(
          "button",
          { type: "button", class: "find-result", "data-id": id, "data-file": flow.file },
          h("strong", { text: node.label ? `${id} (${node.label})` : id }),
          h("span", { class: "find-type", text: node.type || "" }),
          h("span", { class: "find-flow", text: doc.label || flow.label || flow.file }),
        );
        item.addEventListener("click", () => {
          chosen = id;
          list.closest("dialog").querySelector(".modal-buttons button").click();
        });
        list.append(h("li", {}, item));
      }
    count.textContent = n > 200 ? `${n} nodes (the first 200 shown)` : plural(n, "node");
  };
  input.addEventListener("input", show);
  const shown = modal("Find", h("div", { class: "find" }, input, count, list), [
    { label: "Close", value: null },
  ]);
  input.focus();
  await shown;
  if (chosen) await app.revealNode(chosen);
}
