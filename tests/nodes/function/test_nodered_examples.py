"""The behaviours Node-RED's "Writing Functions" guide documents, each as a function node of our
own writing that relies on it, run as it would be in Node-RED."""

from __future__ import annotations

from flowrt.testing import run_flow
from tests.nodes.function.jsflow import bare, function_flow


def test_returning_the_message_keeps_its_other_properties_and_a_new_one_does_not() -> None:
    flow = """
    flowrt: 1
    nodes:
      keep:
        type: function
        func: |-
          msg.payload = msg.payload.trim();
          return msg;
        to: fresh
      fresh:
        type: function
        func: |-
          return {payload: msg.payload.length};
    """
    result = run_flow(flow.replace("\n    ", "\n"), inputs=[{"payload": " abc ", "req": {"id": 1}}])
    assert bare(result.sent("keep")) == [{"payload": "abc", "req": {"id": 1}}]
    assert bare(result.sent("fresh")) == [{"payload": 3}]


def test_routing_by_topic_to_two_outputs() -> None:
    func = """
    if (msg.topic === 'alarm') {
        return [null, msg];
    }
    return [msg, null];
    """
    result = run_flow(function_flow(func, outputs=2),
                      inputs=[{"topic": "reading"}, {"topic": "alarm"}, {"topic": "reading"}])
    assert [m["topic"] for m in result.sent("f", 0)] == ["reading", "reading"]
    assert [m["topic"] for m in result.sent("f", 1)] == ["alarm"]


def test_several_messages_on_one_output_and_one_on_another() -> None:
    func = """
    const words = msg.payload.split(' ');
    const perWord = words.map((word) => ({payload: word}));
    const summary = {payload: words.length + ' words'};
    return [perWord, summary];
    """
    result = run_flow(function_flow(func, outputs=2), inputs=[{"payload": "the quick fox"}])
    assert result.payloads("f", 0) == ["the", "quick", "fox"]
    assert result.payloads("f", 1) == ["3 words"]


def test_sending_from_a_callback_and_returning_nothing() -> None:
    func = """
    function lookUp(id, callback) {
        setTimeout(() => callback({id: id, name: 'sensor ' + id}), 50);
    }
    lookUp(msg.payload, (record) => {
        msg.payload = record;
        node.send(msg);
    });
    """
    result = run_flow(function_flow(func), inputs=[{"payload": 7}])
    assert result.payloads("f") == [{"id": 7, "name": "sensor 7"}]


def test_node_done_tells_when_an_asynchronous_message_is_finished() -> None:
    func = """
    setTimeout(() => {
        node.send({payload: msg.payload + ' processed'});
        node.done();
    }, 250);
    """
    flow = function_flow(func, extra="finished: {type: complete, scope: [f]}")
    result = run_flow(flow, inputs=[{"payload": "order 1"}], into="f")
    assert result.payloads("f") == ["order 1 processed"]
    assert len(result.sent("finished")) == 1


def test_counting_messages_in_the_node_context() -> None:
    func = """
    let seen = context.get('seen') || 0;
    seen += 1;
    context.set('seen', seen);
    msg.seen = seen;
    return msg;
    """
    result = run_flow(function_flow(func), inputs=[{}, {}, {}])
    assert [m["seen"] for m in result.sent("f")] == [1, 2, 3]


def test_on_start_initialises_what_the_function_relies_on() -> None:
    initialize = """
    if (context.get('total') === undefined) {
        context.set('total', 100);
    }
    """
    func = """
    const total = context.get('total') - msg.payload;
    context.set('total', total);
    return {payload: total};
    """
    result = run_flow(function_flow(func, initialize=initialize),
                      inputs=[{"payload": 30}, {"payload": 20}])
    assert result.payloads("f") == [70, 50]


def test_getting_and_setting_several_context_values_at_once() -> None:
    func = """
    flow.set(['mode', 'limit', 'unit'], ['eco', 21.5, 'C']);
    const [mode, limit, unit] = flow.get(['mode', 'limit', 'unit']);
    return {payload: mode + ' ' + limit + unit};
    """
    result = run_flow(function_flow(func), inputs=[{}])
    assert result.payloads("f") == ["eco 21.5C"]


def test_context_with_callbacks_as_for_persistent_stores() -> None:
    func = """
    flow.get('visits', (err, visits) => {
        const next = (visits || 0) + 1;
        flow.set('visits', next, (err) => {
            node.send({payload: err ? 'failed' : 'visit ' + next});
        });
    });
    """
    result = run_flow(function_flow(func), inputs=[{}, {}])
    assert result.payloads("f") == ["visit 1", "visit 2"]


def test_two_function_nodes_share_the_flow_context() -> None:
    flow = """
    flowrt: 1
    nodes:
      record:
        type: function
        func: |-
          flow.set('lastTemperature', msg.payload);
          return msg;
        to: compare
      compare:
        type: function
        func: |-
          const last = flow.get('lastTemperature');
          return {payload: last === msg.payload ? 'same' : 'different'};
    """
    result = run_flow(flow.replace("\n    ", "\n"), inputs=[{"payload": 21}])
    assert result.payloads("compare") == ["same"]


def test_logging_warnings_and_errors() -> None:
    func = """
    node.log('received ' + msg.payload);
    if (msg.payload > 100) {
        node.warn('unusually high: ' + msg.payload);
    }
    return msg;
    """
    result = run_flow(function_flow(func), inputs=[{"payload": 50}, {"payload": 150}])
    assert [text for node, level, text in result.logs if level == "info"] == [
        "received 50",
        "received 150",
    ]
    assert result.warnings == [("f", "unusually high: 150")]


def test_an_error_reported_with_the_message_triggers_catch() -> None:
    func = """
    if (typeof msg.payload !== 'number') {
        node.error('expected a number, got ' + typeof msg.payload, msg);
        return null;
    }
    return msg;
    """
    flow = function_flow(func, extra="handler: {type: catch, scope: [f]}")
    result = run_flow(flow, inputs=[{"payload": "ten"}], into="f")
    [caught] = result.sent("handler")
    assert caught["error"]["message"] == "expected a number, got string"
    assert caught["payload"] == "ten"


def test_status_shows_the_state_and_can_be_cleared() -> None:
    func = """
    if (msg.payload === 'down') {
        node.status({fill: 'red', shape: 'ring', text: 'link down'});
    } else {
        node.status({});
    }
    return null;
    """
    result = run_flow(function_flow(func), inputs=[{"payload": "down"}, {"payload": "up"}])
    assert result.statuses == [
        ("f", {"fill": "red", "shape": "ring", "text": "link down"}),
        ("f", {"fill": None, "shape": None, "text": ""}),
    ]


def test_environment_variables_of_the_flow() -> None:
    func = "return {payload: env.get('SITE') + '/' + env.get('NR_NODE_ID')};"
    result = run_flow(function_flow(func, header="env: {SITE: plant-3}"), inputs=[{}])
    assert result.payloads("f") == ["plant-3/f"]


def test_tidying_up_when_the_flow_stops() -> None:
    func = """
    const every = setInterval(() => node.send({payload: 'tick'}), 1000);
    node.on('close', () => {
        clearInterval(every);
        global.set('closed', true);
    });
    return null;
    """
    result = run_flow(function_flow(func), inputs=[{}], until=3.5)
    assert result.payloads("f") == ["tick", "tick", "tick"]
    assert result.global_context() == {"closed": True}
