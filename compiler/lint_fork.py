"""Forked helper processes for :mod:`compiler.lint`: a child runs one function and pickles back its result.

Forking, not spawning, is the point: a child starts with everything its parent has
loaded (cfn-lint and its rules take about a second to load) and shares it
copy-on-write. Only where that is safe (:func:`available`); callers work in-process
elsewhere.
A child that dies without answering is reported as None, so the caller can redo the
work itself: slower, same result.
"""

from __future__ import annotations

import os
import pickle
import signal
import threading
from collections.abc import Callable, Sequence
from typing import NamedTuple, TypeVar, cast

T = TypeVar("T")


class Child(NamedTuple):
    """A forked process and the read end of the pipe its result comes back on."""

    pid: int
    replies: int


def available() -> bool:
    """Whether forking is safe here: ``os.fork`` exists and this process runs no other thread.

    A thread holding a lock at the moment of the fork (the allocator's, logging's, an
    import's) leaves that lock held forever in the child, which can then hang. The
    ``fgc`` process has no threads; a library caller with threads lints in-process.
    """
    return hasattr(os, "fork") and threading.active_count() == 1


def fork(work: Callable[[], object], close: Sequence[int] = ()) -> Child:
    """Run ``work()`` in a forked child; :func:`result` gives what it returned.

    ``close`` are the parent's own pipe ends the child must not hold open (a child
    holding the write end of its own request pipe would never see end-of-file).
    The child never returns into the caller's code: it exits when ``work`` does.
    """
    replies, reply_in = os.pipe()
    pid = os.fork()
    if pid == 0:
        status = 1
        try:
            os.close(replies)
            for fd in close:
                os.close(fd)
            value = work()
            if value is not None:
                with os.fdopen(reply_in, "wb") as out:
                    pickle.dump(value, out)
            status = 0
        finally:
            os._exit(status)
    os.close(reply_in)
    return Child(pid, replies)


def result(child: Child) -> object | None:
    """Wait for ``child``: what its work returned, or None when that was None or it died."""
    with os.fdopen(child.replies, "rb") as inbox:
        data = inbox.read()
    os.waitpid(child.pid, 0)
    return pickle.loads(data) if data else None


def stop(child: Child) -> None:
    """End ``child`` now, its work unfinished."""
    os.kill(child.pid, signal.SIGKILL)
    os.waitpid(child.pid, 0)
    os.close(child.replies)


def map_forked(work: Callable[[int], T], order: Sequence[int], processes: int) -> dict[int, T]:
    """``work(i)`` for every ``i`` of ``order``: here and in ``processes - 1`` forked helpers.

    Each process takes the next index from one shared pipe when it is free, so a slow
    process (or a slow core) simply takes fewer; give the longest work first. Indices a
    helper took and never returned (it died) are worked here.
    """
    if len(order) > _MAX_TASKS:
        raise ValueError(f"at most {_MAX_TASKS} tasks fit in the pipe")
    tasks, tasks_in = os.pipe()
    os.write(tasks_in, b"".join(index.to_bytes(_TASK_BYTES, "big") for index in order))
    os.close(tasks_in)

    def take_until_done() -> dict[int, T]:
        done: dict[int, T] = {}
        while chunk := os.read(tasks, _TASK_BYTES):  # one pipe read of this size is atomic
            index = int.from_bytes(chunk, "big")
            done[index] = work(index)
        return done

    helpers = [fork(take_until_done) for _ in range(processes - 1)]
    results = take_until_done()
    os.close(tasks)
    for helper in helpers:
        results.update(cast(dict[int, T], result(helper) or {}))
    for index in order:
        if index not in results:
            results[index] = work(index)
    return results


#: Task indices travel as fixed-size integers; all are written before anyone reads, so
#: they must fit in a pipe's buffer (64 KiB on Linux, at least 4 KiB anywhere POSIX).
_TASK_BYTES = 2
_MAX_TASKS = 4096 // _TASK_BYTES
