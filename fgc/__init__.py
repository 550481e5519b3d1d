"""fgc: one fargate.yaml to a production ECS Fargate application.

The library surface. What is listed here is supported, typed (the package ships
``py.typed``) and kept stable; every other module and name is internal. The same
list is in the README's "As a library" (tests/test_library.py keeps the two equal
and uses every name)::

    from fgc import compiler, deployer, spec

    spec.load(path, env=None) -> spec.Spec           read and validate a fargate.yaml
    spec.loads(text, env=None) -> spec.Spec          the same from text
    spec.environments(text) -> list[str]             the environments a document declares
    spec.Spec                                        the validated document; .stack_name
    spec.FgcError                                    every failure a user can act on:
                                                     .message, .hint, .exit_code
    spec.SpecError                                   an invalid document: .problems, each a
    spec.Problem                                     file, line, column, path, message
    spec.UsageError                                  an impossible request (no such file, ...)
    compiler.compile(spec, ctx=None)                 compiler.StackSet: pure, no AWS, no clock
    compiler.StackSet                                .stack_name, .parts (the root first),
                                                     .parameters; [name] is a template
    compiler.Part                                    .name, .template, .body, .key, and
                                                     where each parameter comes from
    compiler.CompileContext(image_tags={})           inputs from outside the file
    compiler.image_tags(spec)                        content tags of the images with build:
                                                     (reads their build contexts)
    compiler.compile_registries(spec)                the <app>-registries stack set, or None;
                                                     StackSet.with_outputs(its outputs) fills
                                                     an environment's repository parameters
    compiler.lint(stack_set, regions=None)           cfn-lint findings: .template, .line,
                                                     .rule, .level, .message
    deployer.connect(profile=None, region=None,      a session (deployer.Aws); honours
                     endpoint_url=None)              AWS_ENDPOINT_URL
    deployer.Aws                                     what every deployer call takes
    deployer.build(path, env=None)                   deployer.Built: load, compile and lint
    deployer.plan(stack_set, aws)                    deployer.Plan: a change set, as fgc diff
                                                     shows it
    deployer.discard(aws, plan)                      delete the plan's change set
    deployer.review(aws, plan, stack_set)            deployer.Review: the plan's risks,
                                                     security, traffic, cost change
    deployer.deploy(stack_set, aws, confirm=None,    plan, confirm, execute, follow
                    on_event=None)
    deployer.DeployResult                            .executed, .status, .outputs, .plan
    deployer.status(aws, stack_name)                 deployer.Status: stacks, services, events
    deployer.Status
    deployer.teardown(aws, stack_name)               what a destroy deletes and keeps
    deployer.destroy(aws, teardown, purge=False)     delete, wait
    deployer.DeployFailed                            failures, all spec.FgcError: a deploy
    deployer.AwsRefused                              that failed, AWS saying no, a stuck
    deployer.StackStuck                              stack, Ctrl-C, lint errors
    deployer.Interrupted
    deployer.LintFailed
    deployer.Recovery                                a failure's way out, as its .recovery
                                                     (RECREATE, CONTINUE_ROLLBACK, WAIT, ...)

Importing ``fgc`` imports nothing else: ``fgc validate`` starts from here.
"""

__version__ = "0.1.0"
