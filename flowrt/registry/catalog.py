"""Assemble JSON Schemas from the registry: one per node type, and the whole flow file's.

The published schema (``schemas/flow.schema.json``, ``flowrt schema``) lets every non-string
configuration field also hold a ``${VAR}`` reference, so editors accept what flowrt accepts. The
checker validates with the same schemas but a validator that understands references itself, which
gives sharper error messages (see ``flowrt.check.schema``).
"""

from __future__ import annotations

import copy
from typing import Any

from flowrt.load.env import NAME_PATTERN, REFERENCE_SCHEMA
from flowrt.load.ontologies import NAME_PATTERN as ONTOLOGY_NAME
from flowrt.registry.discover import Registry
from flowrt.registry.published import allow_reference, structured_examples, type_lists
from flowrt.registry.spec import GUARANTEES, NodeSpec

FORMAT_VERSION = 1
SCHEMA_DIALECT = "https://json-schema.org/draft/2020-12/schema"
ID_PATTERN = r"^[A-Za-z0-9_][A-Za-z0-9_.-]*$"

COMMON_DEFS: dict[str, Any] = {
    "layout": {
        "type": "object",
        "description": "Editor positions [x, y] by node id, kept apart from the logic.",
        "additionalProperties": {
            "type": "array",
            "items": {"type": "number"},
            "minItems": 2,
            "maxItems": 2,
        },
    },
    "envref": REFERENCE_SCHEMA,
    "targets": {
        "description": "One node id, or a list of node ids.",
        "anyOf": [
            {"type": "string", "pattern": ID_PATTERN + "|^\\$out(\\.[0-9]+)?$"},
            {"type": "array", "items": {"type": "string"}},
        ],
    },
    "wiring": {
        "description": (
            "Where this node's output goes: a node id, a list of node ids (both for output "
            "port 0), or a mapping from output port number to node ids."
        ),
        "anyOf": [
            {"$ref": "#/$defs/targets"},
            {
                "type": "object",
                "propertyNames": {
                    "pattern": "^[0-9]+$",
                    "description": "an output port number (0, 1, ...)",
                },
                "additionalProperties": {"$ref": "#/$defs/targets"},
            },
        ],
    },
}

_COMMON_NODE_PROPS: dict[str, Any] = {
    "to": {"$ref": "#/$defs/wiring"},
    "label": {"type": "string", "description": "A name shown in the editor and in logs."},
    "disabled": {"type": "boolean", "description": "A disabled node is kept but not run."},
    "info": {"type": "string", "description": "Notes about the node (Markdown)."},
    "origin": {
        "type": "object",
        "description": (
            "The Node-RED node this node was imported from: its id and type name. catch and "
            "status messages name the node by them (`source.id`, `source.type`), and "
            "`flowrt export nodered` gives the node this id back. Written by "
            "`flowrt import nodered`."
        ),
        "properties": {
            "id": {"type": "string", "minLength": 1,
                   "description": "The Node-RED node id, such as `a1b2c3d4e5f60718`."},
            "type": {"type": "string", "minLength": 1,
                     "description": "The Node-RED type name, such as `mqtt out`."},
        },
        "required": ["id", "type"],
        "additionalProperties": False,
    },
    "in": {
        "type": "string",
        "pattern": ONTOLOGY_NAME,
        "description": (
            "The ontology (a named JSON Schema of the project) the payload of each message "
            "this node takes must conform to; `flowrt validate` checks the wires into it, "
            "`flowrt run --check-ports` each message (docs/ontologies.md)."
        ),
    },
    "out": {
        "description": (
            "The ontology each output port sends as payload: a name for port 0, or a mapping "
            "from output port number to a name (docs/ontologies.md)."
        ),
        "anyOf": [
            {"type": "string", "pattern": ONTOLOGY_NAME},
            {
                "type": "object",
                "propertyNames": {"pattern": "^[0-9]+$"},
                "additionalProperties": {"type": "string", "pattern": ONTOLOGY_NAME},
            },
        ],
    },
}

GUARANTEE_PROPERTY: dict[str, Any] = {
    "enum": list(GUARANTEES),
    "description": (
        "`at-least-once` (the default where the server waits for acknowledgements): a message "
        "is acknowledged once every branch it went down has committed; `at-most-once`: it is "
        "acknowledged as soon as it is read, so a slow or failing flow never holds the server."
    ),
}
"""The ``guarantee`` key, offered on source types only (see docs/delivery.md)."""


