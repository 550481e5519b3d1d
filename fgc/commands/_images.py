"""What ``fgc build``, ``fgc push`` and ``fgc deploy`` share about images built from source:
the ``--builder`` / ``--platform`` options, and the builder's output, streamed then folded."""

from __future__ import annotations

import argparse
import collections
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from fgc.commands._view import View
    from fgc.compiler.builds import ServiceImage
    from fgc.deployer.images import Builder, PublishedImage

#: Lines of builder output shown at once on a terminal while a build runs.
LIVE_LINES = 8


def add_image_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--builder",
        metavar="NAME",
        help="container builder: docker, podman, buildah, finch, a path to one, or none "
        "(default: $FGC_BUILDER, else the first found on the PATH)",
    )
    parser.add_argument(
        "--platform",
        metavar="OS/ARCH",
        help="build for this platform, e.g. linux/arm64 (default: each service's platform)",
    )


def chosen_builder(args: argparse.Namespace) -> Builder | None:
    """The builder ``--builder`` names (None: find one when something must be built)."""
    if not args.builder:
        return None
    from fgc.deployer.images import find_builder

    return find_builder(args.builder)


class BuildOutput:
    """The builder's lines: a live window of the last few on a terminal, cleared when the image is
    done (folded); on a plain stream every line as it comes, indented under its image."""

    def __init__(self, view: View) -> None:
        self.view = view
        self._tail: collections.deque[str] = collections.deque(maxlen=LIVE_LINES)
        self._live: Any = None

    def __call__(self, line: str) -> None:
        if not self.view.rich:
            self.view.line(f"  | {line}")
            return
        self._tail.append(line)
        from rich.text import Text

        text = Text("\n".join(f"  | {each}" for each in self._tail), style="dim")
        if self._live is None:
            from rich.live import Live

            self._live = Live(text, console=self.view.console, refresh_per_second=8, transient=True)
            self._live.start()
        else:
            self._live.update(text)

    def fold(self) -> None:
        """Remove the live window (its lines stay in the error if the build failed)."""
        if self._live is not None:
            self._live.stop()
            self._live = None
        self._tail.clear()

    def done(self, image: PublishedImage) -> None:
        """Fold the output and say what happened to ``image``."""
        self.fold()
        self.view.line(describe(image), "yellow" if image.stand_in else "green" if image.pushed else None)


def describe(image: PublishedImage) -> str:
    """One line for a published image: pushed, already there, or a stand-in."""
    if image.stand_in:
        return (
            f"{image.uri}: STAND-IN, nothing was built (no container builder); an empty image stands "
            "in for it in the emulator's ECR under the content tag"
        )
    if image.pushed:
        return f"{image.uri}: built and pushed ({image.digest or 'digest unknown'})"
    return f"{image.uri}: already in ECR, not built again ({image.digest})"


def built_line(image: ServiceImage, name: str) -> str:
    """One line for an image built locally (``fgc build``)."""
    return f"{image.service}: built {name} from {image.build.context}"
