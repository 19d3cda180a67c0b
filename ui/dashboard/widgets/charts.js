// ui-chart: lines over time (../chart.js, uPlot), or each series' latest value as bars or a
// pie, drawn here as SVG. Bar and pie state: {values: [[name, value], ...]}.
import { h, svg } from "../dom.js";
import { makeChart } from "../chart.js";
import { labelOf } from "./common.js";

export function chart(spec) {
  if (spec.chart_type === "bar") return bars(spec);
  if (spec.chart_type === "pie") return pie(spec);
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
