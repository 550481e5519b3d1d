"""cfn-lint, in-process, over every template of a stack set at once.

The cfn-lint CLI spends about a second importing itself and loading its ~340 rules
before it reads a template, and then lints files one after another. Here the rules
are loaded once per process, results are cached per template body (see
:mod:`compiler.lint_cache`), and only cache misses are linted, in parallel across
the available cores by forked workers that inherit the loaded rules. A run where
every template hits the cache never imports cfn-lint.

Findings reported: every error and warning, and of the informational rules only
those the project holds its templates to (:data:`INFORMATIONAL_RULES`); cfn-lint's
other informational rules are advice that does not fit generated templates.
Line numbers refer to ``StackSet.body(name)``: the exact JSON text that
``fgc render`` writes and ``fgc deploy`` uploads. Nested templates are linted as
standalone templates.

Loading cfn-lint (about 0.8 s of CPU) is the longest step of a cold render, longer
than loading and compiling the spec. A :class:`Linter` (one per run) owns the
machinery: :meth:`Linter.warm_up` starts loading cfn-lint early in a forked child
process, so the two overlap on two cores; when :meth:`Linter.lint` then finds
templates missing from the cache, that child lints them, and when every template
hits the cache the child is stopped unused. The garbage collector stays off while
cfn-lint loads, and skips what was loaded while it lints: otherwise it re-scans
cfn-lint's large, long-lived heap of rules and schemas many times over.

Environment: ``FGC_CACHE_DIR`` moves the cache (see :func:`lint_cache.cache_dir`);
``FGC_LINT_WORKERS`` caps the worker processes (1 lints in the calling process, with
no warm-up child either).
"""

from __future__ import annotations

import atexit
import gc
import os
import pickle
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from functools import cache, partial
from typing import TYPE_CHECKING, Any, NamedTuple

from fgc.compiler import lint_cache, lint_fork
from fgc.spec.errors import FgcError

if TYPE_CHECKING:
    from fgc.compiler.stackset import StackSet

#: Informational rules whose findings count: stateful resources need explicit
#: DeletionPolicy/UpdateReplacePolicy (I3011) and ARNs must not hard-code
#: partition, region or account (I3042).
INFORMATIONAL_RULES = ("I3011", "I3042")

#: Region linted when the spec names none (cfn-lint's own default).
DEFAULT_REGION = "us-east-1"


class LintError(FgcError):
    """cfn-lint cannot run as asked (e.g. a region it does not know)."""

    exit_code = 2


@dataclass(frozen=True)
class Finding:
    """One cfn-lint result, pinned to a line of the rendered JSON of one template."""

    template: str
    line: int
    column: int
    rule: str
    level: str
    message: str

    def __str__(self) -> str:
        return f"{self.template}.json:{self.line}: {self.rule}: {self.message}"


@dataclass(frozen=True)
class LintRun:
    """What one :meth:`Linter.run` found and did; the counters let tests and benches see the cache work."""

    findings: list[Finding]
    templates: int
    cache_hits: int
    linted: int
    workers: int


def lint(templates: StackSet, regions: Sequence[str] | None = None) -> list[Finding]:
    """Lint every template of `templates`; findings in template order, then by line.

    `regions` defaults to :data:`DEFAULT_REGION`; pass the region the stack set is for.
    The simple entry point: one :class:`Linter`, used once (no warm-up child).
    """
    return Linter().lint(templates, regions)


class _WarmChild(NamedTuple):
    """A forked process loading cfn-lint, and the pipe on which it waits for one request."""

    process: lint_fork.Child
    requests: int


