"""Standard output that went away: after the first broken pipe, fgc writes into /dev/null.

A reader that quits early (``fgc status | head -3``) closes the pipe; the next write
raises ``BrokenPipeError``, and so would every later write and the final flush. Pointing
file descriptor 1 at /dev/null once makes those writes harmless, so a command that must
go on (a deploy already executing) can finish and report its outcome in its exit status.
"""

from __future__ import annotations

import contextlib
import os
import sys


def silence_stdout() -> None:
    """Send whatever is still written to standard output (buffered or not) to /dev/null."""
    with contextlib.suppress(OSError, ValueError, AttributeError):  # no real file behind sys.stdout
        target = sys.stdout.fileno()
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, target)
        os.close(devnull)
