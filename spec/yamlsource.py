"""YAML to plain data, keeping where every key and value stands in the file.

PyYAML silently keeps the last of two equal keys and happily expands alias
bombs; fgc must do neither. We compose the node graph ourselves, refuse
duplicate keys, cycles, runaway expansion and runaway nesting, and record a
(line, column) for each key and each value, addressed by its path in the data.

Values are kept as written (SPEC.md): YAML 1.1 reads ``1.10`` as 1.1, ``0755`` as
493, ``12:30`` as 750 and ``on`` as true. A plain scalar is typed only when its
text is the canonical form of its value (``8080``, ``1.5``, ``true``); any other
form YAML 1.1 would type becomes :class:`Written`: text to a string-typed key,
an error at its line to a number- or bool-typed one (see ``spec.models``).

Lines count ``\n`` only, as editors do; PyYAML also breaks lines at CR, NEL,
U+2028 and U+2029.
"""

from __future__ import annotations

import bisect
import re

import yaml
from fgc.spec.errors import Problem

Path = tuple[str | int, ...]

#: A fargate.yaml is a few KB; anything this large is a mistake, not a spec.
MAX_BYTES = 1024 * 1024
#: Nodes visited while expanding aliases; far above any real document, far below a bomb.
MAX_NODES = 100_000
#: Maps and lists inside each other; a real fargate.yaml (overrides included) nests about 10 deep.
MAX_DEPTH = 64

_Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_SCALARS = yaml.constructor.SafeConstructor()
_KEEP_AS_TEXT = {"tag:yaml.org,2002:timestamp", "tag:yaml.org,2002:binary"}
_STANDARD = "tag:yaml.org,2002:"
_ALLOWED_TAGS = {
    _STANDARD + name for name in ("str", "int", "float", "bool", "null", "map", "seq")
} | _KEEP_AS_TEXT
#: Plain scalars whose text is exactly their value's: typed without ambiguity.
_CANONICAL = {
    _STANDARD + "int": re.compile(r"0|-?[1-9][0-9]{0,17}").fullmatch,
    _STANDARD + "bool": re.compile(r"true|false").fullmatch,
}
#: Line breaks PyYAML counts besides ``\n``; a text without them needs no recount.
_OTHER_BREAKS = re.compile("[\r\x85\u2028\u2029]")


class Written(str):
    """A plain scalar YAML 1.1 would type but whose text is not its value's canonical form.

    It is the text as written (``"1.10"``, ``"0755"``, ``"on"``); ``reading`` is what
    YAML 1.1 makes of it (1.1, 493, True), or None where that is no usable value (an
    integer too long to convert).
    """

    reading: object

    def __new__(cls, text: str, reading: object = None) -> Written:  # copy and pickle call it with text only
        written = super().__new__(cls, text)
        written.reading = reading
        return written


class Source:
    """Parsed data plus positions: ``keys[path]`` is where a key is written, ``values[path]`` its value.

    A plain class rather than a dataclass: defining a dataclass costs about a
    millisecond of every ``fgc`` start.
    """

    __slots__ = ("data", "filename", "keys", "values")

    def __init__(
        self,
        filename: str,
        data: object,
        keys: dict[Path, tuple[int, int]] | None = None,
        values: dict[Path, tuple[int, int]] | None = None,
    ) -> None:
        self.filename = filename
        self.data = data
        self.keys = {} if keys is None else keys
        self.values = {} if values is None else values

    def problem(self, path: Path, message: str, *, at_key: bool = False) -> Problem:
        """A problem at ``path`` (or its nearest ancestor that is written in the file).

        A map or list value is pointed at by its key: that is the line a reader looks for.
        """
        at_key = at_key or isinstance(_value(self.data, path), dict | list)
        line, column = locate(self, path, at_key=at_key)
        return Problem(self.filename, line, column, dotted(path), message)

    def copy(self) -> Source:
        """A copy to interpolate and overlay in place while this one stays as parsed."""
        return Source(self.filename, copy_data(self.data), dict(self.keys), dict(self.values))


