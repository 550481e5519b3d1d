"""``fgc render`` through the installed console script, on the repo's fargate.yaml."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest
from fgc.compiler import CompileContext, compile_registries, image_tags
from fgc.compiler import compile as compile_templates
from fgc.compiler.output import MANIFEST

from fgc import spec

REPO = Path(__file__).resolve().parents[2]
SPEC = REPO / "fargate.yaml"
TEMPLATES = ("root", "network", "cluster", "service-api")
#: The application's registries stack set: its own folder beside the environment's, one template.
REGISTRIES = "flask-api-registries"

BROKEN_OVERRIDE = """
overrides:
  service-api:
    - {op: add, path: /Resources/Broken, value: {Type: "AWS::ECS::Cluster", Properties: {Nope: 1}}}
"""


def copied_spec() -> str:
    """The repo's spec for a copy elsewhere: its build context is the repo's app/, by absolute path."""
    return SPEC.read_text().replace("build: app/", f"build: {REPO / 'app'}")


def written(folder: Path) -> dict[str, bytes]:
    """The files of ``folder`` but render's own record of them."""
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir()) if p.name != MANIFEST}


def table_rows(stdout: str) -> list[list[str]]:
    """The cells of every template row of every table (titles and headers left out)."""
    lines = stdout.splitlines()
    return [
        line.split()
        for line in lines
        if line and not line.startswith("wrote ") and line.split()[:2] != ["stack", "resources"]
    ]


def test_render_writes_exactly_what_compile_produces(fgc, tmp_path: Path) -> None:
    done = fgc("render", "-o", str(tmp_path))
    assert done.returncode == 0, done.stderr
    folder = tmp_path / "flask-api"
    document = spec.load(SPEC, environ={})
    tags = image_tags(document)
    templates = compile_templates(document, CompileContext(image_tags=tags))
    assert sorted(written(folder)) == sorted([*(f"{n}.json" for n in TEMPLATES), "parameters.json"])
    for name in TEMPLATES:
        assert (folder / f"{name}.json").read_text(encoding="utf-8") == templates.body(name)
    # the content tag of app/, computed without a builder: what a deploy would push
    assert json.loads((folder / "parameters.json").read_text()) == {"ApiImageTag": tags["api"]}
    assert tags["api"].startswith("src-")
    registries = compile_registries(document)
    assert registries is not None
    assert (tmp_path / REGISTRIES / "root.json").read_text(encoding="utf-8") == registries.body("root")


def test_the_table_has_one_row_per_template_with_resources_bytes_and_lint(fgc, tmp_path: Path) -> None:
    done = fgc("render", "-o", str(tmp_path))
    folder = tmp_path / "flask-api"
    first_table = done.stdout.split("\nwrote ")[0]
    rows = {line.split()[0]: line.split()[1:] for line in first_table.splitlines()[2:]}
    assert done.stdout.splitlines()[1].split() == ["stack", "resources", "bytes", "lint"]
    assert set(rows) == set(TEMPLATES)
    assert f"wrote 1 templates to {tmp_path / REGISTRIES}" in done.stdout
    for name, (resources, size, result) in rows.items():
        body = json.loads((folder / f"{name}.json").read_text())
        assert int(resources) == len(body["Resources"])
        assert int(size) == (folder / f"{name}.json").stat().st_size
        assert result == "ok"
    assert "\x1b[" not in done.stdout  # not a terminal: plain text


def test_two_renders_are_byte_identical(fgc, tmp_path: Path) -> None:
    assert fgc("render", "--no-lint", "-o", str(tmp_path / "a")).returncode == 0
    assert fgc("render", "--no-lint", "-o", str(tmp_path / "b")).returncode == 0
    assert written(tmp_path / "a" / "flask-api") == written(tmp_path / "b" / "flask-api")


def test_no_lint_says_skipped(fgc, tmp_path: Path) -> None:
    done = fgc("render", "--no-lint", "-o", str(tmp_path))
    assert done.returncode == 0
    rows = table_rows(done.stdout)  # the environment's templates, then the registries stack's one
    assert [row[0] for row in rows] == [*TEMPLATES, "root"]
    assert all(row[-1] == "skipped" for row in rows)


