"""The one error family every layer raises.

The CLI catches :class:`FgcError`, prints its message (and hint) and exits with
its ``exit_code``; anything else escaping is a bug and shows a traceback.
"""

from __future__ import annotations

from typing import NamedTuple


class FgcError(Exception):
    """A failure the user can act on: a message, an optional hint, an exit status."""

    exit_code = 1

    def __init__(self, message: str, hint: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint

    def __str__(self) -> str:
        return self.message if not self.hint else f"{self.message}\n  hint: {self.hint}"


class Problem(NamedTuple):
    """One thing wrong with a fargate.yaml, pinned to where it is.

    A NamedTuple: immutable, hashable and ordered by place like a frozen dataclass,
    but defined about ten times faster, which every ``fgc`` start pays for.
    """

    file: str
    line: int
    column: int
    path: str
    message: str

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}:{self.column}"
        return f"{where}: {self.path}: {self.message}" if self.path else f"{where}: {self.message}"


class SpecError(FgcError):
    """The document is invalid; carries every problem found in one run (exit 2)."""

    exit_code = 2

    def __init__(self, problems: list[Problem], hint: str | None = None) -> None:
        self.problems = sorted(set(problems))
        super().__init__("\n".join(str(p) for p in self.problems), hint)


class UsageError(FgcError):
    """Bad command-line arguments or an impossible request (exit 2)."""

    exit_code = 2
