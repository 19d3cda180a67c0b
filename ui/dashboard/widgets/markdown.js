// ui-markdown: HTML that the server rendered from Markdown with raw HTML off. The browser
// keeps, besides, only the tags and attributes Markdown makes (an allowlist), and links to
// http(s), mailto, the page itself or a relative address (the filter is allowlist.js's).
import { h } from "../dom.js";
import { allowlist, sanitized } from "./allowlist.js";
import { labelOf } from "./common.js";

const MARKDOWN = allowlist({
  tags: ["P", "BR", "HR", "H1", "H2", "H3", "H4", "H5", "H6", "EM", "STRONG", "S", "DEL", "CODE",
         "PRE", "BLOCKQUOTE", "UL", "OL", "LI", "A", "IMG", "TABLE", "THEAD", "TBODY", "TR", "TH",
         "TD"],
  attrs: { A: ["href", "title"], IMG: ["src", "alt", "title"], OL: ["start"], TH: ["style"],
           TD: ["style"] },
  styles: ["text-align"],
});

export function markdown(spec) {
  const body = h("div", { class: "markdown-body" });
  const el = h("div", { class: "markdown" }, labelOf(spec), body);
  return { el, update(state) { body.replaceChildren(...sanitized(state.html ?? "", MARKDOWN)); } };
}
