// The editor's flow tabs and files: list, open, create, delete and reload flow files, and the
// tab bar. A layer of the App class (main.js), on top of the runtime side (runtime.js).
import { api, ApiError } from "./api.js";
import { History, clone } from "./model.js";
import { $, h } from "./dom.js";
import { modal, toast } from "./dialogs.js";
import { AppRuntime } from "./runtime.js";
import { subflowTabButtons } from "./subflowtabs.js";
import { allowed, needText } from "./roles.js";

export class AppFiles extends AppRuntime {
  // ---- tabs and files -------------------------------------------------------------------------
  async reloadList(open = null) {
    let list = [];
    try {
      list = await api.flows();
    } catch (err) {
      toast(`Could not list flows: ${err.message}`, "error", 10000);
    }
    const known = new Map(this.flows.map((f) => [f.file, f]));
    this.flows = list.map((f) =>
      Object.assign(
        known.get(f.file) || {
          file: f.file,
          label: f.label || f.id || f.file,
          revision: f.revision,
          document: null,
        },
        { id: f.id, ids: f.ids || [], connectionIds: f.connection_ids || [] },
      ),
    );
    for (const f of known.values())
      if (f.revision === null && !this.flows.includes(f)) this.flows.push(f);
    this.renderTabs();
    const has = (file) => file && this.flows.some((f) => f.file === file);
    const target = [
      open,
      this.current && this.current.file,
      this.flows[0] && this.flows[0].file,
    ].find(has);
    if (target) await this.open(target, Boolean(open));
    else {
      this.current = null;
      this.refresh();
    }
  }

  /** Forget every loaded document and read the files again (after a rollback). */
  async reloadAll() {
    const file = this.current && this.current.file;
    this.flows = [];
    this.current = null;
    await this.reloadList();
    if (file && this.flows.some((f) => f.file === file)) await this.open(file, true);
  }

  async open(file, reload = false) {
    let flow = this.flows.find((f) => f.file === file);
    if (!flow) return;
    const pane = document.querySelector(".text-pane");
    if (pane) pane.remove(); // the text view is for one flow: leaving it drops unsaved text
    if (!flow.document || reload) {
      try {
        const res = await api.flow(file);
        const doc = res.document || {};
        doc.nodes = doc.nodes || {};
        // read again (after the text view, a deploy elsewhere): the undo history stays, and
        // what changed on the way is one more step in it
        const before = flow.document;
        Object.assign(flow, {
          revision: res.revision,
          document: doc,
          history: flow.history || new History(),
          diagnostics: [],
        });
        if (before && JSON.stringify(before) !== JSON.stringify(doc)) flow.history.push(before);
        flow.saved = clone(doc);
        if (!flow.deployed) flow.deployed = this.running.has(doc.id) ? clone(doc) : null;
        flow.label = doc.label || doc.id || file;
      } catch (err) {
        toast(`Could not open ${file}: ${err.message}`, "error", 10000);
        return;
      }
    }
    if (this.current) this.current.view = { ...this.canvas.view };
    this.current = flow;
    this.canvas.selected.clear();
    this.canvas.selectedWire = null;
    this.renderTabs();
    if (flow.view && !reload) {
      this.canvas.view = { ...flow.view };
      this.canvas.applyView();
    } else this.canvas.showAll();
    this.refresh();
    if (this.debug && this.debug.filterSel.value === "@flow") this.debug.render();
    this.validateSoon(0);
  }

  async newFlow() {
    if (!allowed("save")) {
      toast(`No new flow: ${needText("save")}.`, "warning", 6000);
      return;
    }
    const name = h("input", {
      id: "new-flow-name",
      type: "text",
      placeholder: "my-flow",
      spellcheck: "false",
    });
    const ok = await modal(
      "New flow",
      h(
        "div",
        {},
        h("label", {
          for: "new-flow-name",
          class: "field-label",
          text: "Flow id (the file is <id>.yaml)",
        }),
        name,
      ),
      [
        { label: "Cancel", value: null },
        { label: "Create", value: "ok", primary: true },
      ],
    );
    const id = name.value.trim().replace(/\.ya?ml$/, "");
    if (ok !== "ok" || !id) return;
    const file = `${id}.yaml`;
    if (this.flows.some((f) => f.file === file)) {
      toast(`${file} exists already`, "error");
      return;
    }
    const doc = { flowrt: 1, id, label: id, nodes: {} };
    const flow = {
      file,
      label: id,
      revision: null,
      document: doc,
      saved: null,
      deployed: null,
      ids: [],
      connectionIds: [],
      history: new History(),
      diagnostics: [],
    };
    this.flows.push(flow);
    this.current = flow;
    this.renderTabs();
    this.refresh();
  }

