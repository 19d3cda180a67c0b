// Building the page: h(tag, attrs, ...children) makes an element. Attributes `class` and `text`
// set the class name and the text; `onX` attributes add event listeners; null, undefined and
// false leave an attribute out, and true sets it empty. Text is always set as text, never HTML.
export function h(tag, attrs = {}, ...children) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v == null || v === false) continue;
    if (k === "class") e.className = v;
    else if (k === "text") e.textContent = v;
    else if (k.startsWith("on")) e.addEventListener(k.slice(2), v);
    else e.setAttribute(k, v === true ? "" : v);
  }
  for (const c of children) if (c != null) e.append(c);
  return e;
}

/** The element with this id. */
export const $ = (id) => document.getElementById(id);

/** "1 node", "3 nodes": a count and a word that takes an s in the plural. */
export const plural = (n, word) => `${n} ${word}${n === 1 ? "" : "s"}`;
