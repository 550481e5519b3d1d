"""On-disk cache of cfn-lint results, one small JSON file per template body.

Linting is the slow part of ``fgc render`` (cfn-lint needs about a second just to
import and load its rules), while most renders change few templates or none. A
result depends only on the template text, the cfn-lint version, the regions and
which rules run, so that tuple is the key. Reading the cache must not import
cfn-lint: the installed version is read from its ``version.py`` without importing
the package, which keeps a warm render well under a second.
"""

from __future__ import annotations

import hashlib
import importlib.util
import json
import os
import re
from collections.abc import Sequence
from functools import cache
from pathlib import Path
from typing import Any

#: Bump when the stored layout changes so old files are simply never read again.
FORMAT = 1

#: The keys of every stored finding (compiler.lint.Finding without the template name).
FIELDS = frozenset({"line", "column", "rule", "level", "message"})


def cache_dir() -> Path:
    """``$FGC_CACHE_DIR/lint``, else ``$XDG_CACHE_HOME/fgc/lint``, else ``~/.cache/fgc/lint``."""
    root = os.environ.get("FGC_CACHE_DIR")
    if root:
        return Path(root) / "lint"
    xdg = os.environ.get("XDG_CACHE_HOME")
    base = Path(xdg) if xdg else Path.home() / ".cache"
    return base / "fgc" / "lint"


@cache
def cfn_lint_version() -> str:
    """The installed cfn-lint version, found without importing cfn-lint (that costs ~1 s)."""
    found = importlib.util.find_spec("cfnlint")
    if found is None or found.origin is None:
        return "missing"
    text = Path(found.origin).with_name("version.py").read_text(encoding="utf-8")
    match = re.search(r"""__version__\s*=\s*["']([^"']+)["']""", text)
    return match.group(1) if match else "unknown"


def cache_key(body_sha256: str, regions: Sequence[str], checks: Sequence[str]) -> str:
    """Everything a lint result depends on, hashed into one file name."""
    parts = [f"v{FORMAT}", body_sha256, cfn_lint_version(), ",".join(regions), ",".join(checks)]
    return hashlib.sha256("\n".join(parts).encode()).hexdigest()


def read(key: str) -> list[dict[str, Any]] | None:
    """The stored findings for `key`, or None when absent or unreadable (a miss, never an error)."""
    try:
        data = json.loads((cache_dir() / f"{key}.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if not isinstance(data, list) or not all(isinstance(f, dict) and f.keys() == FIELDS for f in data):
        return None
    return data


def write(key: str, findings: list[dict[str, Any]]) -> None:
    """Store findings atomically (temp file + rename); a cache that cannot be written is skipped."""
    _store(cache_dir(), key, findings)


def _store(folder: Path, key: str, value: object) -> None:
    import tempfile  # not needed by a warm render, which only reads

    try:
        folder.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=folder, prefix=f".{key[:16]}.", suffix=".tmp")
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as out:
                json.dump(value, out, separators=(",", ":"))
            os.replace(tmp, folder / f"{key}.json")
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
    except OSError:
        return


def recall(input_key: str) -> list[str]:
    """The cache keys that the last lint of ``input_key`` looked up (empty when unknown)."""
    try:
        keys = json.loads((cache_dir() / "inputs" / f"{input_key}.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return []
    return keys if isinstance(keys, list) and all(isinstance(k, str) for k in keys) else []


def remember(input_key: str, keys: list[str]) -> None:
    """Record which cache keys a lint of ``input_key`` looked up (see :meth:`lint.Linter.warm_up`)."""
    if recall(input_key) != keys:
        _store(cache_dir() / "inputs", input_key, keys)


def all_cached(keys: list[str]) -> bool:
    """Whether every key has a stored result (False for no keys: nothing is known)."""
    folder = cache_dir()
    return bool(keys) and all((folder / f"{key}.json").is_file() for key in keys)
