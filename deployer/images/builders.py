"""Container builders: find one, build an image with it, log in to a registry and push.

Supported: docker, podman, buildah and finch, tried in that order on the PATH unless one is chosen
(argument, else `FGC_BUILDER`; `none` means no builder at all). docker and finch talk to a daemon
(or VM), so a found one whose daemon does not answer is passed over, with the reason kept for the
error if nothing else is found.

Output streams line by line to a callback as it arrives; a failed build raises `BuildFailed` with
the builder's last lines. A registry password goes to the builder on stdin, never on a command line
(where `ps` shows it) or into a log. Registries reached over plain HTTP (the emulator's
`http://localhost:<port>`) get `--tls-verify=false` with buildah and podman; docker already treats
`localhost` as an insecure registry.

buildah runs with `--isolation chroot` unless `BUILDAH_ISOLATION` says otherwise: it needs no
runtime or user namespaces, so it works as root in a container-less CI. Its storage driver comes from
its own configuration (`STORAGE_DRIVER=vfs` where overlay is unavailable).
"""

from __future__ import annotations

import collections
import os
import shutil
import subprocess
import tempfile
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from fgc.compiler.build_context import ImageBuild
from fgc.deployer.errors import DeployFailed
from fgc.spec.errors import UsageError

SUPPORTED = ("docker", "podman", "buildah", "finch")
ENV_CHOICE = "FGC_BUILDER"
#: `FGC_BUILDER=none` (or `--builder none`): act as if no builder were installed (a `--local`
#: rehearsal then stands in for the images; a real deploy refuses).
NO_BUILDER = "none"
_DAEMON_BASED = frozenset({"docker", "finch"})
_KEPT_LINES = 30

OnLine = Callable[[str], None]


class NoBuilder(UsageError):
    """No supported container builder can be used (exit 2)."""


class BuildFailed(DeployFailed):
    """The builder exited non-zero (exit 1); `lines` are its last lines of output."""

    def __init__(self, message: str, lines: Sequence[str], hint: str | None = None) -> None:
        tail = "\n".join(f"  | {line}" for line in lines)
        super().__init__(f"{message}\n{tail}" if lines else message, hint)
        self.lines = list(lines)


class PushFailed(BuildFailed):
    """Logging in to the registry or pushing the image failed (exit 1)."""


@dataclass(frozen=True)
class Builder:
    """One builder CLI: `name` is one of SUPPORTED, `executable` its path."""

    name: str
    executable: str

    def build_command(self, build: ImageBuild, image: str) -> list[str]:
        command = [self.executable, *(["bud"] if self.name == "buildah" else ["build"])]
        if self.name == "buildah":
            command += ["--format", "oci"]
            if not os.environ.get("BUILDAH_ISOLATION"):
                command += ["--isolation", "chroot"]
        command += ["--file", str(build.dockerfile_path), "--tag", image]
        if build.target:
            command += ["--target", build.target]
        for key in sorted(build.args):
            command += ["--build-arg", f"{key}={build.args[key]}"]
        if build.platform:
            command += ["--platform", build.platform]
        return [*command, str(build.context)]

    def build(self, build: ImageBuild, image: str, on_line: OnLine | None = None) -> None:
        """Build `build` and name the result `image` (e.g. `<repository uri>:<tag>`)."""
        if not build.dockerfile_path.is_file():
            raise UsageError(f"no Dockerfile at {build.dockerfile_path}")
        code, lines = _run(self.build_command(build, image), on_line)
        if code != 0:
            raise BuildFailed(
                f"{self.name} could not build {build.context} (exit status {code}); its last lines:", lines
            )

    def push(
        self, image: str, registry: str, username: str, password: str, on_line: OnLine | None = None
    ) -> None:
        """Log in to `registry` (`http://host` or `https://host`) and push `image` there."""
        host = registry.split("://", 1)[-1].rstrip("/")
        insecure = registry.startswith("http://") and self.name in ("buildah", "podman")
        tls = ["--tls-verify=false"] if insecure else []
        with self._auth_file() as auth:
            login = [self.executable, "login", *auth, *tls, "--username", username, "--password-stdin", host]
            code, lines = _run(login, on_line, stdin=password)
            if code != 0:
                raise PushFailed(f"{self.name} could not log in to {host} (exit status {code}):", lines)
            code, lines = _run([self.executable, "push", *auth, *tls, image], on_line)
            if code != 0:
                raise PushFailed(
                    f"{self.name} could not push {image} (exit status {code}); its last lines:", lines
                )

    @contextmanager
    def _auth_file(self) -> Iterator[list[str]]:
        """buildah and podman keep the login in a private file removed after the push; docker and
        finch log in as `aws ecr get-login-password | docker login` does (their own credential store)."""
        if self.name not in ("buildah", "podman"):
            yield []
            return
        with tempfile.TemporaryDirectory(prefix="fgc-auth-") as folder:
            yield ["--authfile", str(Path(folder) / "auth.json")]


