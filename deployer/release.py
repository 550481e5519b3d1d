"""All of ``fgc deploy``: the registries stack, the images built from source, the environment's stacks.

DESIGN.md's deploy flow, step 0 first: the application's ``<app>-registries`` stack is brought
up to date (its own change set, shown and confirmed like any plan), each image with ``build:``
is built and pushed into its repository unless that tag is there already, and only then is the
environment's stack set planned, with the repositories' URIs and ARNs as root parameters read
from the registries stack's outputs. So a first deploy never starts a service whose image does
not exist yet, and every environment shares the same repositories.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from fgc.compiler.builds import ServiceImage
from fgc.deployer.api import DeployResult, deploy, discard, plan
from fgc.deployer.build import Built
from fgc.deployer.images import Builder, NoBuilder, OnLine, PublishedImage, publish, put_stand_in
from fgc.deployer.plan import Plan
from fgc.deployer.session import Aws, aws_call
from fgc.deployer.stacks import describe


@dataclass
class Release:
    """What a whole deploy did: ``registries`` (None without registries), the images (pushed, or
    found in ECR already), and ``app``, the environment's deploy (None when the registries plan
    was declined, so nothing else was attempted)."""

    registries: DeployResult | None
    images: list[PublishedImage] = field(default_factory=list)
    app: DeployResult | None = None


def publish_images(
    aws: Aws,
    images: list[ServiceImage],
    outputs: Mapping[str, str],
    *,
    builder: Builder | None = None,
    on_line: OnLine | None = None,
    on_image: Callable[[PublishedImage], None] | None = None,
    stand_in: bool = False,
) -> list[PublishedImage]:
    """Build and push each of ``images`` that its repository lacks (``outputs``: the registries
    stack's, for the repositories' URIs). With ``stand_in`` (a ``--local`` rehearsal), a source
    that no builder can build gets :func:`put_stand_in` instead of the :class:`NoBuilder` error.
    ``on_line`` gets the builder's output as it comes; ``on_image`` each image once it is done."""
    from fgc.compiler.images import registry_parameter

    ecr = aws.client("ecr")
    published = []
    for image in images:
        uri = outputs[registry_parameter(image.registry, "Uri")]
        try:
            result = publish(ecr, image.build, image.registry, image.tag, builder, on_line, uri)
        except NoBuilder as err:
            if not stand_in:
                raise
            reason = f"nothing could be built ({err.message})"
            result = put_stand_in(ecr, image.registry, image.tag, reason, uri)
        published.append(result)
        if on_image is not None:
            on_image(result)
    return published


@aws_call
def release(
    built: Built,
    aws: Aws,
    *,
    builder: Builder | None = None,
    on_line: OnLine | None = None,
    on_image: Callable[[PublishedImage], None] | None = None,
    stand_in: bool = False,
    **deploy_options: Any,
) -> Release:
    """Deploy ``built`` whole: registries stack, images, then the environment's stack set.

    ``deploy_options`` are :func:`fgc.deployer.deploy`'s (``confirm``, ``on_event``, ...), used
    for both stacks. Raises what those raise, and ``NoBuilder`` / ``BuildFailed`` / ``PushFailed``
    from the images (the environment's stack is then left as it was)."""
    outputs: dict[str, str] = {}
    registries = None
    if built.registries is not None:
        registries = deploy(built.registries, aws, **deploy_options)
        if not registries.executed and not registries.plan.is_empty:
            return Release(registries)
        if registries.executed and deploy_options.get("notice"):
            deploy_options["notice"](f"{registries.stack_name}: {registries.status}")
        outputs = registries.outputs
    images = publish_images(
        aws, built.images, outputs, builder=builder, on_line=on_line, on_image=on_image, stand_in=stand_in
    )
    return Release(registries, images, deploy(built.templates.with_outputs(outputs), aws, **deploy_options))


@aws_call
def plan_release(built: Built, aws: Aws, *, bucket: str | None = None, keep: bool = False) -> list[Plan]:
    """What :func:`release` would change, as plans (registries first); their change sets are deleted
    unless ``keep`` (a saved plan: :mod:`fgc.deployer.saved_plan`)."""
    plans = []
    outputs: dict[str, str] = {}
    try:
        if built.registries is not None:
            state = describe(aws, built.registries.stack_name)
            plans.append(plan(built.registries, aws, bucket=bucket, state=state))
            outputs = state.outputs if state else {}
        plans.append(plan(built.templates.with_outputs(outputs), aws, bucket=bucket))
    except BaseException:
        for each in plans:
            discard(aws, each)
        raise
    if not keep:
        for each in plans:
            discard(aws, each)
    return plans
