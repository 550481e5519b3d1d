"""Writing a rendered stack set to ``OUT/<stack>/`` without touching anything render did not write.

``fgc render -o ..`` run from a project folder makes ``OUT/<stack>/`` that very
folder, with the user's ``fargate.yaml``, ``package.json`` or ``docker-compose.yaml``
in it. So render keeps a manifest (:data:`MANIFEST`) of the files it wrote and the
sha256 of what it wrote into each, and on the next render:

- a file it is about to write is replaced only when it is absent, identical, or
  listed in the manifest with its content unchanged since; anything else (the
  user's own ``parameters.json``, a template edited by hand, the spec being read)
  stops the render before the first byte is written;
- a file of the earlier render that this one no longer writes (a removed service's
  template, the other ``--format``) is removed only under the same conditions;
  everything else in the folder is left alone.

Each file is replaced atomically (temporary file and rename), so a reader never
sees half a template.

:func:`compare_rendered` is ``fgc render --check``: it reads the folder and says
which files differ from what render would leave there (manifest included), which
are missing and which are extra, and writes nothing.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from fgc.spec.errors import UsageError

if TYPE_CHECKING:
    from fgc.compiler.stackset import StackSet

#: Root parameter values file written beside the templates (never a template name).
PARAMETERS_FILE = "parameters.json"

#: The record of what render wrote into a folder: ``{"format": 1, "files": {name: sha256}}``.
#: Not named ``*.json``, so that globs over the templates (``cfn-lint OUT/*/*.json``) skip it.
MANIFEST = ".fgc-render.manifest"

#: Bump when the manifest's layout changes; a manifest of another format claims no file.
MANIFEST_FORMAT = 1

FORMATS = ("json", "yaml")


class OutputError(UsageError):
    """The output folder cannot be written as asked (exit 2, an impossible request): nothing was written."""


def rendered_files(templates: StackSet, fmt: str = "json") -> dict[str, str]:
    """File name -> text for one stack set: each template, then the root parameter values.

    ``json`` is exactly what a deploy uploads; ``yaml`` is for reading only.
    """
    if fmt not in FORMATS:
        raise ValueError(f"format must be one of {FORMATS}, not {fmt!r}")
    files = {
        f"{name}.{fmt}": templates.body(name) if fmt == "json" else templates.yaml(name) for name in templates
    }
    files[PARAMETERS_FILE] = json.dumps(dict(templates.parameters), indent=2, sort_keys=True) + "\n"
    return files


@dataclass(frozen=True)
class Written:
    """What :func:`write_rendered` did: the files it wrote and the stale ones it removed."""

    folder: Path
    written: tuple[str, ...]
    removed: tuple[str, ...]


def write_rendered(folder: str | Path, files: Mapping[str, str], keep: Iterable[str | Path] = ()) -> Written:
    """Write ``files`` (name -> text) into ``folder`` and remove what an earlier render left behind.

    Only files this function wrote and nobody changed since are replaced or removed
    (see the module docstring); ``keep`` (the spec being read) is never written or
    removed, whatever the manifest says. Raises :class:`OutputError` naming the file
    before anything is written when one is in the way, or when the folder cannot be
    written.
    """
    folder = Path(folder)
    for name in files:
        if name == MANIFEST or Path(name).name != name or name in ("", ".", ".."):
            raise ValueError(f"not a plain file name: {name!r}")
    try:
        owned = _read_manifest(folder)
        protected = [Path(p).resolve() for p in keep]
        blocked = [name for name, text in files.items() if _blocked(folder / name, text, owned, protected)]
        if blocked:
            raise OutputError(
                f"not writing into {folder}: {', '.join(blocked)} "
                f"{'was' if len(blocked) == 1 else 'were'} not written by fgc render "
                "(or changed since), and render replaces only its own files",
                hint="move those files away, or render into another folder",
            )
        stale = sorted(
            name
            for name, sha in owned.items()
            if name not in files and _ours(folder / name, sha) and not _protected(folder / name, protected)
        )
        folder.mkdir(parents=True, exist_ok=True)
        for name, text in files.items():
            _replace(folder / name, text)
        claims = {name: _sha256(text) for name, text in files.items()}
        _replace(folder / MANIFEST, _manifest_text({**claims, **{n: owned[n] for n in stale}}))
        for name in stale:
            (folder / name).unlink(missing_ok=True)
        if stale:
            _replace(folder / MANIFEST, _manifest_text(claims))
    except OSError as err:
        where = err.filename or folder
        hint = "choose a folder you can write to"
        raise OutputError(f"cannot write {where}: {err.strerror}", hint=hint) from None
    return Written(folder, tuple(files), tuple(stale))


@dataclass(frozen=True)
class Drift:
    """What :func:`compare_rendered` found in one folder: file names, each list sorted."""

    folder: Path
    differ: tuple[str, ...]
    missing: tuple[str, ...]
    extra: tuple[str, ...]
    #: every file render would leave in the folder (its manifest included)
    expected: tuple[str, ...]

    @property
    def in_sync(self) -> bool:
        return not (self.differ or self.missing or self.extra)


def compare_rendered(folder: str | Path, files: Mapping[str, str], keep: Iterable[str | Path] = ()) -> Drift:
    """Compare ``folder`` with what :func:`write_rendered` would leave there, reading only.

    In sync means exactly the files render writes, each with the same bytes, and the
    manifest that claims them (a stale manifest would stop the next render from
    replacing the files; it is named only when every template is in sync, since a
    template out of sync implies it). Any other file in the folder is extra, but for
    ``keep`` (the spec being read): a checked folder holds only what render writes. Raises
    :class:`OutputError` when the folder cannot be read.
    """
    folder = Path(folder)
    manifest = _manifest_text({name: _sha256(text) for name, text in files.items()})
    protected = [Path(p).resolve() for p in keep]
    try:
        present = {p.name for p in folder.iterdir() if p.is_file()} if folder.is_dir() else set()
        contents = {name: _content(folder / name) for name in [*files, MANIFEST]}
    except OSError as err:
        raise OutputError(f"cannot read {err.filename or folder}: {err.strerror}") from None
    differ = [n for n, text in files.items() if contents[n] not in (None, text.encode())]
    missing = [n for n in files if contents[n] is None]
    extra = [n for n in present - {*files, MANIFEST} if not _protected(folder / n, protected)]
    if not (differ or missing or extra) and contents[MANIFEST] != manifest.encode():
        # only then: a template out of sync already implies its manifest entry is
        (missing if contents[MANIFEST] is None else differ).append(MANIFEST)
    differ, missing, extra = (sorted(names) for names in (differ, missing, extra))
    return Drift(folder, tuple(differ), tuple(missing), tuple(extra), expected=(*files, MANIFEST))


def _read_manifest(folder: Path) -> dict[str, str]:
    """Name -> sha256 of the files an earlier render wrote here; empty when unknown or unreadable."""
    try:
        data = json.loads((folder / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    files = data.get("files") if isinstance(data, dict) and data.get("format") == MANIFEST_FORMAT else None
    if not isinstance(files, dict):
        return {}
    return {
        name: sha
        for name, sha in files.items()
        if isinstance(name, str) and isinstance(sha, str) and Path(name).name == name and name != MANIFEST
    }


def _manifest_text(files: Mapping[str, str]) -> str:
    return json.dumps({"format": MANIFEST_FORMAT, "files": dict(sorted(files.items()))}, indent=2) + "\n"


def _blocked(path: Path, text: str, owned: Mapping[str, str], protected: list[Path]) -> bool:
    """Whether writing ``text`` to ``path`` would change something render does not own."""
    if _protected(path, protected) or path.is_symlink():  # a link is the user's, wherever it points
        return True
    current = _content(path)
    if current is None:
        return path.exists()  # a folder, a socket: not ours to replace
    return current != text.encode() and not _ours(path, owned.get(path.name))


def _ours(path: Path, sha: str | None) -> bool:
    """Whether ``path`` is a regular file holding exactly what render recorded writing (``sha``)."""
    if sha is None or path.is_symlink():
        return False
    current = _content(path)
    return current is not None and hashlib.sha256(current).hexdigest() == sha


def _protected(path: Path, protected: list[Path]) -> bool:
    return path.resolve() in protected


def _content(path: Path) -> bytes | None:
    """The bytes of a regular file; None for anything else or nothing."""
    if not path.is_file():
        return None
    return path.read_bytes()


def _sha256(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def _replace(path: Path, text: str) -> None:
    """Write ``path`` atomically: a temporary file beside it, then a rename over it."""
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")  # plain open: the file gets the user's umask
    try:
        with open(tmp, "w", encoding="utf-8", newline="") as out:
            out.write(text)
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
