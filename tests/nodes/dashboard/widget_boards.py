"""A flow with the dashboard's later widgets, shared by their tests: ``POST /feed`` with
``{w, value, topic?, socketid?, options?}`` sends widget ``w`` a message (``value`` as
``msg.payload``, the others as ``msg.topic``, ``msg.socketid``, ``msg.options``); what the
input widgets send reaches the debug node ``seen`` (ui-control's: ``heard``) and the text
widget ``echo``, which shows ``<payload as JSON> from <socketid>``."""

from __future__ import annotations

FED = ["count", "mode", "name", "secret", "colour", "day", "visitor", "rooms", "alarms", "notes",
       "level", "bars", "pie", "alert", "control"]

_ROUTE = "".join(f"      - {{eq: {w}}}\n" for w in FED)
_WIRES = ", ".join(f"{i}: in_{w}" for i, w in enumerate(FED))
_UNPACK = "".join(f"""  in_{w}:
    type: change
    rules:
      - {{move: payload.topic, to: topic}}
      - {{move: payload.socketid, to: socketid}}
      - {{move: payload.options, to: options}}
      - {{move: payload.value, to: payload}}
    to: {w}
""" for w in FED)
_SENT = "to: [seen, tojson]"

WIDGETS = f"""\
flowrt: 1
id: widgets
connections:
  board:
    type: dashboard
    title: Widgets
    pages:
      - id: inputs
        title: Inputs
        groups:
          - id: values
            title: Values
            widgets: [count, mode, name, secret, colour, day, {{node: echo, height: 2}}]
          - id: forms
            title: Forms
            widgets: [{{node: visitor, height: 5}}]
      - id: shows
        title: Shows
        groups:
          - id: data
            title: Data
            widgets: [{{node: rooms, height: 3}}, {{node: alarms, height: 3}},
                      {{node: notes, height: 2}}, {{node: gap, width: 2}},
                      {{node: level, width: 4}}]
          - id: graphs
            title: Graphs
            widgets: [{{node: bars, height: 4}}, {{node: pie, height: 4}}]
nodes:
  feed: {{type: http-in, method: post, url: /feed, to: [route, done]}}
  done: {{type: http-response}}
  route:
    type: switch
    property: payload.w
    check: first
    rules:
{_ROUTE}    to: {{{_WIRES}}}
{_UNPACK}  count: {{type: ui-numeric, label: Count, dashboard: board, min: 0, max: 5,
          format: "{{{{value}}}} on", {_SENT}}}
  mode:
    type: ui-dropdown
    label: Mode
    dashboard: board
    options: [{{label: Automatic, value: auto}}, {{label: Manual, value: manual}}, 3]
    {_SENT}
  name: {{type: ui-text-input, label: Name, dashboard: board, delay: 200, {_SENT}}}
  secret: {{type: ui-text-input, label: Secret, dashboard: board, mode: password, delay: 0,
           to: seen}}
  colour: {{type: ui-colour-picker, label: Lamp, dashboard: board, format: rgb, {_SENT}}}
  day: {{type: ui-date-picker, label: Day, dashboard: board, {_SENT}}}
  visitor:
    type: ui-form
    label: Visitor
    dashboard: board
    fields:
      - {{name: who, label: Name, required: true}}
      - {{name: age, label: Age, type: number}}
      - {{name: badge, label: Badge, type: checkbox}}
    {_SENT}
  rooms: {{type: ui-table, label: Rooms, dashboard: board,
          columns: [{{field: name, title: Room}}, {{field: temp, title: °C, align: right}}]}}
  alarms: {{type: ui-list, label: Alarms, dashboard: board, action: click, {_SENT}}}
  notes: {{type: ui-markdown, label: Notes, dashboard: board, content: "**{{{{value}}}}** °C"}}
  gap: {{type: ui-spacer, dashboard: board}}
  level: {{type: ui-gauge, gtype: linear, label: Level, dashboard: board, min: 0, max: 10,
          sectors: [{{to: 5, color: "#43a047"}}, {{to: 10, color: "#e53935"}}]}}
  bars: {{type: ui-chart, chart_type: bar, label: Bars, dashboard: board}}
  pie: {{type: ui-chart, chart_type: pie, label: Pie, dashboard: board}}
  alert: {{type: ui-notification, dashboard: board, display_time: 30}}
  control: {{type: ui-control, dashboard: board, to: heard}}
  seen: {{type: debug}}
  heard: {{type: debug}}
  tojson:
    type: change
    rules: [{{set: json, to: {{type: jsonata, value: "$string(payload)"}}}}]
    to: echo
  echo: {{type: ui-text, label: Sent, dashboard: board, layout: column,
         format: "{{{{msg.json}}}} from {{{{msg.socketid}}}}"}}
"""
