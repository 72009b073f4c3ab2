"""Parsing spec text (YAML or JSON) into plain data, refusing what parsers let through.

Both parsers keep the last of two equal keys, so a table defined twice would silently
replace the first: a repeated key, at any depth, is an error naming its path and line.
Syntax errors name their line and column.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from json.decoder import JSONObject  # type: ignore[attr-defined]
from json.scanner import py_make_scanner  # type: ignore[attr-defined]
from typing import Any

import yaml
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from generator.errors import Issue, SpecError

_Loader: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_MERGE_TAG = "tag:yaml.org,2002:merge"
_TOO_DEEP = "nested too deeply (a spec needs a few levels, not hundreds)"


@dataclass(frozen=True)
class _Place:
    line: int
    column: int

    def __str__(self) -> str:
        return f"line {self.line}, column {self.column}"


@dataclass(frozen=True)
class _Repeat:
    """A key given twice in one mapping: where the mapping is, and both places."""

    path: str
    key: str
    first: _Place
    again: _Place

    def issue(self) -> Issue:
        return Issue(
            _child(self.path, self.key),
            f"given twice, at {self.first} and again at {self.again}: a key may appear "
            "only once in a mapping, or the second would silently replace the first",
        )


def _child(path: str, key: str | int) -> str:
    if isinstance(key, int):
        return f"{path}[{key}]"
    return f"{path}.{key}" if path else key


def parse_yaml(text: str) -> Any:
    loader = _Loader(text)
    try:
        root = loader.get_single_node()
        if root is None:
            return None
        repeats = list(_yaml_repeats(root, "", set()))
        if repeats:
            raise SpecError([repeat.issue() for repeat in repeats])
        return loader.construct_document(root)
    except yaml.MarkedYAMLError as error:
        raise SpecError(f"the spec is not valid YAML: {_yaml_problem(error)}") from None
    except yaml.YAMLError as error:
        raise SpecError(f"the spec is not valid YAML: {error}") from None
    except RecursionError:
        raise SpecError(f"the spec is not valid YAML: {_TOO_DEEP}") from None
    finally:
        loader.dispose()


def _yaml_problem(error: yaml.MarkedYAMLError) -> str:
    mark = error.problem_mark or error.context_mark
    where = f"line {mark.line + 1}, column {mark.column + 1}: " if mark else ""
    problem = error.problem or error.context or "invalid"
    if error.context and error.context_mark and error.problem:
        started = error.context_mark
        problem += f" ({error.context} started on {_Place(started.line + 1, started.column + 1)})"
    return where + problem


def _yaml_repeats(node: Node, path: str, open_nodes: set[int]) -> Iterator[_Repeat]:
    if id(node) in open_nodes:  # an alias of one of its own parents
        return
    open_nodes.add(id(node))
    if isinstance(node, MappingNode):
        firsts: dict[tuple[str, str], _Place] = {}
        for key_node, value_node in node.value:
            key = str(key_node.value) if isinstance(key_node, ScalarNode) else None
            if key is not None and key_node.tag != _MERGE_TAG:
                mark = key_node.start_mark
                place = _Place(mark.line + 1, mark.column + 1)
                first = firsts.setdefault((key_node.tag, key), place)
                if first is not place:
                    yield _Repeat(path, key, first, place)
            yield from _yaml_repeats(value_node, _child(path, key or "?"), open_nodes)
    elif isinstance(node, SequenceNode):
        for index, item in enumerate(node.value):
            yield from _yaml_repeats(item, _child(path, index), open_nodes)
    open_nodes.discard(id(node))


class _RepeatedKey(Exception):
    """Raised by the fast JSON pass at the first repeated key; the slow pass locates them."""


def _refuse_repeats(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    result = dict(pairs)
    if len(result) != len(pairs):
        raise _RepeatedKey
    return result


def parse_json(text: str) -> Any:
    try:
        return json.loads(text, object_pairs_hook=_refuse_repeats)
    except json.JSONDecodeError as error:
        raise SpecError(
            f"the spec is not valid JSON: line {error.lineno}, column {error.colno}: {error.msg}"
        ) from None
    except RecursionError:
        raise SpecError(f"the spec is not valid JSON: {_TOO_DEEP}") from None
    except _RepeatedKey:
        pass  # found at the first repeat: locate every one, more slowly
    try:
        repeats = _json_repeats(text)
    except RecursionError:  # the slow decoder needs more stack than the fast one
        raise SpecError(f"the spec is not valid JSON: {_TOO_DEEP}") from None
    raise SpecError([repeat.issue() for repeat in repeats])


class _LocatingDecoder(json.JSONDecoder):
    """The pure-Python decoder, noting where each key of each object is.

    `JSONObject` scans each value with the scanner it is given, so wrapping that scanner
    places every value (right after its key) without re-implementing the object parser."""

    def __init__(self, text: str) -> None:
        super().__init__()
        self.text = text
        self.repeats: list[tuple[dict[str, Any], str, _Place, _Place]] = []
        self.parse_object = self._parse_object
        self.scan_once = py_make_scanner(self)

    def _place(self, index: int) -> _Place:
        line_start = self.text.rfind("\n", 0, index) + 1
        return _Place(self.text.count("\n", 0, index) + 1, index - line_start + 1)

    def _parse_object(
        self,
        s_and_end: tuple[str, int],
        strict: bool,
        scan_once: Any,
        object_hook: Any,
        object_pairs_hook: Any,
        memo: dict[str, str],
    ) -> tuple[dict[str, Any], int]:
        starts: list[int] = []

        def scan_value(text: str, index: int) -> Any:
            starts.append(index)
            return scan_once(text, index)

        pairs, end = JSONObject(s_and_end, strict, scan_value, None, list, memo)
        result: dict[str, Any] = {}
        firsts: dict[str, _Place] = {}
        for (key, value), start in zip(pairs, starts, strict=True):
            key_start = self.text.rfind(json.dumps(key, ensure_ascii=False), 0, start)
            place = self._place(key_start if key_start >= 0 else start)
            if key in firsts:
                self.repeats.append((result, key, firsts[key], place))
            firsts.setdefault(key, place)
            result[key] = value
        return result, end


def _json_repeats(text: str) -> list[_Repeat]:
    decoder = _LocatingDecoder(text)
    document = decoder.decode(text)
    paths = dict(_container_paths(document, ""))
    # a mapping missing from `paths` was itself replaced by a repeat, reported at its parent
    return [
        _Repeat(paths[id(mapping)], key, first, again)
        for mapping, key, first, again in decoder.repeats
        if id(mapping) in paths
    ]


def _container_paths(value: Any, path: str) -> Iterator[tuple[int, str]]:
    if isinstance(value, dict):
        yield id(value), path
        for key, item in value.items():
            yield from _container_paths(item, _child(path, key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _container_paths(item, _child(path, index))
