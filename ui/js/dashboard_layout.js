// A dashboard's layout as the flow file holds it (docs/dashboard.md): a `dashboard` connection
// with `title`, `theme` and `pages`, each page with `groups`, each group with `widgets` (a node
// id, or `{node, width, height}`). Plain functions on the document's JSON, used by the editor's
// Dashboard tab (dashboard_tab.js) inside app.edit(), so each change is one undo step and is
// saved line by line like any other edit.

/** The grid's facts from the `dashboard` connection's schema in the node catalog (declared
 * once, by the model in nodes/dashboard/dashboard_layout.py): the columns, a group's width and
 * a widget's size when the file gives none, and the themes. */
export function gridOf(info) {
  const schema = (info && info.schema) || {};
  const defs = schema.$defs || {};
  const props = (name) => (defs[`dashboard.${name}`] || defs[name] || {}).properties || {};
  const theme = (schema.properties || {}).theme || {};
  const group = props("Group").width || {};
  const place = props("Place");
  return {
    columns: group.maximum ?? 12,
    groupWidth: group.default ?? 6,
    width: (place.width || {}).default ?? 0,
    height: (place.height || {}).default ?? 1,
    rows: (place.height || {}).maximum ?? 12,
    themes: theme.enum || ["light", "dark", "auto"],
    theme: theme.default || "light",
  };
}

/** The flow's dashboard connections: [[id, config], ...]. */
export function dashboards(doc) {
  return Object.entries((doc && doc.connections) || {}).filter(
    ([, c]) => c && c.type === "dashboard",
  );
}

/** The pages of a connection, the groups of a page, the widgets of a group: the lists the file
 * has, or empty ones (made when `make` is set, to add to). */
export function listOf(owner, key, make = false) {
  if (!Array.isArray(owner[key])) {
    if (!make) return [];
    owner[key] = [];
  }
  return owner[key];
}

/** A widget's place as {node, width, height}; sizes the item leaves out are the grid's. */
export function placeOf(item, grid = { width: 0, height: 1 }) {
  const it = typeof item === "string" ? { node: item } : item || {};
  return {
    node: String(it.node || ""),
    width: Number(it.width ?? grid.width),
    height: Number(it.height ?? grid.height),
  };
}

/** The item written for a place: the bare node id while its size is the grid's default (the
 * shortest line), else an object that gives only what differs; an object already there keeps
 * its keys' order. */
export function itemFor(old, place, grid) {
  const item = typeof old === "object" && old ? { ...old } : {};
  item.node = place.node;
  for (const k of ["width", "height"]) {
    if (place[k] !== grid[k]) item[k] = place[k];
    else delete item[k];
  }
  return Object.keys(item).length === 1 ? place.node : item;
}

/** Every widget id the layout places, with where: Map id -> [page, group, index]. */
export function placed(conn) {
  const out = new Map();
  listOf(conn, "pages").forEach((page, p) =>
    listOf(page || {}, "groups").forEach((group, g) =>
      listOf(group || {}, "widgets").forEach((it, w) => out.set(placeOf(it).node, [p, g, w])),
    ),
  );
  return out;
}

/** Move item `i` of a list by `delta` places; its new index, or null at either end. */
export function shift(list, i, delta) {
  const j = i + delta;
  if (j < 0 || j >= list.length || i === j) return null;
  const [item] = list.splice(i, 1);
  list.splice(j, 0, item);
  return j;
}

/** Move item `from` of a list to before index `to` (the index in the list as it was). */
export function moveTo(list, from, to) {
  if (from === to || from + 1 === to) return from;
  const [item] = list.splice(from, 1);
  const at = to > from ? to - 1 : to;
  list.splice(at, 0, item);
  return at;
}

/** An id for a new page or group: `page`, `page-2`, ... unused in the dashboard. */
export function freshId(conn, base) {
  const taken = new Set();
  for (const page of listOf(conn, "pages")) {
    taken.add(page && page.id);
    for (const group of listOf(page || {}, "groups")) taken.add(group && group.id);
  }
  if (!taken.has(base)) return base;
  for (let i = 2; ; i++) if (!taken.has(`${base}-${i}`)) return `${base}-${i}`;
}

export function addPage(conn) {
  const id = freshId(conn, "page");
  listOf(conn, "pages", true).push({ id, title: titleOf(id), groups: [] });
  return listOf(conn, "pages").length - 1;
}

