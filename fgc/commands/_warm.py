"""Start loading cfn-lint before a command pays for its own imports (see :func:`compiler.lint.warm_up`).

``fgc render``, ``fgc diff`` and ``fgc deploy`` call :func:`warm_up_lint` first thing,
so cfn-lint loads in a child process while they import pydantic, troposphere (and
boto3), read the spec and compile it.
"""

from __future__ import annotations

import os
from pathlib import Path


def warm_up_lint(path: str, env: str | None) -> None:
    """Warm cfn-lint up for the templates of ``path`` (overlay ``env``), unless all are cached."""
    from fgc.compiler.lint import warm_up

    warm_up(lint_input_key(path, env))


def lint_input_key(path: str, env: str | None) -> str | None:
    """What the templates are made from, hashed: the spec's bytes, the environment, the
    variables the spec reads and fgc's version (None when the file cannot be read: the
    load that follows reports why). Lets a warm render skip the cfn-lint warm-up."""
    import hashlib
    import re

    from fgc import __version__

    try:
        text = Path(path).read_bytes()
    except OSError:
        return None
    names = sorted(set(re.findall(rb"\$\{([A-Za-z_][A-Za-z0-9_]*)", text)))
    values = [repr((name, os.environ.get(name.decode()))).encode() for name in names]
    return hashlib.sha256(b"\0".join([__version__.encode(), (env or "").encode(), text, *values])).hexdigest()
