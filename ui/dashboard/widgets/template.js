// ui-template: HTML the server made from the flow's template (values escaped, then kept to
// its allowlist), shown through the same allowlist again (allowlist.js), which the layout
// hands over as `spec.allow`. With `spec.store` false, the state replayed on connecting is
// not shown (node-red-dashboard's storeOutMessages off): the next message is.
import { h } from "../dom.js";
import { allowlist, sanitized } from "./allowlist.js";
import { labelOf } from "./common.js";

export function template(spec) {
  const allow = allowlist(spec.allow ?? {});
  const body = h("div", { class: "template-body" });
  const el = h("div", { class: "template" }, labelOf(spec), body);
  return {
    el,
    update(state, u, replay) {
      if (replay && spec.store === false) return;
      body.replaceChildren(...sanitized(state.html ?? "", allow));
    },
  };
}