  async deleteFlow() {
    const flow = this.current;
    if (!flow) return;
    if (!allowed("save")) {
      toast(`Not deleted: ${needText("save")}.`, "warning", 6000);
      return;
    }
    const ok = await modal(
      `Delete ${flow.file}?`,
      h("p", {
        text:
          "The file is removed from the flows directory. Its nodes keep running until the next " +
          "deploy; revisions keep its history.",
      }),
      [
        { label: "Cancel", value: null },
        { label: "Delete", value: "delete", primary: true },
      ],
    );
    if (ok !== "delete") return;
    try {
      if (flow.revision !== null) await api.deleteFlow(flow.file, flow.revision);
    } catch (err) {
      toast(
        err instanceof ApiError && err.status === 409
          ? `${flow.file} changed on the server since you opened it: reload it first.`
          : err.message,
        "error",
        8000,
      );
      return;
    }
    this.flows = this.flows.filter((f) => f !== flow);
    this.current = null;
    toast(`Deleted ${flow.file}: deploy to stop its nodes.`, "ok");
    await this.reloadList();
  }

  renderTabs() {
    const bar = $("tabs");
    bar.replaceChildren();
    for (const f of this.flows) {
      const label = (f.document && f.document.label) || f.label || f.file;
      const dirty = this.dirty(f);
      const b = h(
        "button",
        {
          type: "button",
          role: "tab",
          class:
            `tab${f === this.current ? " active" : ""}${dirty ? " dirty" : ""}` +
            (this.pathView && this.pathView.crosses(f) ? " on-path" : ""), // paths.js
          "aria-selected": String(f === this.current),
          title: dirty ? `${f.file} (unsaved changes)` : f.file,
          "data-file": f.file,
        },
        label,
      );
      b.addEventListener("click", () => this.open(f.file));
      bar.append(b);
    }
    for (const b of subflowTabButtons(this)) bar.append(b);
    const add = h("button", {
      type: "button",
      class: "tab add",
      title: "New flow",
      "aria-label": "New flow",
      text: "+",
    });
    add.addEventListener("click", () => this.newFlow());
    bar.append(add);
    const active = bar.querySelector(".tab.active");
    if (active) active.scrollIntoView({ block: "nearest", inline: "nearest" });
  }

  /** The flow holding node `id` (a node of a subflow instance: the instance's flow), or null. */
  flowOf(id) {
    const s = String(id || "");
    for (const key of [s, s.split("/")[0]])
      for (const f of this.flows)
        if (f.document ? key in (f.document.nodes || {}) : (f.ids || []).includes(key)) return f;
    return null;
  }

  /** A node as the debug list names it: its id, and its label when it has one. */
  nodeLabel(id) {
    const f = this.flowOf(id);
    const node = f && f.document && f.document.nodes[String(id)];
    return node && node.label ? `${id} (${node.label})` : String(id);
  }

  /** Open the flow holding node `id`, select the node and bring it into view. */
  async revealNode(id) {
    const f = this.flowOf(id);
    if (!f) {
      toast(`${id} is in no flow of this project any more`, "warning");
      return;
    }
    if (f !== this.current) await this.open(f.file);
    const s = String(id);
    const local = s in (this.current.document.nodes || {}) ? s : s.split("/")[0];
    this.selectNode(local);
    this.canvas.centerOn(local);
  }

  /** The node and connection ids of every flow but ``except``: ids are unique in a project. */
  takenIds(except = this.current) {
    const taken = new Set();
    for (const f of this.flows) {
      if (f === except) continue;
      const doc = f.document;
      const ids = doc
        ? [...Object.keys(doc.nodes || {}), ...Object.keys(doc.connections || {})]
        : [...(f.ids || []), ...(f.connectionIds || [])];
      for (const id of ids) taken.add(id);
    }
    return taken;
  }

  dirty(f) {
    if (f.subflowOf) return this.dirty(f.subflowOf); // a subflow's tab: its flow's changes
    return Boolean(f.document) && JSON.stringify(f.document) !== JSON.stringify(f.saved);
  }
}
