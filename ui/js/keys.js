// The keys of a selected endpoint, in its properties panel: an http-in with `auth`, or a
// websocket-in whose listener has `auth`. Each key the endpoint accepts (or token, or user),
// with its use: requests, refusals, 429s and today's quota, from GET /api/endpoints (the
// counters /metrics shows), read every 2 s while the panel shows it. An admin adds keys (the
// new key is shown once, here) and revokes them. No key or hash ever comes from the server
// but the one just made.
import { api } from "./api.js";
import { h } from "./dom.js";
import { currentUser } from "./roles.js";

const EVERY_MS = 2000;
let made = null; // {endpoint, name, key}: the key just made, shown until dismissed

/** The id the running server knows the selected node's endpoint by (null: no endpoint with
 * auth): the http-in's own, or the websocket-in's listener connection's. */
export function endpointOf(doc, id) {
  const node = doc.nodes[id];
  if (!node) return null;
  if (node.type === "http-in") return node.auth && node.auth !== "none" ? id : null;
  if (node.type !== "websocket-in" || !node.listener) return null;
  const conn = (doc.connections || {})[node.listener];
  return conn && conn.type === "websocket-listener" && conn.auth && conn.auth !== "none"
    ? node.listener
    : null;
}

const isAdmin = () => {
  const me = currentUser();
  return me.role === "admin" && !me.files; // keys reach every file: not for a limited grant
};

const num = (n) => (n == null ? "–" : Number(n).toLocaleString("en"));

function when(text) {
  if (!text) return "never";
  const t = new Date(text);
  return isNaN(t) ? text : t.toLocaleString();
}

/** How long ago, short: "just now", "12 s ago", "5 min ago", "3 h ago", or the date. */
function ago(text) {
  if (!text) return "never used";
  const s = (Date.now() - new Date(text)) / 1000;
  if (isNaN(s)) return text;
  if (s < 2) return "just now";
  if (s < 60) return `${Math.round(s)} s ago`;
  if (s < 3600) return `${Math.round(s / 60)} min ago`;
  if (s < 86400) return `${Math.round(s / 3600)} h ago`;
  return new Date(text).toLocaleDateString();
}

function limitsText(ep) {
  const parts = [ep.endpoint, `auth: ${ep.auth}`];
  if (ep.scopes.length) parts.push(`scopes: ${ep.scopes.join(" ")}`);
  if (ep.rate != null) parts.push(`rate ${ep.rate}/s, burst ${ep.burst}`);
  if (ep.quota != null) parts.push(`quota ${num(ep.quota)}/day`);
  return parts.join(" · ");
}

/** The section for the selected node (null when it is no endpoint with auth). */
export function endpointKeys(app, doc, id) {
  const endpoint = endpointOf(doc, id);
  if (!endpoint) return null;
  const section = h("section", { class: "endpoint-keys", "data-endpoint": endpoint });
  const head = h("p", { class: "keys-limits muted" });
  const body = h("div", { class: "keys-body" });
  const problem = h("p", { class: "field-error", role: "alert" });
  const fresh = h("div", { class: "new-key-box" });
  section.append(h("h3", { text: "Keys and use" }), head, body, problem, fresh);
  let view = null;

  const load = async () => {
    try {
      const data = await api.endpoints(endpoint);
      view = data.endpoints.find((e) => e.node === endpoint) || null;
      render(data.keys_file);
    } catch (err) {
      problem.textContent = `Cannot read the endpoint's keys: ${err.message}`;
    }
  };

  const revoke = async (name, button) => {
    if (button.dataset.armed !== "yes") {
      button.dataset.armed = "yes";
      button.textContent = "Confirm revoke";
      return;
    }
    try {
      await api.revokeKey(name);
      problem.textContent = "";
      await load();
    } catch (err) {
      problem.textContent = err.message;
    }
  };

  const render = (keysFile) => {
    if (!view) {
      head.textContent = "";
      body.replaceChildren(
        h("p", { class: "empty", text: "Not running: deploy the flow to see its keys and use." }),
      );
      return;
    }
    head.textContent = limitsText(view);
    const rows = view.clients.map((c) => keyRow(c, isAdmin() && c.kind === "key", revoke));
    const table = h(
      "table",
      { class: "keys-table" },
      h(
        "thead",
        {},
        h(
          "tr",
          {},
          ...[
            ["name", "key, token or user; when it last called"],
            ["state", "active, expired or revoked; not accepted: lacks the scopes"],
            ["req.", "requests since the server started"],
            ["refused", "refused: 401 and 403"],
            ["429", "over the rate or the quota"],
            ["today", "requests today (UTC) against the quota"],
          ].map(([t, title]) => h("th", { text: t, title })),
          isAdmin() ? h("th", { "aria-label": "actions" }) : null,
        ),
      ),
      h("tbody", {}, ...rows),
    );
    const anon = view.anonymous;
    const parts = [
      view.clients.length ? table : h("p", { class: "empty", text: emptyText(view, keysFile) }),
      h("p", {
        class: "keys-anonymous muted",
        text: `Without a valid credential: ${num(anon.unauthorized)} refused (401), ` +
          `${num(anon.rate_limited)} slowed (429).`,
      }),
    ];
    if (view.auth === "key" && isAdmin() && keysFile) parts.push(addForm(view, fresh, load));
    body.replaceChildren(...parts);
    showMade(fresh, endpoint);
  };

  load();
  const timer = setInterval(() => {
    if (!section.isConnected) clearInterval(timer); // the panel shows something else now
    else if (!document.hidden && section.offsetParent) load(); // shown: not another tab
  }, EVERY_MS);
  return section;
}

