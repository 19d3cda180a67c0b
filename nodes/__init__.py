"""Built-in node packs: one package per integration, one module per node type.

Modules here import ``flowrt.api`` and nothing else from flowrt (a test checks it).
"""