def copy_data(data: object) -> object:
    """Copy the dicts and lists of parsed YAML; scalars are immutable and shared."""
    if isinstance(data, dict):
        return {key: copy_data(value) for key, value in data.items()}
    if isinstance(data, list):
        return [copy_data(item) for item in data]
    return data


class YamlError(Exception):
    """The text is not a YAML document fgc can read; carries its problem."""

    def __init__(self, problem: Problem) -> None:
        super().__init__(str(problem))
        self.problem = problem


def dotted(path: Path) -> str:
    """``("services", "api", "sidecars", 0)`` -> ``services.api.sidecars[0]``."""
    text = ""
    for part in path:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text


def _value(data: object, path: Path) -> object:
    """The value at ``path``, or None where the path does not exist (missing keys)."""
    for part in path:
        try:
            data = data[part]  # type: ignore[index]
        except (KeyError, IndexError, TypeError):
            return None
    return data


def locate(source: Source, path: Path, *, at_key: bool = False) -> tuple[int, int]:
    """Line and column of ``path``, falling back to the closest written ancestor."""
    if at_key and path in source.keys:
        return source.keys[path]
    if path in source.values:
        return source.values[path]
    for cut in range(len(path) - 1, 0, -1):
        if path[:cut] in source.keys:
            return source.keys[path[:cut]]
    return source.values.get((), (1, 1))


def parse(text: str | bytes, filename: str) -> Source:
    """Parse one YAML document into a :class:`Source`; raise :class:`YamlError` when it cannot be read."""
    if len(text) > MAX_BYTES:
        raise YamlError(
            Problem(
                filename, 1, 1, "", f"file is {len(text) / 1048576:.1f} MB; a fargate.yaml is at most 1 MB"
            )
        )
    if isinstance(text, bytes):
        raw = text
        try:
            text = raw.decode("utf-8-sig")
        except UnicodeDecodeError as err:
            line = raw[: err.start].count(b"\n") + 1
            raise YamlError(Problem(filename, line, 1, "", "not UTF-8 text")) from None
    lines = _Lines(text)
    try:
        node = yaml.compose(text, Loader=_Loader)
    except yaml.MarkedYAMLError as err:
        mark = err.problem_mark or err.context_mark
        line, column = lines.at(mark.index) if mark else (1, 1)
        reason = err.problem or err.context or "invalid YAML"
        if err.context and err.problem and err.context_mark:
            reason += f" ({err.context} at line {lines.at(err.context_mark.index)[0]})"
        raise YamlError(Problem(filename, line, column, "", f"YAML syntax: {reason}")) from None
    except yaml.reader.ReaderError as err:  # a character YAML does not allow
        line, column = lines.at(err.position)
        code = ord(err.character) if isinstance(err.character, str) else err.character
        raise YamlError(
            Problem(filename, line, column, "", f"YAML syntax: {err.reason} (U+{code:04X})")
        ) from None
    except yaml.YAMLError as err:  # pragma: no cover - every other error of PyYAML carries a mark
        raise YamlError(Problem(filename, 1, 1, "", f"YAML syntax: {err}")) from None
    source = Source(filename, None)
    if node is None:
        raise YamlError(
            Problem(filename, 1, 1, "", "the file is empty; `fgc init` writes a starter fargate.yaml")
        )
    source.data = _Builder(source, lines).build(node, ())
    return source


class _Lines:
    """(line, column) of a character index, counting ``\n`` only as a line break.

    PyYAML's own marks agree wherever the text has no other break character, which
    is the fast, common case; otherwise each index is located among the newlines.
    """

    __slots__ = ("newlines", "text")

    def __init__(self, text: str) -> None:
        self.text = text
        self.newlines: list[int] | None = None
        if _OTHER_BREAKS.search(text):
            self.newlines = [m.start() for m in re.finditer("\n", text)]

    def at(self, index: int) -> tuple[int, int]:
        index = min(index, len(self.text))
        if index == len(self.text) and index and self.text[index - 1] == "\n":
            index -= 1  # the end of a file that ends its last line: that line, not the next
        line = (
            self.text.count("\n", 0, index)
            if self.newlines is None
            else bisect.bisect_left(self.newlines, index)
        )
        return line + 1, index - (self.text.rfind("\n", 0, index) + 1) + 1

    def mark(self, mark: yaml.Mark) -> tuple[int, int]:
        """Where a node starts; PyYAML's own count when the text has only ``\n`` breaks."""
        if self.newlines is None:
            return mark.line + 1, mark.column + 1
        line = bisect.bisect_left(self.newlines, mark.index)
        return line + 1, mark.index - (self.newlines[line - 1] + 1 if line else 0) + 1


