// The JavaScript side of flowrt's function node, evaluated once in each node's QuickJS context.
//
// It gives the user's code what Node-RED's function node gives it (msg, node, context, flow,
// global, env, RED.util, Buffer, console, setTimeout and friends) and keeps one rule: the code
// never calls back into Python to send, log or write context. Those calls are recorded as
// "effects" (each one JSON text, taken when it happens) and handed back with the result of the
// entry that ran them, so a message crosses the language boundary once each way.
//
// Entries Python calls (globals removed from sight by the install step):
//   call(text, preload)       one message; returns [state, cid, output, effects]
//   plain(text, kept)         the same, for text with nothing to revive and no preload; or
//                             "=" and the message's JSON when the code returned the message it
//                             got and did nothing else (the reply most code gives, and call's
//                             too); kept: the reply is written by dump() (the text has a null,
//                             the reply likely too), else by JSON.stringify, see again()
//   again()                   plain()'s latest reply of state 3 again, NaN and the infinities
//                             kept (see there)
//                             state 0: finished (output is what to send), 3: the same, output
//                             being the message the call received, 4: the same, output being
//                             [what to send, the message received, where it goes in that],
//                             1: pending (an async function or node.done() still to come),
//                             2: failed ([text, line, part])
//   init(preload)             the On Start code; same reply as call
//   fire(id, preload)         a timer; returns effects
//   fin(preload)              the On Stop code and node.on("close") handlers; returns effects
//   take()                    effects produced since (by promise jobs Python ran)
//
// Effects: [0, cid, out] send; [1, level, text] log; [2, text, line, part, msg] node.error;
// [3, fill, shape, text] status; [4, scope, key, value, size] context write (size: the length
// of the value's JSON); [5, id, ms] arm timer;
// [6, id] cancel timer; [7, cid, out] result of a pending call; [8, cid, text, line, part] a
// pending call failed; [9, cid, msg] a pending call finished, its message now msg.
(function (pyGet, pyKeys) {
  "use strict";
  const RED = globalThis.RED;
  const Buffer = globalThis.Buffer;
  const parsePath = RED.util.normalisePropertyExpression;
  const PARTS = ["", "body", "initialize", "finalize"];
  const LINES = 10000; // each part is evaluated starting at line LINES * part (see js_engine.py)
  const wording = globalThis.__flowrt_wording;
  const sourceOf = Function.prototype.toString;

  let effects = [];
  const cache = [new Map(), new Map(), new Map()];
  const complete = [false, false, false];
  let touched = false;
  let cached = false;
  // noCalls: with a time limit, no call out of JavaScript (see js_engine.py): a scope that came
  // without a preload holds nothing
  let info = { id: "", name: "", outputs: 1, doneMode: false, maxTimers: 1000, noCalls: false };
  let quickly = false; // messages go through quick(): see there
  let envValues = {};
  const code = [null, null, null, null];
  let lastCid = 0;
  const timers = new Map();
  let lastTimer = 0;
  const closeHandlers = [];

  function emit(effect) {
    effects.push(dump(effect));
  }

  // JSON text for Python that keeps NaN and the infinities as the bare tokens Python's json
  // reads as floats (JSON.stringify would write null): a message keeps them between nodes, as
  // in Node-RED. The second pass runs only when the text has a null that may have been one.
  const NONFINITE = "\u0000flowrt:";
  const MARKED = /"\\u0000flowrt:(NaN|Infinity|-Infinity)"/g;

  function keepNonFinite(key, value) {
    return typeof value === "number" && !isFinite(value) ? NONFINITE + value : value;
  }

  function dump(value) {
    const json = JSON.stringify(value);
    if (json === undefined || json.indexOf("null") < 0) return json;
    return JSON.stringify(value, keepNonFinite).replace(MARKED, "$1");
  }

  function flush() {
    if (touched) syncCache();
    if (effects.length === 0) return "[]";
    const text = "[" + effects.join(",") + "]";
    effects = [];
    return text;
  }

  function text(value) {
    if (typeof value === "string") return value;
    if (value instanceof Error) return String(value);
    try {
      const json = JSON.stringify(value);
      return json === undefined ? String(value) : json;
    } catch (e) {
      return String(value);
    }
  }

  // --- where an error happened -------------------------------------------------------------

  function describe(error) {
    let message;
    if (error instanceof Error) message = String(error);
    else if (typeof error === "string") message = error;
    else message = text(error);
    const stack = error && typeof error.stack === "string" ? error.stack : "";
    const found = /<input>:(\d+)(?::(\d+))?/g;
    let m;
    let first = true;
    while ((m = found.exec(stack)) !== null) {
      const line = Number(m[1]);
      const part = Math.floor(line / LINES);
      if (part >= 1 && part <= 3 && line % LINES > 0) {
        if (error instanceof Error) message = v8Message(error, first ? part : 0, line % LINES, Number(m[2]));
        return [message, line % LINES, PARTS[part]];
      }
      first = false;
    }
    return [error instanceof Error ? v8Message(error, 0, 0, 0) : message, 0, ""];
  }

  // The error worded as V8 words it (js_wording.js), given the line of the user's code it was
  // thrown at (the source line helps name what was called).
  function v8Message(error, part, line, column) {
    let source;
    if (part > 0 && code[part] !== null) source = sourceOf.call(code[part]).split("\n")[line];
    try {
      return wording(error, source, column);
    } catch (e) {
      return String(error);
    }
  }

  // --- values crossing from Python ---------------------------------------------------------

  function revive(key, value) {
    if (typeof value === "string" && value.startsWith(NONFINITE)) {
      const number = Number(value.slice(NONFINITE.length));
      if (number !== number || !isFinite(number)) return number;
    }
    if (value !== null && typeof value === "object" && value.type === "Buffer" &&
        Array.isArray(value.data) && Object.keys(value).length === 2) {
      return Buffer.from(value.data);
    }
    return value;
  }

  function parse(json) {
    return json.indexOf('"Buffer"') < 0 && json.indexOf("\\u0000flowrt:") < 0
      ? JSON.parse(json)
      : JSON.parse(json, revive);
  }

  // --- context, flow and global ------------------------------------------------------------

  function begin(preload) {
    if (effects.length) effects = [];
    if (cached) {
      for (let s = 0; s < 3; s++) {
        cache[s].clear();
        complete[s] = false;
      }
      cached = touched = false;
    }
    if (!preload) return;
    cached = true;
    const scopes = parse(preload);
    for (let s = 0; s < 3; s++) {
      const values = scopes[s];
      complete[s] = true;
      if (!values) continue;
      for (const k of Object.keys(values)) cache[s].set(k, { v: values[k], t: null });
    }
  }

  function entry(s, name) {
    let e = cache[s].get(name);
    if (e === undefined) {
      if (complete[s] || info.noCalls) {
        e = { v: undefined, t: null };
      } else {
        const json = pyGet(s, name);
        e = { v: json === "" ? undefined : parse(json), t: null };
      }
      cache[s].set(name, e);
      cached = true;
    }
    return e;
  }

  function read(s, key) {
    const path = parsePath(String(key));
    const e = entry(s, String(path[0]));
    if (e.t === null && e.v !== null && typeof e.v === "object") {
      e.t = JSON.stringify(e.v); // the code may change the object it gets: see syncCache
      touched = true;
    }
    let value = e.v;
    for (let i = 1; i < path.length && value !== undefined; i++) {
      value = value === null || typeof value !== "object" ? undefined : value[path[i]];
    }
    return value;
  }

  function write(s, key, value) {
    const path = parsePath(String(key));
    const name = String(path[0]);
    const e = entry(s, name);
    if (path.length === 1) {
      e.v = value;
    } else {
      if (e.v === null || typeof e.v !== "object") e.v = {};
      assignPath(e.v, path, value);
    }
    const json = e.v === undefined || e.v === null ? "null" : JSON.stringify(e.v);
    e.t = e.v !== null && typeof e.v === "object" ? json : null;
    if (e.t !== null) touched = true;
    effects.push("[4," + s + "," + JSON.stringify(name) + "," + json + "," + json.length + "]");
  }

  function assignPath(target, path, value) {
    for (let i = 1; i < path.length - 1; i++) {
      let next = target[path[i]];
      if (next === null || typeof next !== "object") {
        next = typeof path[i + 1] === "number" ? [] : {};
        target[path[i]] = next;
      }
      target = next;
    }
    const last = path[path.length - 1];
    if (value === undefined || value === null) delete target[last];
    else target[last] = value;
  }

  // As in Node-RED's memory store, get() returns the stored object itself: a change made to it
  // is a change to the context. Each object handed out is compared with its JSON when effects
  // are taken, and written back if it changed.
  function syncCache() {
    for (let s = 0; s < 3; s++) {
      for (const [name, e] of cache[s]) {
        if (e.t === null) continue;
        const json = JSON.stringify(e.v);
        if (json !== e.t) {
          e.t = json;
          effects.push("[4," + s + "," + JSON.stringify(name) + "," + json + "," + json.length +
            "]");
        }
      }
    }
  }

  function keysOf(s) {
    const names = new Set(complete[s] || info.noCalls ? [] : JSON.parse(pyKeys(s)));
    for (const [name, e] of cache[s]) {
      if (e.v === undefined || e.v === null) names.delete(name);
      else names.add(name);
    }
    return Array.from(names);
  }

  function callback(a, b) {
    return typeof a === "function" ? a : typeof b === "function" ? b : null;
  }

  function store(s) {
    return {
      get(key, a, b) {
        const cb = callback(a, b);
        const value = Array.isArray(key) ? key.map((k) => read(s, k)) : read(s, key);
        if (!cb) return value;
        if (Array.isArray(key)) cb(null, ...value);
        else cb(null, value);
      },
      set(key, value, a, b) {
        const cb = callback(a, b);
        if (Array.isArray(key)) {
          key.forEach((k, i) => write(s, k, Array.isArray(value) ? value[i] : undefined));
        } else {
          write(s, key, value);
        }
        if (cb) cb(null);
      },
      keys(a, b) {
        const cb = callback(a, b);
        const names = keysOf(s);
        if (!cb) return names;
        cb(null, names);
      },
    };
  }

  const FLOW = store(1);
  const GLOBAL = store(2);
  const CONTEXT = store(0);
  Object.defineProperty(CONTEXT, "flow", { get: () => FLOW });
  Object.defineProperty(CONTEXT, "global", { get: () => GLOBAL });
  const ENV = { get: (name) => envValues[name] };

  // --- messages out --------------------------------------------------------------------------

  function isMessage(m) {
    return m !== null && typeof m === "object" && !Array.isArray(m) && !(m instanceof Buffer);
  }

  function notAMessage(m) {
    const kind = m instanceof Buffer ? "Buffer" : Array.isArray(m) ? "Array" : typeof m;
    emit([2, "Function tried to send a message of type " + kind, 0, "", null]);
  }

  // What to send for a returned (or node.send) value, as Node-RED's sendResults: one message
  // for port 0, or an array with one entry per port, each a message, an array of messages or
  // null. Every message gets the _msgid of the message the call handles.
  function outputs(r, msgid) {
    if (r === null || r === undefined || info.outputs === 0) return null;
    if (!Array.isArray(r)) {
      if (!isMessage(r)) {
        notAMessage(r);
        return null;
      }
      if (msgid !== undefined) r._msgid = msgid;
      return r;
    }
    const n = Math.min(r.length, info.outputs);
    const ports = new Array(n);
    let any = false;
    for (let p = 0; p < n; p++) {
      const item = r[p];
      ports[p] = null;
      if (item === null || item === undefined) continue;
      const list = Array.isArray(item) ? item : [item];
      const kept = [];
      for (const m of list) {
        if (m === null || m === undefined) continue;
        if (!isMessage(m)) {
          notAMessage(m);
          continue;
        }
        if (msgid !== undefined) m._msgid = msgid;
        kept.push(m);
      }
      if (kept.length) {
        ports[p] = Array.isArray(item) ? kept : kept[0];
        any = true;
      }
    }
    return any ? ports : null;
  }

  // --- the node object -------------------------------------------------------------------------

  function statusEffect(s) {
    if (typeof s === "string") s = { text: s };
    if (s === null || typeof s !== "object") s = {};
    const t = s.text === undefined || s.text === null ? "" : String(s.text);
    emit([3, s.fill === undefined ? null : s.fill, s.shape === undefined ? null : s.shape, t]);
  }

  const NODE = {
    log: (m) => emit([1, "info", text(m)]),
    warn: (m) => emit([1, "warning", text(m)]),
    debug: (m) => emit([1, "debug", text(m)]),
    trace: (m) => emit([1, "trace", text(m)]),
    error(err, msg) {
      const [message, line, part] = describe(err);
      emit([2, message, line, part, msg !== null && typeof msg === "object" ? msg : null]);
    },
    status: statusEffect,
    on(event, handler) {
      if (event === "input") throw new Error("Cannot add an input listener to a function node");
      if (event === "close" && typeof handler === "function") closeHandlers.push(handler);
    },
  };

  function nodeFor(c) {
    const node = Object.create(NODE);
    node.send = (msgs, clone) => send(c, msgs);
    node.done = (err) => doneCall(c, err);
    return node;
  }

  function send(c, msgs) {
    if (c.part === 3) {
      NODE.error("Cannot send from close function");
      return;
    }
    const out = outputs(msgs, c.part === 2 ? RED.util.generateId() : c.msgid);
    if (out === null) return;
    if (touched) syncCache();
    emit([0, c.cid, out]);
  }

  function settle(c, value) {
    c.settled = true;
    const out = outputs(value, c.part === 2 ? RED.util.generateId() : c.msgid);
    if (out !== null) emit([7, c.cid, out]);
    finish(c);
  }

  function finish(c) {
    if (!c.finished && c.settled && (!c.doneMode || c.doneCalled)) {
      c.finished = true;
      emit([9, c.cid, c.msg === undefined ? null : c.msg]);
    }
  }

  function fail(c, error) {
    if (c.finished) return;
    c.finished = true;
    emit([8, c.cid].concat(describe(error)));
  }

  function doneCall(c, err) {
    if (err !== undefined && err !== null) fail(c, err);
    else {
      c.doneCalled = true;
      finish(c);
    }
  }

  // --- entries ---------------------------------------------------------------------------------

  function entered(cid, part, msg, msgid) {
    return {
      cid: cid, part: part, msg: msg, msgid: msgid, doneMode: part === 1 && info.doneMode,
      settled: false, doneCalled: false, finished: false,
    };
  }

  function run(part, msg) {
    const c = entered(++lastCid, part, msg, msg === undefined ? undefined : msg._msgid);
    let r;
    try {
      const node = part !== 1 || info.usesNode ? nodeFor(c) : NODE;
      r = code[part](part === 1 ? msg : undefined, node, CONTEXT, FLOW, GLOBAL, ENV, RED);
    } catch (e) {
      c.finished = true;
      return "[2," + c.cid + "," + JSON.stringify(describe(e)) + "," + flush() + "]";
    }
    return after(c, r, msg);
  }

  // A message for code that does not name `node` and does not call node.done(): no call
  // record is made unless the code returns something else than the message it got (most
  // code returns it), which saves a message about 0.5 us. `plainly`: the message it returns is
  // written by JSON.stringify alone, and kept for again() (see plain()).
  function quick(msg, plainly) {
    const cid = ++lastCid;
    const msgid = msg._msgid;
    let r;
    try {
      r = code[1](msg, NODE, CONTEXT, FLOW, GLOBAL, ENV, RED);
    } catch (e) {
      return "[2," + cid + "," + JSON.stringify(describe(e)) + "," + flush() + "]";
    }
    // (msg, parsed from a JSON object, is a message)
    if (r !== msg) return after(entered(cid, 1, msg, msgid), r, msg);
    if (msgid !== undefined) msg._msgid = msgid;
    const json = plainly ? JSON.stringify(msg) : dump(msg); // (a toJSON may log: then flush)
    plainMsg = plainly ? msg : null;
    if (effects.length === 0 && !touched) {
      plainEffects = "";
      return "=" + json;
    }
    plainCid = cid;
    plainEffects = flush();
    return "[3," + cid + "," + json + "," + plainEffects + "]";
  }

  // The reply for code that returned r (on message msg, or for On Start).
  function after(c, r, msg) {
    const part = c.part;
    if (r !== null && typeof r === "object" && typeof r.then === "function") {
      r.then((v) => settle(c, v), (e) => fail(c, e));
      return "[1," + c.cid + ",null," + flush() + "]";
    }
    if (part === 2) r = undefined; // what On Start returns is not sent
    c.settled = true;
    if (c.doneMode && !c.doneCalled) {
      const out = outputs(r, c.msgid);
      if (out !== null) emit([7, c.cid, out]);
      return "[1," + c.cid + ",null," + flush() + "]";
    }
    const out = outputs(r, c.msgid);
    if (Array.isArray(out) && msg !== undefined) {
      const places = placesOf(out, msg);
      if (places.length) {
        return "[4," + c.cid + "," + dump([out, msg, places]) + "," + flush() + "]";
      }
    }
    const json = out === null ? "null" : dump(out);
    return (out === msg ? "[3," : "[0,") + c.cid + "," + json + "," + flush() + "]";
  }

  // Where an output array holds the message the code got, as [port, index] (-1: the port's
  // entry itself); those entries are sent as null and the message once, so that the server
  // sends its own message object there, changed as the code left it (state 4).
  function placesOf(out, msg) {
    const places = [];
    for (let p = 0; p < out.length; p++) {
      const item = out[p];
      if (item === msg) {
        places.push([p, -1]);
        out[p] = null;
      } else if (Array.isArray(item)) {
        for (let i = 0; i < item.length; i++) {
          if (item[i] === msg) {
            places.push([p, i]);
            item[i] = null;
          }
        }
      }
    }
    return places;
  }

  function call(json, preload) {
    begin(preload);
    return quickly ? quick(parse(json), false) : run(1, parse(json));
  }

  // A message whose text Python found nothing to revive in (no Buffer, no marked number), with
  // no preload: JSON.parse alone. Unless `kept`, the reply of quick() leaves the check of its
  // text for a null that may have been NaN or an infinity to Python, which asks again() then:
  // two searches of the text in JavaScript cost a message about 0.6 us, in Python a tenth of
  // that. (A message with a null goes in `kept`: writing its reply twice would cost more.)
  let plainCid = 0; // quick()'s latest reply written plainly: its call, message and effects
  let plainMsg = null; // ("" for none: the reply was "=" and the message)
  let plainEffects = "";

  function plain(json, kept) {
    if (effects.length || cached) begin(undefined);
    plainMsg = null;
    return quickly ? quick(JSON.parse(json), !kept) : run(1, JSON.parse(json));
  }

  // The latest plain reply with its message written by dump() (NaN and the infinities kept);
  // "" if the latest reply was not one.
  function again() {
    if (plainMsg === null) return "";
    const msg = plainMsg;
    plainMsg = null;
    if (plainEffects === "") return "=" + dump(msg);
    return "[3," + plainCid + "," + dump(msg) + "," + plainEffects + "]";
  }

  function init(preload) {
    begin(preload);
    return run(2, undefined);
  }

  function fire(id, preload) {
    begin(preload);
    const t = timers.get(id);
    if (t === undefined) return flush();
    if (t.every) emit([5, id, t.every]);
    else timers.delete(id);
    try {
      t.fn.apply(undefined, t.args);
    } catch (e) {
      emit([2].concat(describe(e), [{}]));
    }
    return flush();
  }

  function fin(preload) {
    begin(preload);
    const c = { cid: ++lastCid, part: 3, msgid: undefined };
    if (code[3] !== null) {
      try {
        code[3](undefined, nodeFor(c), CONTEXT, FLOW, GLOBAL, ENV, RED);
      } catch (e) {
        NODE.error(e);
      }
    }
    for (const handler of closeHandlers.splice(0)) {
      try {
        handler(false, () => {});
      } catch (e) {
        NODE.error(e);
      }
    }
    timers.clear();
    return flush();
  }

  function take() {
    return flush();
  }

  // --- timers ----------------------------------------------------------------------------------

  function delay(ms) {
    const n = Number(ms);
    return n >= 1 && n <= 2147483647 ? n : 1;
  }

  function arm(fn, ms, args, every) {
    // as Node-RED's sandbox: a callback that is no function fails when the timer fires
    if (timers.size >= info.maxTimers) {
      throw new RangeError("too many timers: a function node may have " + info.maxTimers +
        " pending at once");
    }
    const id = ++lastTimer;
    const wait = delay(ms);
    timers.set(id, { fn: fn, args: args, every: every ? wait : 0 });
    emit([5, id, wait]);
    return id;
  }

  function disarm(id) {
    if (timers.delete(id)) emit([6, id]);
  }

  // --- installing the user's code ---------------------------------------------------------------

  function setup(settings, env) {
    info = parse(settings);
    quickly = !info.usesNode && !info.doneMode && info.outputs > 0;
    envValues = parse(env);
    NODE.id = info.id;
    NODE.name = info.name;
    NODE.path = info.id;
    NODE.outputCount = info.outputs;
  }

  function install(part, fn) {
    code[part] = fn;
  }

  const G = globalThis;
  G.setTimeout = (fn, ms, ...args) => arm(fn, ms, args, false);
  G.setInterval = (fn, ms, ...args) => arm(fn, ms, args, true);
  G.clearTimeout = disarm;
  G.clearInterval = disarm;
  G.console = {
    log: (...a) => emit([1, "info", a.map(text).join(" ")]),
    info: (...a) => emit([1, "info", a.map(text).join(" ")]),
    debug: (...a) => emit([1, "debug", a.map(text).join(" ")]),
    warn: (...a) => emit([1, "warning", a.map(text).join(" ")]),
    error: (...a) => emit([1, "error", a.map(text).join(" ")]),
  };
  // Replies leave as flat strings: QuickJS-ng keeps long concatenations as ropes, which the
  // Python binding cannot read.
  // (fixed arity: a rest parameter and a spread cost a message about 0.8 us)
  G.__flowrt = {
    call: (json, preload) => call(json, preload).concat(""),
    plain: (json, kept) => plain(json, kept).concat(""),
    again: () => again().concat(""),
    init: (preload) => init(preload).concat(""),
    fire: (id, preload) => fire(id, preload).concat(""),
    fin: (preload) => fin(preload).concat(""),
    take: () => take().concat(""),
    setup, install,
  };
})(globalThis.__flowrt_get, globalThis.__flowrt_keys);
