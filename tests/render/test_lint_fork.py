"""fgc.compiler.lint_fork: forked children that return a value, die, or are stopped; balanced shares."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from fgc.compiler import lint_fork

pytestmark = pytest.mark.skipif(not hasattr(os, "fork"), reason="needs os.fork")

REPO = Path(__file__).resolve().parents[2]


def test_a_child_returns_what_its_work_returned() -> None:
    loaded = {"rules": 329}  # what the parent had before the fork, the child sees too
    child = lint_fork.fork(lambda: [loaded["rules"], os.getpid()])
    rules, pid = lint_fork.result(child)
    assert rules == 329 and pid == child.pid != os.getpid()


def test_a_child_that_dies_answers_none() -> None:
    assert lint_fork.result(lint_fork.fork(lambda: os._exit(3))) is None
    assert lint_fork.result(lint_fork.fork(lambda: 1 / 0)) is None


def test_a_stopped_child_is_gone() -> None:
    child = lint_fork.fork(lambda: time.sleep(60))
    lint_fork.stop(child)
    with pytest.raises(ProcessLookupError):
        os.kill(child.pid, 0)


def test_map_forked_does_every_task_once_across_processes() -> None:
    def work(i: int) -> tuple[int, int]:
        time.sleep(0.1)  # long enough that every process gets a turn
        return i * i, os.getpid()

    found = lint_fork.map_forked(work, [5, 3, 9, 0, 7, 1], processes=3)
    assert {i: square for i, (square, _) in found.items()} == {i: i * i for i in (5, 3, 9, 0, 7, 1)}
    assert len({pid for _, pid in found.values()}) == 3 and os.getpid() in {pid for _, pid in found.values()}


def test_map_forked_redoes_the_tasks_of_a_helper_that_died() -> None:
    parent = os.getpid()

    def work(i: int) -> int:
        if os.getpid() != parent and i == 4:
            os._exit(1)  # a helper dies holding task 4 (and loses what it did before)
        time.sleep(0.01)
        return -i

    assert lint_fork.map_forked(work, list(range(8)), processes=2) == {i: -i for i in range(8)}


def test_forking_is_refused_while_another_thread_runs() -> None:
    release = threading.Event()
    thread = threading.Thread(target=release.wait)
    thread.start()
    try:
        assert not lint_fork.available()
    finally:
        release.set()
        thread.join()
    code = "from fgc.compiler import lint_fork; print(lint_fork.available())"
    fresh = subprocess.run([sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True)
    assert fresh.stdout.strip() == "True", fresh.stderr
