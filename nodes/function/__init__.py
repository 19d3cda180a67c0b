"""JavaScript function nodes: Node-RED's `function` node, its code run unchanged in QuickJS-ng.

Each node runs its JavaScript in a worker process of its own (``js_worker.py``, driven by
``js_process.py``), so neither a crash of the engine nor code that will not stop can take the
server down. The worker holds one QuickJS context (``js_engine.py``) with a small Node.js-like
library (``js_library.js``: Buffer, RED.util) and the objects Node-RED's function node gives
its code (``js_prelude.js``). Messages cross into JavaScript and back as JSON text
(``js_values.py``), and what the code does besides returning (send, log, status, context
writes, timers) is handed back with the result and done by the node (``js_calls.py``), so each
message crosses once each way.
"""
