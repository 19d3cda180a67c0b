// The Group sidebar tab: the workers of the group this server runs in, alive or gone, the
// messages their sources read, and which worker runs each singleton source. Shown only when
// `flowrt serve --group` is used; refreshed every few seconds while the tab is open.
import { api } from "./api.js";
import { h, plural } from "./dom.js";

const EVERY_MS = 3000;

export class GroupPanel {
  constructor(app, tab, box) {
    this.app = app;
    this.tab = tab;
    this.box = box;
    this.timer = null;
  }

  /** Show the tab if this server is part of a group. */
  async start() {
    try {
      const info = await api.group();
      if (!info.group) return;
      this.tab.hidden = false;
      this.render(info);
    } catch {
      /* an older server, or not allowed: no tab */
    }
  }

  shown(visible) {
    clearInterval(this.timer);
    this.timer = null;
    if (!visible) return;
    const load = async () => {
      try {
        this.render(await api.group());
      } catch (err) {
        this.problem(err.message);
      }
    };
    load();
    this.timer = setInterval(load, EVERY_MS);
  }

  problem(text) {
    this.box.replaceChildren(
      h("p", { class: "field-error", text: `Cannot read the group: ${text}` }),
    );
  }

  render(info) {
    const alive = info.workers.filter((w) => w.alive).length;
    const head = h(
      "div",
      { class: "group-head" },
      h("strong", { text: `Group ${info.group}` }),
      h("span", {
        text: ` · ${alive} of ${plural(info.workers.length, "worker")} alive`,
      }),
      info.connected
        ? null
        : h("div", {
            class: "field-error",
            text: "This worker cannot reach the group's database: its singletons wait.",
          }),
    );
    const rows = info.workers.map((w) =>
      h(
        "tr",
        { class: w.alive ? "alive" : "gone", "data-worker": w.worker },
        h("td", { text: w.worker + (w.me ? " (this one)" : "") }),
        h("td", { text: w.alive ? "alive" : "gone" }),
        h("td", { class: "num", text: String(w.messages) }),
        h("td", { text: w.alive && w.holds.length ? w.holds.join(", ") : "–" }),
      ),
    );
    const workers = h(
      "table",
      { class: "group-workers" },
      h(
        "thead",
        {},
        h("tr", {}, ...["worker", "state", "messages", "runs"].map((t) => h("th", { text: t }))),
      ),
      h("tbody", {}, ...rows),
    );
    const singles = Object.entries(info.singletons || {});
    const list = singles.length
      ? h(
          "ul",
          { class: "group-singletons" },
          ...singles.map(([node, who]) =>
            h(
              "li",
              { "data-node": node },
              h("code", { text: node }),
              h("span", {
                text: who ? ` runs on ${who}` : " runs nowhere yet (waiting for a worker)",
              }),
            ),
          ),
        )
      : h("p", { class: "empty", text: "No source here must run once in the group." });
    this.box.replaceChildren(head, workers, h("h4", { text: "Sources that run once" }), list);
  }
}
