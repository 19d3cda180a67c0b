// ui-chart: lines over time (../chart.js, uPlot), or each series' latest value as bars
// (upright or horizontal), a pie, a radar or a polar area, drawn here as SVG. Their state:
// {values: [[name, value], ...]}.
import { h, svg } from "../dom.js";
import { makeChart } from "../chart.js";
import { labelOf } from "./common.js";

export function chart(spec) {
  if (spec.chart_type === "bar") return bars(spec);
  if (spec.chart_type === "horizontal-bar") return rows(spec);
  if (spec.chart_type === "pie") return pie(spec);
  if (spec.chart_type === "radar") return radar(spec);
  if (spec.chart_type === "polar-area") return polarArea(spec);
  return makeChart(spec);
}

const W = 300;
const H = 150;
const BASE = 130; // the bars' baseline (names are written under it)

function colour(spec, i) {
  return spec.colors[i % spec.colors.length];
}

function frame(spec, cls, drawing) {
  const el = h("div", { class: `chart ${cls}` }, labelOf(spec), drawing);
  const mark = (values) => {
    el.dataset.series = values.map(([name]) => name).join(",");
    el.dataset.values = values.map(([, v]) => v).join(",");
  };
  return { el, mark };
}

function bars(spec) {
  const plot = svg("g");
  const drawing = svg("svg", { viewBox: `0 0 ${W} ${H}`, role: "img",
                               "aria-label": spec.label || "bar chart" }, plot);
  const { el, mark } = frame(spec, "chart-bar", drawing);
  return {
    el,
    update(state) {
      const values = state.values ?? [];
      mark(values);
      const low = Math.min(spec.y_min ?? 0, ...values.map(([, v]) => v));
      const high = Math.max(spec.y_max ?? 0, ...values.map(([, v]) => v), low + 1);
      const y = (v) => BASE - ((v - low) / (high - low)) * (BASE - 14);
      const slot = W / Math.max(values.length, 1);
      plot.replaceChildren(
        svg("line", { class: "axis", x1: 0, x2: W, y1: y(Math.max(low, 0)),
                      y2: y(Math.max(low, 0)) }),
        ...values.flatMap(([name, v], i) => {
          const top = Math.min(y(v), y(Math.max(low, 0)));
          const height = Math.abs(y(v) - y(Math.max(low, 0)));
          const x = i * slot + slot * 0.15;
          return [
            svg("rect", { class: "bar", x, y: top, width: slot * 0.7, height,
                          fill: colour(spec, i) }, svg("title", { text: `${name}: ${v}` })),
            svg("text", { class: "bar-value", x: x + slot * 0.35, y: top - 3,
                          "text-anchor": "middle", text: `${v}${spec.units}` }),
            svg("text", { class: "bar-name", x: x + slot * 0.35, y: H - 4,
                          "text-anchor": "middle", text: name }),
          ];
        }));
    },
  };
}

const R = 60;

function slice(from, to) {
  const at = (f) => [75 + R * Math.sin(2 * Math.PI * f), 75 - R * Math.cos(2 * Math.PI * f)];
  const [x1, y1] = at(from);
  const [x2, y2] = at(to);
  const large = to - from > 0.5 ? 1 : 0;
  return `M 75 75 L ${x1.toFixed(2)} ${y1.toFixed(2)} ` +
    `A ${R} ${R} 0 ${large} 1 ${x2.toFixed(2)} ${y2.toFixed(2)} Z`;
}

function pie(spec) {
  const plot = svg("g");
  const drawing = svg("svg", { viewBox: "0 0 150 150", role: "img",
                               "aria-label": spec.label || "pie chart" }, plot);
  const legend = h("ul", { class: "legend" });
  const { el, mark } = frame(spec, "chart-pie", h("div", { class: "pie-box" }, drawing, legend));
  return {
    el,
    update(state) {
      const values = (state.values ?? []).filter(([, v]) => v > 0);
      mark(state.values ?? []);
      const total = values.reduce((n, [, v]) => n + v, 0);
      let at = 0;
      plot.replaceChildren(...values.map(([name, v], i) => {
        const from = at;
        at += v / total;
        const shape = values.length === 1
          ? svg("circle", { cx: 75, cy: 75, r: R }) : svg("path", { d: slice(from, at) });
        shape.setAttribute("fill", colour(spec, i));
        shape.setAttribute("class", "slice");
        shape.append(svg("title", { text: `${name}: ${v}` }));
        return shape;
      }));
      legend.replaceChildren(...values.map(([name, v], i) => {
        const key = h("span", { class: "key" });
        key.style.backgroundColor = colour(spec, i);
        return h("li", {}, key, h("span", { text: `${name}: ${v}${spec.units}` }));
      }));
    },
  };
}

// The range the values are drawn on: from y_min (0 by default) or the lowest value, to y_max
// or the highest value (at least one above the bottom).
function range(spec, values) {
  const low = Math.min(spec.y_min ?? 0, ...values.map(([, v]) => v));
  const high = Math.max(spec.y_max ?? 0, ...values.map(([, v]) => v), low + 1);
  return [low, high];
}