export function addGroup(conn, page) {
  const id = freshId(conn, "group");
  listOf(page, "groups", true).push({ id, title: titleOf(id), widgets: [] });
  return listOf(page, "groups").length - 1;
}

/** Remove a widget from wherever the layout places it; true if it was placed. */
export function unplace(conn, node) {
  const at = placed(conn).get(node);
  if (!at) return false;
  const [p, g, w] = at;
  conn.pages[p].groups[g].widgets.splice(w, 1);
  return true;
}

/** Place a widget at the end of group `g` of page `p` (moving it if it was placed). */
export function place(conn, node, p, g) {
  const old = placed(conn).get(node);
  const item = old ? conn.pages[old[0]].groups[old[1]].widgets[old[2]] : node;
  unplace(conn, node);
  listOf(conn.pages[p].groups[g], "widgets", true).push(item);
}

/** The id that the flow's widget nodes name most in `dashboard:`, for a new dashboard. */
export function namedDashboard(doc, isWidget) {
  const counts = new Map();
  for (const node of Object.values(doc.nodes || {}))
    if (isWidget(node.type) && typeof node.dashboard === "string")
      counts.set(node.dashboard, (counts.get(node.dashboard) || 0) + 1);
  const best = [...counts].sort((a, b) => b[1] - a[1])[0];
  return best ? best[0] : null;
}

/** "group-2" -> "Group 2": a first title for a new page or group. */
export function titleOf(id) {
  const words = id.replace(/[-_]+/g, " ");
  return words.charAt(0).toUpperCase() + words.slice(1);
}

// ---- rows by path: a page is [p], a group [p, g], a widget [p, g, w] ------------------------

const KINDS = ["page", "group", "widget"];

/** The key of a row in the tab: "p0", "p0g1", "p0g1w2". */
export const keyOf = (path) => path.map((v, k) => `${"pgw"[k]}${v}`).join("");

/** The kind of a row from its path's length. */
export const kindOf = (path) => KINDS[path.length - 1];

/** The path of the deepest row a check's path inside the connection points into (pages, 0,
 * groups, 1, title -> [0, 1]); empty when it points at the connection itself. */
export function rowOfPath(rel) {
  const out = [];
  const names = ["pages", "groups", "widgets"];
  for (let i = 0; i + 1 < rel.length && rel[i] === names[out.length]; i += 2) {
    out.push(rel[i + 1]);
  }
  return out;
}

/** The list holding the row at `path`. */
export function listAt(conn, path) {
  if (path.length === 1) return conn.pages;
  if (path.length === 2) return conn.pages[path[0]].groups;
  return conn.pages[path[0]].groups[path[1]].widgets;
}

/** The path with its last index moved by `delta`. */
export const nudged = (path, delta) => [...path.slice(0, -1), path[path.length - 1] + delta];

/** Move the row at `path` up (-1) or down (1); false at either end. */
export const shiftAt = (conn, path, delta) =>
  shift(listAt(conn, path), path[path.length - 1], delta) !== null;

export function removeAt(conn, path) {
  listAt(conn, path).splice(path[path.length - 1], 1);
  return true;
}

/** Whether a row dragged from `from` may be dropped on the row at `to`: before a row of its
 * own kind and parent, or a widget before another widget or at the end of a group. */
export function canDrop(from, to) {
  if (from.length === 3) return to.length >= 2;
  return from.length === to.length && String(from.slice(0, -1)) === String(to.slice(0, -1));
}

/** Drop the row at `from` on the row at `to` (see canDrop); false when nothing moves. */
export function dropAt(conn, from, to) {
  if (from.length < 3) {
    const list = listAt(conn, from);
    const i = from[from.length - 1];
    return moveTo(list, i, to[to.length - 1]) !== i;
  }
  const node = placeOf(listAt(conn, from)[from[2]]).node;
  const before = to.length === 3 ? placeOf(listAt(conn, to)[to[2]]).node : null;
  if (before === node) return false;
  place(conn, node, to[0], to[1]);
  const list = conn.pages[to[0]].groups[to[1]].widgets;
  if (before) {
    moveTo(list, list.length - 1, list.findIndex((x) => placeOf(x).node === before));
  }
  return true;
}