class _Builder:
    """Turns a composed node graph into dicts, lists and scalars, recording positions."""

    def __init__(self, source: Source, lines: _Lines) -> None:
        self.source = source
        self.lines = lines
        self.visited = 0
        self.active: set[int] = set()

    def fail(self, node: yaml.Node, message: str, path: Path) -> YamlError:
        line, column = self.lines.mark(node.start_mark)
        return YamlError(Problem(self.source.filename, line, column, dotted(path), message))

    def build(self, node: yaml.Node, path: Path) -> object:
        self.visited += 1
        if self.visited > MAX_NODES:
            raise self.fail(
                node, f"more than {MAX_NODES} nodes after expanding aliases (an alias bomb?)", path
            )
        self.source.values.setdefault(path, self.lines.mark(node.start_mark))
        if node.tag not in _ALLOWED_TAGS:
            raise self.fail(node, f"unsupported YAML tag {node.tag}", path)
        if isinstance(node, yaml.ScalarNode):
            return self.scalar(node, path)
        if len(path) >= MAX_DEPTH:
            raise self.fail(node, f"maps and lists nested more than {MAX_DEPTH} deep", path)
        if id(node) in self.active:
            raise self.fail(node, "an alias refers to itself (a cyclic document)", path)
        self.active.add(id(node))
        try:
            if isinstance(node, yaml.SequenceNode):
                return [self.build(item, (*path, index)) for index, item in enumerate(node.value)]
            return self.mapping(node, path)
        finally:
            self.active.discard(id(node))

    def scalar(self, node: yaml.ScalarNode, path: Path) -> object:
        """The scalar's value: text, unless its text is the canonical form of a typed value."""
        tag = node.tag
        if tag == _STANDARD + "str" or tag in _KEEP_AS_TEXT:
            return node.value
        if tag == _STANDARD + "null":
            return None
        canonical = _CANONICAL.get(tag)
        if canonical is not None and canonical(node.value):
            return node.value == "true" if tag == _STANDARD + "bool" else int(node.value)
        try:
            reading = _SCALARS.construct_object(node)
        except ValueError:  # an integer longer than Python converts (4,300 digits)
            reading = None
        except yaml.YAMLError as err:  # pragma: no cover - the resolver matched the form already
            raise self.fail(node, f"cannot read this value: {err}", path) from None
        if isinstance(reading, float) and repr(reading) == node.value:
            return reading
        return Written(node.value, reading)

    def mapping(self, node: yaml.Node, path: Path) -> dict:
        """A map node (what is left once scalars and sequences are handled) as a dict."""
        result: dict = {}
        merged: dict = {}
        for key_node, value_node in node.value:
            if key_node.tag == "tag:yaml.org,2002:merge":
                merged.update(self.merge_source(value_node, path))
                continue
            if not isinstance(key_node, yaml.ScalarNode):
                raise self.fail(key_node, "a key must be a plain value, not a list or map", path)
            key = key_node.value  # keys are names: always the text as written
            if key in result:
                first = self.source.keys[(*path, key)]
                raise self.fail(key_node, f"duplicate key {key!r} (first at line {first[0]})", (*path, key))
            self.source.keys[(*path, key)] = self.lines.mark(key_node.start_mark)
            result[key] = self.build(value_node, (*path, key))
        return {**merged, **result}

    def merge_source(self, node: yaml.Node, path: Path) -> dict:
        """The mapping(s) behind a ``<<:`` merge key."""
        nodes = node.value if isinstance(node, yaml.SequenceNode) else [node]
        merged: dict = {}
        for item in reversed(nodes):
            value = self.build(item, path)
            if not isinstance(value, dict):
                raise self.fail(item, "a << merge takes a map or a list of maps", path)
            merged.update(value)
        return merged
