// Revisions: every deploy is kept (author, time, hash); see what changed since one, roll back to
// it.
import { api, ApiError } from "./api.js";
import { h } from "./dom.js";
import { modal, toast } from "./dialogs.js";
import { allowed, needText } from "./roles.js";

function diffView(text) {
  const pre = h("pre", { class: "diff" });
  if (!text) {
    pre.textContent = "No difference: the files are as in this revision.";
    return pre;
  }
  for (const line of text.split("\n")) {
    const cls =
      line.startsWith("+++") || line.startsWith("---")
        ? "file"
        : line.startsWith("@@")
          ? "hunk"
          : line.startsWith("+")
            ? "add"
            : line.startsWith("-")
              ? "del"
              : "";
    pre.append(h("span", { class: cls, text: `${line}\n` }));
  }
  return pre;
}

export async function historyDialog(app) {
  let revisions;
  try {
    revisions = await api.revisions();
  } catch (err) {
    toast(err.message, "error", 8000);
    return;
  }
  const detail = h(
    "div",
    { class: "revision-detail" },
    h("p", { class: "muted", text: "Pick a revision to see how the files differ from it now." }),
  );
  let chosen = null;
  const list = h("ul", { class: "revisions" });
  if (!revisions.length)
    list.append(h("li", { class: "empty", text: "No revisions yet: each deploy makes one." }));
  for (const r of [...revisions].reverse()) {
    // epoch seconds or ISO text
    const t = typeof r.time === "number" && r.time < 1e11 ? r.time * 1000 : r.time;
    const when = t ? new Date(t).toLocaleString() : "";
    const item = h(
      "li",
      { tabindex: "0", "data-revision": r.id },
      h(
        "div",
        { class: "rev-head" },
        h("strong", { text: `#${r.id}` }),
        h("span", { class: "muted", text: when }),
      ),
      h("div", { text: r.message || "" }),
      h("div", {
        class: "muted",
        text: `${r.author || "?"} · ${String(r.hash || "").slice(0, 10)}`,
      }),
    );
    const pick = async () => {
      for (const li of list.children) li.classList.toggle("active", li === item);
      chosen = r;
      detail.replaceChildren(h("p", { class: "muted", text: "Loading the difference…" }));
      try {
        const res = await api.revisionDiff(r.id);
        detail.replaceChildren(
          h("h3", { text: `Now, compared with revision #${r.id}` }),
          diffView(res.diff),
        );
      } catch (err) {
        detail.replaceChildren(h("p", { class: "field-error", text: err.message }));
      }
    };
    item.addEventListener("click", pick);
    item.addEventListener("keydown", (e) => {
      if (e.key === "Enter") pick();
    });
    list.append(item);
  }
  const body = h("div", { class: "history" }, list, detail);
  const go = await modal("Revisions", body, [
    { label: "Close", value: null },
    {
      label: "Roll back to the chosen revision",
      value: () => (chosen ? "rollback" : null),
      primary: true,
      disabled: !allowed("rollback"),
      title: allowed("rollback") ? null : needText("rollback"),
    },
  ]);
  if (go !== "rollback" || !chosen) return;
  if (!allowed("rollback")) {
    toast(`Not rolled back: ${needText("rollback")}.`, "warning", 6000);
    return;
  }
  if (app.flows.some((f) => app.dirty(f))) {
    const sure = await modal(
      "Unsaved changes",
      h("p", {
        text:
          "Rolling back replaces the flow files and reloads them: " +
          "your unsaved changes are lost.",
      }),
      [
        { label: "Cancel", value: null },
        { label: "Roll back", value: "yes", primary: true },
      ],
    );
    if (sure !== "yes") return;
  }
  app.deploying = true;
  try {
    await api.rollback(chosen.id);
    toast(`Rolled back to revision #${chosen.id} and deployed`, "ok");
  } catch (err) {
    toast(err instanceof ApiError ? err.message : String(err), "error", 10000);
  }
  await app.reloadAll();
  setTimeout(() => {
    app.deploying = false;
  }, 2000);
}
