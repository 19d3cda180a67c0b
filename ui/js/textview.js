// The flow file as text: edit the YAML (or JSON) itself, checked by the server as you type, saved
// with the revision it was read at. Comments and formatting are exactly what you write.
import { api, ApiError } from "./api.js";
import { $, h } from "./dom.js";
import { modal, toast } from "./dialogs.js";
import { renderProblems } from "./sidebar.js";
import { allowed, needText } from "./roles.js";

/** Put the cursor at the start of a line (from 1) and scroll it into view. */
export function gotoLine(area, line) {
  area.focus();
  const lines = area.value.split("\n");
  const at = line ? lines.slice(0, Math.max(0, line - 1)).reduce((n, l) => n + l.length + 1, 0) : 0;
  area.setSelectionRange(at, at);
  const lineHeight = parseFloat(getComputedStyle(area).lineHeight) || 19;
  area.scrollTop = line ? Math.max(0, (line - 5) * lineHeight) : 0;
}

/** Open the text view; with `line` (from 1), put the cursor at the start of that line. */
export async function openText(app, line = null) {
  const flow = app.current;
  if (!flow) return;
  if (app.dirty(flow) && !(await app.save(flow, false))) return;
  let res;
  try {
    res = flow.revision === null ? { text: "", revision: null } : await api.flow(flow.file);
  } catch (err) {
    toast(err.message, "error", 8000);
    return;
  }
  const wrap = document.querySelector(".canvas-wrap");
  const area = h("textarea", {
    id: "flow-text",
    class: "code",
    spellcheck: "false",
    "aria-label": `${flow.file} as text`,
  });
  area.value = res.text;
  const state = h("span", { class: "muted", role: "status" });
  const apply = h("button", {
    type: "button",
    class: "primary",
    text: "Save text",
    disabled: !allowed("save"),
    title: allowed("save") ? null : needText("save"),
  });
  const cancel = h("button", { type: "button", class: "secondary", text: "Back to the canvas" });
  const pane = h(
    "div",
    { class: "text-pane" },
    h(
      "div",
      { class: "text-bar" },
      h("strong", { text: flow.file }),
      state,
      h("span", { class: "spacer" }),
      cancel,
      apply,
    ),
    area,
  );
  wrap.append(pane);
  gotoLine(area, line);
  let timer = null;
  let revision = res.revision;
  const check = async () => {
    try {
      const v = await api.validateText(flow.file, area.value);
      flow.diagnostics = v.diagnostics || [];
      const errors = flow.diagnostics.filter((d) => d.severity === "error").length;
      state.textContent = errors
        ? `${errors} error${errors === 1 ? "" : "s"}: see Problems`
        : "checked: no errors";
      renderProblems(app, $("panel-problems"), $("count-problems"));
    } catch (err) {
      state.textContent = err.message;
    }
  };
  area.addEventListener("input", () => {
    clearTimeout(timer);
    timer = setTimeout(check, 400);
    state.textContent = "checking…";
  });
  area.addEventListener("keydown", (e) => {
    if (e.key === "Tab" && !e.shiftKey) {
      e.preventDefault();
      area.setRangeText("  ", area.selectionStart, area.selectionEnd, "end");
    }
    if ((e.ctrlKey || e.metaKey) && e.key.toLowerCase() === "s") {
      e.preventDefault();
      e.stopPropagation();
      apply.click();
    }
  });
  const close = async () => {
    clearTimeout(timer);
    pane.remove();
    await app.open(flow.file, true);
  };
  cancel.addEventListener("click", close);
  apply.addEventListener("click", async () => {
    try {
      const saved = await api.saveText(flow.file, revision, area.value);
      revision = saved.revision;
      toast(`Saved ${flow.file}`, "ok");
      await close();
    } catch (err) {
      if (err instanceof ApiError && err.status === 409) {
        await modal(
          "Someone else changed this flow",
          h("p", {
            text:
              `${flow.file} was changed on the server since you opened the text. ` +
              "Copy your text, go back to the canvas to reload, and apply your change again.",
          }),
          [{ label: "Close", value: null, primary: true }],
        );
      } else toast(`Could not save ${flow.file}: ${err.message}`, "error", 10000);
    }
  });
  check();
}
