// A small Markdown renderer for node help (headings, paragraphs, lists, code, emphasis, links).
// Text is escaped first, so help cannot inject markup.

const esc = (s) => s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");

function inline(s) {
  return esc(s)
    .replace(/`([^`]+)`/g, "<code>$1</code>")
    .replace(/\*\*([^*]+)\*\*/g, "<strong>$1</strong>")
    .replace(/\*([^*]+)\*/g, "<em>$1</em>")
    .replace(/\[([^\]]+)\]\((https?:[^)\s]+)\)/g, '<a href="$2" target="_blank" rel="noopener">$1</a>');
}

/** A DocumentFragment for the Markdown text; `short` renders inline only (one paragraph). */
export function markdown(text, short = false) {
  const tpl = document.createElement("template");
  if (short) { tpl.innerHTML = inline(String(text)); return tpl.content; }
  const out = [];
  let list = null;
  let para = [];
  let code = null;
  const flushPara = () => { if (para.length) out.push(`<p>${inline(para.join(" "))}</p>`); para = []; };
  const flushList = () => { if (list) out.push(`<ul>${list.map((i) => `<li>${inline(i)}</li>`).join("")}</ul>`); list = null; };
  for (const line of String(text).split("\n")) {
    if (code !== null) {
      if (/^```/.test(line)) { out.push(`<pre><code>${esc(code.join("\n"))}</code></pre>`); code = null; } else code.push(line);
      continue;
    }
    if (/^```/.test(line)) { flushPara(); flushList(); code = []; continue; }
    const hm = /^(#{1,6})\s+(.*)$/.exec(line);
    if (hm) { flushPara(); flushList(); const n = Math.min(6, hm[1].length + 2); out.push(`<h${n}>${inline(hm[2])}</h${n}>`); continue; }
    const lm = /^\s*[-*]\s+(.*)$/.exec(line);
    if (lm) { flushPara(); (list = list || []).push(lm[1]); continue; }
    if (!line.trim()) { flushPara(); flushList(); continue; }
    if (list && /^\s+/.test(line)) { list[list.length - 1] += ` ${line.trim()}`; continue; }
    flushList();
    para.push(line.trim());
  }
  if (code !== null) out.push(`<pre><code>${esc(code.join("\n"))}</code></pre>`);
  flushPara(); flushList();
  tpl.innerHTML = out.join("");
  return tpl.content;
}
