// Widgets that show a value: text, the gauge (a half-circle dial, or a linear bar with
// gtype: "linear"; the other shapes are gauges.js's), and the spacer, which shows nothing.
import { h, svg } from "../dom.js";
import { labelOf } from "./common.js";
import { SHAPES, sectorOf } from "./gauges.js";

export function text(spec) {
  const value = h("span", { class: "value" });
  const el = h("div", { class: `text text-${spec.layout}` }, labelOf(spec), value);
  return { el, update(state) { value.textContent = state.text ?? ""; } };
}

export function spacer() {
  return { el: h("div", { class: "spacer", "aria-hidden": "true" }), update() {} };
}

// A half-circle dial from min (left) to max (right); sectors are drawn as a thin band, the
// value as a thick arc in its sector's colour, the number in the middle.
const R = 80;
const CX = 100;
const CY = 100;

const BAND = R + 14; // the sectors' radius: a thin band outside the value's arc

function point(fraction, r) {
  const angle = Math.PI * (1 - fraction);
  return [CX + r * Math.cos(angle), CY - r * Math.sin(angle)];
}

function arc(from, to, r = R) {
  const [x1, y1] = point(from, r);
  const [x2, y2] = point(to, r);
  return `M ${x1.toFixed(2)} ${y1.toFixed(2)} A ${r} ${r} 0 0 1 ${x2.toFixed(2)} ${y2.toFixed(2)}`;
}

export function gauge(spec) {
  if (spec.gtype === "linear") return linear(spec);
  return Object.hasOwn(SHAPES, spec.gtype) ? SHAPES[spec.gtype](spec) : dial(spec);
}

function dial(spec) {
  const span = spec.max - spec.min;
  const frac = (v) => Math.min(1, Math.max(0, (v - spec.min) / span));
  const band = svg("g", { class: "sectors" });
  let start = 0;
  for (const sector of spec.sectors) {
    const end = frac(sector.to);
    if (end > start) band.append(svg("path", { d: arc(start, end, BAND),
                                                  stroke: sector.color }));
    start = Math.max(start, end);
  }
  const track = svg("path", { class: "track", d: arc(0, 1) });
  const bar = svg("path", { class: "bar", d: "" });
  const number = svg("text", { class: "gauge-value", x: CX, y: CY - 8, "text-anchor": "middle" });
  const units = svg("text", { class: "units", x: CX, y: CY + 14, "text-anchor": "middle",
                              text: spec.units });
  const ends = [
    svg("text", { class: "end", x: CX - R, y: CY + 16, "text-anchor": "middle",
                  text: String(spec.min) }),
    svg("text", { class: "end", x: CX + R, y: CY + 16, "text-anchor": "middle",
                  text: String(spec.max) }),
  ];
  const drawing = svg("svg", { viewBox: "-2 -4 204 126", role: "img",
                               "aria-label": spec.label || "gauge" },
                      track, band, bar, number, units, ...ends);
  const el = h("div", { class: "gauge" }, labelOf(spec), drawing);
  return {
    el,
    update(state) {
      const v = state.value;
      el.dataset.value = v == null ? "" : String(v);
      number.textContent = state.text ?? "";
      if (v == null) { bar.setAttribute("d", ""); return; }
      const f = frac(v);
      bar.setAttribute("d", f > 0 ? arc(0, f) : "");
      const sector = sectorOf(spec, v);
      if (sector) bar.setAttribute("stroke", sector.color);
      else bar.removeAttribute("stroke");
    },
  };
}

// A horizontal bar: the track, the sectors as a thin band under it, the value's bar in its
// sector's colour; the number and units above at the right, the ends below. The drawing
// stretches to the widget's width (no text in it, so nothing is distorted).
const W = 200;

function linear(spec) {
  const span = spec.max - spec.min;
  const frac = (v) => Math.min(1, Math.max(0, (v - spec.min) / span));
  const band = svg("g", { class: "sectors" });
  let start = 0;
  for (const sector of spec.sectors) {
    const end = frac(sector.to);
    if (end > start) band.append(svg("rect", { x: start * W, y: 15, width: (end - start) * W,
                                                 height: 3, fill: sector.color }));
    start = Math.max(start, end);
  }
  const track = svg("rect", { class: "track", x: 0, y: 0, width: W, height: 12 });
  const bar = svg("rect", { class: "bar", x: 0, y: 0, width: 0, height: 12 });
  const drawing = svg("svg", { viewBox: `0 0 ${W} 18`, preserveAspectRatio: "none",
                               role: "img", "aria-label": spec.label || "gauge" },
                      track, band, bar);
  const number = h("span", { class: "gauge-value" });
  const head = h("div", { class: "gauge-head" }, labelOf(spec),
                 h("span", {}, number, " ", h("span", { class: "units", text: spec.units })));
  const ends = h("div", { class: "gauge-ends" }, h("span", { text: String(spec.min) }),
                 h("span", { text: String(spec.max) }));
  const el = h("div", { class: "gauge gauge-linear" }, head, drawing, ends);
  return {
    el,
    update(state) {
      const v = state.value;
      el.dataset.value = v == null ? "" : String(v);
      number.textContent = state.text ?? "";
      bar.setAttribute("width", v == null ? "0" : (frac(v) * W).toFixed(2));
      const sector = v == null ? null : sectorOf(spec, v);
      if (sector) bar.setAttribute("fill", sector.color);
      else bar.removeAttribute("fill");
    },
  };
}
