"""fgc.compiler.output: render replaces and removes only the files it wrote, and fails before writing."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from fgc.compiler.output import MANIFEST, OutputError, compare_rendered, write_rendered


def files_in(folder: Path) -> dict[str, str]:
    return {p.name: p.read_text() for p in sorted(folder.iterdir()) if p.name != MANIFEST}


def test_a_first_render_writes_every_file_and_records_it(tmp_path: Path) -> None:
    done = write_rendered(tmp_path / "out", {"root.json": "{}\n", "parameters.json": "{}\n"})
    assert files_in(tmp_path / "out") == {"root.json": "{}\n", "parameters.json": "{}\n"}
    assert set(json.loads((tmp_path / "out" / MANIFEST).read_text())["files"]) == set(done.written)
    assert done.removed == ()


def test_stale_files_it_wrote_go_and_everything_else_stays(tmp_path: Path) -> None:
    write_rendered(tmp_path, {"root.json": "1", "service-web.json": "2", "service-api.json": "3"})
    (tmp_path / "mine.json").write_text("user")
    done = write_rendered(tmp_path, {"root.json": "1", "service-api.json": "3"})
    assert done.removed == ("service-web.json",)
    assert files_in(tmp_path) == {"root.json": "1", "service-api.json": "3", "mine.json": "user"}


def test_a_file_it_wrote_and_someone_edited_since_is_neither_replaced_nor_removed(tmp_path: Path) -> None:
    write_rendered(tmp_path, {"root.json": "1", "service-web.json": "2"})
    (tmp_path / "service-web.json").write_text("edited")
    assert write_rendered(tmp_path, {"root.json": "1"}).removed == ()
    assert (tmp_path / "service-web.json").read_text() == "edited"
    with pytest.raises(OutputError, match="service-web.json"):
        write_rendered(tmp_path, {"root.json": "new", "service-web.json": "3"})
    assert files_in(tmp_path) == {"root.json": "1", "service-web.json": "edited"}  # nothing written


def test_an_existing_file_render_did_not_write_blocks_the_whole_render(tmp_path: Path) -> None:
    (tmp_path / "parameters.json").write_text('{"mine": true}')
    with pytest.raises(OutputError, match="parameters.json was not written by fgc render") as refused:
        write_rendered(tmp_path, {"root.json": "{}", "parameters.json": "{}"})
    assert refused.value.exit_code == 2  # a usage error: this -o cannot be written as asked
    assert files_in(tmp_path) == {"parameters.json": '{"mine": true}'}
    assert not (tmp_path / MANIFEST).exists()


def test_an_identical_file_is_simply_adopted(tmp_path: Path) -> None:
    (tmp_path / "root.json").write_text("{}")
    write_rendered(tmp_path, {"root.json": "{}"})
    assert write_rendered(tmp_path, {}).removed == ("root.json",)


def test_the_spec_is_never_written_nor_removed_whatever_the_manifest_says(tmp_path: Path) -> None:
    write_rendered(tmp_path, {"root.yaml": "a: 1\n"})
    spec_file = tmp_path / "root.yaml"  # the user made the rendered file their spec, unchanged
    with pytest.raises(OutputError, match="root.yaml"):
        write_rendered(tmp_path, {"root.yaml": "b: 2\n"}, keep=[spec_file])
    assert (
        write_rendered(tmp_path, {"root.json": "{}"}, keep=[str(tmp_path / "." / "root.yaml")]).removed == ()
    )
    assert spec_file.read_text() == "a: 1\n"


def test_a_corrupt_or_foreign_manifest_claims_nothing(tmp_path: Path) -> None:
    (tmp_path / "service-web.json").write_text("2")
    for manifest in ("{half", '{"format": 99, "files": {"service-web.json": "x"}}', '{"files": []}'):
        (tmp_path / MANIFEST).write_text(manifest)
        assert write_rendered(tmp_path, {"root.json": "1"}).removed == ()
        assert (tmp_path / "service-web.json").read_text() == "2"


def test_manifest_entries_outside_the_folder_are_ignored(tmp_path: Path) -> None:
    outside = tmp_path / "precious.json"
    outside.write_text("keep")
    import hashlib

    sha = hashlib.sha256(b"keep").hexdigest()
    folder = tmp_path / "out"
    folder.mkdir()
    (folder / MANIFEST).write_text(json.dumps({"format": 1, "files": {"../precious.json": sha}}))
    assert write_rendered(folder, {"root.json": "1"}).removed == ()
    assert outside.read_text() == "keep"


def test_a_symlink_in_place_of_a_file_it_wrote_is_left_alone(tmp_path: Path) -> None:
    write_rendered(tmp_path / "out", {"root.json": "1", "service-web.json": "2"})
    target = tmp_path / "elsewhere.json"
    target.write_text("2")
    link = tmp_path / "out" / "service-web.json"
    link.unlink()
    link.symlink_to(target)
    assert write_rendered(tmp_path / "out", {"root.json": "1"}).removed == ()
    assert link.is_symlink() and target.read_text() == "2"


def test_a_folder_where_a_file_goes_is_refused_before_writing(tmp_path: Path) -> None:
    (tmp_path / "root.json").mkdir()
    with pytest.raises(OutputError, match="root.json"):
        write_rendered(tmp_path, {"network.json": "1", "root.json": "2"})
    assert not (tmp_path / "network.json").exists()


def test_an_output_path_that_is_a_file_is_an_output_error(tmp_path: Path) -> None:
    blocker = tmp_path / "out"
    blocker.write_text("")
    with pytest.raises(OutputError, match="cannot write"):
        write_rendered(blocker / "stack", {"root.json": "1"})
    assert blocker.read_text() == ""


def test_only_plain_file_names_are_written(tmp_path: Path) -> None:
    for name in ("../x.json", "a/b.json", MANIFEST, ""):
        with pytest.raises(ValueError, match="plain file name"):
            write_rendered(tmp_path, {name: "1"})
    assert list(tmp_path.iterdir()) == []


def test_a_symlink_where_a_file_goes_is_not_replaced_even_when_identical(tmp_path: Path) -> None:
    target = tmp_path / "mine.json"
    target.write_text("1")
    (tmp_path / "out").mkdir()
    (tmp_path / "out" / "root.json").symlink_to(target)
    with pytest.raises(OutputError, match="root.json"):
        write_rendered(tmp_path / "out", {"root.json": "1"})
    assert (tmp_path / "out" / "root.json").is_symlink()


# compare_rendered: `fgc render --check`, which reads and never writes


def test_a_folder_as_render_left_it_is_in_sync(tmp_path: Path) -> None:
    files = {"root.json": "{}\n", "parameters.json": "{}\n"}
    write_rendered(tmp_path, files)
    drift = compare_rendered(tmp_path, files)
    assert drift.in_sync and (drift.differ, drift.missing, drift.extra) == ((), (), ())
    assert sorted(drift.expected) == sorted([*files, MANIFEST])


def test_every_file_that_differs_is_missing_or_is_extra_is_named(tmp_path: Path) -> None:
    write_rendered(tmp_path, {"root.json": "1", "service-web.json": "2", "parameters.json": "{}"})
    (tmp_path / "notes.txt").write_text("mine")
    before = {p.name: p.read_bytes() for p in tmp_path.iterdir()}
    drift = compare_rendered(tmp_path, {"root.json": "1", "service-web.json": "3", "service-api.json": "4"})
    assert not drift.in_sync
    assert drift.differ == ("service-web.json",)
    assert drift.missing == ("service-api.json",)
    assert drift.extra == ("notes.txt", "parameters.json")
    assert {p.name: p.read_bytes() for p in tmp_path.iterdir()} == before  # nothing written


def test_a_stale_manifest_alone_is_out_of_sync(tmp_path: Path) -> None:
    # the templates match, but the next render would refuse to replace a file its manifest does not claim
    (tmp_path / "root.json").write_text("{}")
    assert compare_rendered(tmp_path, {"root.json": "{}"}).missing == (MANIFEST,)
    write_rendered(tmp_path, {"root.json": "{}"})
    (tmp_path / MANIFEST).write_text('{"format": 1, "files": {}}\n')
    assert compare_rendered(tmp_path, {"root.json": "{}"}).differ == (MANIFEST,)


def test_a_missing_folder_misses_every_file_and_is_not_created(tmp_path: Path) -> None:
    drift = compare_rendered(tmp_path / "never", {"root.json": "{}"})
    assert drift.missing == ("root.json",) and not (tmp_path / "never").exists()


def test_the_spec_being_read_is_not_extra(tmp_path: Path) -> None:
    write_rendered(tmp_path, {"root.json": "{}"})
    (tmp_path / "fargate.yaml").write_text("app: x\n")
    assert compare_rendered(tmp_path, {"root.json": "{}"}).extra == ("fargate.yaml",)
    assert compare_rendered(tmp_path, {"root.json": "{}"}, keep=[tmp_path / "fargate.yaml"]).in_sync
