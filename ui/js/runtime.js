// The app's side of the runtime: save (with revision, 409 handled), deploy, and the live events
// (debug messages, node status, deploys from elsewhere). The base of the App class (main.js).
import { api, ApiError } from "./api.js";
import { changedNodes, clone } from "./model.js";
import { renderProblems } from "./sidebar.js";
import { $, h, plural } from "./dom.js";
import { modal, toast } from "./dialogs.js";

export class AppRuntime {
  // ---- save and deploy ------------------------------------------------------------------------
  changeCount() {
    let n = 0;
    for (const f of this.flows) if (f.document) n += changedNodes(f.deployed, f.document).length;
    return n;
  }

  updateDeploy() {
    const n = this.changeCount();
    $("deploy-count").textContent = n ? String(n) : "";
    $("deploy").classList.toggle("has-changes", n > 0);
    const lines = this.flows
      .filter((f) => f.document)
      .map((f) => [f.file, changedNodes(f.deployed, f.document)])
      .filter(([, ids]) => ids.length)
      .map(([file, ids]) => `${file}: ${ids.join(", ")}`);
    $("deploy").title = n
      ? `Save and deploy the changes:\n${lines.join("\n")}`
      : "Deploy (no changes since the last deploy)";
    $("save").disabled = !(this.current && this.dirty(this.current));
  }

  async save(flow = this.current) {
    if (!flow || !this.dirty(flow)) return true;
    const doc = clone(flow.document);
    try {
      const res = await api.saveFlow(flow.file, flow.revision, doc);
      flow.revision = res.revision;
      flow.saved = doc;
      this.renderTabs();
      this.updateDeploy();
      return true;
    } catch (err) {
      if (err instanceof ApiError && err.status === 409) {
        const choice = await modal(
          "Someone else changed this flow",
          h("p", {
            text:
              `${flow.file} was changed on the server since you opened it. ` +
              "Reload it (your unsaved changes are lost), or keep editing and copy what you " +
              "need first.",
          }),
          [
            { label: "Keep editing", value: null },
            { label: "Reload from server", value: "reload", primary: true },
          ],
        );
        if (choice === "reload") {
          flow.deployed = null;
          await this.open(flow.file, true);
        }
        return false;
      }
      toast(`Could not save ${flow.file}: ${err.message}`, "error", 10000);
      return false;
    }
  }

  async deploy() {
    for (const f of this.flows) if (f.document && this.dirty(f)) if (!(await this.save(f))) return;
    $("deploy").disabled = true;
    this.deploying = true;
    try {
      const res = await api.deploy("changed");
      for (const f of this.flows) if (f.document) f.deployed = clone(f.document);
      this.deployed = true;
      const ch = res.changed || {};
      const nodes = (ch.nodes || []).length;
      toast(
        `Deployed: ${plural(nodes, "node")} changed` +
          ((ch.flows || []).length ? ` in ${(ch.flows || []).join(", ")}` : ""),
        "ok",
      );
    } catch (err) {
      if (err instanceof ApiError && err.status === 422) {
        const diags = (err.body && err.body.diagnostics) || [];
        if (this.current)
          this.current.diagnostics = diags.filter(
            (d) => !d.file || d.file.endsWith(this.current.file),
          );
        renderProblems(this, $("panel-problems"), $("count-problems"));
        this.canvas.render();
        this.showSidebar("problems");
        toast("Not deployed: the flows have errors (see Problems).", "error", 8000);
      } else toast(`Deploy failed: ${err.message}`, "error", 10000);
    } finally {
      setTimeout(() => {
        this.deploying = false;
      }, 2000);
      $("deploy").disabled = false;
      this.updateDeploy();
      this.canvas.render();
    }
  }

  async inject(id) {
    try {
      await api.inject(id);
    } catch (err) {
      toast(err.message, "error");
    }
  }

  // ---- runtime events -------------------------------------------------------------------------
  localId(node) {
    const s = String(node || "");
    const doc = this.current && this.current.document;
    if (doc && doc.nodes && s in doc.nodes) return s;
    for (const sep of ["/", ".", ":"])
      if (doc && s.startsWith(`${doc.id}${sep}`)) return s.slice(doc.id.length + 1);
    return s;
  }

  statusOf(id) {
    return this.status.get(id) || null;
  }

  applyState(st) {
    for (const [id, v] of Object.entries((st && st.nodes) || {})) {
      this.status.set(this.localId(id), v && v.status);
      this.deployed = true;
    }
    this.canvas.render();
  }

  onEvent(ev) {
    if (ev.type === "debug") this.debug.add(ev);
    else if (ev.type === "error") this.debug.add({ ...ev, level: "error", msg: ev.message });
    else if (ev.type === "status") {
      this.status.set(this.localId(ev.node), ev.status);
      this.deployed = true;
      cancelAnimationFrame(this.statusFrame);
      this.statusFrame = requestAnimationFrame(() => this.canvas.render());
    } else if (ev.type === "deploy") {
      this.deployed = true;
      this.canvas.render();
      if (!this.deploying) this.deployedElsewhere(ev);
    }
  }

  /** Someone else deployed: flows without unsaved changes are read again. */
  async deployedElsewhere(ev) {
    const kept = [];
    for (const f of this.flows) {
      if (!f.document) continue;
      if (this.dirty(f)) {
        kept.push(f.file);
        continue;
      }
      f.deployed = null;
      if (f === this.current) await this.open(f.file, true);
      else f.document = null;
    }
    toast(
      `Deployed from another editor (revision ${ev.revision}).` +
        (kept.length ? ` Not reloaded, with unsaved changes: ${kept.join(", ")}.` : ""),
      "info",
      6000,
    );
    await this.reloadList();
  }
}
