// Input widgets that are a form field: dropdown, text input, colour picker, date picker. A
// field a person is typing in is not overwritten by an update (its own echo, or another
// browser's): it takes the value again once left.
import { h } from "../dom.js";

function field(spec, input, cls) {
  const id = `field-${spec.id}`;
  input.id = id;
  const label = spec.label ? h("label", { class: "label", for: id, text: spec.label }) : null;
  return h("div", { class: `field ${cls}` }, label, input);
}

const same = (a, b) => JSON.stringify(a) === JSON.stringify(b);

// Options come in the state ([[label, value], ...]); the browser sends their positions.
export function dropdown(spec, send) {
  const select = h("select", { multiple: spec.multiple });
  select.addEventListener("change", () => {
    const picked = [...select.selectedOptions].map((o) => Number(o.value)).filter((i) => i >= 0);
    send(spec.multiple ? picked : picked[0]);
  });
  const el = field(spec, select, "dropdown");
  return {
    el,
    update(state) {
      const chosen = spec.multiple ? state.value ?? [] : [state.value];
      const items = (state.options ?? []).map(([label, value], i) => {
        const o = h("option", { value: String(i), text: label });
        o.selected = chosen.some((c) => c != null && same(c, value));
        return o;
      });
      const none = !spec.multiple && !items.some((o) => o.selected);
      const placeholder = spec.multiple ? null :
        h("option", { value: "-1", text: spec.placeholder, disabled: true, hidden: true });
      if (placeholder) placeholder.selected = none;
      select.replaceChildren(...[placeholder, ...items].filter(Boolean));
      el.dataset.value = JSON.stringify(state.value ?? null);
    },
  };
}

export function textInput(spec, send) {
  const input = h("input", { type: spec.mode, placeholder: spec.placeholder || null,
                             autocomplete: spec.mode === "password" ? "off" : null });
  let timer = 0;
  let last = null;
  const value = () => (spec.mode === "number" && input.value !== "" ? Number(input.value)
                       : input.value);
  const flush = () => {
    clearTimeout(timer);
    timer = 0;
    if (last !== input.value) { last = input.value; send(value()); }
  };
  if (spec.delay > 0) {
    input.addEventListener("input", () => {
      clearTimeout(timer);
      timer = setTimeout(flush, spec.delay);
    });
  }
  input.addEventListener("change", flush); // Enter, or leaving the field
  input.addEventListener("keydown", (e) => { if (e.key === "Enter") flush(); });
  const el = field(spec, input, `text-input text-input-${spec.mode}`);
  return {
    el,
    update(state) {
      const shown = state.value == null ? "" : String(state.value);
      el.dataset.value = shown;
      last = shown;
      if (document.activeElement !== input) input.value = shown;
    },
  };
}

export function colourPicker(spec, send) {
  const input = h("input", { type: "color" });
  input.addEventListener("change", () => send(input.value));
  const swatch = h("span", { class: "colour-value" });
  const el = field(spec, input, "colour-picker");
  el.append(swatch);
  return {
    el,
    update(state) {
      input.value = state.value;
      swatch.textContent = state.value;
      el.dataset.value = state.value;
    },
  };
}

export function datePicker(spec, send) {
  const input = h("input", { type: "date", min: spec.min || null, max: spec.max || null });
  input.addEventListener("change", () => { if (input.value) send(input.value); });
  const el = field(spec, input, "date-picker");
  return {
    el,
    update(state) {
      input.value = state.date ?? "";
      el.dataset.value = state.date ?? "";
    },
  };
}
