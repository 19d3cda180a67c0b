"""The editor's groups: each names nodes of its own flow and a parent group that exists, a node
is in at most one group, and nesting has no loop. Groups have no runtime meaning; these checks
keep the file honest about what the editor will draw."""

from __future__ import annotations

from flowrt.check.context import located
from flowrt.diagnostics import Diagnostic, diagnostic, suggest
from flowrt.load.document import Document


def check_groups(doc: Document) -> list[Diagnostic]:
    found: list[Diagnostic] = []
    owner: dict[str, str] = {}
    for group in doc.groups.values():
        for i, (node_id, _) in enumerate(group.members):
            where = located(doc, (*group.path, "nodes", i))
            if node_id not in doc.nodes:
                hint = suggest(node_id, set(doc.nodes)) or "name a node of this flow"
                found.append(diagnostic(
                    "E044",
                    f"group '{group.id}' names '{node_id}', which is not a node of this flow",
                    hint, **where))
            elif node_id in owner and owner[node_id] != group.id:
                found.append(diagnostic(
                    "E045",
                    f"is in group '{owner[node_id]}' and in group "
                    f"'{group.id}'",
                    "a node is in at most one group; remove it from one (nest the groups "
                    "with `group:` to draw one inside the other)",
                    node=node_id, **where))
            else:
                owner[node_id] = group.id
        if group.parent is not None and group.parent not in doc.groups:
            others = set(doc.groups) - {group.id}
            hint = suggest(group.parent, others) or "name a group of this flow"
            found.append(diagnostic(
                "E044",
                f"group '{group.id}' is nested in '{group.parent}', which is not a group of this "
                "flow", hint, **located(doc, (*group.path, "group"))))
    found.extend(_loops(doc))
    return found


def _loops(doc: Document) -> list[Diagnostic]:
    found: list[Diagnostic] = []
    reported: set[str] = set()
    for group in doc.groups.values():
        chain = [group.id]
        up = group.parent
        while up is not None and up in doc.groups and up not in chain:
            chain.append(up)
            up = doc.groups[up].parent
        if up == group.id and not reported & set(chain):
            reported.update(chain)
            found.append(diagnostic(
                "E046",
                f"group '{group.id}' is nested inside itself: {' -> '.join([*chain, up])}",
                "remove one `group:` key of the loop",
                **located(doc, (*group.path, "group"))))
    return found