def find_builder(choice: str | None = None, path: str | None = None) -> Builder:
    """The builder to use: `choice` (or `$FGC_BUILDER`) when given, else the first usable of
    SUPPORTED on `path` (default `$PATH`). Raises `NoBuilder` (exit 2) naming the supported ones."""
    choice = choice or os.environ.get(ENV_CHOICE) or None
    if choice == NO_BUILDER:
        raise NoBuilder(
            f"building images is switched off ({ENV_CHOICE}={NO_BUILDER})",
            f"unset {ENV_CHOICE}, or set it to one of {', '.join(SUPPORTED)}",
        )
    if choice:
        name = Path(choice).name
        if name not in SUPPORTED:
            raise NoBuilder(
                f"unknown container builder '{choice}'",
                f"choose one of {', '.join(SUPPORTED)} ({ENV_CHOICE})",
            )
        executable = choice if os.sep in choice else shutil.which(choice, path=path)
        if executable is None or not os.access(executable, os.X_OK):
            raise NoBuilder(f"the container builder '{choice}' was chosen but is not on the PATH")
        return Builder(name, executable)
    passed_over = []
    for name in SUPPORTED:
        executable = shutil.which(name, path=path)
        if executable is None:
            continue
        if name in _DAEMON_BASED and not _daemon_answers(executable):
            passed_over.append(f"{name} is installed but its daemon does not answer")
            continue
        return Builder(name, executable)
    found = f" ({'; '.join(passed_over)})" if passed_over else ""
    raise NoBuilder(
        f"no container builder found{found}: fgc builds images with {', '.join(SUPPORTED[:-1])} or "
        f"{SUPPORTED[-1]}",
        f"install one (e.g. `apt-get install buildah`), or name yours with {ENV_CHOICE}",
    )


def _daemon_answers(executable: str) -> bool:
    try:
        probe = subprocess.run(
            [executable, "version", "--format", "{{.Server.Version}}"],
            capture_output=True,
            timeout=15,
            check=False,
        )
    except (OSError, subprocess.TimeoutExpired):
        return False
    return probe.returncode == 0 and bool(probe.stdout.strip())


def _run(command: list[str], on_line: OnLine | None, stdin: str | None = None) -> tuple[int, list[str]]:
    """Run `command`, stream its merged output lines to `on_line`; return (exit status, last lines)."""
    kept: collections.deque[str] = collections.deque(maxlen=_KEPT_LINES)
    try:
        process = subprocess.Popen(
            command,
            stdin=subprocess.PIPE if stdin is not None else subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            errors="replace",
        )
    except OSError as err:
        return 127, [f"{command[0]}: {err.strerror}"]
    if stdin is not None:
        assert process.stdin is not None
        process.stdin.write(stdin)
        process.stdin.close()
    assert process.stdout is not None
    for raw in process.stdout:
        line = raw.rstrip("\n")
        kept.append(line)
        if on_line is not None:
            on_line(line)
    return process.wait(), list(kept)
