// The Group sidebar tab: the workers of the group this server runs in, alive or gone, the
// messages their sources read, and which worker runs each singleton source. Shown only when
// `flowrt serve --group` is used; refreshed every few seconds while the tab is open. With a group
// database each worker shows the revision it runs: a worker on another revision than the group's
// newest is marked "behind", one whose deploy of it failed "failed", with the error below.
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
    const newest = info.revision ? info.revision.hash : "";
    const alive = info.workers.filter((w) => w.alive).length;
    const head = h(
      "div",
      { class: "group-head" },
      h("strong", { text: `Group ${info.group}` }),
      h("span", {
        text: ` · ${alive} of ${plural(info.workers.length, "worker")} alive`,
      }),
      newest
        ? h("div", {
            class: "group-revision",
            text: `Revision ${newest.slice(0, 8)} by ${info.revision.author}` +
              (info.revision.message ? `: ${info.revision.message}` : ""),
          })
        : null,
      info.connected
        ? null
        : h("div", {
            class: "field-error",
            text: "This worker cannot reach the group's database: its singletons wait.",
          }),
    );
    const rows = info.workers.map((w) => {
      const failed = w.alive && !!w.deploy_error;
      const behind = w.alive && !!newest && w.revision !== newest;
      const marks = [w.alive ? "alive" : "gone"];
      if (failed) marks.push("deploy-failed");
      else if (behind) marks.push("behind");
      const note = failed ? " (failed)" : behind ? " (behind)" : "";
      return h(
        "tr",
        { class: marks.join(" "), "data-worker": w.worker },
        h("td", { text: w.worker + (w.me ? " (this one)" : "") }),
        h("td", { text: w.alive ? "alive" : "gone" }),
        h("td", { class: "num", text: String(w.messages) }),
        h("td", { text: w.alive && w.holds.length ? w.holds.join(", ") : "–" }),
        h("td", {
          class: "revision",
          title: failed ? w.deploy_error : "",
          text: (w.revision ? w.revision.slice(0, 8) : "–") + note,
        }),
      );
    });
    const failures = info.workers
      .filter((w) => w.alive && w.deploy_error)
      .map((w) =>
        h("p", {
          class: "field-error deploy-error",
          "data-worker": w.worker,
          text: `Deploy failed on ${w.worker}: ${w.deploy_error}`,
        }),
      );
    const workers = h(
      "table",
      { class: "group-workers" },
      h(
        "thead",
        {},
        h(
          "tr",
          {},
          ...["worker", "state", "messages", "runs", "revision"].map((t) => h("th", { text: t })),
        ),
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
    const title = h("h4", { text: "Sources that run once" });
    this.box.replaceChildren(head, workers, ...failures, title, list);
  }
}
