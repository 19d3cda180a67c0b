// V8's wording for the errors flows meet most, as Node-RED's catch nodes show them
// (msg.error.message). QuickJS words them its own way ("cannot read property 'x' of
// undefined", "not a function"); the prelude's describe() passes each error it reports through
// the function defined here, with the source line and column where it was thrown, so that the
// name of what was called can be given as V8 gives it ("o.f is not a function").
// The prelude takes the function and the engine removes the global before user code runs.
globalThis.__flowrt_wording = (function () {
  "use strict";
  const RULES = [
    [/^cannot read property '(.*)' of (undefined|null)$/s, "Cannot read properties of $2 (reading '$1')"],
    [/^cannot set property '(.*)' of (undefined|null)$/s, "Cannot set properties of $2 (setting '$1')"],
    [/^unexpected token in expression: ''$/, "Unexpected end of input"],
    [/^unexpected token in expression: '(.*)'$/s, "Unexpected token '$1'"],
    [/^unexpected token: '(.*)'$/s, "Unexpected token '$1'"],
    [/^(.* in JSON at position \d+) \(line \d+ column \d+\)$/s, "$1"],
    [/^empty array$/, "Reduce of empty array with no initial value"],
    [/^invalid array length$/, "Invalid array length"],
  ];
  const IDENT = /[A-Za-z_$][\w$]*/y;

  // The member chain of plain names ending at `end` in `text` ("msg.payload.trim"), with
  // V8's "(...)" for a call in it; null when it is anything else.
  function chainBefore(text, end) {
    let i = end;
    let out = "";
    for (;;) {
      let j = i;
      while (j > 0 && /[\w$]/.test(text[j - 1])) j--;
      if (j === i || !/[A-Za-z_$]/.test(text[j])) return null;
      out = text.slice(j, i) + out;
      let k = j;
      while (k > 0 && text[k - 1] === " ") k--;
      if (k > 0 && text[k - 1] === ".") {
        const dot = text[k - 2] === "?" ? k - 2 : k - 1;
        out = (dot === k - 2 ? "?." : ".") + out;
        i = dot;
        while (i > 0 && text[i - 1] === " ") i--;
        if (text[i - 1] === ")") {
          let depth = 0;
          let p = i - 1;
          for (; p >= 0; p--) {
            if (text[p] === ")") depth++;
            else if (text[p] === "(" && --depth === 0) break;
          }
          if (p < 0) return null;
          out = "(...)" + out;
          i = p;
        }
        continue;
      }
      return { name: out, start: j };
    }
  }

  function callee(line, column) {
    if (typeof line !== "string" || !(column > 0)) return null;
    IDENT.lastIndex = column - 1;
    const m = IDENT.exec(line);
    let end = m === null ? column - 1 : column - 1 + m[0].length;
    if (m === null) {
      if (line[end] !== "(") return null;
      while (end > 0 && line[end - 1] === " ") end--;
    }
    const found = chainBefore(line, end);
    if (found === null) return null;
    const isNew = /\bnew\s+$/.test(line.slice(0, found.start));
    return found.name + (isNew ? " is not a constructor" : " is not a function");
  }

  return function wording(error, line, column) {
    let message = String(error.message);
    if (error instanceof TypeError && message === "not a function") {
      message = callee(line, column) || message;
    } else {
      for (const [pattern, replacement] of RULES) {
        if (pattern.test(message)) {
          message = message.replace(pattern, replacement);
          break;
        }
      }
    }
    return error.name + ": " + message;
  };
})();
