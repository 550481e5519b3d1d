"""The content tag of an image build: same source, same tag (reads files only: no boto3, no builder).

`content_tag(build)` hashes what decides the image: the context's files as the builder would send
them (`.dockerignore` honoured), the Dockerfile, the target, the build args and the platform. It reads
files and nothing else (no network, no clock, no builder), so `fgc render` can show the tag a deploy
would push without building anything, and an unchanged source is recognised as already pushed.

`.dockerignore` follows Docker's documented rules (Dockerfile reference, ".dockerignore file"):
one pattern a line, `#` in column 1 a comment, surrounding whitespace trimmed, paths cleaned and a
leading `/` dropped (the context is both root and working directory); Go's `filepath.Match` syntax
(`*`, `?`, `[...]`, `\\` escapes) plus `**` for any number of directories, zero included; a pattern
excludes what it matches and everything below it; `!` re-includes, and the last matching line wins.
A Dockerfile-specific `<Dockerfile>.dockerignore` beside the Dockerfile takes precedence, as BuildKit
does.
"""

from __future__ import annotations

import hashlib
import os
import posixpath
import re
import stat
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path

TAG_PREFIX = "src-"
TAG_HEX = 12
_FORMAT = b"fgc-content-tag/1\n"  # bump when what is hashed changes, so old tags are not reused


@dataclass(frozen=True)
class ImageBuild:
    """One image to build: the context folder and what the builder is told about it.

    `dockerfile` is relative to the context unless absolute (default `<context>/Dockerfile`);
    `platform` is e.g. `linux/amd64` or `linux/arm64`, None for the builder's own."""

    context: Path
    dockerfile: Path | None = None
    target: str | None = None
    args: Mapping[str, str] = field(default_factory=dict)
    platform: str | None = None

    @property
    def dockerfile_path(self) -> Path:
        if self.dockerfile is None:
            return self.context / "Dockerfile"
        return self.dockerfile if self.dockerfile.is_absolute() else self.context / self.dockerfile


@dataclass(frozen=True)
class _Pattern:
    regex: re.Pattern[str]
    exclusion: bool  # a `!` line: re-includes what it matches


def content_tag(build: ImageBuild) -> str:
    """`src-<12 hex>`: a digest of everything that decides the image (see the module docstring)."""
    digest = hashlib.sha256(_FORMAT)
    for part in (build.target or "", build.platform or ""):
        digest.update(_framed(part.encode()))
    for key in sorted(build.args):
        digest.update(_framed(f"{key}={build.args[key]}".encode()))
    digest.update(_framed(build.dockerfile_path.read_bytes()))
    for relative, entry in context_files(build):
        digest.update(_framed(relative.encode()))
        digest.update(_framed(_entry_digest(entry)))
    return TAG_PREFIX + digest.hexdigest()[:TAG_HEX]


def context_files(build: ImageBuild) -> Iterator[tuple[str, os.DirEntry[str]]]:
    """The context's entries the builder would send, as (`posix/relative/path`, entry), sorted."""
    patterns = ignore_patterns(_ignore_text(build))
    prune = not any(p.exclusion for p in patterns)  # nothing below an excluded folder can come back
    yield from _walk(str(build.context), "", patterns, (False,) * len(patterns), prune)


def _walk(
    folder: str, prefix: str, patterns: list[_Pattern], above: tuple[bool, ...], prune: bool
) -> Iterator[tuple[str, os.DirEntry[str]]]:
    """`above[i]`: pattern i matched a folder this one is in (or this one), so it matches all below."""
    with os.scandir(folder) as scan:
        entries = sorted(scan, key=lambda e: e.name)
    for entry in entries:
        relative = prefix + entry.name
        hits = _hits(relative, patterns, above)
        excluded = _decide(patterns, hits)
        is_dir = entry.is_dir(follow_symlinks=False)
        if not excluded:
            yield (relative + "/" if is_dir else relative), entry
        if is_dir and not (excluded and prune):
            yield from _walk(entry.path, relative + "/", patterns, hits, prune)


