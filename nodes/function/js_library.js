// What Node.js and Node-RED give a function node and QuickJS lacks: a Buffer (the common part
// of Node's API: from, alloc, concat, toString in utf8/hex/base64/latin1, the read and write
// methods for integers and floats, toJSON as {type: "Buffer", data: [...]}) and RED.util.
// Evaluated once in each node's context, before js_prelude.js.
(function () {
  "use strict";
  const G = globalThis;

  // --- text encodings -------------------------------------------------------------------------

  function utf8Encode(s) {
    const out = [];
    for (let i = 0; i < s.length; i++) {
      let c = s.charCodeAt(i);
      if (c >= 0xd800 && c <= 0xdbff && i + 1 < s.length) {
        const d = s.charCodeAt(i + 1);
        if (d >= 0xdc00 && d <= 0xdfff) {
          c = 0x10000 + ((c - 0xd800) << 10) + (d - 0xdc00);
          i++;
        }
      }
      if (c >= 0xd800 && c <= 0xdfff) c = 0xfffd;
      if (c < 0x80) out.push(c);
      else if (c < 0x800) out.push(0xc0 | (c >> 6), 0x80 | (c & 63));
      else if (c < 0x10000) out.push(0xe0 | (c >> 12), 0x80 | ((c >> 6) & 63), 0x80 | (c & 63));
      else {
        out.push(0xf0 | (c >> 18), 0x80 | ((c >> 12) & 63), 0x80 | ((c >> 6) & 63),
          0x80 | (c & 63));
      }
    }
    return out;
  }

  function utf8Decode(b, start, end) {
    let s = "";
    let i = start;
    while (i < end) {
      const c = b[i];
      if (c < 0x80) {
        s += String.fromCharCode(c);
        i++;
        continue;
      }
      const n = c >= 0xc2 && c < 0xe0 ? 1 : c >= 0xe0 && c < 0xf0 ? 2 : c >= 0xf0 && c < 0xf5 ? 3 : 0;
      let code = n === 1 ? c & 31 : n === 2 ? c & 15 : c & 7;
      let ok = n > 0 && i + n < end;
      for (let k = 1; ok && k <= n; k++) {
        const d = b[i + k];
        if ((d & 0xc0) !== 0x80) ok = false;
        code = (code << 6) | (d & 63);
      }
      if (!ok || (n === 2 && (code < 0x800 || (code >= 0xd800 && code <= 0xdfff))) ||
          (n === 3 && (code < 0x10000 || code > 0x10ffff))) {
        s += "\ufffd";
        i++;
        continue;
      }
      s += String.fromCodePoint(code);
      i += n + 1;
    }
    return s;
  }

  const B64 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

  function base64Encode(b, start, end) {
    let s = "";
    for (let i = start; i < end; i += 3) {
      const n = (b[i] << 16) | ((i + 1 < end ? b[i + 1] : 0) << 8) | (i + 2 < end ? b[i + 2] : 0);
      s += B64[(n >> 18) & 63] + B64[(n >> 12) & 63] +
        (i + 1 < end ? B64[(n >> 6) & 63] : "=") + (i + 2 < end ? B64[n & 63] : "=");
    }
    return s;
  }

  function base64Decode(s) {
    const out = [];
    let bits = 0;
    let value = 0;
    for (const ch of s.replace(/-/g, "+").replace(/_/g, "/")) {
      const v = B64.indexOf(ch);
      if (v < 0) continue;
      value = (value << 6) | v;
      bits += 6;
      if (bits >= 8) {
        bits -= 8;
        out.push((value >> bits) & 255);
      }
    }
    return out;
  }

  function encode(s, encoding) {
    switch ((encoding || "utf8").toLowerCase()) {
      case "utf8": case "utf-8": return utf8Encode(s);
      case "hex": {
        const out = [];
        for (let i = 0; i + 1 < s.length; i += 2) {
          const v = parseInt(s.substr(i, 2), 16);
          if (Number.isNaN(v)) break;
          out.push(v);
        }
        return out;
      }
      case "base64": case "base64url": return base64Decode(s);
      case "latin1": case "binary": case "ascii":
        return Array.from(s, (c) => c.charCodeAt(0) & 255);
      default: throw new TypeError("Unknown encoding: " + encoding);
    }
  }

  // --- Buffer -----------------------------------------------------------------------------------

  const INTS = [["Int8", 1], ["UInt8", 1], ["Int16", 2], ["UInt16", 2], ["Int32", 4],
    ["UInt32", 4], ["Float", 4], ["Double", 8], ["BigInt64", 8], ["BigUInt64", 8]];
  const VIEW = { Int8: "Int8", UInt8: "Uint8", Int16: "Int16", UInt16: "Uint16", Int32: "Int32",
    UInt32: "Uint32", Float: "Float32", Double: "Float64", BigInt64: "BigInt64",
    BigUInt64: "BigUint64" };

  class Buffer extends Uint8Array {
    static from(value, encodingOrOffset, length) {
      if (typeof value === "string") return new Buffer(encode(value, encodingOrOffset));
      if (value instanceof ArrayBuffer) {
        return new Buffer(value, encodingOrOffset || 0, length);
      }
      if (value !== null && typeof value === "object" && value.type === "Buffer" &&
          Array.isArray(value.data)) {
        return new Buffer(value.data);
      }
      if (value !== null && typeof value === "object" && typeof value.length === "number") {
        return new Buffer(Array.from(value, (v) => Number(v) & 255));
      }
      throw new TypeError("Buffer.from: unsupported argument " + typeof value);
    }

    static alloc(size, fill) {
      const b = new Buffer(size);
      if (fill !== undefined) b.fill(typeof fill === "string" ? encode(fill)[0] : fill);
      return b;
    }

    static allocUnsafe(size) {
      return new Buffer(size);
    }

    static isBuffer(value) {
      return value instanceof Buffer;
    }

    static byteLength(value, encoding) {
      return typeof value === "string" ? encode(value, encoding).length : value.length;
    }

    static concat(list, total) {
      const size = total === undefined ? list.reduce((n, b) => n + b.length, 0) : total;
      const out = new Buffer(size);
      let at = 0;
      for (const b of list) {
        if (at >= size) break;
        out.set(b.length + at > size ? b.subarray(0, size - at) : b, at);
        at += b.length;
      }
      return out;
    }

    toString(encoding, start, end) {
      const s = start === undefined ? 0 : Math.max(0, start);
      const e = end === undefined ? this.length : Math.min(this.length, end);
      switch ((encoding || "utf8").toLowerCase()) {
        case "utf8": case "utf-8": return utf8Decode(this, s, e);
        case "hex": {
          let out = "";
          for (let i = s; i < e; i++) out += (this[i] < 16 ? "0" : "") + this[i].toString(16);
          return out;
        }
        case "base64": return base64Encode(this, s, e);
        case "latin1": case "binary": {
          let out = "";
          for (let i = s; i < e; i++) out += String.fromCharCode(this[i]);
          return out;
        }
        case "ascii": {
          let out = "";
          for (let i = s; i < e; i++) out += String.fromCharCode(this[i] & 127);
          return out;
        }
        default: throw new TypeError("Unknown encoding: " + encoding);
      }
    }

    toJSON() {
      return { type: "Buffer", data: Array.from(this) };
    }

    equals(other) {
      if (this.length !== other.length) return false;
      for (let i = 0; i < this.length; i++) if (this[i] !== other[i]) return false;
      return true;
    }

    slice(start, end) {
      return this.subarray(start, end);
    }

    write(s, offset, length, encoding) {
      const bytes = encode(s, typeof offset === "string" ? offset : encoding);
      const at = typeof offset === "number" ? offset : 0;
      const n = Math.min(bytes.length, this.length - at, length === undefined ? Infinity : length);
      for (let i = 0; i < n; i++) this[at + i] = bytes[i];
      return n;
    }
  }

  for (const [name, size] of INTS) {
    const getter = "get" + VIEW[name];
    const setter = "set" + VIEW[name];
    const variants = size === 1 ? [[""], [""]] : [["BE", false], ["LE", true]];
    for (const [suffix, little] of variants) {
      Buffer.prototype["read" + name + suffix] = function (offset) {
        const at = offset === undefined ? 0 : offset;
        if (at < 0 || at + size > this.length) throw new RangeError("offset out of range");
        return new DataView(this.buffer, this.byteOffset)[getter](at, little);
      };
      Buffer.prototype["write" + name + suffix] = function (value, offset) {
        const at = offset === undefined ? 0 : offset;
        if (at < 0 || at + size > this.length) throw new RangeError("offset out of range");
        new DataView(this.buffer, this.byteOffset)[setter](at, value, little);
        return at + size;
      };
      if (name.startsWith("UInt")) {
        Buffer.prototype["readUint" + name.slice(4) + suffix] =
          Buffer.prototype["read" + name + suffix];
        Buffer.prototype["writeUint" + name.slice(4) + suffix] =
          Buffer.prototype["write" + name + suffix];
      }
    }
  }

  // --- RED.util ---------------------------------------------------------------------------------

  function invalid(str, why) {
    return new Error("Invalid property expression: " + why + " in '" + str + "'");
  }

  // A property path as a list of keys: "a.b[0]['c d']" -> ["a", "b", 0, "c d"].
  function normalisePropertyExpression(str) {
    if (typeof str !== "string" || str.length === 0) throw invalid(String(str), "zero-length");
    const parts = [];
    let i = 0;
    const n = str.length;
    while (i < n) {
      const c = str[i];
      if (c === "[") {
        const q = str[i + 1];
        if (q === "'" || q === '"') {
          const close = str.indexOf(q + "]", i + 2);
          if (close < 0) throw invalid(str, "unterminated string at " + (i + 1));
          parts.push(str.substring(i + 2, close));
          i = close + 2;
        } else {
          const close = str.indexOf("]", i);
          const index = str.substring(i + 1, close);
          if (close < 0 || !/^\d+$/.test(index)) throw invalid(str, "unexpected " + q + " at " + (i + 1));
          parts.push(parseInt(index, 10));
          i = close + 1;
        }
      } else if (c === ".") {
        if (i === 0 || !/[a-z0-9$_]/i.test(str[i + 1] || "")) {
          throw invalid(str, "unexpected " + (str[i + 1] || "end") + " at " + (i + 1));
        }
        i++;
      } else {
        let j = i;
        while (j < n && str[j] !== "." && str[j] !== "[") j++;
        const word = str.substring(i, j);
        parts.push(/^\d+$/.test(word) && parts.length > 0 ? parseInt(word, 10) : word);
        i = j;
      }
    }
    return parts;
  }

  function getObjectProperty(obj, expr) {
    let value = obj;
    for (const key of normalisePropertyExpression(expr)) {
      if (value === null || value === undefined || typeof value !== "object") return undefined;
      value = value[key];
    }
    return value;
  }

  function setObjectProperty(obj, expr, value, createMissing) {
    const path = normalisePropertyExpression(expr);
    const create = createMissing === undefined ? value !== undefined : createMissing;
    let target = obj;
    for (let i = 0; i < path.length - 1; i++) {
      let next = target[path[i]];
      if (next === null || typeof next !== "object") {
        if (!create) return false;
        next = typeof path[i + 1] === "number" ? [] : {};
        target[path[i]] = next;
      }
      target = next;
    }
    const last = path[path.length - 1];
    if (value === undefined) {
      if (Array.isArray(target) && typeof last === "number") target.splice(last, 1);
      else delete target[last];
    } else {
      target[last] = value;
    }
    return true;
  }

  function withoutMsg(expr) {
    return typeof expr === "string" && expr.startsWith("msg.") ? expr.substring(4) : expr;
  }

  function cloneMessage(value) {
    if (value === null || typeof value !== "object") return value;
    if (value instanceof Buffer) return Buffer.from(value);
    if (value instanceof Date) return new Date(value.getTime());
    if (value instanceof RegExp) return value;
    if (Array.isArray(value)) return value.map(cloneMessage);
    const out = {};
    for (const key of Object.keys(value)) out[key] = cloneMessage(value[key]);
    return out;
  }

  function generateId() {
    let id = "";
    for (let i = 0; i < 8; i++) {
      const b = Math.floor(Math.random() * 256);
      id += (b < 16 ? "0" : "") + b.toString(16);
    }
    return id;
  }

  function ensureString(o) {
    if (o instanceof Buffer) return o.toString();
    if (o !== null && typeof o === "object") return JSON.stringify(o);
    if (typeof o === "string") return o;
    return "" + o;
  }

  function ensureBuffer(o) {
    if (o instanceof Buffer) return o;
    if (o !== null && typeof o === "object") o = JSON.stringify(o);
    else if (typeof o !== "string") o = "" + o;
    return Buffer.from(o);
  }

  G.Buffer = Buffer;
  G.RED = {
    util: {
      cloneMessage, generateId, ensureString, ensureBuffer, normalisePropertyExpression,
      getObjectProperty, setObjectProperty,
      getMessageProperty: (msg, expr) => getObjectProperty(msg, withoutMsg(expr)),
      setMessageProperty: (msg, expr, value, createMissing) =>
        setObjectProperty(msg, withoutMsg(expr), value, createMissing),
    },
  };
})();
