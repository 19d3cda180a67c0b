"""The dashboard's layout, as written in the flow file: pages, their groups, and the widgets of
each group with their size on the grid (see docs/dashboard.md).

The models validate what a model can (ids unique, sizes on the grid); that every widget named
is a dashboard node of the flow is checked by ``flowrt validate`` (:mod:`flowrt.check.dashboard`).
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

COLUMNS = 12
"""The grid is 12 columns wide on a wide screen; a phone shows one group a row."""


class Place(BaseModel):
    """A widget in a group: the node id, its width in columns and its height in rows."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    node: str = Field(description="The id of the widget node (a node of the dashboard pack).",
                      min_length=1)
    width: int = Field(0, ge=0, le=COLUMNS,
                       description="Columns it takes (0: the whole width of its group).")
    height: int = Field(1, ge=1, le=12, description="Rows it takes (a row is 48 px).")


class Group(BaseModel):
    """A titled card of widgets on a page."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str = Field(description="The group's id, unique in the dashboard.", min_length=1)
    title: str = Field("", description="Shown above the widgets (none: no title bar).")
    width: int = Field(6, ge=1, le=COLUMNS, description="Columns of the page it takes.")
    widgets: list[Place | str] = Field(
        default_factory=list,
        description="The widgets, in order: a node id, or `{node, width, height}`.")

    @property
    def places(self) -> list[Place]:
        return [Place(node=w) if isinstance(w, str) else w for w in self.widgets]

    @model_validator(mode="after")
    def _fits(self) -> Group:
        for place in self.places:
            if place.width > self.width:
                raise ValueError(f"widget '{place.node}' is {place.width} columns wide, wider "
                                 f"than its group '{self.id}' ({self.width})")
        return self


class Page(BaseModel):
    """One page of the dashboard, in the navigation menu."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str = Field(description="The page's id: its address is `/dashboard/#<id>`.",
                    pattern=r"^[A-Za-z0-9_-]+$")
    title: str = Field("", description="Its name in the menu (default: the id).")
    groups: list[Group] = Field(default_factory=list, description="The groups, in order.")


Theme = Literal["light", "dark", "auto"]


def layout_problems(pages: list[Page]) -> list[str]:
    """What makes a layout ambiguous: a page id, group id or widget used twice."""
    problems: list[str] = []
    pages_seen: set[str] = set()
    groups_seen: set[str] = set()
    widgets_seen: set[str] = set()
    for page in pages:
        if page.id in pages_seen:
            problems.append(f"page '{page.id}' is declared twice")
        pages_seen.add(page.id)
        for group in page.groups:
            if group.id in groups_seen:
                problems.append(f"group '{group.id}' is declared twice")
            groups_seen.add(group.id)
            for place in group.places:
                if place.node in widgets_seen:
                    problems.append(f"widget '{place.node}' is placed twice")
                widgets_seen.add(place.node)
    return problems


def browser_layout(title: str, theme: str, pages: list[Page],
                   widgets: dict[str, dict[str, Any]]) -> dict[str, Any]:
    """What a browser is sent: the pages with, for each widget placed and running, its type and
    what it shows (``widgets``: id -> ``{type, ...}`` from the widget nodes), and the widgets
    that are never placed (``placed: false``: notifications, controls) under ``unplaced``."""
    return {
        "title": title,
        "theme": theme,
        "columns": COLUMNS,
        "pages": [
            {"id": page.id, "title": page.title or page.id, "groups": [
                {"id": group.id, "title": group.title, "width": group.width, "widgets": [
                    {"id": place.node, "width": place.width or group.width,
                     "height": place.height, **widgets[place.node]}
                    for place in group.places
                    if place.node in widgets and widgets[place.node].get("placed") is not False
                ]} for group in page.groups
            ]} for page in pages
        ],
        "unplaced": [{"id": widget_id, **spec} for widget_id, spec in widgets.items()
                     if spec.get("placed") is False],
    }
