// Widgets with no place in a group. ui-notification: a toast in a corner of the page for
// `display_time` seconds (not for the states a browser gets on connecting: those were shown
// before it came). ui-control: shows the page and hides the groups a flow asks for, and tells
// the flow when the person changes page. `page` is app.js's {show(id), hideGroups(ids)}.
import { h } from "../dom.js";

function corner(position) {
  const cls = `toasts toasts-${position.replace(" ", "-")}`;
  let box = document.querySelector(`.${cls.replace(" ", ".")}`);
  if (!box) {
    box = h("div", { class: cls, role: "status", "aria-live": "polite" });
    document.body.append(box);
  }
  return box;
}

export function notification(spec) {
  const shown = new Set();
  return {
    el: null,
    update(state, u, replay) {
      if (replay || !state.seq) return;
      const toast = h("div", { class: "toast", "data-notification": spec.id },
                      state.title ? h("strong", { text: state.title }) : null,
                      h("span", { class: "toast-message", text: state.message }));
      if (spec.highlight) toast.style.borderLeftColor = spec.highlight;
      const close = () => { toast.remove(); shown.delete(toast); };
      toast.addEventListener("click", close);
      setTimeout(close, spec.display_time * 1000);
      shown.add(toast);
      corner(spec.position).append(toast);
    },
    destroy() { for (const toast of shown) toast.remove(); },
  };
}

export function control(spec, send, page) {
  const changed = () => send({ page: decodeURIComponent(location.hash.slice(1)) });
  addEventListener("hashchange", changed);
  return {
    el: null,
    update(state, u, replay) {
      page.hideGroups(state.hidden ?? []);
      if (!replay && state.seq && state.page) page.show(state.page);
    },
    destroy() { removeEventListener("hashchange", changed); },
  };
}
