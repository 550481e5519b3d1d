"""Every file under broken/ fails with exactly the problems its `# expect:` lines name.

Each expectation is `LINE:COL: dotted.path: message prefix`; line and column
and path must match exactly, the message must start with the given text.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from fgc import spec

CORPUS = sorted((Path(__file__).parent / "broken").glob("*.yaml"))
EXPECT = re.compile(r"^# expect: (\d+):(\d+): ([^:]*): (.+)$")


def _expectations(text: str) -> tuple[str | None, list[tuple[int, int, str, str]]]:
    env = None
    expected = []
    for line in text.splitlines():
        if line.startswith("# env: "):
            env = line.removeprefix("# env: ").strip()
        match = EXPECT.match(line)
        if match:
            expected.append((int(match[1]), int(match[2]), match[3], match[4]))
    return env, expected


def test_corpus_is_large_enough():
    assert len(CORPUS) >= 40


@pytest.mark.parametrize("path", CORPUS, ids=lambda p: p.stem)
def test_broken_file_reports_each_problem_in_place(path: Path):
    text = path.read_text()
    env, expected = _expectations(text)
    assert expected, f"{path.name} has no '# expect:' line"
    with pytest.raises(spec.SpecError) as caught:
        spec.loads(text, filename=path.name, env=env, environ={})
    problems = caught.value.problems
    for line, column, dotted, message in expected:
        matching = [
            p
            for p in problems
            if (p.line, p.column, p.path) == (line, column, dotted) and p.message.startswith(message)
        ]
        assert matching, f"expected {line}:{column}: {dotted}: {message}...\n got:\n" + "\n".join(
            map(str, problems)
        )
    for problem in problems:
        assert problem.file == path.name
    assert caught.value.exit_code == 2
