// Typed inputs, as integrators know them from Node-RED: a type selector next to a plain text
// field. The flow file keeps a literal where one is allowed (`topic: greeting`, `payload: 42`)
// and `{type, value}` otherwise (`{type: msg, value: payload.reading}`); the types offered are
// those of the field's schema (the TypedValue's `type` enum).
import { h } from "./dom.js";

const LABELS = {
  str: "text",
  num: "number",
  bool: "boolean",
  json: "JSON",
  bin: "buffer",
  msg: "msg.",
  flow: "flow.",
  global: "global.",
  env: "env variable",
  date: "timestamp",
  jsonata: "JSONata",
  re: "regular expression",
  prev: "previous value",
};

const HINTS = {
  str: "plain text",
  num: "e.g. 42",
  json: '{"key": "value"} or [1, 2]',
  bin: "[1, 2, 3] or text",
  msg: "payload.reading",
  flow: "count",
  global: "settings.limit",
  env: "VAR or text with ${VAR}",
  date: "empty: epoch ms; iso: ISO 8601 text",
  jsonata: "payload * 2",
  re: "^sensor/(\\w+)$",
  prev: "the value the previous message had",
};

/** The typed-value schema among a field's alternatives: {types, literal, path} or null; a plain
 * literal is allowed with `literal`, and with `path` a plain text is a message property path. */
export function typedOf(schema, resolve) {
  const alts = schema.anyOf || schema.oneOf || [schema];
  let types = null;
  let literal = false;
  let path = false;
  for (const alt of alts) {
    const r = resolve(alt);
    const t = r && r.properties && r.properties.type;
    const values = t && (Array.isArray(t.enum) ? t.enum : "const" in t ? [t.const] : null);
    if (values && r.properties.value) types = [...(types || []), ...values];
    else if (r && r.type === "string" && r["x-format"] === "property") path = true;
    else if (!(r && typeof r.$ref === "string" && /envref$/.test(r.$ref))) literal = true;
  }
  if (!types) return null;
  if (path) types = ["msg", ...types]; // a plain text is a message property: offered first
  return { types: [...new Set(types)], literal, path };
}

/** A stored value as [type, text] for the form. */
export function splitTyped(v, types, path = false) {
  if (v === undefined || v === null)
    return [v === null ? "json" : types[0], v === null ? "null" : ""];
  if (typeof v === "object" && !Array.isArray(v) && types.includes(v.type)) {
    const inner = v.value;
    if (inner === undefined || inner === null) return [v.type, ""];
    return [v.type, typeof inner === "string" ? inner : JSON.stringify(inner)];
  }
  if (typeof v === "string") return [path ? "msg" : "str", v];
  if (typeof v === "number") return ["num", String(v)];
  if (typeof v === "boolean") return ["bool", String(v)];
  return ["json", JSON.stringify(v)];
}

/** The value to store for [type, text]; throws an Error saying what is wrong with the text. */
export function joinTyped(type, text, literal, path = false) {
  if (type === "msg" && path) return text;
  if (type === "str") return literal ? text : { type, value: text };
  if (type === "num") {
    if (!/^\s*-?(\d+\.?\d*|\.\d+)(e[-+]?\d+)?\s*$/i.test(text)) throw new Error("not a number");
    return literal ? Number(text) : { type, value: text.trim() };
  }
  if (type === "bool") return literal ? text === "true" : { type, value: text === "true" };
  if (type === "json") {
    try {
      return { type, value: JSON.parse(text) };
    } catch (err) {
      throw new Error(`not valid JSON yet: ${err.message}`);
    }
  }
  if ((type === "date" && text === "") || type === "prev") return { type };
  return { type, value: text };
}

/**
 * The typed input for `key`: a type <select> and a text field (a true/false choice for booleans).
 * `commit(value | undefined)` stores a change; `fail(message)` shows why the text cannot be kept.
 */
export function typedInput({ id, key, value, typed, placeholder, commit, fail }) {
  let [type, text] = splitTyped(value, typed.types, typed.path);
  if (
    !typed.types.includes(type) &&
    !(typed.literal && ["str", "num", "bool", "json"].includes(type))
  )
    type = typed.types[0];
  const choice = h("select", {
    class: "typed-type",
    "aria-label": `${key}: type`,
    "data-typed": key,
  });
  for (const t of typed.types) choice.append(h("option", { value: t, text: LABELS[t] || t }));
  choice.value = type;
  const box = h("div", { class: "typed" }, choice);
  let field = null;

  const store = () => {
    if (field.value === "" && (type === "str" || (type === "msg" && typed.path)))
      return commit(undefined); // the default
    let stored;
    try {
      stored = joinTyped(type, field.value, typed.literal, typed.path);
    } catch (err) {
      return fail(`${key}: ${err.message}`);
    }
    commit(stored);
  };
  const draw = () => {
    if (field) field.remove();
    if (type === "bool") {
      field = h("select", { id, name: key, class: "typed-value" });
      for (const b of ["true", "false"]) field.append(h("option", { value: b, text: b }));
      field.value = text === "false" ? "false" : "true";
      field.addEventListener("change", store);
    } else {
      field = h("input", {
        id,
        name: key,
        type: "text",
        class: "typed-value",
        spellcheck: "false",
      });
      field.value = text;
      field.placeholder = type === typed.types[0] && placeholder ? placeholder : HINTS[type] || "";
      field.addEventListener("input", store);
    }
    field.dataset.key = key;
    box.append(field);
  };
  choice.addEventListener("change", () => {
    text = field.value;
    type = choice.value;
    draw();
    if (field.value !== "" || ["date", "bool", "prev"].includes(type)) store();
  });
  draw();
  return box;
}
