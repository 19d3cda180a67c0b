// A small Markdown renderer for node help and descriptions (headings, paragraphs, lists, code,
// emphasis, links). It builds DOM nodes and never parses HTML: text only ever becomes text
// nodes and a link's address an attribute value set through the DOM, so no text can add an
// element or an attribute (help and descriptions come from node packs and flow files).
import { h } from "./dom.js";

const INLINE = /`([^`]+)`|\*\*([^*]+)\*\*|\*([^*]+)\*|\[([^\]]+)\]\((https?:\/\/[^)\s]+)\)/g;

function element(tag, parent) {
  const el = h(tag);
  parent.append(el);
  return el;
}

/** Append the inline Markdown `text` to `parent`: code, strong, emphasis and http(s) links. */
function inline(text, parent) {
  let last = 0;
  for (const m of text.matchAll(INLINE)) {
    if (m.index > last) parent.append(text.slice(last, m.index));
    if (m[1] !== undefined) element("code", parent).textContent = m[1];
    else if (m[2] !== undefined) inline(m[2], element("strong", parent));
    else if (m[3] !== undefined) inline(m[3], element("em", parent));
    else {
      const a = element("a", parent);
      a.setAttribute("href", m[5]);
      a.setAttribute("target", "_blank");
      a.setAttribute("rel", "noopener");
      inline(m[4], a);
    }
    last = m.index + m[0].length;
  }
  if (last < text.length) parent.append(text.slice(last));
  return parent;
}

/** A DocumentFragment for the Markdown text; `short` renders inline only (one paragraph). */
export function markdown(text, short = false) {
  const out = document.createDocumentFragment();
  if (short) return inline(String(text), out);
  let list = null;
  let para = [];
  let code = null;
  const flushPara = () => {
    if (para.length) inline(para.join(" "), element("p", out));
    para = [];
  };
  const flushList = () => {
    if (list) {
      const ul = element("ul", out);
      for (const item of list) inline(item, element("li", ul));
    }
    list = null;
  };
  const flushCode = () => {
    element("code", element("pre", out)).textContent = code.join("\n");
    code = null;
  };
  for (const line of String(text).split("\n")) {
    if (code !== null) {
      if (/^```/.test(line)) flushCode();
      else code.push(line);
      continue;
    }
    if (/^```/.test(line)) {
      flushPara();
      flushList();
      code = [];
      continue;
    }
    const hm = /^(#{1,6})\s+(.*)$/.exec(line);
    if (hm) {
      flushPara();
      flushList();
      inline(hm[2], element(`h${Math.min(6, hm[1].length + 2)}`, out));
      continue;
    }
    const lm = /^\s*[-*]\s+(.*)$/.exec(line);
    if (lm) {
      flushPara();
      (list = list || []).push(lm[1]);
      continue;
    }
    if (!line.trim()) {
      flushPara();
      flushList();
      continue;
    }
    if (list && /^\s+/.test(line)) {
      list[list.length - 1] += ` ${line.trim()}`;
      continue;
    }
    flushList();
    para.push(line.trim());
  }
  if (code !== null) flushCode();
  flushPara();
  flushList();
  return out;
}
