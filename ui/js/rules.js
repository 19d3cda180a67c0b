// Rule rows for change and switch rules, as in Node-RED's editor: each rule a row with its
// action (set/change/delete/move, or an operator ==, <, matches...), its values as typed inputs,
// and buttons to move it up or down or remove it; "add" appends one. What a rule holds comes
// from the schema: the rule object's `x-rule` names the action keys and what each one takes.
import { h } from "./dom.js";
import { typedInput, typedOf } from "./typed.js";

const LABELS = {
  set: "Set",
  change: "Change",
  delete: "Delete",
  move: "Move",
  eq: "==",
  neq: "!=",
  lt: "<",
  lte: "<=",
  gt: ">",
  gte: ">=",
  between: "is between",
  contains: "contains",
  regex: "matches regex",
  is: "is",
  is_type: "is of type",
  head: "head",
  tail: "tail",
  index_between: "index between",
  has_key: "has key",
  jsonata: "JSONata exp",
  else: "otherwise",
  from: "search for",
  to: "to",
  deep_copy: "deep copy",
  ignore_case: "ignore case",
  syntax: "syntax",
};

/** The rule schema of an array field whose items are rules, or null. */
export function ruleSchemaOf(schema, resolve) {
  if (!schema || schema.type !== "array" || !schema.items) return null;
  const items = resolve(schema.items);
  return items && items["x-rule"] && items.properties ? items : null;
}

/** A fresh rule for `action`: what its required keys need, empty. */
function fresh(action, rule) {
  const before = rule && rule[actionOf(rule)];
  const target = typeof before === "string" && before ? before : "payload";
  if (action === "set" || action === "move") return { [action]: target, to: "" };
  if (action === "change") return { change: target, from: "", to: "" };
  if (action === "delete") return { delete: target };
  if (action === "between" || action === "index_between") return { [action]: [0, 0] };
  if (action === "else") return { else: true };
  if (action === "is") return { is: "not null" };
  if (action === "is_type") return { is_type: "string" };
  if (action === "head" || action === "tail") return { [action]: 1 };
  return { [action]: "" };
}

const actionOf = (rule, actions = null) =>
  Object.keys(rule || {}).find((k) => (actions ? actions.includes(k) : LABELS[k])) || null;

/** One value's editor from its schema: typed input, choice, check box or text. */
function valueEditor({ schema, resolve, key, value, commit, fail, types = null }) {
  const s = resolve(schema);
  if (s.prefixItems) {
    const pair = Array.isArray(value) ? [...value] : [null, null];
    return h(
      "span",
      { class: "rule-pair" },
      ...[0, 1].map((i) =>
        valueEditor({
          schema: s.prefixItems[i],
          resolve,
          key: `${key}.${i}`,
          value: pair[i],
          commit: (v) => {
            pair[i] = v === undefined ? null : v;
            commit([...pair]);
          },
          fail,
        }),
      ),
    );
  }
  const typed = typedOf(s, resolve);
  if (typed) {
    const offered = types
      ? { ...typed, types: typed.types.filter((t) => types.includes(t)) }
      : typed;
    return typedInput({ id: null, key, value, typed: offered, placeholder: "", commit, fail });
  }
  if (Array.isArray(s.enum)) {
    const choice = h("select", { "data-key": key, "aria-label": LABELS[key] || key });
    const shown = s.enum.filter((o, i) => s.enum.findIndex((p) => String(p) === String(o)) === i);
    for (const o of shown)
      choice.append(h("option", { value: JSON.stringify(o), text: String(o) }));
    const match = shown.find((o) => String(o) === String(value));
    choice.value = JSON.stringify(match === undefined ? shown[0] : match);
    choice.addEventListener("change", () => commit(JSON.parse(choice.value)));
    return choice;
  }
  if (s.type === "boolean" && s.const === true) return null;
  if (s.type === "boolean") {
    const box = h("input", { type: "checkbox", "data-key": key });
    box.checked = value === true;
    box.addEventListener("change", () => commit(box.checked || undefined));
    return h("label", { class: "rule-check" }, box, LABELS[key] || key);
  }
  const text = h("input", { type: "text", "data-key": key, spellcheck: "false" });
  text.value = value == null ? "" : String(value);
  if (s.type === "integer" || s.type === "number") text.inputMode = "decimal";
  text.addEventListener("input", () => {
    const t = text.value;
    commit(s.type === "integer" || s.type === "number" ? (t === "" ? null : Number(t)) : t);
  });
  return text;
}

/**
 * The rows editor of a rules field: `rules` the current list, `commit(list)` stores a new one.
 */
export function rulesEditor({ key, rules, ruleSchema, resolve, commit, fail }) {
  const spec = ruleSchema["x-rule"];
  const props = ruleSchema.properties;
  let list = Array.isArray(rules) ? rules.map((r) => ({ ...r })) : [];
  const box = h("div", { class: "rules", "data-key": key });
  const store = () => commit(list.map((r) => ({ ...r })));

  const row = (rule, index) => {
    const action = actionOf(rule, spec.actions) || spec.actions[0];
    const choice = h("select", { class: "rule-action", "aria-label": `rule ${index + 1}` });
    for (const a of spec.actions) choice.append(h("option", { value: a, text: LABELS[a] || a }));
    choice.value = action;
    choice.addEventListener("change", () => {
      list[index] = fresh(choice.value, rule);
      store();
      draw();
    });
    const put = (k) => (v) => {
      if (v === undefined) delete rule[k];
      else rule[k] = v;
      store();
    };
    const extras = (spec.with && spec.with[action]) || [];
    const parts = [
      valueEditor({
        schema: props[action],
        resolve,
        key: action,
        value: rule[action],
        commit: put(action),
        fail,
        types: spec.targets || null,
      }),
      ...extras.map((k) => {
        const editor = valueEditor({
          schema: props[k],
          resolve,
          key: k,
          value: rule[k],
          commit: put(k),
          fail,
        });
        const shown = props[k].type === "boolean" || !editor;
        return shown ? editor : h("span", { class: "rule-extra" }, `${LABELS[k] || k} `, editor);
      }),
    ];
    const button = (text, label, onclick, disabled = false) =>
      h("button", {
        type: "button",
        class: "icon",
        "aria-label": label,
        title: label,
        text,
        onclick,
        disabled,
      });
    const move = (by) => () => {
      const [moved] = list.splice(index, 1);
      list.splice(index + by, 0, moved);
      store();
      draw();
    };
    return h(
      "div",
      { class: "rule-row", "data-rule": String(index) },
      h("span", { class: "rule-index", text: String(index + 1) }),
      choice,
      h("span", { class: "rule-values" }, ...parts),
      h(
        "span",
        { class: "rule-buttons" },
        button("↑", "Move up", move(-1), index === 0),
        button("↓", "Move down", move(1), index === list.length - 1),
        button("×", "Remove", () => {
          list.splice(index, 1);
          store();
          draw();
        }),
      ),
    );
  };

  const draw = () => {
    box.replaceChildren(
      ...list.map((rule, i) => row(rule, i)),
      h("button", {
        type: "button",
        class: "secondary rule-add",
        text: "+ add rule",
        onclick: () => {
          list.push(fresh(spec.actions[0], list[list.length - 1]));
          store();
          draw();
        },
      }),
    );
  };
  draw();
  return box;
}
