"""Values are kept as written; hostile nesting and numbers are problems; lines count as editors do.

Regression tests for issue 12: YAML 1.1 typing changed values (``1.10`` -> 1.1, ``0755`` ->
493, ``12:30`` -> 750, ``on`` -> true), 495 nested lists raised RecursionError, a number of
4,301 digits raised ValueError, and positions were off after CR/NEL/U+2028/U+2029, for a
control character, and at the end of a file ending inside ``{`` or ``[``.
"""

from __future__ import annotations

import pytest

from fgc import spec

BASE = "app: demo\nservices:\n  api:\n    image: nginx\n"


def load(text: str) -> spec.Spec:
    return spec.loads(text, environ={})


def problems(text: str) -> list[str]:
    with pytest.raises(spec.SpecError) as caught:
        load(text)
    return [str(p) for p in caught.value.problems]


@pytest.mark.parametrize(
    "text",
    ["1.10", "0755", "12:30", "on", "no", "0x1F", "1.0e+3", "True", "1_000", ".inf", "+5", "2001-12-14"],
)
def test_string_typed_values_keep_the_text_as_written(text: str) -> None:
    app = load(
        f"app: demo\ntags: {{v: {text}}}\nservices:\n  api:\n    image: nginx\n    user: {text}\n"
        f"    environment: {{V: {text}}}\n    command: [run, {text}]\n"
    )
    api = app.services["api"]
    assert (app.tags["v"], api.user, api.environment["V"], api.command) == (text, text, text, ["run", text])


def test_canonical_numbers_and_booleans_in_text_keep_their_text() -> None:
    api = load(BASE + "    environment: {A: 8080, B: 1.5, C: true, D: -3}\n").services["api"]
    assert api.environment == {"A": "8080", "B": "1.5", "C": "true", "D": "-3"}


def test_secret_names_and_service_keys_keep_their_text() -> None:
    app = load(
        "app: demo\nservices:\n  api:\n    image: nginx\n    secrets: {TOKEN: {ssm: 0755}}\n"
        "    sidecars: {s0755: {image: nginx}}\n"
    )
    assert app.services["api"].secrets["TOKEN"].ssm == "0755"


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        (
            "    port: 0x1F",
            "5:11: services.api.port: '0x1F' is read as 31 by YAML 1.1 (not as written): write 31",
        ),
        (
            "    count: 0755",
            "5:12: services.api.count: '0755' is read as 493 by YAML 1.1 (not as written): write 493",
        ),
        ("    count: 12:30", "5:12: services.api.count: '12:30' is read as 750 by YAML 1.1"),
        ("    cpu: 0755", "5:10: services.api.cpu: '0755' is read as 493 by YAML 1.1"),
        (
            "    cpu: 1.0e+3",
            "5:10: services.api.cpu: '1.0e+3' is read as 1000.0 by YAML 1.1 (not as written): write 1000",
        ),
        (
            "    exec: on",
            "5:11: services.api.exec: 'on' is true in YAML 1.1 but text in YAML 1.2: write true",
        ),
        ("    readonly_root: no", "5:20: services.api.readonly_root: 'no' is false in YAML 1.1"),
        ("    port: on", "5:11: services.api.port: expected a number, got 'on'"),
        ("    exec: 0x1", "5:11: services.api.exec: expected true or false, got '0x1'"),
        ("    port: .inf", "5:11: services.api.port: '.inf' is not a finite number"),
        (
            "    health_check: {command: x, interval: 1:00}",
            "5:42: services.api.health_check.interval: '1:00'",
        ),
    ],
)
def test_typed_keys_refuse_ambiguous_forms_at_their_line(line: str, expected: str) -> None:
    assert any(p.startswith(f"fargate.yaml:{expected}") for p in problems(BASE + line + "\n")), expected


def test_booleans_of_yaml_1_2_are_booleans() -> None:
    api = load(BASE + "    exec: True\n    readonly_root: FALSE\n").services["api"]
    assert (api.exec, api.readonly_root) == (True, False)


