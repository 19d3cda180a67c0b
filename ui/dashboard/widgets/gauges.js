// The gauge's other shapes, by gtype: node-red-dashboard's donut, compass and wave, and
// FlowFuse Dashboard 2's three-quarter dial, tile, battery and tank. Each is hand-written SVG
// (no library): a value is drawn from min to max in its sector's colour (the accent colour with
// no sectors); the formatted value and the units are written in it. Colours are attributes,
// never style, so the page's CSP holds.
import { h, svg } from "../dom.js";
import { labelOf } from "./common.js";

/** The sector ``v`` falls in (the last one above the range), or undefined with none. */
export function sectorOf(spec, v) {
  return spec.sectors.find((s) => v <= s.to) ?? spec.sectors.at(-1);
}

function fraction(spec) {
  const span = spec.max - spec.min;
  return (v) => Math.min(1, Math.max(0, (v - spec.min) / span));
}

// A point on a circle at `turn` of a full turn clockwise from the top.
function at(turn, r, c = 100) {
  const angle = 2 * Math.PI * turn;
  return [c + r * Math.sin(angle), c - r * Math.cos(angle)];
}

// An arc on a circle from `from` to `to` (turns from the top, clockwise); a whole turn is
// drawn as two halves (one arc cannot end where it starts).
function arc(from, to, r) {
  if (to - from >= 0.9999) return `${arc(from, from + 0.5, r)} ${arc(from + 0.5, to - 1e-4, r)}`;
  const [x1, y1] = at(from, r);
  const [x2, y2] = at(to, r);
  const large = to - from > 0.5 ? 1 : 0;
  return `M ${x1.toFixed(2)} ${y1.toFixed(2)} A ${r} ${r} 0 ${large} 1 ${x2.toFixed(2)} ` +
         `${y2.toFixed(2)}`;
}

// The sectors as a thin band outside a ring that turns `sweep` from `start`.
function band(spec, frac, start, sweep, r) {
  const g = svg("g", { class: "sectors" });
  let from = 0;
  for (const sector of spec.sectors) {
    const to = frac(sector.to);
    if (to > from) g.append(svg("path", { d: arc(start + from * sweep, start + to * sweep, r),
                                          stroke: sector.color }));
    from = Math.max(from, to);
  }
  return g;
}

function paint(node, attr, spec, v) {
  const sector = v == null ? null : sectorOf(spec, v);
  if (sector) node.setAttribute(attr, sector.color);
  else node.removeAttribute(attr);
}

// The widget around a drawing: its label, the drawing, and the update every shape shares
// (the value as data-value, the formatted text); `draw(v, f)` moves the shape's own parts.
function shaped(spec, drawing, number, draw) {
  const frac = fraction(spec);
  const el = h("div", { class: `gauge gauge-shape gauge-${spec.gtype}` }, labelOf(spec), drawing);
  return {
    el,
    update(state) {
      const v = state.value;
      el.dataset.value = v == null ? "" : String(v);
      number.textContent = state.text ?? "";
      draw(v, v == null ? 0 : frac(v));
    },
  };
}

function texts(spec, y) {
  const number = svg("text", { class: "gauge-value", x: 100, y, "text-anchor": "middle" });
  const units = svg("text", { class: "units", x: 100, y: y + 20, "text-anchor": "middle",
                              text: spec.units });
  return [number, units];
}

function picture(spec, viewBox, ...parts) {
  return svg("svg", { viewBox, role: "img", "aria-label": spec.label || "gauge" }, ...parts);
}

// A ring turning `sweep` of a circle from `start`: donut (a whole turn from the top) and the
// three-quarter dial (from the lower left to the lower right).
function ring(spec, start, sweep) {
  const frac = fraction(spec);
  const track = svg("path", { class: "track", d: arc(start, start + sweep, 76) });
  const bar = svg("path", { class: "bar", d: "" });
  const [number, units] = texts(spec, 106);
  const drawing = picture(spec, "-2 -2 204 204", track,
                          band(spec, frac, start, sweep, 92), bar, number, units);
  return shaped(spec, drawing, number, (v, f) => {
    bar.setAttribute("d", v != null && f > 0 ? arc(start, start + f * sweep, 76) : "");
    paint(bar, "stroke", spec, v);
  });
}

const donut = (spec) => ring(spec, 0, 1);
const threeQuarter = (spec) => ring(spec, -0.375, 0.75);

