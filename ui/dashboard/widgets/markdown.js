// ui-markdown: HTML that the server rendered from Markdown with raw HTML off. The browser
// keeps, besides, only the tags and attributes Markdown makes (an allowlist), and links to
// http(s), mailto, the page itself or a relative address: parsed with DOMParser (its
// document runs no script and loads nothing), then copied element by element.
import { h } from "../dom.js";
import { labelOf } from "./common.js";

const TAGS = new Set(["P", "BR", "HR", "H1", "H2", "H3", "H4", "H5", "H6", "EM", "STRONG", "S",
  "DEL", "CODE", "PRE", "BLOCKQUOTE", "UL", "OL", "LI", "A", "IMG", "TABLE", "THEAD", "TBODY",
  "TR", "TH", "TD"]);
const ATTRS = { A: ["href", "title"], IMG: ["src", "alt", "title"], OL: ["start"],
                TH: ["style"], TD: ["style"] };
const SCHEMES = new Set(["http:", "https:", "mailto:"]);
const ALIGN = /^text-align:\s*(left|center|right)$/;

function safeUrl(value) {
  try {
    return SCHEMES.has(new URL(value, location.href).protocol);
  } catch {
    return false;
  }
}

function copy(node) {
  if (node.nodeType === Node.TEXT_NODE) return document.createTextNode(node.data);
  if (node.nodeType !== Node.ELEMENT_NODE) return null;
  const children = [...node.childNodes].map(copy).filter(Boolean);
  if (!TAGS.has(node.tagName)) return children.length ? children : null; // keep the text
  const e = document.createElement(node.tagName.toLowerCase());
  for (const name of ATTRS[node.tagName] ?? []) {
    const value = node.getAttribute(name);
    if (value == null) continue;
    if ((name === "href" || name === "src") && !safeUrl(value)) continue;
    if (name === "style") {
      const m = ALIGN.exec(value.trim());
      if (m) e.style.textAlign = m[1];
      continue;
    }
    e.setAttribute(name, value);
  }
  if (node.tagName === "A") e.rel = "noopener noreferrer nofollow";
  e.append(...children.flat());
  return e;
}

/** The nodes of `html`, keeping only Markdown's tags and attributes. */
export function sanitized(html) {
  const doc = new DOMParser().parseFromString(html, "text/html");
  return [...doc.body.childNodes].map(copy).filter(Boolean).flat();
}

export function markdown(spec) {
  const body = h("div", { class: "markdown-body" });
  const el = h("div", { class: "markdown" }, labelOf(spec), body);
  return { el, update(state) { body.replaceChildren(...sanitized(state.html ?? "")); } };
}
