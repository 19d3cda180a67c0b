// Date parsing as Node-RED's V8 does it, where QuickJS-ng's lenient parser differs.
//
// QuickJS-ng already accepts V8's legacy forms ("2024-01-01 10:00:00", "01.01.2024 10:00",
// "2024/01/02", "Jan 5 2024 10:00", RFC 2822, Date.prototype.toString's output), in the
// process time zone as V8 reads them. What differs is at the edges of ISO 8601:
//   - V8 reads "t" and "z" in an ISO date-time in either case; QuickJS-ng only upper case;
//   - V8 refuses an offset of hours alone ("+01") and a decimal comma in the seconds
//     ("10:00:00,123"), which QuickJS-ng takes.
// Date.parse and new Date(text) are wrapped with those rules; everything else goes through.
(function () {
  "use strict";
  const NativeDate = Date;
  const nativeParse = Date.parse;
  const ISO_CASE = /^([+-]\d{6}|\d{4})-\d\d-\d\d[tT]\d\d:\d\d(:\d\d(\.\d+)?)?([zZ]|[+-]\d\d:?\d\d)?$/;
  const REFUSED = /^\s*([+-]\d{6}|\d{4})-\d\d-\d\d[tT ]\d\d:\d\d(?::\d\d(?:[.,]\d+)?)?(?:[+-]\d\d|.*:\d\d,\d+.*)$/;

  function v8Text(value) {
    const text = String(value);
    if (ISO_CASE.test(text)) return text.toUpperCase();
    if (REFUSED.test(text)) return null;
    return text;
  }

  function v8Parse(value) {
    const text = v8Text(value);
    return text === null ? NaN : nativeParse(text);
  }

  const WrappedDate = new Proxy(NativeDate, {
    construct(target, args, newTarget) {
      if (args.length === 1 && typeof args[0] === "string") {
        const text = v8Text(args[0]);
        return Reflect.construct(target, [text === null ? NaN : nativeParse(text)], newTarget);
      }
      return Reflect.construct(target, args, newTarget);
    },
  });
  Object.defineProperty(NativeDate, "parse", {
    value: { parse(value) { return v8Parse(value); } }.parse, writable: true, configurable: true,
  });
  Object.defineProperty(NativeDate.prototype, "constructor", {
    value: WrappedDate, writable: true, configurable: true,
  });
  Object.defineProperty(globalThis, "Date", {
    value: WrappedDate, writable: true, configurable: true,
  });
})();
