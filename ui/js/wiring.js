// A node's wires in its panel: each output's targets, with a button to remove one; a wire to a
// node the flow does not have is marked missing and can be pointed at a node that is there.
import { h } from "./dom.js";
import { inputCount, portsOf, setPorts } from "./model.js";

function retarget(doc, from, port, to, next) {
  const ports = portsOf(doc.nodes[from]);
  ports[port] = (ports[port] || []).flatMap((t) => (t !== to ? [t] : next ? [next] : []));
  ports[port] = [...new Set(ports[port])];
  setPorts(doc.nodes[from], ports);
}

export function wiresSection(app, doc, id) {
  const ports = portsOf(doc.nodes[id]);
  const rows = [];
  ports.forEach((targets, port) => {
    for (const to of targets || []) {
      if (String(to).startsWith("$")) continue;
      const missing = !(to in doc.nodes);
      const remove = h("button", {
        type: "button",
        class: "icon danger",
        title: `Remove the wire to ${to}`,
        "aria-label": `Remove the wire to ${to}`,
        text: "×",
        onclick: () => app.edit((d) => retarget(d, id, port, to, null)),
      });
      const parts = [
        h("span", { text: ports.length > 1 ? `output ${port} →` : "→" }),
        h("span", { class: "wire-target", text: to }),
      ];
      if (missing) {
        parts.push(h("span", { class: "field-error", text: "missing" }));
        const choice = h("select", { "aria-label": `Connect output ${port} to`, class: "rewire" });
        choice.append(h("option", { value: "", text: "connect to…" }));
        for (const [other, node] of Object.entries(doc.nodes))
          if (other !== id && inputCount(node, app.typeInfo(node.type)) > 0)
            choice.append(h("option", { value: other, text: other }));
        choice.addEventListener("change", () => {
          if (choice.value) app.edit((d) => retarget(d, id, port, to, choice.value));
        });
        parts.push(choice);
      }
      rows.push(h("li", { class: missing ? "broken" : "", "data-to": to }, ...parts, remove));
    }
  });
  if (!rows.length) return null;
  return h(
    "section",
    { class: "wires" },
    h("h3", { text: "Wires" }),
    h("ul", { class: "wires-list" }, ...rows),
  );
}
