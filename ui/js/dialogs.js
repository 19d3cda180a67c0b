// Modal dialogs, toasts, and the import / export commands.
import { api, ApiError } from "./api.js";
import { h } from "./dom.js";

export function toast(text, kind = "info", ms = 4000) {
  const box = document.getElementById("toasts");
  const t = h("div", {
    class: `toast toast-${kind}`,
    role: kind === "error" ? "alert" : "status",
    text,
  });
  box.append(t);
  setTimeout(() => t.remove(), ms);
}

/** A modal dialog; resolves with the value of the button pressed (or null on Escape). */
export function modal(title, body, buttons) {
  return new Promise((resolve) => {
    const dlg = h("dialog", { class: "modal" });
    const close = (v) => {
      dlg.close();
      dlg.remove();
      resolve(v);
    };
    const row = h("div", { class: "modal-buttons" });
    for (const b of buttons) {
      const btn = h("button", {
        type: "button",
        class: b.primary ? "primary" : "secondary",
        text: b.label,
        disabled: b.disabled,
        title: b.title,
      });
      btn.addEventListener("click", () =>
        close(typeof b.value === "function" ? b.value() : b.value),
      );
      row.append(btn);
    }
    dlg.append(h("h2", { text: title }), body, row);
    dlg.addEventListener("cancel", (e) => {
      e.preventDefault();
      close(null);
    });
    // Enter in a one-line field presses the main button
    dlg.addEventListener("keydown", (e) => {
      if (e.key === "Enter" && e.target.tagName === "INPUT" && e.target.type !== "file") {
        e.preventDefault();
        const main = dlg.querySelector(".modal-buttons button.primary");
        if (main) main.click();
      }
    });
    document.body.append(dlg);
    dlg.showModal();
  });
}

/** Ask for a user and password until the server accepts them (the session is a cookie). */
export async function loginDialog() {
  let problem = "";
  for (;;) {
    const user = h("input", { id: "login-user", type: "text", autocomplete: "username" });
    const password = h("input", {
      id: "login-password",
      type: "password",
      autocomplete: "current-password",
    });
    const body = h(
      "form",
      { class: "login", onsubmit: (e) => e.preventDefault() },
      h("p", { class: "muted", text: "This flowrt server asks who you are." }),
      h("label", { for: "login-user", class: "field-label", text: "User" }),
      user,
      h("label", { for: "login-password", class: "field-label", text: "Password" }),
      password,
      h("div", { class: "field-error", role: "alert", text: problem }),
    );
    setTimeout(() => user.focus(), 0);
    const go = await modal("Log in", body, [{ label: "Log in", value: "login", primary: true }]);
    if (go !== "login") {
      problem = "Log in to use the editor.";
      continue;
    }
    try {
      await api.login(user.value, password.value);
      return;
    } catch (err) {
      problem =
        err instanceof ApiError && err.status === 401 ? "Wrong user or password." : err.message;
    }
  }
}

function looksNodeRed(data) {
  const list = Array.isArray(data) ? data : data && Array.isArray(data.flows) ? data.flows : null;
  return Boolean(
    list &&
    list.length &&
    list.every((n) => n && typeof n === "object" && "type" in n && "id" in n) &&
    list.some((n) => "wires" in n || "z" in n || n.type === "tab"),
  );
}

function uniqueName(app, name) {
  const taken = new Set(app.flows.map((f) => f.file));
  if (!taken.has(name)) return name;
  const [base, ext] = name.includes(".")
    ? [name.slice(0, name.lastIndexOf(".")), name.slice(name.lastIndexOf("."))]
    : [name, ".yaml"];
  for (let i = 2; ; i++) if (!taken.has(`${base}-${i}${ext}`)) return `${base}-${i}${ext}`;
}

const variableName = (v) => (typeof v === "string" ? v : v.name || JSON.stringify(v));

/** What the Node-RED import reported, when there is something to read: counts, then node by
 * node. */
