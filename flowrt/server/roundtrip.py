"""Save an editor's JSON document into a flow file's text, changing only what changed.

:func:`apply_document` walks the round-trip data (ruamel's CommentedMap/Seq, which carry the
comments) and the new document side by side: equal values are left alone (their quoting and
comments with them), changed scalars are replaced in place (a quoted string stays quoted), new
keys are appended, missing keys removed. :func:`save_text` then renders the data and carries the
change over to the original text line by line, so lines the change did not touch stay
byte-identical even when the file's own formatting differs from the canonical one. A document
equal to the file's gives the file's text back unchanged.
"""

from __future__ import annotations

import difflib
import json
from typing import Any

from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.scalarstring import ScalarString

from flowrt.load.yaml_io import dump, to_plain
from flowrt.server.files import load_flow_text


def save_text(file: str, text: str, document: dict[str, Any]) -> str:
    """The text of ``file`` (now ``text``) once it holds ``document``. Raises LoadError if the
    current text cannot be parsed (then the caller writes the document afresh)."""
    doc = load_flow_text(text, file)
    indent = _json_indent(text) if file.endswith(".json") else 2
    before = _render(file, doc.data, indent)
    if not apply_document(doc.data, document):
        return text
    after = _render(file, doc.data, indent)
    return _carry(text, before, after)


def fresh_text(file: str, document: dict[str, Any]) -> str:
    """A new file's text for ``document``."""
    if file.endswith(".json"):
        return json.dumps(document, indent=2, ensure_ascii=False) + "\n"
    return dump(document).rstrip("\n") + "\n"


def _render(file: str, data: Any, indent: int = 2) -> str:
    if file.endswith(".json"):
        return json.dumps(to_plain(data), indent=indent, ensure_ascii=False) + "\n"
    return dump(data)


def _json_indent(text: str) -> int:
    """The indent of a JSON file: that of its first indented line (2 if none)."""
    for line in text.splitlines()[1:]:
        stripped = line.lstrip(" ")
        if stripped and len(stripped) < len(line):
            return len(line) - len(stripped)
    return 2


def _carry(original: str, before: str, after: str) -> str:
    """Apply the change from ``before`` to ``after`` (both canonical renderings) to
    ``original``, whose lines may be formatted differently; the canonical ``after`` when a
    changed region has no counterpart in ``original``."""
    if original == before:
        return after
    orig = original.splitlines(keepends=True)
    old = before.splitlines(keepends=True)
    new = after.splitlines(keepends=True)
    mapping: dict[int, int] = {}
    for block in difflib.SequenceMatcher(None, old, orig, autojunk=False).get_matching_blocks():
        for k in range(block.size):
            mapping[block.a + k] = block.b + k
    out: list[str] = []
    cursor = 0
    for tag, i1, i2, j1, j2 in difflib.SequenceMatcher(None, old, new,
                                                        autojunk=False).get_opcodes():
        if tag == "equal":
            continue
        start = _anchor(mapping, i1)
        if start is None or start < cursor:
            return after
        out.extend(orig[cursor:start])
        for k in range(i1, i2):  # the replaced lines must all be where we expect them
            if mapping.get(k) != start + (k - i1):
                return after
        out.extend(new[j1:j2])
        cursor = start + (i2 - i1)
    out.extend(orig[cursor:])
    return "".join(out)


def _anchor(mapping: dict[int, int], i: int) -> int | None:
    """Where line ``i`` of the canonical text is (or would be) in the original."""
    if i in mapping:
        return mapping[i]
    if i == 0:
        return 0
    if i - 1 in mapping:
        return mapping[i - 1] + 1
    return None


def apply_document(target: Any, new: Any) -> bool:
    """Make round-trip mapping ``target`` equal to plain ``new``; True if anything changed."""
    if not isinstance(target, CommentedMap) or not isinstance(new, dict):
        raise TypeError("a flow document is a mapping")
    return _apply_map(target, new)


def _apply_map(target: CommentedMap, new: dict[Any, Any]) -> bool:
    changed = _rename_in_place(target, new)
    keys = {_key(k): k for k in target}
    wanted = {_key(k) for k in new}
    for plain, key in keys.items():
        if plain not in wanted:
            del target[key]
            changed = True
    for raw, value in new.items():
        key = keys.get(_key(raw), raw)
        if key in target:
            old = target[key]
            replaced, now = _merge(old, value)
            if replaced:
                target[key] = now
            changed = changed or replaced or now is not old
        else:
            target[key] = _new(value)
            changed = True
    return changed