def source_keys(spec: NodeSpec) -> dict[str, Any]:
    """The node keys a source type offers besides its configuration (none for other types):
    ``guarantee``, and ``journal`` with the type's own default."""
    if not spec.reads:
        return {}
    journal = bool(getattr(spec.cls, "journal_by_default", False))
    return {"guarantee": GUARANTEE_PROPERTY, "journal": {
        "type": "boolean",
        "default": journal,
        "description": (
            "Read through a local journal: each message is committed to disk, then "
            "acknowledged to the server, so a server that drops what waits for a slow flow "
            "(Mosquitto beyond 1,000 queued messages) loses nothing; at-least-once sources "
            "only. The default is the node type's: "
            + ("on (its server may drop)." if journal else "off (its server keeps them).")
        ),
    }}


def _config_properties(spec: NodeSpec, published: bool) -> dict[str, Any]:
    props: dict[str, Any] = type_lists(copy.deepcopy(spec.fields))
    if published:
        reference = {"$ref": "#/$defs/envref"}
        props = {
            name: structured_examples(allow_reference(p, reference)) for name, p in props.items()
        }
    return props


def node_schema(spec: NodeSpec, published: bool = False) -> dict[str, Any]:
    """The schema of one node (or connection) entry, with its reserved keys."""
    common = (
        {"label": _COMMON_NODE_PROPS["label"]} if spec.is_connection else dict(_COMMON_NODE_PROPS)
    )
    if spec.inputs == 0 and spec.cls.outputs == 0 and not spec.is_connection:
        common.pop("to", None)
    common.update(source_keys(spec))
    return {
        "type": "object",
        "title": spec.type,
        "description": spec.summary,
        "properties": {
            "type": {"const": spec.type},
            **common,
            **_config_properties(spec, published),
        },
        "required": ["type", *spec.required],
        "additionalProperties": False,
    }


def nested_defs(spec: NodeSpec) -> dict[str, Any]:
    """Definitions pydantic emitted for nested models, named ``<type>.<Model>``."""
    defs: dict[str, Any] = spec.config_schema.get("$defs", {})
    return {name: type_lists(schema) for name, schema in defs.items()}


SUBFLOW_INSTANCE: dict[str, Any] = {
    "type": "object",
    "description": "An instance of a subflow: type 'subflow:<name>'.",
    "properties": {
        "type": {"type": "string", "pattern": "^subflow:"},
        **_COMMON_NODE_PROPS,
        "env": {
            "type": "object",
            "description": "Values for the subflow's parameters.",
        },
    },
    "required": ["type"],
    "additionalProperties": False,
}


def build_flow_schema(registry: Registry) -> dict[str, Any]:
    """The JSON Schema of a whole flow file, assembled from every registered node type."""
    defs: dict[str, Any] = copy.deepcopy(COMMON_DEFS)
    node_branches: list[dict[str, Any]] = []
    connection_branches: list[dict[str, Any]] = []
    for spec in registry:
        defs.update(nested_defs(spec))
        key = ("connection." if spec.is_connection else "node.") + spec.type
        defs[key] = node_schema(spec, published=True)
        branch = {
            "if": {"properties": {"type": {"const": spec.type}}, "required": ["type"]},
            "then": {"$ref": f"#/$defs/{key}"},
        }
        (connection_branches if spec.is_connection else node_branches).append(branch)
    defs["subflow-instance"] = SUBFLOW_INSTANCE
    node_branches.append(
        {
            "if": {"properties": {"type": {"pattern": "^subflow:"}}, "required": ["type"]},
            "then": {"$ref": "#/$defs/subflow-instance"},
        }
    )
    defs["node"] = {
        "type": "object",
        "required": ["type"],
        "properties": {
            "type": {
                "anyOf": [
                    *_type_choices(registry, connections=False),
                    {
                        "type": "string",
                        "pattern": "^subflow:",
                        "description": "An instance of a subflow: subflow:<name>.",
                    },
                ],
            }
        },
        "allOf": node_branches,
    }
    defs["connection"] = {
        "type": "object",
        "required": ["type"],
        "properties": {"type": {"anyOf": _type_choices(registry, connections=True)}
                       if registry.connection_types() else {"enum": []}},
        # JSON Schema requires allOf to be non-empty: a registry may have no connection types.
        **({"allOf": connection_branches} if connection_branches else {}),
    }
    defs["nodes"] = {
        "type": "object",
        "description": "The flow's nodes, by id. Wiring is declared downstream with `to:`.",
        "propertyNames": {"pattern": ID_PATTERN},
        "additionalProperties": {"$ref": "#/$defs/node"},
    }
    defs["subflow"] = SUBFLOW_SCHEMA
    return {
        "$schema": SCHEMA_DIALECT,
        "title": "flowrt flow file",
        "description": "A flowrt flow: nodes, their wiring, shared connections and subflows.",
        "type": "object",
        "required": ["flowrt", "nodes"],
        "properties": FLOW_PROPERTIES,
        "additionalProperties": False,
        "$defs": defs,
    }


