"""JavaScript function nodes: Node-RED's `function` node, its code run unchanged in QuickJS.

Each node gets a QuickJS context of its own (``js_engine.py``), holding a small Node.js-like
library (``js_library.js``: Buffer, RED.util) and the objects Node-RED's function node gives
its code (``js_prelude.js``). Messages cross into JavaScript and back as JSON text
(``js_values.py``), and what the code does besides returning (send, log, status, context
writes, timers) is handed back with the result, so each message crosses once each way.
"""
