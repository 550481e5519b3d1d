"""`image: {build: ..., registry: ...}`: its forms, its rules, and the checks that read the disk."""

from __future__ import annotations

from pathlib import Path

import pytest
from fgc.spec.builds import problems
from fgc.spec.errors import SpecError
from fgc.spec.models import BuildConfig

from fgc import spec

BASE = """\
app: shop
registries: {{shop: {{}}}}
services:
  api:
    image: {image}
"""


def load(image: str, folder: Path | None = None, extra: str = "") -> spec.Spec:
    filename = str((folder or Path(".")) / "fargate.yaml")
    return spec.loads(BASE.format(image=image) + extra, filename=filename, environ={})


def test_a_folder_is_a_build_context_and_a_map_gives_every_option():
    short = load("{build: app/, registry: shop}").services["api"].image
    assert short.build == BuildConfig(context="app/") and short.tag is None
    full = (
        load(
            "{build: {context: ., dockerfile: docker/Prod, target: prod, args: {PY: 3.12}}, registry: shop, tag: v2}"
        )
        .services["api"]
        .image
    )
    assert full.build == BuildConfig(
        context=".", dockerfile="docker/Prod", target="prod", args={"PY": "3.12"}
    )
    assert full.tag == "v2"  # a tag written in the file wins over the content tag


@pytest.mark.parametrize(
    ("image", "extra", "where", "message"),
    [
        ("{registry: shop}", "", "services.api.image", "give the image's tag, or build:"),
        ("{build: app/, registry: nope}", "", "services.api.image.registry", "unknown registry 'nope'"),
        (
            "{build: {context: app/, target: 'bad target'}, registry: shop}",
            "",
            "services.api.image.build.target",
            "",
        ),
        (
            "nginx:1",
            "    sidecars: {log: {image: {build: app/, registry: shop}}}\n",
            "services.api.sidecars.log.image.build",
            "fgc builds only a service's main image",
        ),
        ("nginx:1", "environments: {registries: {}}\n", "environments.registries", "shop-registries"),
    ],
)
def test_each_mistake_is_reported_at_its_key(image: str, extra: str, where: str, message: str):
    with pytest.raises(SpecError) as failed:
        load(image, extra=extra)
    lines = [str(p) for p in failed.value.problems]
    assert any(f": {where}: " in line and message in line for line in lines), lines


def test_a_missing_context_or_dockerfile_is_found_at_the_build_keys_line(tmp_path: Path):
    document = load("{build: app/, registry: shop}", tmp_path)
    (missing,) = problems(document)
    assert (missing.line, missing.path) == (
        5,
        "services.api.image.build",
    ) and "is not a folder" in missing.message
    (tmp_path / "app").mkdir()
    (dockerfile,) = problems(document)
    assert "no Dockerfile at" in dockerfile.message
    (tmp_path / "app" / "Dockerfile").write_text("FROM scratch\n")
    assert problems(document) == []


def test_fgc_validate_reports_a_missing_context(tmp_path: Path, capsys: pytest.CaptureFixture[str]):
    from fgc.cli import main

    (tmp_path / "fargate.yaml").write_text(BASE.format(image="{build: nowhere/, registry: shop}"))
    assert main(["validate", "-f", str(tmp_path / "fargate.yaml")]) == 2
    assert "fargate.yaml:5:20: services.api.image.build: the build context" in capsys.readouterr().err