def _type_choices(registry: Registry, connections: bool) -> list[dict[str, Any]]:
    """One choice per node (or connection) type, described by its summary: what a language
    server shows on hover over a node's ``type`` and beside each completion."""
    return [
        {"const": spec.type, "title": spec.type, "description": spec.summary}
        for spec in registry
        if spec.is_connection == connections
    ]


FLOW_PROPERTIES: dict[str, Any] = {
    "flowrt": {"const": FORMAT_VERSION, "description": "Format version of this file."},
    "id": {
        "type": "string",
        "pattern": ID_PATTERN,
        "description": "The flow's id (defaults to the file name).",
    },
    "label": {"type": "string", "description": "The flow's name, shown as the editor tab."},
    "description": {"type": "string", "description": "What the flow does (Markdown)."},
    "disabled": {"type": "boolean", "description": "A disabled flow is kept but not run."},
    "env": {
        "type": "object",
        "description": "Variables for ${NAME} substitution; the process environment comes second.",
        "propertyNames": {"pattern": "^" + NAME_PATTERN + "$"},
        "additionalProperties": {"type": ["string", "number", "boolean", "null"]},
    },
    "connections": {
        "type": "object",
        "description": "Shared server configuration, named by nodes (Node-RED's config nodes).",
        "propertyNames": {"pattern": ID_PATTERN},
        "additionalProperties": {"$ref": "#/$defs/connection"},
    },
    "nodes": {"$ref": "#/$defs/nodes"},
    "subflows": {
        "type": "object",
        "description": "Reusable groups of nodes, used as nodes of type subflow:<name>.",
        "propertyNames": {"pattern": ID_PATTERN},
        "additionalProperties": {"$ref": "#/$defs/subflow"},
    },
    "layout": {"$ref": "#/$defs/layout"},
    "ontologies": {
        "type": "object",
        "description": (
            "Named JSON Schemas of the project (ontologies), by name: what `in:`, `out:` and "
            "validate's `schema:` name (docs/ontologies.md)."
        ),
        "propertyNames": {"pattern": ONTOLOGY_NAME},
        "additionalProperties": {"type": ["object", "boolean"]},
    },
    "groups": {
        "type": "object",
        "description": (
            "Named, coloured boxes the editor draws around nodes, by id; no meaning when the "
            "flow runs."
        ),
        "propertyNames": {"pattern": ID_PATTERN},
        "additionalProperties": {
            "type": "object",
            "required": ["nodes"],
            "additionalProperties": False,
            "properties": {
                "label": {"type": "string", "description": "The name shown at its top-left."},
                "color": {
                    "type": "string",
                    "pattern": "^#[0-9a-fA-F]{6}$",
                    "description": "Its fill colour, #rrggbb.",
                },
                "nodes": {
                    "type": "array",
                    "items": {"type": "string", "pattern": ID_PATTERN},
                    "description": "The ids of its nodes; a node is in at most one group.",
                },
                "group": {
                    "type": "string",
                    "pattern": ID_PATTERN,
                    "description": "The group this one is drawn inside, if any.",
                },
            },
        },
    },
}

SUBFLOW_SCHEMA: dict[str, Any] = {
    "type": "object",
    "required": ["nodes"],
    "additionalProperties": False,
    "properties": {
        "label": {"type": "string"},
        "description": {"type": "string"},
        "params": {
            "type": "object",
            "description": "Parameters, read inside the subflow as ${NAME}.",
            "propertyNames": {"pattern": "^" + NAME_PATTERN + "$"},
            "additionalProperties": {
                "type": "object",
                "properties": {
                    "default": {"type": ["string", "number", "boolean", "null"]},
                    "description": {"type": "string"},
                },
                "additionalProperties": False,
            },
        },
        "input": {
            "$ref": "#/$defs/targets",
            "description": "Node ids inside the subflow that receive the instance's input.",
        },
        "outputs": {
            "type": "integer",
            "minimum": 0,
            "description": "Number of output ports; inner nodes wire to $out.0, $out.1, ...",
        },
        "nodes": {"$ref": "#/$defs/nodes"},
        "layout": {"$ref": "#/$defs/layout"},
    },
}
