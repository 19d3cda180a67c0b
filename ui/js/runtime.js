// The app's side of the runtime: save (with revision, 409 handled), deploy, and the live events
// (debug messages, node status, deploys from elsewhere). The base of the App class (main.js).
import { api, ApiError } from "./api.js";
import { changedNodes, clone } from "./model.js";
import { renderProblems } from "./sidebar.js";
import { $, h, plural } from "./dom.js";
import { modal, toast } from "./dialogs.js";
import { allowed, applyRole, needText } from "./roles.js";

const DEPLOY_MODES = { full: "Full", flows: "Modified flows", nodes: "Modified nodes" };

/** The toast after a deploy: how many nodes changed, and how (a "nodes" deploy says which
 * nodes were replaced, started or stopped, and which flows restarted whole instead). */
function deployedText(ch) {
  let text = `Deployed: ${plural((ch.nodes || []).length, "node")} changed`;
  if (ch.mode !== "nodes")
    return text + ((ch.flows || []).length ? ` in ${ch.flows.join(", ")}` : "");
  const how = ["replaced", "started", "stopped", "rewired"]
    .filter((k) => (ch[k] || []).length)
    .map((k) => `${ch[k].length} ${k}`);
  if (how.length) text += ` (${how.join(", ")})`;
  for (const r of ch.restarted || []) text += `; restarted ${r.flows.join(", ")}: ${r.reason}`;
  return text;
}

export class AppRuntime {
  // ---- save and deploy ------------------------------------------------------------------------
  /** Per flow with changes since the last deploy: [file, the changed node ids]. A flow never
   * deployed counts all its nodes, read or not. */
  changes() {
    const out = [];
    for (const f of this.flows) {
      const ids = f.document
        ? changedNodes(f.deployed, f.document)
        : f.id && !this.running.has(f.id)
          ? f.ids
          : [];
      if (ids.length) out.push([f.file, ids]);
    }
    return out;
  }

  changeCount() {
    return this.changes().reduce((n, [, ids]) => n + ids.length, 0);
  }

  updateDeploy() {
    const n = this.changeCount();
    $("deploy-count").textContent = n ? String(n) : "";
    $("deploy").classList.toggle("has-changes", n > 0);
    const lines = this.changes().map(([file, ids]) => `${file}: ${ids.join(", ")}`);
    $("deploy").title = n
      ? `Save and deploy the changes:\n${lines.join("\n")}`
      : "Deploy (no changes since the last deploy)";
    $("save").disabled = !(this.current && this.dirty(this.current));
    applyRole();
  }

