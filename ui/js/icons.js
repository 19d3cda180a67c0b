// Node icons: 16×16 line drawings (SVG path data, stroked), by the names node types give as
// their `icon` (flowrt.api.Node.icon); a type without one shows its category's.
export const ICONS = {
  play: "M5 3 L13 8 L5 13 Z",
  clock: "M8 1.5a6.5 6.5 0 1 0 0 13a6.5 6.5 0 1 0 0-13 M8 4.5 V8 L10.5 9.5",
  log: "M3 3.5 H13 M3 6.5 H13 M3 9.5 H13 M3 12.5 H9",
  code: "M6 4 L2 8 L6 12 M10 4 L14 8 L10 12",
  edit: "M3 13 L3.8 10.2 L10.5 3.5 L12.5 5.5 L5.8 12.2 Z M9.5 4.5 L11.5 6.5",
  fork: "M2 8 H6 M6 8 L13 3 M6 8 H13 M6 8 L13 13",
  antenna: "M8 8.5 V15 M5.2 5.6 A4 4 0 0 1 10.8 5.6 M3 3.4 A7 7 0 0 1 13 3.4 M8 7 V8.5",
  globe:
    "M8 1.5a6.5 6.5 0 1 0 0 13a6.5 6.5 0 1 0 0-13 M1.5 8 H14.5 " +
    "M8 1.5 C5 5 5 11 8 14.5 M8 1.5 C11 5 11 11 8 14.5",
  file: "M4 1.5 H9.5 L12.5 4.5 V14.5 H4 Z M9.5 1.5 V4.5 H12.5",
  braces:
    "M6 2 C4 2 4 3 4 5 C4 7 3 8 2 8 C3 8 4 9 4 11 C4 13 4 14 6 14 " +
    "M10 2 C12 2 12 3 12 5 C12 7 13 8 14 8 C13 8 12 9 12 11 C12 13 12 14 10 14",
  database:
    "M3 4 C3 2 13 2 13 4 C13 6 3 6 3 4 Z M3 4 V12 C3 14 13 14 13 12 V4 " + "M3 8 C3 10 13 10 13 8",
  queue: "M2 5 H10 M2 8 H10 M2 11 H10 M11 3.5 L14 8 L11 12.5",
  list: "M2 3.5 H4 M6 3.5 H14 M2 8 H4 M6 8 H14 M2 12.5 H4 M6 12.5 H14",
  doc: "M3 1.5 H13 V14.5 H3 Z M5 5 H11 M5 8 H11 M5 11 H9",
  alert: "M8 2 L14.5 13.5 H1.5 Z M8 6 V9.5 M8 11.5 V12",
  link:
    "M6.5 9.5 L9.5 6.5 M7 4.5 L9 2.5 C10.5 1 12.5 1 14 2.5 C15.5 4 15 6 13.5 7.5 L11.5 9.5 " +
    "M9 11.5 L7 13.5 C5.5 15 3.5 15 2 13.5 C0.5 12 1 10 2.5 8.5 L4.5 6.5",
  comment: "M2 3 H14 V11 H7 L4 14 V11 H2 Z",
  terminal: "M1.5 2.5 H14.5 V13.5 H1.5 Z M4 6 L6.5 8 L4 10 M8 10.5 H12",
  eye: "M1 8 C4 3 12 3 15 8 C12 13 4 13 1 8 Z M8 6a2 2 0 1 0 0 4a2 2 0 1 0 0-4",
  plug: "M5.5 1.5 V5 M10.5 1.5 V5 M3.5 5 H12.5 V8 A4.5 4.5 0 0 1 3.5 8 Z M8 12.5 V15",
  filter: "M2 3 H14 L9.5 8.5 V13 L6.5 14.5 V8.5 Z",
  check: "M3 8.5 L6.5 12 L13 4.5",
  sigma: "M12 3 H4 L8.5 8 L4 13 H12",
  // the categories' own
  source: "M3 8 H11 M8 4.5 L11.5 8 L8 11.5 M13.5 3 V13",
  transform: "M2 5 H11 M8.5 2.5 L11 5 L8.5 7.5 M14 11 H5 M7.5 8.5 L5 11 L7.5 13.5",
  sink: "M2.5 3 V13 M5 8 H13 M10 4.5 L13.5 8 L10 11.5",
};

/** The icon of a catalog entry: its own, else its category's. */
export function iconOf(info) {
  return (info && ICONS[info.icon]) || ICONS[(info && info.category) || ""] || ICONS.transform;
}