class Linter:
    """One run's linting machinery: the warm-up child, the forked workers, the content cache.

    ``fgc render``, ``diff`` and ``deploy`` make one per run: :meth:`warm_up` first
    thing, :meth:`lint` once the templates are compiled. Everything one run leaves
    behind (the child, the input key) belongs to the instance, so nothing carries
    over to another ``Linter``. What lives on in the process is only what cannot
    differ between runs: cfn-lint's loaded rules (:func:`_rules`), which forked
    workers inherit, and the cache on disk (:mod:`compiler.lint_cache`).
    """

    def __init__(self) -> None:
        self._warm_child: _WarmChild | None = None
        self._input_key: str | None = None

    def __enter__(self) -> Linter:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @property
    def warm_child_pid(self) -> int | None:
        """The process id of the warm-up child while it waits, else None."""
        return self._warm_child.process.pid if self._warm_child else None

    def warm_up(self, input_key: str | None = None) -> None:
        """Start loading cfn-lint in a child process now, for a :meth:`lint` call to come.

        Call it as early as possible (``fgc render`` does before it reads the spec). It
        does nothing where the child could not run beside this process: one core, no
        ``fork``, or ``FGC_LINT_WORKERS=1``. A child that is never asked to lint is stopped
        by :meth:`lint` on a full cache hit, by :meth:`close`, or when this process exits.

        ``input_key`` names what the templates will be made from (see
        :func:`compiler.pipeline.input_key`). The next :meth:`lint` records its cache keys
        under it, and when all of those are cached already no child is started: on a
        warm render it would only compete with this process for the CPU. A wrong guess
        costs speed, never findings: :meth:`lint` lints what is missing.
        """
        self._input_key = input_key
        if self._warm_child is not None or _worker_count() < 2 or not lint_fork.available():
            return
        if input_key is not None and lint_cache.all_cached(lint_cache.recall(input_key)):
            return
        request_out, request_in = os.pipe()
        child = lint_fork.fork(partial(_serve, request_out), close=[request_in])
        os.close(request_out)
        self._warm_child = _WarmChild(child, request_in)
        atexit.register(self.close)

    def lint(self, templates: StackSet, regions: Sequence[str] | None = None) -> list[Finding]:
        """Lint every template of `templates` (see :func:`lint`)."""
        return self.run(templates, regions).findings

    def run(self, templates: StackSet, regions: Sequence[str] | None = None) -> LintRun:
        """:meth:`lint`, with what it took: templates, cache hits, templates linted, processes."""
        regions = tuple(regions or (DEFAULT_REGION,))
        keys = {
            name: lint_cache.cache_key(templates.sha256(name), regions, INFORMATIONAL_RULES)
            for name in templates
        }
        if self._input_key is not None:
            lint_cache.remember(self._input_key, list(keys.values()))
        results: dict[str, list[dict[str, Any]]] = {}
        for key in dict.fromkeys(keys.values()):
            stored = lint_cache.read(key)
            if stored is not None:
                results[key] = stored
        missing = {key: name for name, key in keys.items() if key not in results}
        workers = 0
        try:
            if missing:
                bodies = [templates.body(name) for name in missing.values()]
                linted, workers = self._lint_in_warm_child(bodies, regions) or _lint_bodies(bodies, regions)
                for key, found in zip(missing, linted, strict=True):
                    lint_cache.write(key, found)
                    results[key] = found
        finally:
            self.close()
        findings = [Finding(template=name, **raw) for name in templates for raw in results[keys[name]]]
        return LintRun(findings, len(keys), len(keys) - len(missing), len(missing), workers)

    def close(self) -> None:
        """Stop a warm child that will not be needed (all templates were cached, or exiting)."""
        atexit.unregister(self.close)
        child, self._warm_child = self._warm_child, None
        if child is not None:
            os.close(child.requests)
            lint_fork.stop(child.process)

    def _lint_in_warm_child(
        self, bodies: list[str], regions: tuple[str, ...]
    ) -> tuple[list[list[dict[str, Any]]], int] | None:
        """Have the warm child lint ``bodies``; None when there is no child or it died."""
        child, self._warm_child = self._warm_child, None
        if child is None:
            return None
        try:
            with os.fdopen(child.requests, "wb") as outbox:
                pickle.dump((bodies, tuple(regions)), outbox)
        except BrokenPipeError:
            pass  # the child died while loading cfn-lint; it has no reply
        reply = lint_fork.result(child.process)
        if not isinstance(reply, tuple):
            return None  # no reply (it died): lint here instead, slower, same findings
        kind, *rest = reply
        if kind == "refused":
            raise LintError(*rest)
        return rest[0], rest[1]


def _lint_bodies(bodies: list[str], regions: tuple[str, ...]) -> tuple[list[list[dict[str, Any]]], int]:
    """Lint template texts: here, and in forked workers when there are several and cores to spare.

    Rules are loaded first, so every worker inherits them instead of loading its own;
    the largest templates go first so that the processes finish together.
    """
    _config(regions)
    with _loaded_heap_frozen():
        processes = min(len(bodies), _worker_count())
        if processes < 2 or not lint_fork.available():
            return [_lint_then_collect(body, regions) for body in bodies], 1
        largest_first = sorted(range(len(bodies)), key=lambda i: -len(bodies[i]))
        found = lint_fork.map_forked(
            lambda i: _lint_then_collect(bodies[i], regions), largest_first, processes
        )
        return [found[i] for i in range(len(bodies))], processes


