"""Flows with a dashboard, shared by the dashboard's tests: ``POST /feed`` with ``{topic,
value}`` sends ``msg.topic``/``msg.payload`` to every widget; what input widgets send reaches
the debug node ``seen``."""

from __future__ import annotations

BOARD = """\
flowrt: 1
id: board
connections:
  board:
    type: dashboard
    title: Test board
    theme: dark
    pages:
      - id: home
        title: Home
        groups:
          - id: climate
            title: Climate
            width: 6
            widgets: [temp, {node: dial, width: 3, height: 3}, {node: trend, height: 4}]
      - id: controls
        groups:
          - id: inputs
            title: Inputs
            widgets: [press, fan, setpoint]
nodes:
  feed: {type: http-in, method: post, url: /feed, to: [unpack, done]}
  done: {type: http-response}
  unpack:
    type: change
    rules:
      - {set: topic, to: {type: msg, value: payload.topic}}
      - {set: payload, to: {type: msg, value: payload.value}}
    to: [temp, dial, trend, fan, setpoint]
  temp: {type: ui-text, label: Temperature, dashboard: board, format: "{{value}} °C"}
  dial:
    type: ui-gauge
    label: Dial
    dashboard: board
    min: 0
    max: 40
    units: °C
    sectors: [{to: 20, color: "#1e88e5"}, {to: 40, color: "#e53935"}]
  trend: {type: ui-chart, label: Trend, dashboard: board, max_points: 5}
  press:
    type: ui-button
    label: Press me
    dashboard: board
    payload: {type: str, value: pressed}
    topic: {type: str, value: buttons}
    to: seen
  fan:
    type: ui-switch
    label: Fan
    dashboard: board
    on_value: {type: str, value: "on"}
    off_value: {type: str, value: "off"}
    to: seen
  setpoint:
    type: ui-slider
    label: Set point
    dashboard: board
    min: 10
    max: 30
    step: 0.5
    to: seen
  seen: {type: debug}
"""
