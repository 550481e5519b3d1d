"""Writing a file the user named (``fgc schema -o``, ``fgc init -f``): whole or not at all.

A path that cannot be written (a folder, a missing folder, no permission) is one
line naming the path and why, exit 2, never a traceback; the text goes to a
temporary file beside the target first, so a failure never leaves half a file.
"""

from __future__ import annotations

import errno
import os
from pathlib import Path

from fgc.spec.errors import UsageError


def write_file(path: str | Path, text: str, *, option: str, overwrite: bool = True) -> None:
    """Write ``text`` to ``path`` atomically; without ``overwrite``, refuse an existing file.

    ``option`` names the argument the path came from, for the hint (``-o/--output``).
    """
    target = Path(path)
    if target.is_dir():
        raise UsageError(f"cannot write {target}: it is a folder", f"give {option} a file name inside it")
    if not overwrite and target.exists():
        raise UsageError(f"{target} exists already; not overwriting it", f"use {option} to pick another file")
    try:
        if overwrite:
            _replace(target, text)
        else:
            _create(target, text)
    except OSError as err:
        raise UsageError(f"cannot write {target}: {_why(err, target)}", f"check {option}") from None


def _replace(target: Path, text: str) -> None:
    """Write a temporary file beside ``target``, then move it over ``target`` in one step."""
    tmp = target.with_name(f".{target.name}.{os.getpid()}.tmp")
    try:
        with open(tmp, "x", encoding="utf-8", newline="") as out:
            out.write(text)
        os.replace(tmp, target)
    finally:
        tmp.unlink(missing_ok=True)


def _create(target: Path, text: str) -> None:
    """Create ``target`` (refused if it exists, even one made a moment ago); removed if the write fails."""
    with open(target, "x", encoding="utf-8", newline="") as out:
        try:
            out.write(text)
        except BaseException:
            target.unlink(missing_ok=True)
            raise


def _why(err: OSError, target: Path) -> str:
    """The reason a write failed, in the user's terms."""
    if err.errno == errno.ENOENT and not target.parent.exists():
        return f"the folder {target.parent} does not exist"
    if err.errno == errno.EEXIST:
        return "it exists already; not overwriting it"
    if err.errno == errno.ENOTDIR:
        return "a part of the path is a file, not a folder"
    return err.strerror or str(err)