def _rename_in_place(target: CommentedMap, new: dict[Any, Any]) -> bool:
    """Keys renamed where they stand: a key of ``target`` that ``new`` lacks, at the index
    where ``new`` has a key ``target`` lacks (the editor renames a node in place), takes the
    new name there, keeping its value's style and its comments; the merge that follows
    updates the value. True if any key was renamed."""
    old_keys, new_keys = list(target), list(new)
    have = {_key(k) for k in old_keys}
    wanted = {_key(k) for k in new_keys}
    renamed = False
    for index, old in enumerate(old_keys):
        if index >= len(new_keys) or _key(old) in wanted:
            continue
        raw = new_keys[index]
        if _key(raw) in have:
            continue
        value = target[old]
        comment = target.ca.items.pop(old, None)
        del target[old]
        target.insert(index, raw, value)
        if comment is not None:
            target.ca.items[raw] = comment
        renamed = True
    return renamed


def _apply_seq(target: CommentedSeq, new: list[Any]) -> bool:
    changed = _align(target, new)
    for i, value in enumerate(new):
        if i < len(target):
            replaced, now = _merge(target[i], value)
            if replaced:
                target[i] = now
            changed = changed or replaced or now is not target[i]
        else:
            target.append(_new(value))
            changed = True
    while len(target) > len(new):
        del target[len(target) - 1]
        changed = True
    return changed


def _identity(item: Any) -> str | None:
    """What names a sequence's item whatever its place: a string, or a mapping's ``id`` (a
    dashboard's page or group) or ``node`` (a placed widget)."""
    plain = to_plain(item)
    if isinstance(plain, str):
        return "s:" + plain
    if isinstance(plain, dict):
        for key in ("id", "node"):
            if isinstance(plain.get(key), str):
                return f"{key}:{plain[key]}"
    return None


def _align(target: CommentedSeq, new: list[Any]) -> bool:
    """Items named the same in ``target`` and ``new`` (see :func:`_identity`) moved to their
    new places, with their comments, before the merge by index: reordering groups or moving
    a widget moves its lines rather than rewriting every item after it. A new name takes the
    place of an old name that is gone (a renamed item keeps its style). True if any moved."""
    old_ids = [_identity(v) for v in target]
    new_ids = [_identity(v) for v in new]
    if (None in old_ids or None in new_ids or len(set(old_ids)) < len(old_ids)
            or len(set(new_ids)) < len(new_ids) or old_ids == new_ids):
        return False
    where = {ident: index for index, ident in enumerate(old_ids)}
    spare = [k for k, ident in enumerate(old_ids) if ident not in set(new_ids)]
    placed = [where[i] if i in where else (spare.pop(0) if spare else None) for i in new_ids]
    if placed == list(range(len(target)))[: len(placed)]:
        return False  # nothing moved: the merge by index does the rest
    items, comments = list(target), dict(target.ca.items)
    target.ca.items.clear()
    del target[:]
    for index, old in enumerate(placed):
        target.append(_new(new[index]) if old is None else items[old])
        if old is not None and old in comments:
            target.ca.items[index] = comments[old]
    return True


class _Changed:
    """Marker: the container was changed in place."""


def _merge(old: Any, value: Any) -> tuple[bool, Any]:
    """(replace?, value to store). Containers of the same kind are updated in place: then
    the returned value is a fresh marker (not ``old``) when something inside changed."""
    if isinstance(old, CommentedMap) and isinstance(value, dict):
        return False, _Changed() if _apply_map(old, value) else old
    if isinstance(old, CommentedSeq) and isinstance(value, list):
        return False, _Changed() if _apply_seq(old, value) else old
    if _same(old, value):
        return False, old
    if isinstance(old, ScalarString) and isinstance(value, str):
        return True, type(old)(value)  # keep the quoting style
    return True, _new(value)


def _new(value: Any) -> Any:
    """A value to insert: lists of scalars (a layout position) in flow style, ``[80, 120]``."""
    if isinstance(value, dict):
        out = CommentedMap()
        for k, v in value.items():
            out[k] = _new(v)
        return out
    if isinstance(value, list):
        seq = CommentedSeq(_new(v) for v in value)
        if all(not isinstance(v, dict | list) for v in value):
            seq.fa.set_flow_style()
        return seq
    return value


def _same(old: Any, value: Any) -> bool:
    plain = to_plain(old)
    return type(plain) is type(value) and plain == value


def _key(key: Any) -> str:
    return str(to_plain(key)) if not isinstance(key, bool) else str(key).lower()
