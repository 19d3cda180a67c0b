// ui-form: its fields, a submit and a cancel button. Submitting sends {name: value}; the
// server empties the form in every browser by a new `seq` with no values (or fills it with a
// message's values). What a person types is not sent before a submit.
import { h } from "../dom.js";
import { labelOf } from "./common.js";

function input(spec, f) {
  const id = `form-${spec.id}-${f.name}`;
  const attrs = { id, name: f.name, required: f.required };
  const control = f.type === "multiline" ? h("textarea", { ...attrs, rows: f.rows })
    : h("input", { ...attrs, type: f.type === "checkbox" ? "checkbox" : f.type,
                   step: f.type === "number" ? "any" : null });
  const label = h("label", { for: id, text: f.label });
  return { f, control, row: h("div", { class: `form-row form-${f.type}` }, label, control) };
}

export function form(spec, send) {
  const fields = spec.fields.map((f) => input(spec, f));
  const values = () => Object.fromEntries(fields.map(({ f, control }) => [
    f.name, f.type === "checkbox" ? control.checked : control.value]));
  const fill = (given) => {
    for (const { f, control } of fields) {
      const v = given[f.name];
      if (f.type === "checkbox") control.checked = v === true;
      else control.value = v == null ? "" : String(v);
    }
  };
  const buttons = h("div", { class: "form-buttons" },
                    h("button", { type: "submit", class: "submit", text: spec.submit }),
                    spec.cancel ? h("button", { type: "button", class: "cancel",
                                                text: spec.cancel, onclick: () => fill({}) })
                      : null);
  const el = h("form", { class: "form" }, labelOf(spec),
               ...fields.map(({ row }) => row), buttons);
  el.addEventListener("submit", (event) => {
    event.preventDefault();
    if (el.reportValidity()) send(values());
  });
  let seq = -1;
  return {
    el,
    update(state) {
      if (state.seq === seq) return;
      seq = state.seq;
      fill(state.values ?? {});
      el.dataset.seq = String(seq);
    },
  };
}