function emptyText(view, keysFile) {
  if (view.auth !== "key") return "No clients named.";
  return keysFile
    ? "No key has the scopes this endpoint asks for."
    : "No keys file: start the server with --keys FILE.";
}

function keyRow(c, canRevoke, revoke) {
  const u = c.usage;
  const state = c.accepted ? c.state || "active" : "not accepted";
  const refused = u.unauthorized + u.forbidden;
  const limited = u.rate_limited + u.quota_exceeded;
  const action = h("td", { class: "keys-action" });
  if (canRevoke && c.state === "active") {
    const b = h("button", { type: "button", class: "secondary danger-text", text: "Revoke" });
    b.addEventListener("click", () => revoke(c.name, b));
    action.append(b);
  }
  const row = h(
    "tr",
    { "data-key": c.name, class: `key-${state.replace(" ", "-")}` },
    h("td", { class: "key-name", title: `${c.kind}; scopes: ${(c.scopes || []).join(" ")}` },
      h("span", { text: c.name }),
      h("small", { class: "last", text: ago(u.last_seen), title: when(u.last_seen) })),
    h("td", { class: "key-state", text: state,
      title: c.expires ? `expires ${when(c.expires)}` : null }),
    h("td", { class: "num requests", text: num(u.requests) }),
    h("td", { class: "num refused", text: num(refused) }),
    h("td", { class: `num limited${limited ? " hot" : ""}`, text: num(limited) }),
    h("td", { class: "num quota", text: u.quota_used == null ? "–" : num(u.quota_used) }),
  );
  if (canRevoke) row.append(action);
  return row;
}

function addForm(view, fresh, reload) {
  const name = h("input", { type: "text", id: "new-key-name", placeholder: "name",
    "aria-label": "Key name", spellcheck: "false", required: true });
  const scopes = h("input", { type: "text", id: "new-key-scopes", value: view.scopes.join(", "),
    "aria-label": "Scopes, separated by commas", spellcheck: "false" });
  const expires = h(
    "select",
    { id: "new-key-expires", "aria-label": "Expires after" },
    ...[["", "never expires"], ["30d", "30 days"], ["90d", "90 days"], ["365d", "1 year"]]
      .map(([v, t]) => h("option", { value: v, text: t })),
  );
  const error = h("div", { class: "field-error", role: "alert" });
  const add = h("button", { type: "submit", class: "secondary", text: "Add key" });
  const form = h("form", { class: "add-key" }, h("h4", { text: "Add a key" }), name, scopes,
    h("div", { class: "row" }, expires, add), error);
  form.addEventListener("submit", async (e) => {
    e.preventDefault();
    error.textContent = "";
    try {
      const answer = await api.addKey(name.value.trim(), scopes.value, expires.value || null);
      made = { endpoint: view.node, name: answer.name, key: answer.key };
      name.value = "";
      showMade(fresh, view.node);
      await reload();
    } catch (err) {
      error.textContent = (err.body && err.body.error) || err.message;
    }
  });
  return form;
}

function showMade(box, endpoint) {
  if (!made || made.endpoint !== endpoint) {
    box.replaceChildren();
    return;
  }
  if (box.querySelector(".new-key")) return; // shown already: keep the reader's selection
  const value = h("input", { type: "text", class: "new-key-value", readonly: true,
    value: made.key, "aria-label": `The key ${made.name}`, spellcheck: "false" });
  value.addEventListener("focus", () => value.select());
  const copy = h("button", { type: "button", class: "secondary", text: "Copy" });
  copy.addEventListener("click", async () => {
    value.select();
    try {
      await navigator.clipboard.writeText(value.value);
      copy.textContent = "Copied";
    } catch {
      copy.textContent = "Select and copy it";
    }
  });
  const done = h("button", { type: "button", class: "secondary", text: "Done" });
  done.addEventListener("click", () => {
    made = null;
    box.replaceChildren();
  });
  box.replaceChildren(h(
    "div",
    { class: "new-key", role: "status" },
    h("p", { text: `Key '${made.name}' was added. It is shown this once: give it to its ` +
      "client now. The server keeps only its hash." }),
    h("div", { class: "row" }, value, copy, done),
  ));
}
