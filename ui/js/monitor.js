// The Monitoring sidebar tab: per node rates (messages in and out a second), processing time,
// errors and queue depths, and each connection's state, from /api/state (the figures /metrics
// shows), read every 2 s while the tab is open. Rates and times are differences between two
// reads; the last minute of each is drawn as a small SVG sparkline.
import { api } from "./api.js";
import { h, plural } from "./dom.js";

const EVERY_MS = 2000;
const POINTS = 30;
const SVG = "http://www.w3.org/2000/svg";

/** Messages a second, as text: "0", "3.5", "1,250". */
export function rateText(r) {
  if (r == null) return "–";
  if (r >= 100) return Math.round(r).toLocaleString("en");
  return r === 0 ? "0" : r.toFixed(1);
}

/** Seconds as text in µs, ms or s. */
export function secondsText(s) {
  if (s == null) return "–";
  if (s < 0.001) return `${(s * 1e6).toFixed(0)} µs`;
  if (s < 1) return `${(s * 1000).toFixed(1)} ms`;
  return `${s.toFixed(2)} s`;
}

/** A small line of the values (nulls skipped), scaled to the largest. */
function sparkline(values, label) {
  const w = 46, hgt = 14;
  const svg = document.createElementNS(SVG, "svg");
  svg.setAttribute("class", "spark");
  svg.setAttribute("width", w);
  svg.setAttribute("height", hgt);
  svg.setAttribute("role", "img");
  svg.setAttribute("aria-label", label);
  const top = Math.max(...values.map((v) => v || 0), 1e-12);
  const step = w / (POINTS - 1);
  const start = POINTS - values.length;
  const point = (v, i) => {
    const x = (start + i) * step, y = hgt - 1 - (v / top) * (hgt - 2);
    return `${x.toFixed(1)},${y.toFixed(1)}`;
  };
  const pts = values.map((v, i) => (v == null ? null : point(v, i))).filter(Boolean);
  const line = document.createElementNS(SVG, "polyline");
  line.setAttribute("points", pts.join(" "));
  svg.append(line);
  return svg;
}

export class MonitorPanel {
  constructor(app, box) {
    this.app = app;
    this.box = box;
    this.timer = null;
    this.last = null; // the previous read: {at, nodes}
    this.series = new Map(); // node id -> {in: [], out: [], time: []}
  }

  shown(visible) {
    clearInterval(this.timer);
    this.timer = null;
    if (!visible) return;
    const load = async () => {
      try {
        const state = await api.state();
        this.update(state, performance.now());
        this.render(state);
      } catch (err) {
        this.box.replaceChildren(
          h("p", { class: "field-error", text: `Cannot read the runtime's state: ${err.message}` }),
        );
      }
    };
    load();
    this.timer = setInterval(load, EVERY_MS);
  }

  /** Add a point to each node's series: the rates and mean time since the previous read. */
  update(state, at) {
    const prev = this.last;
    const dt = prev ? (at - prev.at) / 1000 : 0;
    for (const [id, info] of Object.entries(state.nodes)) {
      const before = prev && prev.nodes[id];
      const s = this.series.get(id) || { in: [], out: [], time: [] };
      this.series.set(id, s);
      if (!before || dt <= 0 || info.in < before.in || info.out < before.out) {
        continue; // a first read, or a restarted flow: no rate yet
      }
      s.in.push((info.in - before.in) / dt);
      s.out.push((info.out - before.out) / dt);
      s.time.push(meanSince(info.timing || info.write, before.timing || before.write));
      for (const k of ["in", "out", "time"]) if (s[k].length > POINTS) s[k].shift();
    }
    for (const id of [...this.series.keys()]) if (!(id in state.nodes)) this.series.delete(id);
    this.last = { at, nodes: state.nodes };
  }

  render(state) {
    const ids = Object.keys(state.nodes).sort((a, b) => {
      const fa = state.nodes[a].flow, fb = state.nodes[b].flow;
      return fa === fb ? a.localeCompare(b) : fa.localeCompare(fb);
    });
    const rows = ids.map((id) => this.row(id, state.nodes[id]));
    const table = h(
      "table",
      { class: "monitor-nodes" },
      h(
        "thead",
        {},
        h(
          "tr",
          {},
          ...[
            ["node", "node id and type"],
            ["in/s", "messages in a second"],
            ["out/s", "messages out a second"],
            ["time", "processing time (sampled) or a sink's write per batch"],
            ["err", "errors"],
            ["queue", "waiting / bound"],
          ].map(([t, title]) => h("th", { text: t, title })),
        ),
      ),
      h("tbody", {}, ...rows),
    );
    const links = Object.entries(state.connections || {}).sort(([a], [b]) => a.localeCompare(b));
    const conns = links.length
      ? h(
          "ul",
          { class: "monitor-connections" },
          ...links.map(([id, c]) =>
            h("li", { "data-connection": id, class: c.connected ? "up" : "down" },
              h("span", { class: "dot" }),
              h("span", { text: `${id} (${c.type}): ${c.connected ? "connected" : "down"}` +
                (c.reconnects ? `, ${plural(c.reconnects, "reconnect")}` : "") }),
            ),
          ),
        )
      : null;
    const note = h("p", {
      class: "monitor-note",
      text: "Rates over the last 2 s, the last minute drawn. Time: a transform's processing " +
        "(a sample of its messages: at most one each FLOWRT_METRICS_SAMPLE seconds, 0.1 " +
        "unless set), a sink's write per batch. The same figures as /metrics.",
    });
    const parts = [table, conns ? h("h4", { text: "Connections" }) : null, conns, note];
    this.box.replaceChildren(...parts.filter(Boolean));
  }

  row(id, info) {
    const s = this.series.get(id) || { in: [], out: [], time: [] };
    const last = (xs) => (xs.length ? xs[xs.length - 1] : null);
    const timing = info.timing || info.write;
    const shownTime = last(s.time) ?? (timing && timing.count ? timing.sum / timing.count : null);
    const queue = info.queue ? `${info.queue.depth}/${info.queue.limit}` : "";
    const cell = (cls, text, values, label) =>
      h("td", { class: `num ${cls}` }, h("span", { class: "figure", text }),
        values.length > 1 ? sparkline(values, `${label} of ${id}`) : null);
    return h(
      "tr",
      { "data-node": id, class: info.errors ? "has-errors" : null },
      h("td", { class: "node", title: `${info.type} in ${info.flow}` },
        h("span", { text: id }), h("small", { text: info.type })),
      cell("rate-in", rateText(last(s.in)), s.in, "messages in"),
      cell("rate-out", rateText(last(s.out)), s.out, "messages out"),
      cell("latency", secondsText(shownTime), s.time.filter((v) => v != null), "time"),
      h("td", { class: "num errors", text: String(info.errors || 0) }),
      h("td", { class: "num queue", text: queue }),
    );
  }
}

/** Mean seconds of the observations made between two histogram snapshots (null: none). */
function meanSince(now, before) {
  if (!now) return null;
  const count = now.count - (before ? before.count : 0);
  return count > 0 ? (now.sum - (before ? before.sum : 0)) / count : null;
}
