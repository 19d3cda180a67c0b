// The property panel, generated from the node type's JSON Schema: one input per property
// (text, number, checkbox, select, code, JSON), defaults as placeholders, required marks,
// descriptions as help. Edits go through app.edit() and are validated by the server.
import { h } from "./dom.js";
import { markdown } from "./markdown.js";
import { typedInput, typedOf } from "./typed.js";
import { ruleSchemaOf, rulesEditor } from "./rules.js";
import { listEditor, mapEditor, objectEditor, rowsOf } from "./rows.js";
import { codeEditor } from "./code.js";

const SKIP = new Set(["type", "to"]);
// a whole `${VAR}` reference: its grammar comes with the catalog's schema (`$defs.envref`)
const envRef = (schema) => new RegExp(schema?.$defs?.envref?.pattern ?? "(?!)");

function resolve(schema, root) {
  let s = schema;
  for (let i = 0; s && s.$ref && i < 10; i++) {
    const m = /^#\/(\$defs|definitions)\/(.+)$/.exec(s.$ref);
    const defs = root && (root.$defs || root.definitions);
    const target = m && defs ? defs[m[2]] : null;
    if (!target) return s;
    s = { ...target, ...s, $ref: undefined };
  }
  return s;
}

const isEnvRef = (s) => s && typeof s.$ref === "string" && /envref$/.test(s.$ref);
const isNull = (s) => s && s.type === "null";

/** Reduce a property schema to one editor kind: {kind, schema, nullable}. */
export function fieldKind(prop, root) {
  let s = resolve(prop, root);
  let nullable = false;
  for (let i = 0; i < 5; i++) {
    const alts = s.anyOf || s.oneOf;
    if (!alts) break;
    const rest = alts.filter((a) => !isEnvRef(a) && !isNull(a));
    if (rest.length < alts.length - (alts.some(isEnvRef) ? 1 : 0)) nullable = true;
    if (rest.length !== 1) break;
    const inner = resolve(rest[0], root);
    s = {
      ...inner,
      description: s.description || inner.description,
      default: "default" in s ? s.default : inner.default,
      "x-format": inner["x-format"] || s["x-format"], // `str | None` with a format: on the outside
    };
  }
  const ruleSchema = ruleSchemaOf(s, (a) => resolve(a, root));
  if (ruleSchema) return { kind: "rules", schema: s, nullable, ruleSchema };
  const typed = typedOf(s, (a) => resolve(a, root));
  if (typed) return { kind: "typed", schema: s, nullable, typed };
  const rows = rowsOf(s, (a) => resolve(a, root));
  if (rows) return { kind: rows.rows, schema: s, nullable, ...rows };
  if (Array.isArray(s.enum)) return { kind: "enum", schema: s, nullable };
  if (s["x-connection"]) return { kind: "connection", schema: s, nullable };
  const fmt = s["x-format"] || "";
  if (s.type === "string" && fmt.startsWith("code:"))
    return { kind: "code", schema: s, nullable, lang: fmt.slice(5) };
  if (s.type === "string") return { kind: "string", schema: s, nullable };
  if (s.type === "integer" || s.type === "number") return { kind: "number", schema: s, nullable };
  if (s.type === "boolean") return { kind: "boolean", schema: s, nullable };
  return { kind: "json", schema: s, nullable };
}

function show(v) {
  return v === undefined ? "" : JSON.stringify(v, null, 2);
}

/**
 * Build a form into `box` for `values` (a node or a connection object) against `schema`.
 * `set(key, value | undefined)` applies one change (undefined removes the key).
 */
