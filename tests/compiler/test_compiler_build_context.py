"""Content tags: same source, same tag; anything the image is made of changes it; ignored files do not.

`.dockerignore` cases follow Docker's documented rules (Dockerfile reference, ".dockerignore file"):
Go `filepath.Match` patterns, `**` for any number of folders, `!` exceptions with the last match
winning, a leading `/` dropped, a pattern excluding a folder excluding everything below it.
"""

from __future__ import annotations

import os
import re
from dataclasses import replace
from pathlib import Path

import pytest
from fgc.compiler import build_context as content
from fgc.compiler.build_context import ImageBuild, content_tag, context_files, ignore_patterns, is_excluded


@pytest.fixture
def build(tmp_path: Path) -> ImageBuild:
    (tmp_path / "Dockerfile").write_text("FROM scratch\nCOPY . /app\n")
    (tmp_path / "main.py").write_text("print('hi')\n")
    (tmp_path / "lib").mkdir()
    (tmp_path / "lib" / "util.py").write_text("X = 1\n")
    (tmp_path / "notes.md").write_text("notes\n")
    (tmp_path / ".dockerignore").write_text("# docs stay out\n*.md\n")
    return ImageBuild(tmp_path)


def test_the_tag_is_short_readable_and_stable(build):
    tag = content_tag(build)
    assert re.fullmatch(r"src-[0-9a-f]{12}", tag)
    assert content_tag(build) == tag
    assert content_tag(ImageBuild(Path(str(build.context)), args={})) == tag


def test_same_source_elsewhere_gives_the_same_tag(build, tmp_path_factory):
    copy = tmp_path_factory.mktemp("copy")
    for path in sorted(build.context.rglob("*")):
        target = copy / path.relative_to(build.context)
        if path.is_dir():
            target.mkdir()
        else:
            target.write_bytes(path.read_bytes())
    assert content_tag(ImageBuild(copy)) == content_tag(build)


def test_a_changed_file_changes_the_tag(build):
    before = content_tag(build)
    (build.context / "lib" / "util.py").write_text("X = 2\n")
    assert content_tag(build) != before


def test_a_new_renamed_or_executable_file_changes_the_tag(build):
    tags = {content_tag(build)}
    (build.context / "extra.py").write_text("")
    tags.add(content_tag(build))
    (build.context / "extra.py").rename(build.context / "other.py")
    tags.add(content_tag(build))
    os.chmod(build.context / "other.py", 0o755)
    tags.add(content_tag(build))
    assert len(tags) == 4


def test_an_ignored_file_does_not_change_the_tag(build):
    before = content_tag(build)
    (build.context / "notes.md").write_text("rewritten notes\n")
    (build.context / "more.md").write_text("new\n")
    assert content_tag(build) == before


def test_the_dockerfile_target_args_and_platform_each_change_the_tag(build):
    base = content_tag(build)
    variants = [
        replace(build, target="prod"),
        replace(build, args={"VERSION": "1"}),
        replace(build, args={"VERSION": "2"}),
        replace(build, platform="linux/arm64"),
        replace(build, platform="linux/amd64"),
    ]
    tags = [content_tag(v) for v in variants]
    assert base not in tags and len(set(tags)) == len(tags)
    (build.context / "Dockerfile").write_text("FROM scratch\nCOPY . /srv\n")
    assert content_tag(build) != base


def test_a_dockerfile_outside_the_context_and_its_own_ignore_file(tmp_path):
    context = tmp_path / "src"
    context.mkdir()
    (context / "a.txt").write_text("a")
    (context / "b.txt").write_text("b")
    dockerfile = tmp_path / "build" / "app.Dockerfile"
    dockerfile.parent.mkdir()
    dockerfile.write_text("FROM scratch\nCOPY a.txt /\n")
    build = ImageBuild(context, dockerfile=dockerfile)
    assert [name for name, _ in context_files(build)] == ["a.txt", "b.txt"]
    # BuildKit's Dockerfile-specific ignore file wins over the context's .dockerignore
    (context / ".dockerignore").write_text("a.txt\n")
    Path(f"{dockerfile}.dockerignore").write_text("b.txt\n")
    assert [name for name, _ in context_files(build)] == [".dockerignore", "a.txt"]


@pytest.mark.parametrize(
    ("patterns", "path", "excluded"),
    [
        ("*.md", "README.md", True),
        ("*.md", "docs/README.md", False),  # `*` stays within one folder
        ("**/*.md", "docs/deep/README.md", True),
        ("**/*.md", "README.md", True),  # `**` matches zero folders too
        ("docs/**", "docs/a/b.txt", True),
        ("/build", "build/out.o", True),  # leading slash dropped; a folder excludes its contents
        ("build", "src/build", False),  # patterns are anchored at the context root
        ("temp?", "tempa", True),
        ("temp?", "temp", False),
        ("[a-c].txt", "b.txt", True),
        ("[^a-c].txt", "b.txt", False),
        ("*.md\n!README.md", "README.md", False),
        ("*.md\n!README*.md\nREADME-secret.md", "README-secret.md", True),
        ("*.md\nREADME-secret.md\n!README*.md", "README-secret.md", False),  # last match wins
        ("*\n!src", "src/main.py", False),
        ("  spaced.txt  ", "spaced.txt", True),
        ("# comment.txt", "# comment.txt", False),
        ("a/../b.txt", "b.txt", True),  # cleaned like filepath.Clean
        ("\\*.txt", "*.txt", True),
        ("\\*.txt", "x.txt", False),
    ],
)
def test_dockerignore_rules(patterns, path, excluded):
    assert is_excluded(path, ignore_patterns(patterns)) is excluded


def test_exceptions_can_reach_into_an_excluded_folder(tmp_path):
    (tmp_path / "Dockerfile").write_text("FROM scratch\n")
    (tmp_path / "vendor" / "keep").mkdir(parents=True)
    (tmp_path / "vendor" / "drop.txt").write_text("")
    (tmp_path / "vendor" / "keep" / "this.txt").write_text("")
    (tmp_path / ".dockerignore").write_text("vendor\n!vendor/keep/this.txt\n")
    names = [name for name, _ in context_files(ImageBuild(tmp_path))]
    assert "vendor/keep/this.txt" in names and "vendor/drop.txt" not in names


def test_an_excluded_folder_is_not_walked_when_nothing_can_come_back(tmp_path, monkeypatch):
    (tmp_path / "Dockerfile").write_text("FROM scratch\n")
    (tmp_path / "node_modules" / "pkg").mkdir(parents=True)
    (tmp_path / "node_modules" / "pkg" / "index.js").write_text("")
    (tmp_path / ".dockerignore").write_text("node_modules\n")
    walked: list[str] = []
    scandir = os.scandir

    def recording(path: str) -> object:
        walked.append(os.path.relpath(path, tmp_path))
        return scandir(path)

    monkeypatch.setattr(content.os, "scandir", recording)
    assert [name for name, _ in context_files(ImageBuild(tmp_path))] == [".dockerignore", "Dockerfile"]
    assert walked == ["."]


def test_a_symlink_is_hashed_as_a_link(build):
    before = content_tag(build)
    (build.context / "link").symlink_to("main.py")
    with_link = content_tag(build)
    (build.context / "link").unlink()
    (build.context / "link").symlink_to("lib/util.py")
    assert len({before, with_link, content_tag(build)}) == 3
