// What a node does, in a few words under its name on the canvas ("set msg.payload",
// "every 5 s", "GET /api/orders"), as Node-RED shows a node's default label. Read from the
// node's configuration in the flow file; a type without a summary shows none.
const prop = (p, fallback = "payload") => {
  const v = p === undefined || p === null ? fallback : p;
  if (typeof v === "string") return `msg.${v}`;
  if (v && typeof v === "object" && v.type) return `${v.type}.${v.value ?? ""}`;
  return String(v);
};

const value = (v) => {
  if (v === undefined) return "";
  if (v && typeof v === "object" && !Array.isArray(v) && v.type) {
    if (v.type === "date") return "timestamp";
    if (["str", "num", "bool"].includes(v.type)) return JSON.stringify(v.value);
    if (v.type === "jsonata") return "JSONata";
    return `${v.type}.${v.value ?? ""}`;
  }
  return JSON.stringify(v);
};

const seconds = (s) => (typeof s === "number" ? `${s} s` : s ? String(s) : "");

const SUMMARIES = {
  inject: (n) => {
    const when = n.repeat ? `every ${seconds(n.repeat)}` : n.cron ? `cron ${n.cron}` : "";
    const what = n.payload === undefined ? "timestamp" : value(n.payload);
    return [what, when, n.once ? "once" : ""].filter(Boolean).join(", ");
  },
  change: (n) => {
    const rules = Array.isArray(n.rules) ? n.rules : [];
    const first = rules[0] || {};
    const action = ["set", "change", "delete", "move"].find((a) => a in first);
    if (!action) return "";
    const more = rules.length > 1 ? ` +${rules.length - 1}` : "";
    return `${action} ${prop(first[action])}${more}`;
  },
  switch: (n) => {
    const count = Array.isArray(n.rules) ? n.rules.length : 0;
    return `${prop(n.property)}: ${count} rule${count === 1 ? "" : "s"}`;
  },
  debug: (n) =>
    n.complete === true || n.complete === "true"
      ? "msg"
      : n.expression
        ? "JSONata"
        : prop(n.property),
  delay: (n) =>
    n.mode === "rate" ? `${n.rate ?? 1} per ${seconds(n.per ?? 1)}` : seconds(n.delay),
  trigger: (n) => (n.duration ? `then wait ${seconds(n.duration)}` : ""),
  "mqtt-in": (n) => n.topic || "",
  "mqtt-out": (n) => n.topic || "",
  "http-in": (n) => `${String(n.method || "get").toUpperCase()} ${n.url || ""}`,
  "http-request": (n) => `${String(n.method || "get").toUpperCase()} ${n.url || ""}`,
  "file-in": (n) => n.filename || "",
  "file-out": (n) => n.filename || "",
  exec: (n) => n.command || "",
  watch: (n) => (Array.isArray(n.files) ? n.files.join(", ") : n.files || ""),
  split: (n) => prop(n.property),
  join: (n) => n.mode || "auto",
  template: (n) => (n.property ? `→ ${prop(n.property)}` : "→ msg.payload"),
  catch: (n) => (Array.isArray(n.scope) ? `${n.scope.length} nodes` : "all nodes"),
  status: (n) => (Array.isArray(n.scope) ? `${n.scope.length} nodes` : "all nodes"),
};

/** The node's summary ("" when its type has none). */
export function summary(node) {
  const made = SUMMARIES[node.type];
  try {
    return made ? made(node) : "";
  } catch {
    return ""; // a configuration still being typed: no summary rather than a broken canvas
  }
}
