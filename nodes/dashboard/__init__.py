"""Dashboard nodes: a `dashboard` connection holds the layout (pages, groups, widgets on a
grid) and serves the browsers' WebSocket; `ui-*` nodes are its widgets, one module each (text,
gauge, chart, markdown, template, table, list; button, switch, slider, numeric, dropdown, text
input, form, colour and date pickers; spacer, notification, control). The page is ui/dashboard/,
served by `flowrt serve` at `/dashboard/` (see docs/dashboard.md)."""
