// Code fields (function, script, SQL, JSONata, Markdown notes...): the vendored Ace editor
// (ui/vendor/ace, see docs/editor.md) with line numbers, highlighting by language, JavaScript
// syntax errors from Ace's worker as you type, and the server's diagnostics at their line.
// Ace is loaded on first use; until it is there (or if it cannot load) the field is a textarea.
// Under the editor's CSP: Ace's styles come from its stylesheet (useStrictCSP), its worker from
// a file of ui/ (never a blob), nothing is evaluated.
import { h } from "./dom.js";

const BASE = "/ui/vendor/ace";
/** The Ace mode of each `x-format: code:<lang>`; jsonata is ours (below); others are text. */
const MODES = {
  javascript: "ace/mode/javascript",
  python: "ace/mode/python",
  sql: "ace/mode/sql",
  markdown: "ace/mode/markdown",
  jinja: "ace/mode/django",
  mustache: "ace/mode/django",
};
/** The names a function node's code sees (its wrapper's parameters), for the worker's checks. */
const FUNCTION_NAMES = ["msg", "node", "context", "flow", "global", "env", "RED"];
/** "line 3: SyntaxError: ..." in a diagnostic: the line within the field's code. */
const AT_LINE = /\bline (\d+)(?:, column (\d+))?: /g;

let loading = null;
const live = new Set();

/** Ace, loaded once (its stylesheet and theme first) and configured for the CSP. */
function loadAce() {
  if (loading) return loading;
  loading = new Promise((resolve, reject) => {
    document.head.append(
      h("link", { rel: "stylesheet", href: `${BASE}/css/ace.css` }),
      h("link", { rel: "stylesheet", href: `${BASE}/css/theme/textmate.css` }),
    );
    const script = h("script", { src: `${BASE}/ace.js` });
    script.addEventListener("load", () => {
      const ace = window.ace;
      ace.config.set("useStrictCSP", true); // no <style> elements: ace.css has them all
      ace.config.set("loadWorkerFromBlob", false); // new Worker(file of ui/), not a blob:
      ace.config.set("basePath", BASE);
      resolve(ace);
    });
    script.addEventListener("error", () => reject(new Error(`cannot load ${BASE}/ace.js`)));
    document.head.append(script);
  });
  return loading;
}

let Jsonata = null;

