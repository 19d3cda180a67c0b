// The dashboard page: one WebSocket to /dashboard/ws, the layout it announces (pages, groups,
// widgets on a 12-column grid), the navigation menu, the theme, and the updates of each widget.
// The server sends {t: "hello", socketid, layout} on connecting (again when the layout
// changes), then {t: "update", u: [{w, s, ...}]}: the latest state of each widget that
// changed (the first after a hello is the replay of every widget's state). Input widgets send
// {t: "input", w, v}. Widgets with no place in a group (layout.unplaced: notifications,
// controls) are made too, with no element.
import { h, $ } from "./dom.js";
import { makeWidget } from "./widgets.js";

const ROW = 48; // px: a widget's height unit
const widgets = new Map(); // id -> widget ({el, update(state, u)})
let socket = null;
let layout = null;
let retry = 500;
let replaying = false; // the next update frame is the replay of every state
const page = {
  show(id) { if (layout?.pages.some((p) => p.id === id)) location.hash = `#${id}`; },
  hideGroups(ids) {
    for (const card of document.querySelectorAll(".group")) {
      card.hidden = ids.includes(card.dataset.group);
    }
  },
};

function connect() {
  const scheme = location.protocol === "https:" ? "wss" : "ws";
  socket = new WebSocket(`${scheme}://${location.host}/dashboard/ws`);
  socket.addEventListener("open", () => { retry = 500; link("connected", "connected"); });
  socket.addEventListener("message", (event) => receive(JSON.parse(event.data)));
  socket.addEventListener("close", () => {
    link("disconnected", "reconnecting…");
    setTimeout(connect, retry);
    retry = Math.min(retry * 2, 10_000);
  });
}

function link(state, text) {
  const el = $("link");
  el.dataset.state = state;
  el.textContent = text;
}

function send(widgetId, value) {
  if (socket && socket.readyState === WebSocket.OPEN) {
    socket.send(JSON.stringify({ t: "input", w: widgetId, v: value }));
  }
}

function receive(frame) {
  if (frame.t === "hello") {
    document.body.dataset.socketid = frame.socketid;
    build(frame.layout);
    replaying = true;
  } else if (frame.t === "update") {
    for (const u of frame.u) widgets.get(u.w)?.update(u.s, u, replaying);
    replaying = false;
    // Acknowledge the frame once it is painted: a page that falls behind (or a hidden tab,
    // which paints nothing) is sent the latest values, coalesced, not a backlog.
    const sent = socket;
    requestAnimationFrame(() => {
      if (sent.readyState === WebSocket.OPEN) sent.send('{"t":"ack"}');
    });
  }
}

function build(next) {
  layout = next;
  document.title = layout.title;
  $("title").textContent = layout.title;
  applyTheme(layout.theme);
  for (const w of widgets.values()) w.destroy?.();
  widgets.clear();
  const menu = $("menu");
  const pages = $("pages");
  menu.replaceChildren();
  pages.replaceChildren();
  for (const page of layout.pages) {
    menu.append(h("a", { href: `#${page.id}`, "data-page": page.id, text: page.title,
                         onclick: () => toggleMenu(false) }));
    const section = h("section", { class: "page", id: `page-${page.id}`,
                                   "data-page": page.id, hidden: true });
    for (const group of page.groups) section.append(buildGroup(group));
    pages.append(section);
  }
  for (const spec of layout.unplaced ?? []) {
    widgets.set(spec.id, makeWidget(spec, (value) => send(spec.id, value), page));
  }
  if (!layout.pages.length) {
    pages.append(h("p", { class: "empty", text: "This dashboard has no pages yet." }));
  }
  showPage();
}

function buildGroup(group) {
  const card = h("div", { class: "group", "data-group": group.id });
  card.style.setProperty("--span", group.width);
  if (group.title) card.append(h("h2", { text: group.title }));
  const grid = h("div", { class: "group-grid" });
  grid.style.gridTemplateColumns = `repeat(${group.width}, minmax(0, 1fr))`;
  for (const spec of group.widgets) {
    const widget = makeWidget(spec, (value) => send(spec.id, value), page);
    widget.el.dataset.widget = spec.id;
    widget.el.dataset.type = spec.type;
    widget.el.classList.add("widget", `widget-${spec.type}`);
    widget.el.style.gridColumn = `span ${Math.min(spec.width, group.width)}`;
    widget.el.style.minHeight = `${spec.height * ROW}px`;
    widget.el.style.gridRow = `span ${spec.height}`;
    widgets.set(spec.id, widget);
    grid.append(widget.el);
  }
  card.append(grid);
  return card;
}

function showPage() {
  if (!layout || !layout.pages.length) return;
  const wanted = decodeURIComponent(location.hash.slice(1));
  const page = layout.pages.find((p) => p.id === wanted) ?? layout.pages[0];
  for (const section of document.querySelectorAll("section.page")) {
    section.hidden = section.dataset.page !== page.id;
  }
  for (const a of $("menu").querySelectorAll("a")) {
    a.classList.toggle("current", a.dataset.page === page.id);
    if (a.dataset.page === page.id) a.setAttribute("aria-current", "page");
    else a.removeAttribute("aria-current");
  }
  for (const w of widgets.values()) w.shown?.();
}

const prefersDark = matchMedia("(prefers-color-scheme: dark)");

function applyTheme(theme) {
  const dark = theme === "dark" || (theme === "auto" && prefersDark.matches);
  document.body.classList.toggle("theme-dark", dark);
  document.body.classList.toggle("theme-light", !dark);
  for (const w of widgets.values()) w.themed?.();
}

function toggleMenu(open) {
  const show = open ?? !document.body.classList.contains("menu-open");
  document.body.classList.toggle("menu-open", show);
  $("menu-toggle").setAttribute("aria-expanded", String(show));
}

prefersDark.addEventListener("change", () => layout && applyTheme(layout.theme));
addEventListener("hashchange", showPage);
$("menu-toggle").addEventListener("click", () => toggleMenu());
connect();
