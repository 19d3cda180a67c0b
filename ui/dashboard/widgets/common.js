// What the widget modules share: a widget's label.
import { h } from "../dom.js";

export function labelOf(spec) {
  return spec.label ? h("span", { class: "label", text: spec.label }) : null;
}
