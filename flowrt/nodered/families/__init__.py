"""The Node-RED types the bridge knows, one module per family of them.

Each module declares its types in a ``TYPES`` tuple of :class:`~flowrt.nodered.nrtype.NrType`
(how to add one is in that module's docstring), next to their conversions: the import
conversions are named ``import_<Node-RED type>`` and the export conversions
``export_<flowrt type>``. flowrt/nodered/catalog.py lists the families and derives every table
from them.
"""