export function buildForm(
  box,
  { schema, values, set, connections = {}, idPrefix = "prop", placeholders = {} },
) {
  const props = (schema && schema.properties) || {};
  const required = new Set((schema && schema.required) || []);
  const basic = h("div", { class: "form-fields" });
  const advanced = h("div", { class: "form-fields" });
  for (const [key, prop] of Object.entries(props)) {
    if (SKIP.has(key)) continue;
    const value = values[key];
    let f = fieldKind(prop, schema);
    // a `${VAR}` reference where a number, flag or choice goes: edit it as text, keep it as it is
    if (
      typeof value === "string" &&
      envRef(schema).test(value) &&
      f.kind !== "string" &&
      f.kind !== "code"
    )
      f = { ...f, kind: "string", was: f.kind };
    const s = f.schema;
    const id = `${idPrefix}-${key}`;
    const def = s.default !== undefined ? s.default : prop.default;
    const label = h(
      "label",
      { for: id, class: "field-label" },
      key.replace(/_/g, " "),
      required.has(key) ? h("span", { class: "required", title: "required", text: " *" }) : null,
    );
    let input;
    const errorBox = h("div", { class: "field-error", role: "alert" });
    const commit = (v) => {
      errorBox.textContent = "";
      set(key, v);
    };
    const fail = (why) => (errorBox.textContent = why);
    if (f.kind === "list") input = listEditor({ key, value, item: f.item, commit, fail });
    else if (f.kind === "map")
      input = mapEditor({ key, value, valueSchema: f.value, typed: f.typed, commit, fail });
    else if (f.kind === "object")
      input = objectEditor({ key, value, schema: s, root: schema, build: buildForm, commit });
    else if (f.kind === "rules") {
      input = rulesEditor({
        key,
        rules: value,
        ruleSchema: f.ruleSchema,
        resolve: (a) => resolve(a, schema),
        commit,
        fail: (why) => (errorBox.textContent = why),
      });
    } else if (f.kind === "typed") {
      input = typedInput({
        id,
        key,
        value,
        typed: f.typed,
        placeholder: def !== undefined && def !== null ? String(def) : "",
        commit,
        fail: (why) => (errorBox.textContent = why),
      });
    } else if (f.kind === "boolean") {
      input = h("input", { id, type: "checkbox", name: key });
      input.checked = value === undefined ? Boolean(def) : value === true;
      input.addEventListener("change", () => commit(input.checked));
    } else if (f.kind === "enum" || f.kind === "connection") {
      input = h("select", { id, name: key });
      let options =
        f.kind === "enum"
          ? s.enum
          : Object.entries(connections)
              .filter(([, c]) => !s["x-connection"] || c.type === s["x-connection"])
              .map(([k]) => k);
      options = options.filter((o, i) => options.findIndex((p) => String(p) === String(o)) === i);
      if (value !== undefined && !options.some((o) => String(o) === String(value)))
        options = [...options, value];
      const unset =
        def !== undefined && def !== null
          ? `default (${def})`
          : f.kind === "connection"
            ? "— choose a connection —"
            : "—";
      input.append(h("option", { value: "", text: unset }));
      for (const o of options)
        input.append(h("option", { value: JSON.stringify(o), text: String(o) }));
      const match =
        value === undefined ? undefined : options.find((o) => String(o) === String(value));
      input.value = match === undefined ? "" : JSON.stringify(match);
      input.addEventListener("change", () =>
        commit(input.value === "" ? undefined : JSON.parse(input.value)),
      );
    } else if (f.kind === "code") {
      input = codeEditor({
        id,
        key,
        lang: f.lang,
        value,
        placeholder: def ? String(def).trim() : "",
        commit,
      });
    } else if (f.kind === "string" || f.kind === "number") {
      input = h("input", {
        id,
        name: key,
        type: "text",
        spellcheck: "false",
        inputmode: f.kind === "number" ? "decimal" : null,
      });
      input.value = value === undefined || value === null ? "" : String(value);
      if (def != null) input.placeholder = String(def);
      else if (placeholders[key]) input.placeholder = placeholders[key];
      else if (s["x-secret"]) input.placeholder = "${SECRET_NAME}";
      if (s["x-secret"]) {
        input.autocomplete = "off";
        input.classList.add("secret");
      } else if (s.examples && s.examples.length) input.placeholder = `e.g. ${s.examples[0]}`;
      input.addEventListener("input", () => {
        const t = input.value;
        if (t === "") return commit(undefined);
        if (
          (f.kind === "number" || f.was === "number" || f.was === "enum") &&
          /^-?\d+(\.\d+)?(e-?\d+)?$/i.test(t.trim())
        )
          return commit(Number(t));
        if (f.was === "boolean" && (t === "true" || t === "false")) return commit(t === "true");
        commit(t);
      });
    } else {
      input = h("textarea", { id, name: key, class: "code json", spellcheck: "false" });
      input.value = show(value);
      input.rows = Math.min(16, Math.max(3, input.value.split("\n").length));
      if (def !== undefined && def !== null) input.placeholder = show(def);
      else if (s.examples && s.examples.length) input.placeholder = show(s.examples[0]);
      input.addEventListener("input", () => {
        const t = input.value.trim();
        if (t === "") return commit(undefined);
        try {
          commit(JSON.parse(t));
        } catch (err) {
          errorBox.textContent = `Not valid JSON yet: ${err.message}`;
        }
      });
    }
    if (f.kind !== "typed" && f.kind !== "rules") input.dataset.key = key; // theirs have it
    let help = s.description || prop.description;
    if (s["x-secret"])
      help = (
        `${help || ""} A secret: give it as \`\${VAR}\` ` +
        "(environment or `--secrets` file), never inline."
      ).trim();
    const row = h(
      "div",
      { class: `field field-${f.kind}`, "data-field": key },
      f.kind === "boolean" ? h("div", { class: "check-row" }, input, label) : label,
      f.kind === "boolean" ? null : input,
      help ? h("div", { class: "field-help" }, markdown(help, true)) : null,
      errorBox,
      h("div", { class: "field-diag", role: "status" }),
    );
    (s["x-advanced"] ? advanced : basic).append(row);
  }
  box.append(basic);
  if (advanced.children.length) {
    box.append(h("details", { class: "advanced" }, h("summary", { text: "Advanced" }), advanced));
  }
}
