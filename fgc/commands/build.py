"""``fgc build [SERVICE...]``: build the images fargate.yaml builds from source, locally, no AWS."""

from __future__ import annotations

import argparse

from fgc.commands._images import add_image_options

DESCRIPTION = (
    "Build the main image of each service whose image has build: (all of them, or the SERVICEs named) "
    "with the first container builder found (docker, podman, buildah, finch; --builder or FGC_BUILDER "
    "chooses), named <registry>:<tag> where the tag is the one in fargate.yaml or the content tag. "
    "Nothing is pushed and AWS is not contacted. The builder's output streams live and is folded "
    "when the build succeeds; a failed build exits 1 with its last lines, no builder exits 2."
)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("services", nargs="*", metavar="SERVICE", help="services to build (default: all)")
    parser.add_argument("--env", metavar="NAME", help="apply the environment overlay NAME from the spec")
    add_image_options(parser)


def run(args: argparse.Namespace) -> int:
    from fgc import spec
    from fgc.commands._images import BuildOutput, chosen_builder
    from fgc.commands._view import View
    from fgc.compiler.builds import service_images
    from fgc.deployer.images import find_builder

    document = spec.load(args.file, env=args.env)
    images = service_images(document, args.services, platform=args.platform)
    if not images:
        View().line("Nothing to build: no service of fargate.yaml has image.build.")
        return 0
    builder = chosen_builder(args) or find_builder()
    view = View()
    output = BuildOutput(view)
    try:
        for image in images:
            name = f"{image.registry}:{image.tag}"
            view.note(f"{image.service}: building {name} from {image.build.context} with {builder.name}")
            builder.build(image.build, name, output)
            output.fold()
            view.line(f"{image.service}: built {name}", "green")
    finally:
        output.fold()
    return 0
