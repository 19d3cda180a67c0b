// The line chart: one series per name (by default msg.topic), x as time, drawn with uPlot
// (ui/vendor/uplot; docs/dashboard.md says why). The server sends a chart's points as
// {points: {series: [[ms, value], ...]}, whole}: `whole` replaces what is shown (a new
// client, a cleared chart), else the points are appended. The browser trims its copy by the
// same window as the server (max_points per series, max_age seconds).
import uPlot from "/ui/vendor/uplot/uPlot.esm.js";
import { h } from "./dom.js";

export function makeChart(spec) {
  const series = new Map(); // name -> [[ms, value], ...]
  const area = h("div", { class: "chart-area" });
  const el = h("div", { class: "chart" },
               spec.label ? h("span", { class: "label", text: spec.label }) : null, area);
  let plot = null;
  let names = [];
  let frame = 0;

  function trim() {
    const oldest = spec.max_age ? Date.now() - spec.max_age * 1000 : null;
    for (const points of series.values()) {
      if (points.length > spec.max_points) points.splice(0, points.length - spec.max_points);
      while (oldest !== null && points.length && points[0][0] < oldest) points.shift();
    }
  }

  function aligned() {
    const xs = [...new Set([...series.values()].flatMap((p) => p.map(([t]) => t)))];
    xs.sort((a, b) => a - b);
    const index = new Map(xs.map((t, i) => [t, i]));
    const columns = names.map((name) => {
      const ys = new Array(xs.length).fill(null);
      for (const [t, v] of series.get(name)) ys[index.get(t)] = v;
      return ys;
    });
    return [xs.map((t) => t / 1000), ...columns];
  }

  // the plot's height: the widget's rows less its label and legend (the width follows the page)
  const plotHeight = () => Math.max(spec.height * 48 - (spec.label ? 20 : 0) - 34, 60);

  // the y axis: the configured ends, else the values' with a margin (never an empty range)
  function yRange(u, lo, hi) {
    let [a, b] = [lo ?? 0, hi ?? 1];
    if (spec.y_min == null || spec.y_max == null) [a, b] = uPlot.rangeNum(a, b, 0.1, true);
    a = spec.y_min ?? a;
    b = spec.y_max ?? b;
    return b > a ? [a, b] : [a - 1, a + 1];
  }

  function colours() {
    const style = getComputedStyle(document.body);
    return { text: style.getPropertyValue("--muted").trim() || "#666",
             grid: style.getPropertyValue("--line").trim() || "#ddd" };
  }

  function create() {
    plot?.destroy();
    const c = colours();
    const axis = { stroke: c.text, grid: { stroke: c.grid, width: 1 },
                   ticks: { stroke: c.grid, width: 1 } };
    const y = { ...axis, values: (u, vals) => vals.map((v) => `${v}${spec.units}`) };
    const opts = {
      width: Math.max(area.clientWidth, 120),
      height: plotHeight(),
      legend: { show: names.length > 0 },
      scales: { x: { time: true }, y: { range: yRange } },
      axes: [axis, y],
      series: [{}, ...names.map((name, i) => ({
        label: name, stroke: spec.colors[i % spec.colors.length], width: 2, spanGaps: true,
      }))],
    };
    plot = new uPlot(opts, aligned(), area);
  }

  function draw() {
    frame = 0;
    trim();
    const now = [...series.keys()];
    if (!plot || now.length !== names.length) {
      names = now;
      create();
    } else {
      plot.setData(aligned());
    }
    const xs = plot.data[0];
    if (xs.length === 1) plot.setScale("x", { min: xs[0] - 60, max: xs[0] + 1 }); // one point
  }

  new ResizeObserver(() => {
    if (plot && area.clientWidth && area.clientWidth !== plot.width) {
      plot.setSize({ width: area.clientWidth, height: plotHeight() });
    }
  }).observe(area);

  return {
    el,
    update(state, u) {
      if (u.whole) series.clear();
      for (const [name, points] of Object.entries(u.points ?? {})) {
        if (!series.has(name)) series.set(name, []);
        series.get(name).push(...points);
      }
      trim();
      el.dataset.points = String([...series.values()].reduce((n, p) => n + p.length, 0));
      el.dataset.series = [...series.keys()].join(",");
      if (!frame) frame = requestAnimationFrame(draw);
    },
    shown() { if (area.clientWidth) draw(); },
    themed() { if (plot) create(); },
    destroy() { plot?.destroy(); plot = null; },
  };
}