// A needle on a ring, a whole turn from min (at the top, north) to max.
function compass(spec) {
  const face = svg("circle", { class: "compass-ring", cx: 100, cy: 100, r: 84 });
  const north = svg("text", { class: "end", x: 100, y: 36, "text-anchor": "middle", text: "N" });
  const needle = svg("path", { class: "needle", d: "M 100 24 L 108 100 L 100 112 L 92 100 Z",
                               transform: "rotate(0 100 100)" });
  const [number, units] = texts(spec, 146);
  const drawing = picture(spec, "-2 -2 204 204", face, north, needle, number, units);
  return shaped(spec, drawing, number, (v, f) => {
    needle.setAttribute("transform", `rotate(${(f * 360).toFixed(2)} 100 100)`);
    needle.classList.toggle("none", v == null);
  });
}

// Liquid in a round glass up to the value, with a wave on its top.
let waves = 0;

function wave(spec) {
  const id = `wave-clip-${++waves}`;
  const clip = svg("clipPath", { id }, svg("circle", { cx: 100, cy: 100, r: 80 }));
  const glass = svg("circle", { class: "glass", cx: 100, cy: 100, r: 90 });
  const liquid = svg("path", { class: "level", d: "", "clip-path": `url(#${id})` });
  const [number, units] = texts(spec, 100);
  const drawing = picture(spec, "-2 -2 204 204", svg("defs", {}, clip), glass, liquid,
                          number, units);
  return shaped(spec, drawing, number, (v, f) => {
    const top = 180 - f * 160;
    let d = `M 0 ${top.toFixed(2)}`;
    for (let x = 0; x < 200; x += 50) {
      d += ` Q ${x + 12.5} ${(top - 7).toFixed(2)} ${x + 25} ${top.toFixed(2)}` +
           ` T ${x + 50} ${top.toFixed(2)}`;
    }
    liquid.setAttribute("d", v == null ? "" : `${d} L 200 200 L 0 200 Z`);
    liquid.dataset.level = f.toFixed(4);
    paint(liquid, "fill", spec, v);
  });
}

// A tile in its sector's colour, the value written large in it.
function tile(spec) {
  const back = svg("rect", { class: "level", x: 0, y: 0, width: 200, height: 100, rx: 10 });
  const number = svg("text", { class: "gauge-value", x: 100, y: 58, "text-anchor": "middle" });
  const units = svg("text", { class: "units", x: 100, y: 82, "text-anchor": "middle",
                              text: spec.units });
  const drawing = picture(spec, "0 0 200 100", back, number, units);
  return shaped(spec, drawing, number, (v) => paint(back, "fill", spec, v));
}

// A battery lying down, charged up to the value.
function battery(spec) {
  const body = svg("rect", { class: "case", x: 6, y: 16, width: 172, height: 68, rx: 9 });
  const cap = svg("rect", { class: "cap", x: 180, y: 36, width: 12, height: 28, rx: 3 });
  const charge = svg("rect", { class: "level", x: 13, y: 23, width: 0, height: 54, rx: 4 });
  const number = svg("text", { class: "gauge-value", x: 92, y: 59, "text-anchor": "middle" });
  const drawing = picture(spec, "0 0 200 100", body, cap, charge, number);
  return shaped(spec, drawing, number, (v, f) => {
    charge.setAttribute("width", v == null ? "0" : (f * 158).toFixed(2));
    paint(charge, "fill", spec, v);
  });
}

// A tank standing up, filled up to the value.
function tank(spec) {
  const wall = svg("rect", { class: "case", x: 50, y: 6, width: 100, height: 188, rx: 12 });
  const water = svg("rect", { class: "level", x: 56, y: 188, width: 88, height: 0, rx: 6 });
  const [number, units] = texts(spec, 104);
  const drawing = picture(spec, "0 0 200 200", wall, water, number, units);
  return shaped(spec, drawing, number, (v, f) => {
    const height = v == null ? 0 : f * 176;
    water.setAttribute("height", height.toFixed(2));
    water.setAttribute("y", (188 - height).toFixed(2));
    paint(water, "fill", spec, v);
  });
}

/** The shapes by gtype (the dial and the linear bar are outputs.js's). */
export const SHAPES = {
  donut, compass, wave, "three-quarter": threeQuarter, tile, battery, tank,
};