/** A JSONata mode for Ace (it has none): comments, strings, numbers, $functions, operators. */
function jsonataMode(ace) {
  if (Jsonata) return new Jsonata();
  const { TextHighlightRules } = ace.require("ace/mode/text_highlight_rules");
  const { Mode } = ace.require("ace/mode/text");
  class Rules extends TextHighlightRules {
    constructor() {
      super();
      this.$rules = {
        start: [
          { token: "comment", regex: /\/\*/, next: "comment" },
          { token: "string", regex: /"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'/ },
          { token: "constant.numeric", regex: /\d+(?:\.\d+)?(?:[eE][+-]?\d+)?\b/ },
          { token: "constant.language", regex: /\b(?:true|false|null)\b/ },
          { token: "keyword", regex: /\b(?:function|and|or|in)\b|λ/ },
          { token: "support.function", regex: /\$[A-Za-z_]\w*(?=\s*\()/ },
          { token: "variable", regex: /\$\$?\w*/ },
          { token: "keyword.operator", regex: /:=|~>|\?\?|\?:|!=|<=|>=|\.\.|[-+*/%&=<>?:!^~|]/ },
          { token: "identifier", regex: /`[^`]*`|[A-Za-z_]\w*/ },
          { token: "paren.lparen", regex: /[[({]/ },
          { token: "paren.rparen", regex: /[\])}]/ },
        ],
        comment: [
          { token: "comment", regex: /.*?\*\//, next: "start" },
          { token: "comment", regex: /.+/ },
        ],
      };
    }
  }
  Jsonata = class extends Mode {
    constructor() {
      super();
      this.HighlightRules = Rules;
      this.$id = "ace/mode/jsonata";
      this.blockComment = { start: "/*", end: "*/" };
    }
  };
  return new Jsonata();
}

/** Ace's worker checks a function node's code: a body that may `return` and `await`, seeing
 * the wrapper's names; unused variables are not its business. */
function tuneWorker(session, lang) {
  if (lang !== "javascript" || !session.$worker) return;
  const globals = Object.fromEntries(FUNCTION_NAMES.map((n) => [n, true]));
  session.$worker.send("setOptions", [{ "no-unused-vars": false, globals }]);
}

/** The server's diagnostics written under the field: annotations at the lines they name. */
export function diagnosticLines(text) {
  const found = [];
  const marks = [...text.matchAll(AT_LINE)];
  marks.forEach((m, i) => {
    const end = i + 1 < marks.length ? marks[i + 1].index : text.length;
    const start = text.lastIndexOf(". ", m.index) + 1 || 0;
    found.push({
      row: Number(m[1]) - 1,
      column: m[2] ? Number(m[2]) - 1 : 0,
      text: text.slice(Math.max(start, i ? marks[i - 1].index : 0), end).trim(),
      type: "error",
      server: true,
    });
  });
  return found;
}

/** Keep the server's annotations through the worker's, which replace the session's. */
function followDiagnostics(editor, diag, wrap) {
  const session = editor.session;
  let server = [];
  const merge = () => {
    const own = session.getAnnotations().filter((a) => !a.server);
    session.setAnnotations([...own, ...server]);
  };
  session.on("changeAnnotation", () => {
    const now = session.getAnnotations();
    if (server.some((a) => !now.includes(a))) merge();
  });
  const read = () => {
    const rows = session.getLength();
    server = diagnosticLines(diag.textContent || "").map((a) => ({
      ...a,
      row: Math.min(Math.max(a.row, 0), rows - 1),
    }));
    wrap.classList.toggle("invalid", Boolean(diag.textContent));
    paint(editor, wrap);
    merge();
  };
  new MutationObserver(read).observe(diag, {
    childList: true,
    characterData: true,
    subtree: true,
  });
  read();
}

/** Escape then Tab (or Shift-Tab) leaves the editor; Tab alone indents, as in a code editor. */
function escapeThenTab(editor) {
  let escaped = false;
  const box = editor.container;
  box.addEventListener(
    "keydown",
    (e) => {
      if (e.key === "Escape") escaped = true;
      else if (e.key === "Tab" && escaped) {
        e.stopPropagation(); // Ace does not see it: the browser moves the focus on
        escaped = false;
      } else if (e.key !== "Shift") escaped = false;
    },
    true,
  );
  editor.on("blur", () => (escaped = false));
}

function destroyDetached() {
  for (const editor of live)
    if (!editor.container.isConnected) {
      live.delete(editor);
      editor.destroy();
    }
}

/** The field's border: red with a diagnostic, the accent colour while focused (as inputs are). */
function paint(editor, wrap) {
  const invalid = wrap.classList.contains("invalid");
  wrap.style.borderColor = invalid
    ? "var(--danger)"
    : editor.isFocused()
      ? "var(--accent)"
      : "var(--line-strong)";
}

/** A JavaScript field in a closed section (a function's initialize and finalize, under
 * Advanced) starts its worker when the section opens: no thread for code nobody looks at. */
function workerWhenShown(editor, closed, lang) {
  if (!closed) return;
  const open = () => {
    if (!closed.open) return;
    closed.removeEventListener("toggle", open);
    editor.setOption("useWorker", true);
    tuneWorker(editor.session, lang);
  };
  closed.addEventListener("toggle", open);
}

function attach(ace, wrap, area, { id, lang, commit }) {
  destroyDetached();
  const box = h("div", { class: `code-editor lang-${lang}` });
  area.replaceWith(box);
  const mode = lang === "jsonata" ? jsonataMode(ace) : MODES[lang] || "ace/mode/text";
  const closed = lang === "javascript" ? wrap.closest("details:not([open])") : null;
  const editor = ace.edit(box, {
    value: area.value,
    mode,
    minLines: 6,
    maxLines: 30,
    fontSize: 12,
    fontFamily: "var(--mono)",
    tabSize: 2,
    useSoftTabs: true,
    showPrintMargin: false,
    wrap: lang === "markdown",
    placeholder: area.placeholder,
    useWorker: !closed,
    // read before Ace's "Cursor at row N"
    textInputAriaLabel: `${area.name} (${lang} code); Escape then Tab leaves the editor`,
  });
  live.add(editor);
  editor.textInput.getElement().id = id; // the field's label focuses it
  editor.session.on("changeMode", () => tuneWorker(editor.session, lang));
  tuneWorker(editor.session, lang);
  workerWhenShown(editor, closed, lang);
  editor.on("focus", () => paint(editor, wrap));
  editor.on("blur", () => paint(editor, wrap));
  editor.session.on("change", () => {
    const text = editor.getValue();
    commit(text === "" ? undefined : text);
  });
  escapeThenTab(editor);
  editor.commands.removeCommand("showSettingsMenu"); // Ace's own settings: not flowrt's
  const diag = wrap.closest(".field")?.querySelector(".field-diag");
  if (diag) followDiagnostics(editor, diag, wrap);
  wrap.editor = editor; // for tests and for whoever needs the text
  if (wrap.contains(document.activeElement) || document.activeElement === area) editor.focus();
}

/**
 * A code field: a textarea at once, Ace over it when loaded. `commit(text | undefined)` is
 * called on each change (undefined when emptied). Returns the field's element.
 */
export function codeEditor({ id, key, lang, value, placeholder, commit }) {
  const area = h("textarea", {
    id,
    name: key,
    class: `code lang-${lang}`,
    rows: 8,
    spellcheck: "false",
  });
  area.value = value === undefined || value === null ? "" : String(value);
  area.placeholder = placeholder;
  area.addEventListener("input", () => commit(area.value === "" ? undefined : area.value));
  const wrap = h("div", { class: "code-field" }, area);
  wrap.style.borderWidth = "1px";
  wrap.style.borderStyle = "solid";
  wrap.style.borderColor = "var(--line-strong)";
  wrap.style.borderRadius = "var(--radius)";
  wrap.style.overflow = "hidden";
  loadAce().then(
    (ace) => {
      // the form is in the page by now (built, then appended, in the same task)
      if (wrap.isConnected) attach(ace, wrap, area, { id, lang, commit });
    },
    (err) => console.warn(`code fields stay plain text: ${err.message}`),
  );
  return wrap;
}
