"""Stage 1: read flow files into Documents that keep every position (ruamel round-trip)."""

from flowrt.load.document import (
    ConnectionDecl,
    Document,
    GroupDecl,
    NodeDecl,
    Span,
    SubflowDecl,
    Wire,
)
from flowrt.load.project import Project, load, load_project, load_text

__all__ = [
    "ConnectionDecl",
    "Document",
    "GroupDecl",
    "NodeDecl",
    "Project",
    "Span",
    "SubflowDecl",
    "Wire",
    "load",
    "load_project",
    "load_text",
]
