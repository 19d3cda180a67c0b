// Locale formatting for flowrt's function node, as Node-RED's V8 (with full ICU) prints it.
//
// QuickJS has no Intl: its Date.prototype.toLocale*String print one fixed form and
// Number.prototype.toLocaleString does no grouping. This file gives a subset of what V8 prints,
// for the locales flows use in practice: en-US (V8's default in Node-RED's usual deployments,
// also for "en" and no locale), and the ISO-like sv-SE and en-CA. Options in the subset:
//   dates: dateStyle and timeStyle short|medium (en-US also long|full dates), year, month, day,
//          weekday, hour, minute, second, hour12, hourCycle, timeZone UTC or the process zone;
//   numbers: minimumFractionDigits, maximumFractionDigits, useGrouping, style decimal|percent.
// Anything else is formatted as near as the subset allows; the Node-RED importer flags function
// nodes whose source uses locales or options outside it (flowrt/nodered/families/function.py).
(function () {
  "use strict";
  const MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August",
    "September", "October", "November", "December"];
  const DAYS = ["Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"];
  const LOCALES = {
    "en-US": { iso: false, h12: true, am: ["AM", "PM"], join: ", ", group: ",", point: ".", minus: "-" },
    "en-CA": { iso: true, h12: true, am: ["a.m.", "p.m."], join: ", ", group: ",", point: ".", minus: "-" },
    "sv-SE": { iso: true, h12: false, am: ["fm", "em"], join: " ", group: "\u00a0", point: ",", minus: "\u2212" },
  };
  const ALIASES = { en: "en-US", sv: "sv-SE" };
  const ZONE = String(globalThis.__flowrt_zone || "UTC"); // the process zone (js_engine.py)
  delete globalThis.__flowrt_zone;
  const DATE_FIELDS = ["weekday", "year", "month", "day"];
  const TIME_FIELDS = ["hour", "minute", "second"];

  function localeOf(locales) {
    const list = Array.isArray(locales) ? locales : locales === undefined ? [] : [locales];
    for (const tag of list) {
      const name = String(tag);
      if (LOCALES[name]) return name;
      if (ALIASES[name]) return ALIASES[name];
    }
    return "en-US";
  }

  function pad(n) {
    return n < 10 ? "0" + n : String(n);
  }

  function fields(date, utc) {
    return utc
      ? { y: date.getUTCFullYear(), mo: date.getUTCMonth(), d: date.getUTCDate(), w: date.getUTCDay(),
          h: date.getUTCHours(), mi: date.getUTCMinutes(), s: date.getUTCSeconds() }
      : { y: date.getFullYear(), mo: date.getMonth(), d: date.getDate(), w: date.getDay(),
          h: date.getHours(), mi: date.getMinutes(), s: date.getSeconds() };
  }

  function isUtc(zone) {
    return zone !== undefined && /^(utc|etc\/utc|gmt|etc\/gmt|z)$/i.test(String(zone));
  }

  // ECMA-402's ToDateTimeOptions: which fields to print when the options name none.
  function resolve(options, required, defaults) {
    const o = Object.assign({}, options || {});
    const styles = { short: 0, medium: 1, long: 2, full: 3 };
    if (o.dateStyle !== undefined || o.timeStyle !== undefined) {
      if (required === "date" && o.dateStyle === undefined) throw new TypeError("Invalid option : timeStyle");
      if (required === "time" && o.timeStyle === undefined) throw new TypeError("Invalid option : dateStyle");
      const ds = styles[o.dateStyle];
      if (ds !== undefined) {
        o.month = ds === 0 ? "numeric" : ds === 1 ? "short" : "long";
        o.day = "numeric";
        o.year = ds === 0 ? "2-digit" : "numeric";
        if (ds === 3) o.weekday = "long";
        o.at = ds >= 2;
      }
      const ts = styles[o.timeStyle];
      if (ts !== undefined) {
        o.hour = "numeric";
        o.minute = "2-digit";
        if (ts >= 1) o.second = "2-digit";
      }
      return o;
    }
    const hasDate = DATE_FIELDS.some((k) => o[k] !== undefined);
    const hasTime = TIME_FIELDS.some((k) => o[k] !== undefined);
    if (!hasDate && !hasTime) {
      if (defaults !== "time") o.year = o.month = o.day = "numeric";
      if (defaults !== "date") o.hour = o.minute = o.second = "numeric";
    }
    return o;
  }

  function datePart(f, o, loc) {
    const text = o.month === "short" || o.month === "long" || o.month === "narrow";
    const year = o.year === "2-digit" ? pad(f.y % 100) : String(f.y);
    const day = o.day === "2-digit" ? pad(f.d) : String(f.d);
    let out;
    if (text) {
      const name = o.month === "long" ? MONTHS[f.mo] : MONTHS[f.mo].slice(0, o.month === "short" ? 3 : 1);
      out = name + (o.day !== undefined ? " " + day : "") + (o.year !== undefined ? ", " + year : "");
    } else if (LOCALES[loc].iso && o.year !== undefined && o.month !== undefined && o.day !== undefined) {
      out = String(f.y) + "-" + pad(f.mo + 1) + "-" + pad(f.d);
    } else {
      const month = o.month === "2-digit" ? pad(f.mo + 1) : String(f.mo + 1);
      const parts = [];
      if (o.month !== undefined) parts.push(month);
      if (o.day !== undefined) parts.push(day);
      if (o.year !== undefined) parts.push(year);
      out = parts.join("/");
    }
    if (o.weekday !== undefined) {
      const name = o.weekday === "long" ? DAYS[f.w] : DAYS[f.w].slice(0, o.weekday === "short" ? 3 : 1);
      out = out ? name + ", " + out : name;
    }
    return out;
  }

  function timePart(f, o, loc) {
    const spec = LOCALES[loc];
    let cycle = spec.h12 ? "h12" : "h23";
    if (o.hour12 !== undefined) cycle = o.hour12 ? "h12" : spec.h12 ? "h24" : "h23";
    else if (o.hourCycle !== undefined) cycle = String(o.hourCycle);
    let hour;
    if (cycle === "h12" || cycle === "h11") {
      const h = cycle === "h12" ? f.h % 12 || 12 : f.h % 12;
      hour = o.hour === "2-digit" ? pad(h) : String(h);
    } else {
      const h = cycle === "h24" ? f.h || 24 : f.h;
      hour = o.hour === "numeric" && o.minute === undefined ? String(h) : pad(h);
    }
    const parts = [];
    if (o.hour !== undefined) parts.push(hour);
    if (o.minute !== undefined) parts.push(o.hour === undefined && o.minute === "numeric" ? String(f.mi) : pad(f.mi));
    if (o.second !== undefined) parts.push(parts.length || o.second === "2-digit" ? pad(f.s) : String(f.s));
    let out = parts.join(":");
    if (o.hour !== undefined && (cycle === "h12" || cycle === "h11")) out += " " + spec.am[f.h < 12 ? 0 : 1];
    return out;
  }

  function formatDate(date, locales, options, required, defaults) {
    const time = date.getTime();
    if (time !== time) return "Invalid Date";
    const loc = localeOf(locales);
    const o = resolve(options, required, defaults);
    const f = fields(date, isUtc(o.timeZone));
    const d = DATE_FIELDS.some((k) => o[k] !== undefined) ? datePart(f, o, loc) : "";
    const t = TIME_FIELDS.some((k) => o[k] !== undefined) ? timePart(f, o, loc) : "";
    if (d && t) return d + (o.at && loc === "en-US" ? " at " : LOCALES[loc].join) + t;
    return d || t;
  }

  // Number formatting: round the shortest decimal form of the value half away from zero (ICU's
  // halfExpand), then group the integer digits in threes.
  function digits(x) {
    const text = Math.abs(x).toString();
    const m = /^(\d+)(?:\.(\d+))?(?:e([+-]\d+))?$/.exec(text);
    let int = m[1], frac = m[2] || "";
    const exp = m[3] ? Number(m[3]) : 0;
    if (exp > 0) {
      frac = frac.padEnd(exp, "0");
      int += frac.slice(0, exp);
      frac = frac.slice(exp);
    } else if (exp < 0) {
      frac = "0".repeat(-exp - 1) + int + frac;
      int = "0";
    }
    return [int.replace(/^0+(?=\d)/, ""), frac];
  }

  function roundUp(int) {
    const a = int.split("");
    let i = a.length - 1;
    while (i >= 0 && a[i] === "9") a[i--] = "0";
    if (i < 0) a.unshift("1");
    else a[i] = String(Number(a[i]) + 1);
    return a.join("");
  }

  function formatNumber(value, locales, options) {
    const o = options || {};
    const spec = LOCALES[localeOf(locales)];
    let x = Number(value);
    const percent = o.style === "percent";
    if (percent) x *= 100;
    if (x !== x) return "NaN";
    const sign = x < 0 || Object.is(x, -0) ? spec.minus : "";
    const suffix = percent ? (spec.point === "," ? "\u00a0%" : "%") : "";
    if (!isFinite(x)) return sign + "\u221e" + suffix;
    let min = o.minimumFractionDigits === undefined ? 0 : Number(o.minimumFractionDigits);
    let max = o.maximumFractionDigits === undefined ? Math.max(min, percent ? 0 : 3) : Number(o.maximumFractionDigits);
    if (!(min >= 0 && min <= 100 && max >= 0 && max <= 100)) throw new RangeError("maximumFractionDigits value is out of range.");
    if (o.minimumFractionDigits === undefined && min > max) min = max;
    if (min > max) throw new RangeError("maximumFractionDigits value is out of range.");
    let [int, frac] = digits(x);
    if (frac.length > max) {
      const up = frac.charCodeAt(max) >= 53; // "5"
      frac = frac.slice(0, max);
      if (up) {
        const joined = roundUp(int + frac);
        int = joined.slice(0, joined.length - max) || "0";
        frac = max ? joined.slice(joined.length - max) : "";
      }
    }
    frac = frac.replace(/0+$/, "");
    if (frac.length < min) frac = frac.padEnd(min, "0");
    const grouped = o.useGrouping === false ? int : int.replace(/\B(?=(\d{3})+(?!\d))/g, spec.group);
    return sign + grouped + (frac ? spec.point + frac : "") + suffix;
  }

  function install(target, name, fn) {
    Object.defineProperty(target, name, { value: fn, writable: true, configurable: true });
  }

  install(Date.prototype, "toLocaleString", function toLocaleString(locales, options) {
    return formatDate(this, locales, options, "any", "all");
  });
  install(Date.prototype, "toLocaleDateString", function toLocaleDateString(locales, options) {
    return formatDate(this, locales, options, "date", "date");
  });
  install(Date.prototype, "toLocaleTimeString", function toLocaleTimeString(locales, options) {
    return formatDate(this, locales, options, "time", "time");
  });
  install(Number.prototype, "toLocaleString", function toLocaleString(locales, options) {
    return formatNumber(this, locales, options);
  });

  class DateTimeFormat {
    constructor(locales, options) {
      this._locale = localeOf(locales);
      this._options = Object.assign({}, options || {});
    }
    format(date) {
      const d = date === undefined ? new Date() : new Date(typeof date === "object" ? date.getTime() : date);
      return formatDate(d, this._locale, this._options, "any", "date");
    }
    resolvedOptions() {
      const zone = this._options.timeZone;
      return { locale: this._locale, calendar: "gregory", numberingSystem: "latn",
        timeZone: zone === undefined ? ZONE : isUtc(zone) ? "UTC" : String(zone) };
    }
  }
  class NumberFormat {
    constructor(locales, options) {
      this._locale = localeOf(locales);
      this._options = Object.assign({}, options || {});
    }
    format(value) {
      return formatNumber(value, this._locale, this._options);
    }
    resolvedOptions() {
      return { locale: this._locale, numberingSystem: "latn", style: this._options.style || "decimal" };
    }
  }
  const Intl = {};
  for (const [name, cls] of [["DateTimeFormat", DateTimeFormat], ["NumberFormat", NumberFormat]]) {
    const make = function (locales, options) { return new cls(locales, options); };
    make.prototype = cls.prototype;
    install(Intl, name, new Proxy(cls, { apply: (_t, _this, args) => make(...args) }));
  }
  install(globalThis, "Intl", Intl);
})();