// Horizontal bars: a row a series, its name at the left, the value after the bar.
const NAMES = 80;

function rows(spec) {
  const plot = svg("g");
  const drawing = svg("svg", { viewBox: `0 0 ${W} ${H}`, role: "img",
                               "aria-label": spec.label || "bar chart" }, plot);
  const { el, mark } = frame(spec, "chart-bar chart-horizontal-bar", drawing);
  return {
    el,
    update(state) {
      const values = state.values ?? [];
      mark(values);
      const [low, high] = range(spec, values);
      const x = (v) => NAMES + ((v - low) / (high - low)) * (W - NAMES - 40);
      const zero = x(Math.max(low, 0));
      const slot = H / Math.max(values.length, 1);
      plot.replaceChildren(
        svg("line", { class: "axis", x1: zero, x2: zero, y1: 0, y2: H }),
        ...values.flatMap(([name, v], i) => {
          const y = i * slot + slot * 0.15;
          const left = Math.min(x(v), zero);
          return [
            svg("rect", { class: "row-bar", x: left, y, width: Math.abs(x(v) - zero),
                          height: slot * 0.7, fill: colour(spec, i) },
                svg("title", { text: `${name}: ${v}` })),
            svg("text", { class: "bar-name", x: NAMES - 4, y: y + slot * 0.35 + 3,
                          "text-anchor": "end", text: name }),
            svg("text", { class: "bar-value", x: Math.max(x(v), zero) + 3,
                          y: y + slot * 0.35 + 3, text: `${v}${spec.units}` }),
          ];
        }));
    },
  };
}

// Radar and polar area: a spoke a series around the centre, a whole turn from the top.
const C = 100;
const SPOKE = 70;

function spoke(i, n, r) {
  const angle = (2 * Math.PI * i) / n;
  return [C + r * Math.sin(angle), C - r * Math.cos(angle)];
}

const pair = ([x, y]) => `${x.toFixed(2)},${y.toFixed(2)}`;

function round(spec, cls, draw) {
  const plot = svg("g");
  const drawing = svg("svg", { viewBox: "0 0 200 200", role: "img",
                               "aria-label": spec.label || "chart" }, plot);
  const { el, mark } = frame(spec, `chart-bar chart-round ${cls}`, drawing);
  return {
    el,
    update(state) {
      const values = state.values ?? [];
      mark(values);
      const [low, high] = range(spec, values);
      const r = (v) => (Math.max(v - low, 0) / (high - low)) * SPOKE;
      const n = Math.max(values.length, 1);
      const names = values.map(([name, v], i) => {
        const [x, y] = spoke(i + (cls === "chart-polar-area" ? 0.5 : 0), n, SPOKE + 14);
        return svg("text", { class: "bar-name", x: x.toFixed(2), y: (y + 3).toFixed(2),
                             "text-anchor": "middle", text: `${name}: ${v}${spec.units}` });
      });
      plot.replaceChildren(...draw(values, r, n), ...names);
    },
  };
}

// A polygon through a point on each series' spoke, over rings at quarters of the range.
function radar(spec) {
  return round(spec, "chart-radar", (values, r, n) => {
    const grid = [0.25, 0.5, 0.75, 1].map((q) => svg("polygon", { class: "grid",
      points: values.map((_, i) => pair(spoke(i, n, q * SPOKE))).join(" ") }));
    const spokes = values.map((_, i) => {
      const [x, y] = spoke(i, n, SPOKE);
      return svg("line", { class: "axis", x1: C, y1: C, x2: x.toFixed(2), y2: y.toFixed(2) });
    });
    const shape = svg("polygon", { class: "area", fill: colour(spec, 0),
      stroke: colour(spec, 0), points: values.map(([, v], i) => pair(spoke(i, n, r(v))))
        .join(" ") });
    const dots = values.map(([name, v], i) => {
      const [x, y] = spoke(i, n, r(v));
      return svg("circle", { class: "dot", cx: x.toFixed(2), cy: y.toFixed(2), r: 3,
                             fill: colour(spec, 0) }, svg("title", { text: `${name}: ${v}` }));
    });
    return [...grid, ...spokes, shape, ...dots];
  });
}

// A sector each, of equal angle, as long as its value.
function polarArea(spec) {
  return round(spec, "chart-polar-area", (values, r, n) => {
    const rings = [0.5, 1].map((q) => svg("circle", { class: "grid", cx: C, cy: C,
                                                       r: q * SPOKE }));
    const sectors = values.map(([name, v], i) => {
      const length = r(v);
      const [x1, y1] = spoke(i, n, length);
      const [x2, y2] = spoke(i + 1, n, length);
      const d = n === 1 ? `M ${C} ${C - length} A ${length} ${length} 0 1 1 ${C - 0.01} ` +
        `${C - length} Z` : `M ${C} ${C} L ${x1.toFixed(2)} ${y1.toFixed(2)} A ${length} ` +
        `${length} 0 0 1 ${x2.toFixed(2)} ${y2.toFixed(2)} Z`;
      return svg("path", { class: "slice", d, fill: colour(spec, i) },
                 svg("title", { text: `${name}: ${v}` }));
    });
    return [...rings, ...sectors];
  });
}
