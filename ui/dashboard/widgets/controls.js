// Input widgets that send a value from a button or a range: button, switch, slider, numeric.
import { h } from "../dom.js";
import { labelOf } from "./common.js";

export function button(spec, send) {
  const b = h("button", { type: "button", text: spec.label, onclick: () => send(true) });
  if (spec.color) b.style.backgroundColor = spec.color;
  return { el: h("div", { class: "button" }, b), update() {} };
}

export function toggle(spec, send) {
  const box = h("input", { type: "checkbox", role: "switch",
                           onchange: () => send(box.checked) });
  const el = h("label", { class: "switch" }, labelOf(spec), box, h("span", { class: "knob" }));
  return { el, update(state) { box.checked = Boolean(state.on); } };
}

export function slider(spec, send) {
  let holding = false;
  const shown = h("span", { class: "slider-value" });
  const range = h("input", { type: "range", min: spec.min, max: spec.max, step: spec.step,
                             "aria-label": spec.label || "value" });
  range.addEventListener("pointerdown", () => { holding = true; });
  for (const end of ["pointerup", "pointercancel"]) {
    range.addEventListener(end, () => { holding = false; });
  }
  range.addEventListener("input", () => {
    shown.textContent = range.value;
    if (spec.send === "continuous") send(Number(range.value));
  });
  range.addEventListener("change", () => {
    holding = false;
    if (spec.send === "release") send(Number(range.value));
  });
  const head = h("div", { class: "slider-head" }, labelOf(spec), shown);
  const el = h("div", { class: "slider" }, head, range);
  return {
    el,
    update(state) {
      shown.textContent = String(state.value);
      el.dataset.value = String(state.value);
      if (!holding) range.value = String(state.value);
    },
  };
}

// − and + change the number by a step (the server keeps it in range and on a step).
export function numeric(spec, send) {
  let value = spec.min;
  const by = (sign) => {
    let next = value + sign * spec.step;
    if (spec.wrap && next > spec.max) next = spec.min;
    if (spec.wrap && next < spec.min) next = spec.max;
    send(next);
  };
  const shown = h("span", { class: "numeric-value", role: "status" });
  const down = h("button", { type: "button", class: "down", "aria-label": "less", text: "−",
                             onclick: () => by(-1) });
  const up = h("button", { type: "button", class: "up", "aria-label": "more", text: "+",
                           onclick: () => by(1) });
  const el = h("div", { class: "numeric" }, labelOf(spec),
               h("div", { class: "numeric-box" }, down, shown, up));
  return {
    el,
    update(state) {
      value = Number(state.value);
      el.dataset.value = String(state.value);
      shown.textContent = state.text ?? String(state.value);
    },
  };
}
