// Row editors for list and mapping fields, generated from the schema instead of JSON boxes: a
// list of texts or numbers (catch scope, csv columns, link targets) is one row per item; a
// mapping of names to values (HTTP headers, tags, inject properties) is one name/value row per
// entry, the value a typed input where the schema allows one; a mapping with fixed fields (an
// MQTT will message) is a small form of its own.
import { h } from "./dom.js";
import { typedInput, typedOf } from "./typed.js";

const scalar = (s) => s && ["string", "integer", "number"].includes(s.type) && !s.properties;

/** How a field is edited in rows: {rows: "list" | "map" | "object", ...} or null (JSON box). */
export function rowsOf(s, resolve) {
  if (s.type === "array" && s.items && !s.prefixItems) {
    const item = resolve(s.items);
    if (scalar(item)) return { rows: "list", item };
  }
  if (s.type === "object" && s.properties && Object.keys(s.properties).length)
    return { rows: "object" };
  if (s.type === "object" && s.additionalProperties && typeof s.additionalProperties === "object") {
    const value = resolve(s.additionalProperties);
    const typed = typedOf(value, resolve);
    if (typed || scalar(value)) return { rows: "map", value, typed };
  }
  return null;
}

const button = (text, label, onclick) =>
  h("button", { type: "button", class: "icon", text, title: label, "aria-label": label, onclick });

function rowBox(key, draw, add) {
  const box = h("div", { class: "rows", "data-key": key });
  box.redraw = () =>
    box.replaceChildren(
      ...draw(),
      h("button", {
        type: "button",
        class: "secondary rows-add",
        text: add.label,
        onclick: add.onclick,
      }),
    );
  return box;
}

/** One row per item of a list of texts or numbers. */
export function listEditor({ key, value, item, commit, fail }) {
  const list = Array.isArray(value) ? [...value] : [];
  const number = item.type === "integer" || item.type === "number";
  const store = () => commit(list.length ? [...list] : undefined);
  const box = rowBox(
    key,
    () =>
      list.map((v, i) => {
        const input = h("input", { type: "text", spellcheck: "false", "data-item": String(i) });
        input.value = v == null ? "" : String(v);
        input.setAttribute("aria-label", `${key} ${i + 1}`);
        input.addEventListener("input", () => {
          const t = input.value.trim();
          if (number && !/^-?\d+(\.\d+)?$/.test(t)) return fail(`${key} ${i + 1}: not a number`);
          list[i] = number ? Number(t) : input.value;
          fail("");
          store();
        });
        const remove = button("×", `Remove ${key} ${i + 1}`, () => {
          list.splice(i, 1);
          store();
          box.redraw();
        });
        return h("div", { class: "row-item" }, input, remove);
      }),
    {
      label: "+ add",
      onclick: () => {
        list.push(number ? 0 : "");
        box.redraw();
        box.querySelector(`[data-item="${list.length - 1}"]`).focus();
      },
    },
  );
  box.redraw();
  return box;
}

/** One name/value row per entry of a mapping. */
export function mapEditor({ key, value, valueSchema, typed, commit, fail }) {
  const entries = Object.entries(value && typeof value === "object" ? value : {});
  const store = () => {
    const out = {};
    for (const [k, v] of entries) if (k !== "") out[k] = v;
    commit(Object.keys(out).length ? out : undefined);
  };
  const box = rowBox(
    key,
    () =>
      entries.map((entry, i) => {
        const name = h("input", { type: "text", spellcheck: "false", class: "row-name" });
        name.value = entry[0];
        name.placeholder = "name";
        name.setAttribute("aria-label", `${key} name ${i + 1}`);
        name.addEventListener("input", () => {
          entry[0] = name.value.trim();
          store();
        });
        const set = (v) => {
          entry[1] = v === undefined ? "" : v;
          fail("");
          store();
        };
        let field;
        if (typed)
          field = typedInput({
            id: null,
            key: `${key}.${i}`,
            value: entry[1],
            typed,
            commit: set,
            fail,
          });
        else {
          field = h("input", { type: "text", spellcheck: "false", class: "row-value" });
          field.value = entry[1] == null ? "" : String(entry[1]);
          field.placeholder = valueSchema.type === "string" ? "value" : "number";
          field.setAttribute("aria-label", `${key} value ${i + 1}`);
          field.addEventListener("input", () => set(field.value));
        }
        const remove = button("×", `Remove ${key} ${entry[0] || i + 1}`, () => {
          entries.splice(i, 1);
          store();
          box.redraw();
        });
        return h("div", { class: "row-item row-pair" }, name, field, remove);
      }),
    {
      label: "+ add",
      onclick: () => {
        entries.push(["", ""]);
        box.redraw();
        box.querySelectorAll(".row-name")[entries.length - 1].focus();
      },
    },
  );
  box.redraw();
  return box;
}

/** A mapping with fixed fields: a form of its own (`build` is props.js's buildForm). */
export function objectEditor({ key, value, schema, root, build, commit }) {
  const values = value && typeof value === "object" ? { ...value } : {};
  const box = h("fieldset", { class: "sub-form", "data-key": key });
  build(box, {
    schema: { ...schema, $defs: root.$defs },
    values,
    idPrefix: `prop-${key}`,
    set: (k, v) => {
      if (v === undefined) delete values[k];
      else values[k] = v;
      commit(Object.keys(values).length ? { ...values } : undefined);
    },
  });
  return box;
}