def test_a_source_change_lands_in_parameters_only(fgc, tmp_path: Path) -> None:
    """A changed file in the build context is a new content tag: a parameter, never a template."""
    shutil.copytree(REPO / "app", tmp_path / "app", ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(SPEC, tmp_path / "fargate.yaml")
    copy = ["-f", str(tmp_path / "fargate.yaml"), "--no-lint"]
    assert fgc("render", *copy, "-o", str(tmp_path / "a")).returncode == 0
    with (tmp_path / "app" / "main.py").open("a") as source:
        source.write("# changed\n")
    assert fgc("render", *copy, "-o", str(tmp_path / "b")).returncode == 0
    a, b = written(tmp_path / "a" / "flask-api"), written(tmp_path / "b" / "flask-api")
    assert {n for n in a if a[n] != b[n]} == {"parameters.json"}
    old, new = (
        json.loads(a["parameters.json"])["ApiImageTag"],
        json.loads(b["parameters.json"])["ApiImageTag"],
    )
    assert old != new and old.startswith("src-") and new.startswith("src-")


def test_files_render_did_not_write_are_kept_even_when_named_like_templates(fgc, tmp_path: Path) -> None:
    folder = tmp_path / "flask-api"
    folder.mkdir()
    mine = {"service-gone.json": "{}", "root.yaml": "{}", "NOTES.md": "mine"}
    for name, text in mine.items():
        (folder / name).write_text(text)
    assert fgc("render", "--no-lint", "-o", str(tmp_path)).returncode == 0
    expected = [*mine, "parameters.json", *(f"{n}.json" for n in TEMPLATES)]
    assert sorted(written(folder)) == sorted(expected)
    assert all((folder / name).read_text() == text for name, text in mine.items())


def test_render_into_the_project_folder_deletes_nothing_of_the_users(fgc, tmp_path: Path) -> None:
    """Issue 12: `fgc render -o ..` from proj/flask-api/ deleted fargate.yaml, package.json and
    docker-compose.yaml; now only what render wrote is ever replaced or removed."""
    project = tmp_path / "proj" / "flask-api"
    project.mkdir(parents=True)
    users = {
        "fargate.yaml": copied_spec(),
        "package.json": '{"name": "flask-api"}\n',
        "docker-compose.yaml": "services: {}\n",
    }
    for name, text in users.items():
        (project / name).write_text(text)
    spec_file = project / "fargate.yaml"
    for fmt in ("json", "yaml", "json"):  # switching formats removes render's own other-format files
        done = fgc("render", "--no-lint", "-f", str(spec_file), "--format", fmt, "-o", str(project / ".."))
        assert done.returncode == 0, done.stderr
        assert all((project / name).read_text() == text for name, text in users.items())
    assert sorted(written(project)) == sorted([*users, "parameters.json", *(f"{n}.json" for n in TEMPLATES)])


def test_a_render_with_fewer_services_removes_only_the_stale_template_it_wrote(fgc, tmp_path: Path) -> None:
    two = tmp_path / "fargate.yaml"
    two.write_text("app: shop\nservices:\n  api: {image: 'nginx:1'}\n  web: {image: 'nginx:1'}\n")
    out = tmp_path / "out"
    assert fgc("render", "--no-lint", "-f", str(two), "-o", str(out)).returncode == 0
    folder = out / "shop"
    (folder / "notes.json").write_text("mine")
    two.write_text("app: shop\nservices:\n  api: {image: 'nginx:1'}\n")
    assert fgc("render", "--no-lint", "-f", str(two), "-o", str(out)).returncode == 0
    assert "service-web.json" not in written(folder)
    assert {"service-api.json", "notes.json"} <= set(written(folder))
    assert json.loads((folder / MANIFEST).read_text())["files"].keys() == set(written(folder)) - {
        "notes.json"
    }


def test_a_spec_named_like_a_template_in_the_output_folder_stops_the_render(fgc, tmp_path: Path) -> None:
    folder = tmp_path / "flask-api"
    folder.mkdir()
    spec_file = folder / "root.yaml"  # what --format yaml would write
    spec_file.write_text(copied_spec())
    done = fgc("render", "--no-lint", "-f", str(spec_file), "--format", "yaml", "-o", str(tmp_path))
    assert done.returncode == 2
    assert "root.yaml" in done.stderr and "not written by fgc render" in done.stderr
    assert spec_file.read_text() == copied_spec()
    assert sorted(written(folder)) == ["root.yaml"]  # nothing was written


def test_yaml_format_replaces_the_json_files(fgc, tmp_path: Path) -> None:
    import yaml

    assert fgc("render", "--no-lint", "-o", str(tmp_path)).returncode == 0
    assert fgc("render", "--no-lint", "--format", "yaml", "-o", str(tmp_path)).returncode == 0
    folder = tmp_path / "flask-api"
    assert sorted(written(folder)) == sorted(["parameters.json", *(f"{n}.yaml" for n in TEMPLATES)])
    templates = compile_templates(spec.load(SPEC, environ={}))
    assert yaml.safe_load((folder / "service-api.yaml").read_text()) == templates["service-api"]


@pytest.mark.parametrize("env", spec.environments(SPEC.read_text()))
def test_each_environment_renders_into_its_own_folder_and_lints_clean(fgc, tmp_path: Path, env: str) -> None:
    done = fgc("render", "--env", env, "-o", str(tmp_path))
    assert done.returncode == 0, done.stdout + done.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == [f"flask-api-{env}", REGISTRIES]
    assert "error" not in done.stdout and "warning" not in done.stdout


def test_an_invalid_spec_exits_2_and_writes_nothing(fgc, tmp_path: Path) -> None:
    bad = tmp_path / "fargate.yaml"
    bad.write_text(SPEC.read_text().replace("memory: 1024", "memory: lots"))
    done = fgc("render", "-f", str(bad), "-o", str(tmp_path / "out"))
    assert done.returncode == 2
    assert re.search(r"fargate\.yaml:\d+:\d+: services\.api\.memory", done.stderr)
    assert not (tmp_path / "out").exists()


def test_lint_errors_exit_1_name_each_line_and_still_write_the_files(fgc, tmp_path: Path) -> None:
    broken = tmp_path / "fargate.yaml"
    broken.write_text(copied_spec() + BROKEN_OVERRIDE)
    done = fgc("render", "-f", str(broken), "-o", str(tmp_path / "out"))
    assert done.returncode == 1, done.stdout + done.stderr
    match = re.search(r"^service-api\.json:(\d+): E3002: .*'Nope'", done.stdout, re.MULTILINE)
    assert match, done.stdout
    body = (tmp_path / "out" / "flask-api" / "service-api.json").read_text().splitlines()
    assert '"Nope": 1' in body[int(match.group(1)) - 1]
    resources = len(json.loads("\n".join(body))["Resources"])
    assert re.search(rf"^service-api\s+{resources}\s+\d+\s+1 error$", done.stdout, re.MULTILINE)
    assert "for inspection" in done.stderr


def test_lint_runs_for_the_specs_region(fgc, tmp_path: Path, session_cache: Path) -> None:
    from fgc.compiler import lint_cache
    from fgc.compiler.lint import INFORMATIONAL_RULES

    regional = tmp_path / "fargate.yaml"
    regional.write_text(copied_spec().replace("app: flask-api\n", "app: flask-api\nregion: eu-west-1\n"))
    assert fgc("render", "-f", str(regional), "-o", str(tmp_path / "out")).returncode == 0
    templates = compile_templates(spec.load(regional, environ={}))
    for name in templates:
        key = lint_cache.cache_key(templates.sha256(name), ("eu-west-1",), INFORMATIONAL_RULES)
        assert (session_cache / "lint" / f"{key}.json").is_file()


def test_an_output_path_that_is_a_file_is_an_error_not_a_traceback(fgc, tmp_path: Path) -> None:
    blocker = tmp_path / "out"
    blocker.write_text("")
    done = fgc("render", "--no-lint", "-o", str(blocker))
    assert done.returncode == 2  # a usage error: the -o given cannot be written
    assert "cannot write" in done.stderr and "Traceback" not in done.stderr


# fgc render --check: what CI runs over the committed templates_out/


def snapshot(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


@pytest.mark.parametrize("env", [None, *spec.environments(SPEC.read_text())])
def test_check_of_a_fresh_render_is_in_sync_and_writes_nothing(fgc, tmp_path: Path, env: str | None) -> None:
    chosen = ["--env", env] if env else []
    assert fgc("render", *chosen, "-o", str(tmp_path)).returncode == 0
    before = snapshot(tmp_path)
    done = fgc("render", "--check", *chosen, "-o", str(tmp_path))
    assert done.returncode == 0, done.stdout + done.stderr
    stack = f"flask-api-{env}" if env else "flask-api"
    assert f"in sync  {tmp_path / stack} (6 files)" in done.stdout
    assert f"in sync  {tmp_path / REGISTRIES} (3 files)" in done.stdout
    assert snapshot(tmp_path) == before


def test_check_names_every_file_that_differs_is_missing_or_extra(fgc, tmp_path: Path) -> None:
    assert fgc("render", "--env", "dev", "-o", str(tmp_path)).returncode == 0
    folder = tmp_path / "flask-api-dev"
    (folder / "parameters.json").unlink()
    (folder / "service-old.json").write_text("{}")
    changed = tmp_path / "fargate.yaml"  # the spec moved on since the render: dev's memory 512 -> 1024
    changed.write_text(copied_spec().replace("        memory: 512\n", "        memory: 1024\n"))
    before = snapshot(tmp_path)
    done = fgc("render", "--check", "-f", str(changed), "--env", "dev", "-o", str(tmp_path))
    assert done.returncode == 1
    lines = done.stdout.splitlines()
    assert f"differs  {folder / 'service-api.json'}" in lines
    assert f"differs  {folder / 'root.json'}" in lines  # it names service-api's template by its content hash
    assert f"missing  {folder / 'parameters.json'}" in lines
    assert f"extra    {folder / 'service-old.json'}" in lines
    assert f"in sync  {tmp_path / REGISTRIES} (3 files)" in lines
    assert len([line for line in lines if not line.startswith("in sync")]) == 4, done.stdout
    assert f"4 file(s) out of sync with {changed}" in done.stderr
    assert f"fgc render -f {changed} --env dev -o {tmp_path}" in done.stderr
    assert snapshot(tmp_path) == before  # check mode writes nothing


def test_check_of_a_folder_never_rendered_misses_every_file(fgc, tmp_path: Path) -> None:
    done = fgc("render", "--check", "--no-lint", "--env", "prod", "-o", str(tmp_path / "out"))
    assert done.returncode == 1
    missing = sorted(line.split()[1] for line in done.stdout.splitlines() if line.startswith("missing"))
    assert missing == sorted(
        str(tmp_path / "out" / folder / name)
        for folder, names in (
            ("flask-api-prod", [*TEMPLATES, "parameters"]),
            (REGISTRIES, ["root", "parameters"]),
        )
        for name in (f"{n}.json" for n in names)
    )
    assert not (tmp_path / "out").exists()


def test_the_committed_templates_out_folders_are_the_specs_stack_sets() -> None:
    # .ci/run checks each folder's files with `render --check`; a folder no stack set renders any more
    # (an environment removed from fargate.yaml) would never be checked, so it must not linger
    expected = {"flask-api", REGISTRIES, *(f"flask-api-{env}" for env in spec.environments(SPEC.read_text()))}
    assert {p.name for p in (REPO / "templates_out").iterdir()} == expected
    ci = (REPO / ".ci" / "run").read_text()
    assert "render --check" in ci