function reportBody(report) {
  if (!report) return null;
  if (typeof report === "string") return h("pre", { class: "report", text: report });
  const nodes = (report.nodes || []).filter(
    (n) => (n.notes && n.notes.length) || n.reason || n.status !== "mapped",
  );
  const problems = [
    ...(report.problems || []),
    ...(report.diagnostics || []).map((d) => d.message || String(d)),
  ];
  const vars = report.variables || [];
  if (!nodes.length && !problems.length && !vars.length) return null;
  const c = report.counts || {};
  const box = h(
    "div",
    { class: "report" },
    h("p", {
      text:
        `${c.mapped ?? 0} mapped, ${c.caveats ?? 0} with caveats, ` +
        `${c.unsupported ?? 0} unsupported.`,
    }),
  );
  if (nodes.length) {
    box.append(
      h(
        "ul",
        { class: "report-nodes" },
        ...nodes.map((n) =>
          h(
            "li",
            { class: `status-${n.status}` },
            h("strong", { text: n.flowrt_id || n.nr_id }),
            h("span", { class: "muted", text: ` ${n.nr_type}${n.name ? ` “${n.name}”` : ""}` }),
            h("div", { text: [n.reason, ...(n.notes || [])].filter(Boolean).join("; ") }),
          ),
        ),
      ),
    );
  }
  if (vars.length)
    box.append(
      h("p", {
        text: `Set these variables: ${vars.map(variableName).join(", ")}`,
      }),
    );
  for (const p of problems)
    box.append(
      h("p", { class: "field-error", text: typeof p === "string" ? p : JSON.stringify(p) }),
    );
  return box;
}

/** Import: paste or upload a Node-RED export (converted by the server) or a flowrt file. */
export async function importDialog(app) {
  const text = h("textarea", {
    id: "import-text",
    class: "code",
    rows: 14,
    spellcheck: "false",
    placeholder: "Paste a Node-RED export (JSON) or a flowrt flow (YAML or JSON)",
  });
  const file = h("input", { id: "import-file", type: "file", accept: ".json,.yaml,.yml" });
  const name = h("input", {
    id: "import-name",
    type: "text",
    placeholder: "file name for a flowrt flow, e.g. imported.yaml",
  });
  let uploaded = null;
  file.addEventListener("change", async () => {
    const f = file.files[0];
    if (!f) return;
    text.value = await f.text();
    uploaded = f.name;
    if (!name.value) name.value = f.name.replace(/\.json$/, ".yaml");
  });
  const body = h(
    "div",
    { class: "import-body" },
    h("label", { for: "import-text", class: "field-label", text: "Flow text" }),
    text,
    h(
      "div",
      { class: "row" },
      h("label", { for: "import-file", class: "field-label", text: "or upload" }),
      file,
    ),
    h("label", { for: "import-name", class: "field-label", text: "Save a flowrt flow as" }),
    name,
  );
  const go = await modal("Import a flow", body, [
    { label: "Cancel", value: null },
    { label: "Import", value: "import", primary: true },
  ]);
  if (go !== "import" || !text.value.trim()) return;
  let data = null;
  try {
    data = JSON.parse(text.value);
  } catch {
    data = null;
  }
  try {
    if (data && looksNodeRed(data)) {
      const res = await api.importNodeRed(data);
      const names = [];
      for (const [fname, ftext] of Object.entries(res.files || {})) {
        const target = uniqueName(app, fname);
        await api.saveText(target, null, ftext);
        names.push(target);
      }
      await app.reloadList(names[0]);
      const body = reportBody(res.report);
      if (body)
        await modal("Node-RED import", body, [{ label: "Close", value: null, primary: true }]);
      toast(
        `Imported ${names.length} flow${names.length === 1 ? "" : "s"}: ${names.join(", ")}`,
        "ok",
      );
    } else {
      let fname =
        name.value.trim() || (data && data.id ? `${data.id}.yaml` : uploaded) || "imported.yaml";
      if (!/\.(ya?ml|json)$/.test(fname)) fname += data ? ".json" : ".yaml";
      fname = uniqueName(app, fname);
      await api.saveText(fname, null, text.value);
      await app.reloadList(fname);
      toast(`Imported ${fname}`, "ok");
    }
  } catch (err) {
    toast(err instanceof ApiError ? err.message : String(err), "error", 8000);
  }
}

function download(name, text, type) {
  const a = h("a", { href: URL.createObjectURL(new Blob([text], { type })), download: name });
  document.body.append(a);
  a.click();
  setTimeout(() => {
    URL.revokeObjectURL(a.href);
    a.remove();
  }, 1000);
}

export async function exportDialog(app) {
  const flow = app.current;
  const which = await modal(
    "Export",
    h("p", { text: "Download the flow file as saved, or all flows as a Node-RED export." }),
    [
      { label: "Cancel", value: null },
      { label: "Node-RED JSON", value: "nodered" },
      { label: flow ? `Download ${flow.file}` : "Flow file", value: "file", primary: true },
    ],
  );
  try {
    if (which === "file" && flow) {
      if (app.dirty(flow)) toast("Unsaved changes are not in the download: save first.", "warning");
      const res = await api.flow(flow.file);
      download(flow.file.split("/").pop(), res.text, "text/yaml");
    } else if (which === "nodered") {
      download(
        "flows.json",
        JSON.stringify(await api.exportNodeRed(), null, 2),
        "application/json",
      );
    }
  } catch (err) {
    toast(err instanceof ApiError ? err.message : String(err), "error", 8000);
  }
}