@contextmanager
def _collector_paused() -> Iterator[None]:
    """The automatic collector off for the block, then as it was.

    Used while cfn-lint loads (a large heap that lives on, and little garbage) and,
    with that heap frozen, while it lints (see :func:`_loaded_heap_frozen`).
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


@contextmanager
def _loaded_heap_frozen() -> Iterator[None]:
    """While linting, the collector runs once per template and skips what was loaded.

    Linting makes cyclic garbage (cfn-lint builds validator classes as it goes): left
    alone it grows by about 2.5 MB a template. The automatic collector, on the other
    hand, would scan the young objects again and again within each template. So it is
    off, :func:`_lint_then_collect` collects the youngest generation once per
    template, and the loaded heap (cfn-lint's rules and schemas) is frozen so that no
    collection scans it. Afterwards all is handed back: a library caller keeps its
    usual collector.
    """
    gc.freeze()
    try:
        with _collector_paused():
            yield
    finally:
        gc.unfreeze()


def _serve(requests: int) -> tuple | None:
    """In the warm child: load cfn-lint, then lint the one request the parent sends, if any."""
    _rules()
    with os.fdopen(requests, "rb") as inbox:
        request = inbox.read()
    if not request:
        return None  # the parent needed no lint (or is gone)
    bodies, regions = pickle.loads(request)
    try:
        return ("linted", *_lint_bodies(bodies, regions))
    except LintError as err:
        return ("refused", err.message, err.hint)


def _worker_count() -> int:
    """``$FGC_LINT_WORKERS`` if set (1 = no fork), else the cores this process may run on."""
    wanted = os.environ.get("FGC_LINT_WORKERS", "")
    if wanted.isdigit() and int(wanted) > 0:
        return int(wanted)
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:
        return os.cpu_count() or 1


def _isolated_config(**settings: Any) -> Any:
    """A cfn-lint configuration that reads no ``.cfnlintrc`` (home or working directory).

    An rc file could add or silence rules, and then a cached result would depend on
    where it was computed; the cache key covers only version, regions and rules.
    ``os.devnull`` as the config file is not a regular file, so cfn-lint reads nothing.
    """
    from cfnlint.config import ConfigMixIn

    return ConfigMixIn(["--config-file", os.devnull], **settings)


@cache
def _rules() -> Any:
    """cfn-lint's rule collection, loaded once per process (importing cfn-lint happens here).

    Process-wide on purpose, unlike a :class:`Linter`'s state: the rules are the same for
    every run, cost about a second to load, and forked workers inherit them.
    """
    with _collector_paused():
        from cfnlint.runner import Runner

        return Runner(_isolated_config()).rules


@cache
def _config(regions: tuple[str, ...]) -> Any:
    """The configuration for `regions`; loads the rules first so forked workers inherit them."""
    from cfnlint.helpers import REGIONS

    unknown = sorted(set(regions) - set(REGIONS))
    if unknown:
        raise LintError(f"cfn-lint does not know region(s) {', '.join(unknown)}", hint="upgrade cfn-lint")
    _rules()
    return _isolated_config(regions=list(regions), include_checks=list(INFORMATIONAL_RULES))


def _lint_body(body: str, regions: tuple[str, ...]) -> list[dict[str, Any]]:
    """Findings of one template text as plain dicts (picklable, and the cache's file format)."""
    from cfnlint.decode import cfn_json
    from cfnlint.runner import run_template_by_data

    try:
        template = cfn_json.loads(body)
    except cfn_json.JSONDecodeError as err:
        matches = err.matches
    except ValueError as err:  # json's own decode error: not JSON at all
        return [_raw(getattr(err, "lineno", 1), getattr(err, "colno", 1), "E0000", "error", str(err))]
    else:
        matches = run_template_by_data(template, _config(regions), _rules())
    found = {
        (m.linenumber, m.columnnumber, m.rule.id, m.rule.severity, m.message)
        for m in matches
        if m.rule.severity != "informational" or m.rule.id in INFORMATIONAL_RULES
    }
    return [_raw(*f) for f in sorted(found)]


def _lint_then_collect(body: str, regions: tuple[str, ...]) -> list[dict[str, Any]]:
    """:func:`_lint_body`, then collect its garbage, now unreachable (see :func:`_loaded_heap_frozen`)."""
    found = _lint_body(body, regions)
    gc.collect(0)
    return found


def _raw(line: int, column: int, rule: str, level: str, message: str) -> dict[str, Any]:
    return {"line": line, "column": column, "rule": rule, "level": level, "message": message}
