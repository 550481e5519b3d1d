"""Container definitions of a service's task: the main container and its sidecars."""

from __future__ import annotations

import functools
from collections.abc import Mapping
from typing import Any

from fgc.compiler import defaults, images, secrets
from fgc.spec.models import ContainerHealthCheck, SecretRef, Service, Sidecar
from troposphere import Ref, Region, ecs


def parts(service: Service) -> list[Service | Sidecar]:
    """The service's containers as specified: the main one, then sidecars by name (template order)."""
    return [service, *(sidecar for _, sidecar in sorted(service.sidecars.items()))]


def health_check(check: ContainerHealthCheck) -> ecs.HealthCheck:
    """A string runs through the shell (``CMD-SHELL``); a list runs as-is (``CMD``)."""
    if isinstance(check.command, str):
        command = ["CMD-SHELL", check.command]
    elif check.command[0] in ("CMD", "CMD-SHELL"):
        command = list(check.command)
    else:
        command = ["CMD", *check.command]
    return ecs.HealthCheck(
        Command=command,
        Interval=check.interval,
        Timeout=check.timeout,
        Retries=check.retries,
        StartPeriod=check.start_period,
    )


def _environment(env: Mapping[str, str]) -> list[ecs.Environment]:
    return [ecs.Environment(Name=k, Value=v) for k, v in sorted(env.items())]


def _secrets(refs: Mapping[str, SecretRef]) -> list[ecs.Secret]:
    return [ecs.Secret(Name=k, ValueFrom=secrets.value_from(ref)) for k, ref in sorted(refs.items())]


def log_configuration(log_group: str, prefix: str) -> ecs.LogConfiguration:
    """awslogs into the template's ``log_group``, streams under ``prefix``."""
    return ecs.LogConfiguration(
        LogDriver="awslogs",
        Options={
            "awslogs-group": Ref(log_group),
            "awslogs-region": Region,
            "awslogs-stream-prefix": prefix,
            **defaults.LOG_DRIVER_OPTIONS,
        },
    )


def writable_paths(exec_enabled: bool) -> dict[str, str]:
    """Volumes (name -> mount path) every container gets when its root file system is read-only."""
    paths = {defaults.TMP_VOLUME: defaults.TMP_PATH}
    return {**paths, **defaults.EXEC_WRITABLE_PATHS} if exec_enabled else paths


def _container(
    name: str,
    part: Service | Sidecar,
    image: Any,
    *,
    essential: bool,
    readonly_root: bool,
    log_group: str,
    init_process: bool,
    port: dict[str, str] | None = None,
) -> ecs.ContainerDefinition:
    props: dict[str, Any] = {"Name": name, "Image": image, "Essential": essential}
    if part.port is not None:
        props["PortMappings"] = [ecs.PortMapping(ContainerPort=part.port, Protocol="tcp", **(port or {}))]
    if part.command:
        props["Command"] = list(part.command)
    if part.environment:
        props["Environment"] = _environment(part.environment)
    if part.secrets:
        props["Secrets"] = _secrets(part.secrets)
    if part.health_check is not None:
        props["HealthCheck"] = health_check(part.health_check)
    if isinstance(part, Sidecar):
        if part.cpu is not None:
            props["Cpu"] = part.cpu
        if part.memory is not None:
            props["Memory"] = part.memory
    if part.user is not None:
        props["User"] = part.user
    props["ReadonlyRootFilesystem"] = readonly_root
    if readonly_root:
        props["MountPoints"] = [
            ecs.MountPoint(SourceVolume=volume, ContainerPath=path, ReadOnly=False)
            for volume, path in writable_paths(init_process).items()
        ]
    if init_process:
        props["LinuxParameters"] = ecs.LinuxParameters(InitProcessEnabled=True)
    props["LogConfiguration"] = log_configuration(log_group, name)
    return ecs.ContainerDefinition(**props)


def definitions(
    name: str, service: Service, log_group: str, port: dict[str, str] | None = None
) -> list[ecs.ContainerDefinition]:
    """Main container (named after the service, image tag from ``ImageTag``) then sidecars by name.

    ``port`` adds properties to the main container's port mapping (Service Connect names it).

    ``readonly_root`` applies to every container of the task, each with a writable /tmp (and,
    with ECS Exec, the SSM agent's directories). ECS Exec also turns on an init process so
    the agent's children are reaped.
    """
    container = functools.partial(
        _container, readonly_root=service.readonly_root, log_group=log_group, init_process=service.exec
    )
    main_image = images.parse(service.image).reference(images.TAG_PARAMETER)
    result = [container(name, service, main_image, essential=True, port=port)]
    for sidecar_name, sidecar in sorted(service.sidecars.items()):
        image = images.parse(sidecar.image).reference(None)
        result.append(container(sidecar_name, sidecar, image, essential=sidecar.essential))
    return result
