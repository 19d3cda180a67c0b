// The editor's edits: each change to a flow document as one undoable step (checkpoint, undo,
// redo), adding, deleting, copying and pasting nodes, and the automatic layout. A layer of the
// App class (main.js), on top of the flow files (files.js).
import { api } from "./api.js";
import {
  clone,
  newId,
  portsOf,
  position,
  removeNodes,
  removeWire,
  setPorts,
  setPosition,
  NODE_W,
  NODE_H,
} from "./model.js";
import { renderPanel } from "./panel.js";
import { toast } from "./dialogs.js";
import { $ } from "./dom.js";
import { AppFiles } from "./files.js";
import { pruneGroups } from "./nodegroups.js";
import { refreshSubflowPalette } from "./subflows.js";
import { writeBack } from "./subflowtabs.js";

export class AppEdits extends AppFiles {
  // ---- edits ----------------------------------------------------------------------------------
  checkpoint() {
    if (this.current) {
      this.current.history.push(this.current.document);
      this.lastCoalesce = null;
    }
  }

  /** Apply one change to the current document: undoable, re-rendered, revalidated. */
  edit(fn, opts = {}) {
    const flow = this.current;
    if (!flow) return;
    if (!opts.coalesce || opts.coalesce !== this.lastCoalesce) flow.history.push(flow.document);
    this.lastCoalesce = opts.coalesce || null;
    const result = fn(flow.document);
    if (result === false) {
      flow.history.undoStack.pop();
      return;
    }
    this.changed(opts);
  }

  changed(opts = {}) {
    if (this.current && this.current.subflowOf) writeBack(this.current);
    if (!opts.layoutOnly) refreshSubflowPalette(this);
    this.canvas.render();
    this.renderTabs();
    this.updateDeploy();
    this.updateHint();
    if (!opts.keepPanel) renderPanel(this, $("panel-props"));
    if (!opts.layoutOnly) this.validateSoon();
  }

  undo() {
    this.restore(this.current && this.current.history.undo(this.current.document));
  }
  redo() {
    this.restore(this.current && this.current.history.redo(this.current.document));
  }
  restore(doc) {
    if (!doc) return;
    this.current.document = doc;
    this.lastCoalesce = null;
    this.changed();
  }

  addNode(type, x, y) {
    const info = this.typeInfo(type);
    if (!this.current) {
      toast("Create a flow first: the + next to the tabs.", "warning");
      return null;
    }
    if (document.querySelector(".text-pane")) {
      toast("Go back to the canvas to add nodes.", "warning");
      return null;
    }
    if (!info) return null;
    let id = null;
    this.edit((doc) => {
      // an instance of subflow `scale` is `scale`, `scale-2`...
      id = newId(doc, type.replace(/^subflow:/, ""), this.takenIds());
      doc.nodes[id] = { type };
      setPosition(
        doc,
        id,
        Math.round((x - NODE_W / 2) / 10) * 10,
        Math.round((y - NODE_H / 2) / 10) * 10,
      );
    });
    this.selectNode(id);
    return id;
  }

  deleteSelection() {
    const c = this.canvas;
    if (c.selected.size) {
      const ids = [...c.selected];
      this.edit((doc) => {
        removeNodes(doc, ids);
        pruneGroups(doc); // deleted nodes leave their groups
      });
      c.selected.clear();
      this.selectionChanged();
    } else if (c.selectedWire) {
      const [from, port, to] = c.selectedWire.split(":");
      c.selectedWire = null;
      this.edit((doc) => removeWire(doc, from, Number(port), to));
    }
  }

  copy() {
    const doc = this.current && this.current.document;
    if (!doc || !this.canvas.selected.size) return;
    const ids = [...this.canvas.selected];
    this.clipboard = {
      nodes: Object.fromEntries(ids.map((id) => [id, clone(doc.nodes[id])])),
      layout: Object.fromEntries(ids.map((id) => [id, position(doc, id)])),
    };
    if (navigator.clipboard && window.isSecureContext)
      navigator.clipboard.writeText(JSON.stringify(this.clipboard)).catch(() => {});
    toast(`Copied ${ids.length} node${ids.length === 1 ? "" : "s"}`);
  }

  paste() {
    const clip = this.clipboard;
    if (!clip || !this.current) return;
    const rename = new Map();
    const fresh = [];
    // the copies go where the pointer is on the canvas, else just below the originals
    const spots = Object.values(clip.layout);
    const left = Math.min(...spots.map(([x]) => x));
    const top = Math.min(...spots.map(([, y]) => y));
    const bottom = Math.max(...spots.map(([, y]) => y)) + NODE_H;
    const at = this.canvas.pointer;
    const snap = (v) => Math.round(v / 10) * 10;
    const [dx, dy] = at ? [snap(at[0] - left), snap(at[1] - top)] : [0, snap(bottom - top + 30)];
    this.edit((doc) => {
      const taken = this.takenIds();
      for (const id of Object.keys(clip.nodes)) {
        const n = newId(doc, id.replace(/-\d+$/, ""), taken);
        taken.add(n);
        rename.set(id, n);
      }
      for (const [id, node] of Object.entries(clip.nodes)) {
        const copy = clone(node);
        delete copy.origin; // a copy is not the Node-RED node it was imported from
        setPorts(
          copy,
          portsOf(copy).map((p) => p.filter((t) => rename.has(t)).map((t) => rename.get(t))),
        );
        const nid = rename.get(id);
        doc.nodes[nid] = copy;
        const [x, y] = clip.layout[id] || [40, 40];
        setPosition(doc, nid, x + dx, y + dy);
        fresh.push(nid);
      }
    });
    this.clipboard = {
      nodes: Object.fromEntries(fresh.map((id) => [id, clone(this.current.document.nodes[id])])),
      layout: Object.fromEntries(fresh.map((id) => [id, position(this.current.document, id)])),
    };
    this.canvas.select(fresh);
  }

  async autoLayout() {
    const flow = this.current;
    if (!flow) return;
    try {
      // the document as JSON is a flow text the server reads (JSON is YAML): unsaved nodes count
      const res = await api.layout(flow.file, JSON.stringify(flow.document));
      this.edit(
        (doc) => {
          for (const [id, xy] of Object.entries(res.layout || {}))
            if (doc.nodes[id]) setPosition(doc, id, xy[0], xy[1]);
        },
        { layoutOnly: true },
      );
      this.canvas.showAll();
    } catch (err) {
      toast(err.message, "error", 8000);
    }
  }
}
