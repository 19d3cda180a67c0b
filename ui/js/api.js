// The admin API client: every call of the editor to the server goes through here.
// State-changing requests carry `X-Flowrt-Request: 1` (the server's cross-site guard).

export class ApiError extends Error {
  constructor(status, body, message) {
    super(message);
    this.status = status;
    this.body = body;
  }
}

let loginHandler = null;
let loggingIn = null;

/** Called on a 401: resolves once the user logged in (the request is then tried again). */
export function onUnauthorized(handler) {
  loginHandler = handler;
}

async function request(method, path, body, retried = false) {
  const init = { method, headers: { Accept: "application/json" }, credentials: "same-origin" };
  if (method !== "GET") init.headers["X-Flowrt-Request"] = "1";
  if (body !== undefined) {
    init.headers["Content-Type"] = "application/json";
    init.body = JSON.stringify(body);
  }
  const res = await fetch(path, init);
  const text = await res.text();
  let data = null;
  try {
    data = text ? JSON.parse(text) : null;
  } catch {
    data = { error: text };
  }
  if (res.status === 401 && loginHandler && !retried && path !== "/api/login") {
    loggingIn =
      loggingIn ||
      loginHandler().finally(() => {
        loggingIn = null;
      });
    await loggingIn;
    return request(method, path, body, true);
  }
  if (!res.ok) {
    const why = (data && (data.error || data.detail)) || res.statusText;
    throw new ApiError(res.status, data, `${method} ${path}: ${res.status} ${why}`);
  }
  return data;
}

const enc = (file) => file.split("/").map(encodeURIComponent).join("/");

export const api = {
  login: (user, password) => request("POST", "/api/login", { user, password }),
  me: () => request("GET", "/api/me"),
  path: (trace) => request("GET", `/api/paths/${encodeURIComponent(trace)}`),
  flows: () => request("GET", "/api/flows"),
  flow: (file) => request("GET", `/api/flows/${enc(file)}`),
  saveFlow: (file, revision, document) =>
    request("PUT", `/api/flows/${enc(file)}`, { revision, document }),
  saveText: (file, revision, text) => request("PUT", `/api/flows/${enc(file)}`, { revision, text }),
  deleteFlow: (file, revision) =>
    request("DELETE", `/api/flows/${enc(file)}?revision=${encodeURIComponent(revision ?? "")}`),
  validate: (file, document) => request("POST", "/api/validate", { file, document }),
  validateText: (file, text) => request("POST", "/api/validate", { file, text }),
  deploy: (mode, skipInvalid = false) =>
    request("POST", "/api/deploy", skipInvalid ? { mode, skip_invalid: true } : { mode }),
  nodes: () => request("GET", "/api/nodes"),
  revisions: () => request("GET", "/api/revisions"),
  revisionDiff: (id) => request("GET", `/api/revisions/${encodeURIComponent(id)}/diff`),
  rollback: (id) => request("POST", `/api/revisions/${encodeURIComponent(id)}/rollback`),
  layout: (file, text) =>
    request("POST", "/api/layout", text === undefined ? { file } : { file, text }),
  state: () => request("GET", "/api/state"),
  context: (scope) => request("GET", `/api/context/${encodeURIComponent(scope)}`),
  importNodeRed: (flows) => request("POST", "/api/import/nodered", { flows }),
  exportNodeRed: () => request("GET", "/api/export/nodered"),
  inject: (id) => request("POST", `/api/inject/${encodeURIComponent(id)}`),
  group: () => request("GET", "/api/group"),
  endpoints: (node) =>
    request("GET", `/api/endpoints${node ? `?node=${encodeURIComponent(node)}` : ""}`),
  addKey: (name, scopes, expires) => request("POST", "/api/keys", { name, scopes, expires }),
  revokeKey: (name) => request("POST", `/api/keys/${encodeURIComponent(name)}/revoke`),
};

/** The live event stream (debug, status, deploy); reconnects after a pause when it drops. */
export function events(onEvent, onState) {
  let ws = null;
  let stopped = false;
  let wait = 500;
  const open = () => {
    const proto = location.protocol === "https:" ? "wss:" : "ws:";
    ws = new WebSocket(`${proto}//${location.host}/api/events`);
    ws.onopen = () => {
      wait = 500;
      onState(true);
    };
    ws.onmessage = (e) => {
      try {
        onEvent(JSON.parse(e.data));
      } catch (err) {
        console.error("bad event", err);
      }
    };
    ws.onclose = () => {
      onState(false);
      if (!stopped) setTimeout(open, wait);
      wait = Math.min(wait * 2, 10000);
    };
  };
  open();
  return () => {
    stopped = true;
    if (ws) ws.close();
  };
}
