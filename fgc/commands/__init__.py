"""One module per sub-command, named here with its one-line help.

Each module defines ``add_arguments(parser)`` and ``run(args) -> int``, and may
define ``DESCRIPTION`` (the sub-command's ``--help`` text; its line here otherwise).
``fgc`` imports only the module of the sub-command it runs (see
:func:`fgc.cli.build_parser`), and modules import what only their command needs
inside the functions that use it: ``fgc validate`` must not pay for boto3,
troposphere, cfn-lint, or even json.
"""

#: Sub-commands in the order ``fgc --help`` lists them, with the line it shows for each.
COMMANDS = {
    "init": "write a commented starter fargate.yaml",
    "validate": "check fargate.yaml and list every problem with its line and column",
    "schema": "print the JSON Schema (2020-12) of fargate.yaml for editor completion and checks",
    "render": "compile fargate.yaml into CloudFormation templates, lint them and write them for review",
    "build": "build the images fargate.yaml builds from source (image.build), locally",
    "push": "build the images fargate.yaml builds from source and push them to their ECR repositories",
    "preflight": "check (read-only) that the images, secrets, certificate and subnets the spec reads exist",
    "cost": "estimate the monthly cost of fargate.yaml's resources, line by line, with its assumptions",
    "diagram": "draw the architecture fargate.yaml compiles to (svg, png, mermaid or dot)",
    "diff": "show what `fgc deploy` would change (a CloudFormation change set, deleted afterwards)",
    "deploy": "deploy fargate.yaml: show the plan, confirm, execute it and follow its progress",
    "status": "show the deployed stack set: stack states, services, target health, outputs, last events",
    "logs": "print a service's logs (all streams, in time order); --follow keeps reading",
    "secret": "create or update a Secrets Manager secret (or one JSON key of it) from standard input",
    "destroy": "delete the environment's stack set (log groups are kept); --registries: the repositories",
    "emulator": "serve a local AWS endpoint (moto + fgc's CloudFormation engine) for rehearsing deploys",
}
