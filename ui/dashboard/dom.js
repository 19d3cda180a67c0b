// Building the dashboard's elements: h() from the editor's dom.js for HTML, svg() for the
// gauge's drawing (SVG elements need their namespace). Text is always set as text.
export { h, $ } from "/ui/js/dom.js";

const SVG = "http://www.w3.org/2000/svg";

/** An SVG element with attributes (set as attributes: no style, no script). */
export function svg(tag, attrs = {}, ...children) {
  const e = document.createElementNS(SVG, tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v == null || v === false) continue;
    if (k === "text") e.textContent = v;
    else e.setAttribute(k, String(v));
  }
  for (const c of children) if (c != null) e.append(c);
  return e;
}