def _ignore_text(build: ImageBuild) -> str:
    specific = build.dockerfile_path.with_name(build.dockerfile_path.name + ".dockerignore")
    for candidate in (specific, build.context / ".dockerignore"):
        if candidate.is_file():
            return candidate.read_text(encoding="utf-8")
    return ""


def ignore_patterns(text: str) -> list[_Pattern]:
    """`.dockerignore` lines as matchers, in file order."""
    patterns = []
    for raw in text.splitlines():
        if raw.startswith("#"):
            continue
        line = raw.strip()
        exclusion = line.startswith("!")
        line = line[1:].strip() if exclusion else line
        if not line:
            continue
        cleaned = posixpath.normpath(line).lstrip("/")
        if cleaned in ("", "."):
            continue
        patterns.append(_Pattern(re.compile(_glob_regex(cleaned)), exclusion))
    return patterns


def is_excluded(relative: str, patterns: list[_Pattern]) -> bool:
    """Docker's rule: the last pattern matching the path or one of its parent folders decides."""
    parts = relative.split("/")
    hits = (False,) * len(patterns)
    for n in range(len(parts)):
        hits = _hits("/".join(parts[: n + 1]), patterns, hits)
    return _decide(patterns, hits)


def _hits(relative: str, patterns: list[_Pattern], above: tuple[bool, ...]) -> tuple[bool, ...]:
    return tuple(
        hit or p.regex.fullmatch(relative) is not None for p, hit in zip(patterns, above, strict=True)
    )


def _decide(patterns: list[_Pattern], hits: tuple[bool, ...]) -> bool:
    excluded = False
    for pattern, hit in zip(patterns, hits, strict=True):
        # only a `!` line can undo an exclusion, and only a plain line can make one
        if hit and pattern.exclusion == excluded:
            excluded = not pattern.exclusion
    return excluded


def _glob_regex(pattern: str) -> str:
    """Go's `filepath.Match` syntax, plus Docker's `**`, as a regular expression."""
    out, i = [], 0
    while i < len(pattern):
        char = pattern[i]
        if pattern.startswith("**", i):
            i += 2
            if pattern.startswith("/", i):  # `**/`: any number of folders, zero included
                out.append("(?:.*/)?")
                i += 1
            else:
                out.append(".*")
            continue
        if char == "*":
            out.append("[^/]*")
        elif char == "?":
            out.append("[^/]")
        elif char == "\\" and i + 1 < len(pattern):
            i += 1
            out.append(re.escape(pattern[i]))
        elif char == "[":
            end = pattern.find("]", i + 1)
            if end == -1:
                out.append(re.escape(char))
            else:
                body = pattern[i + 1 : end]
                negate = body.startswith("^")
                body = body[1:] if negate else body
                out.append("[" + ("^" if negate else "") + body.replace("\\", "\\\\") + "]")
                i = end
        else:
            out.append(re.escape(char))
        i += 1
    return "".join(out)


def _entry_digest(entry: os.DirEntry[str]) -> bytes:
    """What a builder copies of one entry: a folder, a link's target, or a file's bytes and
    executable bit (the rest of the mode varies with the checkout's umask, not with the source)."""
    info = entry.stat(follow_symlinks=False)
    if stat.S_ISDIR(info.st_mode):
        return b"dir"
    if stat.S_ISLNK(info.st_mode):
        return b"link:" + os.readlink(entry.path).encode()
    digest = hashlib.sha256(b"exec" if info.st_mode & 0o111 else b"file")
    with open(entry.path, "rb") as handle:
        while chunk := handle.read(1 << 20):
            digest.update(chunk)
    return digest.digest()


def _framed(data: bytes) -> bytes:
    """Length-prefixed, so no two different sequences of parts hash the same."""
    return len(data).to_bytes(8, "big") + data
