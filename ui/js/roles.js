// What the logged-in user may do, from GET /api/me: the buttons their role may not use are
// disabled, with a tooltip naming the role needed. The server refuses those actions anyway
// (flowrt/server/access.py declares what each route needs); this only says so up front.
import { api } from "./api.js";
import { $ } from "./dom.js";

const ORDER = ["viewer", "editor", "deployer", "admin"];

/** Action (a button's id) -> the least role it needs, as the server's rules say. */
export const NEEDS = {
  save: "editor",
  import: "editor",
  deploy: "deployer",
  "deploy-mode": "deployer",
  rollback: "deployer",
};

let me = { user: "local", role: "admin", files: null };

/** Ask the server who we are, then disable what the role may not do. */
export async function loadMe() {
  try {
    me = await api.me();
  } catch {
    // an older server without /api/me: it has no roles, everything is allowed
  }
  document.body.dataset.role = me.role;
  applyRole();
  return me;
}

export function currentUser() {
  return me;
}

/** Whether the user's role may do `action` (a key of NEEDS; anything else needs viewer). */
export function allowed(action) {
  return ORDER.indexOf(me.role) >= ORDER.indexOf(NEEDS[action] || "viewer");
}

/** The tooltip of a refused action: the role it needs, and the user's. */
export function needText(action) {
  return `Needs the ${NEEDS[action]} role (you are ${me.role})`;
}

/** Disable the buttons of the actions the role may not use, with the reason as tooltip. */
export function applyRole() {
  for (const id of Object.keys(NEEDS)) {
    const button = $(id);
    if (!button || allowed(id)) continue;
    button.disabled = true;
    button.title = needText(id);
    button.classList.add("not-allowed");
  }
}
