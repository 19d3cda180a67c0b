// The allowlist filter of HTML made on the server (ui-markdown, ui-template): parsed with
// DOMParser (its document runs no script and loads nothing), then copied element by element,
// keeping only the allowed tags, attributes and style properties, and links and images to
// http(s), mailto, the page itself or a relative address. Script, style, frames, SVG and the
// like go with their content; any other tag not allowed is dropped, its text kept.
// `allow` is {tags: [...], attrs: {"*": [...], tag: [...]}, styles: [...]} (ui-template's is
// the server's, nodes/dashboard/html_allowlist.py). Styles are set through element.style
// (the page's CSP allows no style attribute).

const DROPPED = new Set(["SCRIPT", "STYLE", "TEMPLATE", "NOSCRIPT", "IFRAME", "FRAME", "OBJECT",
  "EMBED", "SVG", "MATH", "TEXTAREA", "TITLE", "SELECT", "BASE", "LINK", "META", "AUDIO",
  "VIDEO", "CANVAS"]);
const SCHEMES = new Set(["http:", "https:", "mailto:"]);
const STYLE_VALUE = /^(?:[#\w .,%+-]|(?:rgba?|hsla?)\([\d\s.,%/+-]*\))*$/;

function safeUrl(value) {
  try {
    return SCHEMES.has(new URL(value, location.href).protocol);
  } catch {
    return false;
  }
}

function setStyle(e, text, styles) {
  for (const declaration of text.split(";")) {
    const at = declaration.indexOf(":");
    if (at < 0) continue;
    const name = declaration.slice(0, at).trim().toLowerCase();
    const value = declaration.slice(at + 1).trim();
    if (styles.has(name) && value && STYLE_VALUE.test(value)) e.style.setProperty(name, value);
  }
}

function copy(node, allow) {
  if (node.nodeType === Node.TEXT_NODE) return document.createTextNode(node.data);
  if (node.nodeType !== Node.ELEMENT_NODE || DROPPED.has(node.tagName.toUpperCase())) return null;
  const children = [...node.childNodes].map((c) => copy(c, allow)).filter(Boolean);
  if (!allow.tags.has(node.tagName)) return children.length ? children : null; // keep the text
  const e = document.createElement(node.tagName.toLowerCase());
  for (const name of [...allow.attrs["*"] ?? [], ...allow.attrs[node.tagName] ?? []]) {
    // a style comes as data-style from ui-template's server side (a style attribute in the
    // parsed HTML would be reported as a CSP violation), as style from Markdown
    const value = name === "style" ? node.getAttribute("data-style") ?? node.getAttribute(name)
      : node.getAttribute(name);
    if (value == null) continue;
    if ((name === "href" || name === "src") && !safeUrl(value)) continue;
    if (name === "style") setStyle(e, value, allow.styles);
    else e.setAttribute(name, value);
  }
  if (node.tagName === "A") e.rel = "noopener noreferrer nofollow";
  e.append(...children.flat());
  return e;
}

/** An allowlist as copy() reads it: tag names upper case, sets for look-ups. */
export function allowlist({ tags = [], attrs = {}, styles = [] }) {
  const upper = Object.fromEntries(
    Object.entries(attrs).map(([tag, names]) => [tag === "*" ? tag : tag.toUpperCase(), names]));
  return { tags: new Set(tags.map((t) => t.toUpperCase())), attrs: upper, styles: new Set(styles) };
}

/** The nodes of `html`, keeping only what `allow` (made by allowlist()) allows. */
export function sanitized(html, allow) {
  const doc = new DOMParser().parseFromString(html, "text/html");
  return [...doc.body.childNodes].map((c) => copy(c, allow)).filter(Boolean).flat();
}
