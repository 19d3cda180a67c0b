// The dashboard's widgets. makeWidget(spec, send, page) returns {el, update(state, u, replay)}:
// `spec` is what the server's layout says of the widget (type, label, range...), `send(value)`
// sends the person's input to the flow, `page` is what the page lets a widget do (ui-control:
// show a page, hide groups). `replay` is true for the states a browser gets on connecting.
// Each family of widgets is a module of widgets/; values are shown as text, never as HTML
// (Markdown and templates, rendered on the server, go through widgets/allowlist.js).
import { h } from "./dom.js";
import { text, gauge, spacer } from "./widgets/outputs.js";
import { button, toggle, slider, numeric } from "./widgets/controls.js";
import { dropdown, textInput, colourPicker, datePicker } from "./widgets/fields.js";
import { form } from "./widgets/form.js";
import { table, list } from "./widgets/tables.js";
import { markdown } from "./widgets/markdown.js";
import { template } from "./widgets/template.js";
import { chart } from "./widgets/charts.js";
import { notification, control } from "./widgets/overlays.js";

const KINDS = {
  text, gauge, spacer, button, switch: toggle, slider, numeric, dropdown,
  "text-input": textInput, "colour-picker": colourPicker, "date-picker": datePicker, form,
  table, list, markdown, template, chart, notification, control,
};

export function makeWidget(spec, send, page) {
  const make = KINDS[spec.type];
  if (!make) return { el: h("div", { text: `(${spec.type}: not shown)` }), update() {} };
  return make(spec, send, page);
}