  async save(flow = this.current, announce = true) {
    if (flow && flow.subflowOf) flow = flow.subflowOf; // a subflow's tab: save its flow
    if (!flow || !this.dirty(flow)) return true;
    if (!allowed("save")) {
      toast(`Not saved: ${needText("save")}.`, "warning", 6000);
      return false;
    }
    const doc = clone(flow.document);
    try {
      const res = await api.saveFlow(flow.file, flow.revision, doc);
      flow.revision = res.revision;
      flow.saved = doc;
      this.renderTabs();
      this.updateDeploy();
      if (announce) toast(`Saved ${flow.file}`, "ok", 2500);
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

  /** How many errors the server finds in the flows with unsaved changes (checked before
   * anything is written: a deploy that would be refused saves nothing). */
  async unsavedErrors() {
    let errors = 0;
    for (const f of this.flows) {
      if (!f.document || !this.dirty(f)) continue;
      const res = await api.validate(f.file, f.document);
      f.diagnostics = (res && res.diagnostics) || [];
      errors += f.diagnostics.filter((d) => d.severity === "error").length;
    }
    return errors;
  }

  /** The flows have errors: show them, and ask whether to deploy the others anyway. */
  async deployTheOthers() {
    renderProblems(this, $("panel-problems"), $("count-problems"));
    this.canvas.render();
    this.showSidebar("problems");
    if (this.flows.length < 2) return false;
    const choice = await modal(
      "Some flows have errors",
      h("p", {
        text:
          "Deploy the other flows? The flows with errors are left out (not saved), and those " +
          "running keep running as they were.",
      }),
      [
        { label: "Cancel", value: null },
        { label: "Deploy the others", value: "skip", primary: true },
      ],
    );
    return choice === "skip";
  }

  async deploy(skip = false) {
    if (!allowed("deploy")) {
      toast(`Not deployed: ${needText("deploy")}.`, "warning", 6000);
      return;
    }
    let errors = 0;
    try {
      errors = await this.unsavedErrors();
    } catch (err) {
      toast(`Could not check the flows: ${err.message}`, "error", 8000);
      return;
    }
    if (errors && !skip && !(skip = await this.deployTheOthers())) {
      toast("Not deployed, and nothing saved: the flows have errors (see Problems).", "error");
      return;
    }
    const failing = (f) => (f.diagnostics || []).some((d) => d.severity === "error");
    const held = this.flows.filter((f) => skip && f.document && this.dirty(f) && failing(f));
    for (const f of this.flows)
      if (f.document && this.dirty(f) && !held.includes(f))
        if (!(await this.save(f, false))) return;
    $("deploy").disabled = true;
    this.deploying = true;
    try {
      const res = await api.deploy(this.deployMode(), skip);
      const left = [
        ...held.map((f) => f.file),
        ...Object.keys((res.changed && res.changed.skipped) || {}),
      ];
      for (const f of this.flows) {
        if (left.includes(f.file)) continue;
        if (f.document) f.deployed = clone(f.document);
        const id = f.document ? f.document.id : f.id;
        if (id) this.running.add(id);
      }
      this.deployed = true;
      const out = left.length ? ` Left out, with errors: ${left.join(", ")}.` : "";
      toast(deployedText(res.changed || {}) + out, left.length ? "warning" : "ok", 6000);
    } catch (err) {
      if (err instanceof ApiError && err.status === 422 && !skip) {
        const diags = (err.body && err.body.diagnostics) || [];
        if (this.current)
          this.current.diagnostics = diags.filter(
            (d) => !d.file || d.file.endsWith(this.current.file),
          );
        if (await this.deployTheOthers()) {
          this.deploying = false;
          $("deploy").disabled = false;
          return this.deploy(true);
        }
        toast("Not deployed: the flows have errors (see Problems).", "error", 8000);
      } else toast(`Deploy failed: ${err.message}`, "error", 10000);
    } finally {
      setTimeout(() => {
        this.deploying = false;
      }, 2000);
      $("deploy").disabled = false;
      this.updateDeploy(); // disables it again for a role that may not deploy
      this.canvas.render();
    }
  }

  /** The deploy mode chosen in the Deploy menu: "nodes" (the default), "flows" or "full". */
  deployMode() {
    const mode = localStorage.getItem("flowrt.deployMode");
    return DEPLOY_MODES[mode] ? mode : "nodes";
  }

  async chooseDeployMode() {
    const mode = await modal(
      "Deploy mode",
      h("p", {
        text:
          "Modified nodes: only the changed nodes restart; the others keep running with " +
          "their state. Modified flows: the flows with a change restart. Full: every flow " +
          "restarts.",
      }),
      Object.entries(DEPLOY_MODES).map(([value, label]) => ({
        label,
        value,
        primary: value === this.deployMode(),
      })),
    );
    if (mode) localStorage.setItem("flowrt.deployMode", mode);
    this.showDeployMode();
  }

  showDeployMode() {
    $("deploy-mode").textContent = `${DEPLOY_MODES[this.deployMode()]} ▾`;
  }

  async inject(id) {
    try {
      await api.inject(id);
    } catch (err) {
      if (err instanceof ApiError && err.status === 404)
        toast(`${id} is not running yet: deploy, then press its button again.`, "warning", 6000);
      else toast(`Could not inject ${id}: ${(err.body && err.body.error) || err.message}`, "error");
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
    this.running = new Set((st && st.flows) || []);
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
      // a group revision is never this editor's own deploy: when it comes during one (two
      // editors deployed at once, and the other's was stored last), it is shown after it
      if (ev.group) this.whenDeployed().then(() => this.deployedElsewhere(ev));
      else if (!this.deploying) this.deployedElsewhere(ev);
    }
  }

  /** Resolves once this editor's own deploy (or rollback), if one is under way, is done. */
  async whenDeployed() {
    while (this.deploying) await new Promise((done) => setTimeout(done, 250));
  }

  /** Someone else deployed (another editor of this server, or a group revision from another
   * worker, which the toast names): flows without unsaved changes are read again. */
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
    const what = ev.group
      ? `Group revision ${ev.group.hash.slice(0, 8)} by ${ev.group.author} deployed.`
      : `Deployed from another editor (revision ${ev.revision}).`;
    toast(
      what +
        (kept.length ? ` Not reloaded, with unsaved changes: ${kept.join(", ")}.` : ""),
      "info",
      6000,
    );
    await this.reloadList();
  }
}