def test_override_values_must_be_unambiguous() -> None:
    text = BASE + (
        "overrides:\n  service-api:\n"
        "    - {op: add, path: /Resources/Service/Properties/X, value: .nan}\n"
        "    - {op: add, path: /Resources/Service/Properties/Y, value: {a: [1, -.inf]}}\n"
        "    - {op: add, path: /Resources/Service/Properties/Z, value: 0755}\n"
        "    - {op: add, path: /Resources/Service/Properties/W, value: '0755'}\n"
    )
    found = problems(text)
    assert found[0].startswith(
        "fargate.yaml:7:63: overrides.service-api[0].value: '.nan' is not a finite number"
    )
    assert found[1].startswith(
        "fargate.yaml:8:71: overrides.service-api[1].value.a[1]: '-.inf' is not a finite"
    )
    assert found[2] == (
        "fargate.yaml:9:63: overrides.service-api[2].value: '0755' is read as 493 by YAML 1.1 (not as written): "
        'write it in canonical form, or quote it for text ("0755")'
    )
    assert len(found) == 3


def test_an_integer_of_five_thousand_digits_is_text_or_out_of_range() -> None:
    digits = "9" * 5000
    assert load(BASE + f"    environment: {{BIG: {digits}}}\n").services["api"].environment["BIG"] == digits
    assert problems(BASE + f"    count: {digits}\n") == [
        "fargate.yaml:5:12: services.api.count: 999999999999...999999 (5000 digits) is out of range"
    ]


@pytest.mark.parametrize(
    ("form", "depth"),
    [(form, depth) for form in ("flow-list", "flow-map", "block-map") for depth in (65, 495)]
    + [("flow-list", 5000), ("flow-map", 5000)],
)
def test_deep_nesting_is_a_problem_at_its_line(form: str, depth: int) -> None:
    if form == "flow-list":
        nested = "[" * depth + "]" * depth
    elif form == "flow-map":
        nested = "{a: " * depth + "1" + "}" * depth
    else:
        nested = "".join("\n" + "  " * (i + 3) + "k:" for i in range(depth)) + " 1"
    found = problems(BASE + f"    environment: {nested}\n")
    line = 67 if form == "block-map" else 5  # a block map's 65th level starts on line 5 + 62
    assert len(found) == 1 and found[0].startswith(f"fargate.yaml:{line}:"), found
    # ours past 64 levels; libyaml's own limit (1,000) stops deeper flows first
    assert "nested more than 64 deep" in found[0] or "exceeded maximum nesting depth" in found[0]


def test_sixty_four_levels_are_read() -> None:
    value = "[" * 59 + "1" + "]" * 59
    text = BASE + f"overrides:\n  service-api:\n    - {{op: add, path: /Metadata, value: {value}}}\n"
    assert load(text).overrides["service-api"][0].value is not None


def test_a_control_character_is_reported_at_its_line_and_column() -> None:
    assert problems(BASE + "    user: \x07x\n") == [
        "fargate.yaml:5:11: YAML syntax: control characters are not allowed (U+0007)"
    ]


@pytest.mark.parametrize("opener", ["{", "["])
@pytest.mark.parametrize("newline", ["", "\n"])
def test_a_file_ending_inside_a_flow_collection_is_reported_on_its_last_line(
    opener: str, newline: str
) -> None:
    found = problems(BASE + f"    command: {opener}run" + newline)
    assert found[0].startswith("fargate.yaml:5:"), found


@pytest.mark.parametrize("brk", ["\r", "\x85", "\u2028", "\u2029"])
def test_only_newlines_count_as_line_breaks(brk: str) -> None:
    text = f'app: demo\ntags: {{team: "a{brk}b"}}\nservices:\n  api:\n    image: nginx\n    memory: 3\n'
    assert problems(text)[-1].startswith("fargate.yaml:6:13: services.api.memory"), problems(text)


def test_windows_line_endings_keep_positions() -> None:
    text = (BASE + "    memory: 3\n").replace("\n", "\r\n")
    assert problems(text)[0].startswith("fargate.yaml:5:13: services.api.memory")


def test_a_document_with_text_as_written_copies_and_pickles() -> None:
    """Overlays keep Written values in ``environments``; copies and pickles must keep them intact."""
    import copy
    import pickle

    app = load(BASE + "environments:\n  dev: {services: {api: {environment: {V: 0755}}}}\n")
    for clone in (copy.deepcopy(app), pickle.loads(pickle.dumps(app))):
        assert clone.environments["dev"]["services"]["api"]["environment"]["V"] == "0755"


def test_a_boolean_is_not_a_number() -> None:
    """Pydantic would read ``true`` as 1: a number key refuses a boolean instead."""
    assert problems(BASE + "    count: true\n    health_check: {command: x, retries: false}\n") == [
        "fargate.yaml:5:12: services.api.count: expected a number, got true",
        "fargate.yaml:6:41: services.api.health_check.retries: expected a number, got false",
    ]
