"""A flow with ui-template widgets, shared by their tests: ``POST /feed`` with ``{w, value,
topic?}`` sends widget ``w`` (card, raw, quiet or author) a message; ``card`` passes its
messages on to the debug node ``seen``."""

from __future__ import annotations

AUTHOR_ATTACK = ('<script>window.__pwned=5</script><img src=x onerror="window.__pwned=6">'
                 '<a href="javascript:window.__pwned=7" onclick="window.__pwned=8">go</a>'
                 '<p style="color: red; background: url(https://x.test/a)">{{ msg.payload }}</p>')
"""A flow author's template that tries to run script in the browsers of the dashboard."""

TEMPLATES = f"""\
flowrt: 1
id: templates
connections:
  board:
    type: dashboard
    title: Templates
    pages:
      - id: home
        title: Home
        groups:
          - id: cards
            title: Cards
            widgets: [{{node: card, height: 3}}, {{node: raw, height: 3}}, quiet, author]
nodes:
  feed: {{type: http-in, method: post, url: /feed, to: [route, done]}}
  done: {{type: http-response}}
  route:
    type: switch
    property: payload.w
    check: first
    rules: [{{eq: card}}, {{eq: raw}}, {{eq: quiet}}, {{eq: author}}]
    to: {{0: in_card, 1: in_raw, 2: in_quiet, 3: in_author}}
  in_card: {{type: change, rules: [{{move: payload.topic, to: topic}},
            {{move: payload.value, to: payload}}], to: card}}
  in_raw: {{type: change, rules: [{{move: payload.value, to: payload}}], to: raw}}
  in_quiet: {{type: change, rules: [{{move: payload.value, to: payload}}], to: quiet}}
  in_author: {{type: change, rules: [{{move: payload.value, to: payload}}], to: author}}
  card:
    type: ui-template
    label: Card
    dashboard: board
    passthru: true
    template: |
      <div class="card"><h3>{{{{ msg.topic }}}}</h3>
      <p class="value" style="color: #e53935; font-weight: bold">{{{{ msg.payload }}}}</p>
      <ul>{{% for x in [1, 2] %}}<li>{{{{ x }}}}</li>{{% endfor %}}</ul>
      <a href="https://x.test/{{{{ msg.topic }}}}">more</a></div>
    to: seen
  raw: {{type: ui-template, label: Raw, dashboard: board, template: "{{{{ msg.payload | safe }}}}"}}
  quiet: {{type: ui-template, label: Quiet, dashboard: board, store: false,
          template: "<b>{{{{ msg.payload }}}}</b>"}}
  author:
    type: ui-template
    label: Author
    dashboard: board
    template: '{AUTHOR_ATTACK}'
  seen: {{type: debug}}
"""
