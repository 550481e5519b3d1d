"""Every route, status code and error body, through Flask's test client, on both stores.

`client` is parametrized (conftest.py): each test that uses it runs against SQLite and
against a real PostgreSQL server, so the two stores keep one contract.
"""

from __future__ import annotations

import dataclasses
import json
import socket
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from app.config import Settings
from app.items import StoreError
from app.service import create_app


def _assert_json_error(response, status: int) -> dict:  # type: ignore[no-untyped-def]
    assert response.status_code == status
    assert response.mimetype == "application/json"
    body = response.get_json()
    assert body["status"] == status
    assert isinstance(body["error"], str) and body["error"]
    assert body["request_id"] == response.headers["X-Request-Id"]
    assert "Traceback" not in response.get_data(as_text=True)
    return body


def _assert_guide_timestamp(text: str) -> None:
    """The guide's `datetime.utcnow().isoformat()`: UTC, no offset, and now."""
    timestamp = datetime.fromisoformat(text)
    assert timestamp.tzinfo is None and "+" not in text and not text.endswith("Z")
    assert abs(timestamp - datetime.now(UTC).replace(tzinfo=None)) < timedelta(minutes=5)


def test_health_answers_the_guides_contract(client) -> None:  # type: ignore[no-untyped-def]
    response = client.get("/health")
    assert response.status_code == 200
    body = response.get_json()
    assert body.keys() == {"status", "timestamp"} and body["status"] == "healthy"
    _assert_guide_timestamp(body["timestamp"])


def test_health_is_503_when_the_sqlite_file_is_unreadable(settings) -> None:  # type: ignore[no-untyped-def]
    client = create_app(settings).test_client()
    Path(settings.items_db).write_bytes(b"this is not an sqlite database" * 200)
    response = client.get("/health")
    assert response.status_code == 503
    body = response.get_json()
    assert body.keys() == {"status", "timestamp"} and body["status"] == "unhealthy"
    _assert_guide_timestamp(body["timestamp"])
    body = _assert_json_error(client.post("/api/items", json={"name": "x"}), 503)
    assert body["error"] == "item database unavailable"


def test_unreachable_postgresql_does_not_fail_start_up_and_answers_503(  # type: ignore[no-untyped-def]
    settings, unused_port: int, capsys
) -> None:
    env = {"DB_HOST": "localhost", "DB_PORT": str(unused_port), "DB_NAME": "items", "DB_USERNAME": "u-4b1d"}
    app = create_app(dataclasses.replace(settings, database=Settings.from_env(env).database))
    try:
        client = app.test_client()
        response = client.get("/health")
        assert response.status_code == 503 and response.get_json()["status"] == "unhealthy"
        for response in (client.get("/api/items"), client.post("/api/items", json={"name": "x"})):
            body = _assert_json_error(response, 503)
            assert body["error"] == "item database unavailable" and response.headers["Retry-After"] == "5"
    finally:
        app.extensions["items"].close()
    logged = capsys.readouterr().out
    assert "item database unavailable: PostgreSQL: PoolTimeout" in logged
    assert "u-4b1d" not in logged and str(unused_port) not in logged


def test_unusable_database_path_fails_start_up_with_the_fix(tmp_path: Path) -> None:
    settings = Settings.from_env({"ITEMS_DB": str(tmp_path / "missing-dir" / "items.db")})
    with pytest.raises(StoreError, match="cannot open the item database .*: set ITEMS_DB to a writable path"):
        create_app(settings)


def test_request_id_is_generated_or_reused_when_well_formed(client) -> None:  # type: ignore[no-untyped-def]
    generated = client.get("/health").headers["X-Request-Id"]
    assert len(generated) == 32 and generated != client.get("/health").headers["X-Request-Id"]
    assert client.get("/health", headers={"X-Request-Id": "abc-123.x_y"}).headers["X-Request-Id"] == (
        "abc-123.x_y"
    )
    for bad in ("has space", "x" * 129, "<script>"):
        assert client.get("/health", headers={"X-Request-Id": bad}).headers["X-Request-Id"] != bad


def test_info_reports_the_environment_and_only_whether_secrets_are_set(  # type: ignore[no-untyped-def]
    client, app_secrets, request
) -> None:
    response = client.get("/info")
    assert response.status_code == 200
    body = response.get_json()
    assert body["hostname"] == socket.gethostname()
    assert (body["environment"], body["version"], body["region"]) == ("test", "1.2.3", "eu-west-1")
    assert datetime.fromisoformat(body["timestamp"]).tzinfo is not None
    assert body["secrets_set"] == {"DB_USERNAME": True, "DB_PASSWORD": True, "API_KEY": False}
    assert body["items_store"] == request.node.callspec.params["flask_app"]
    for value in app_secrets.values():
        assert value not in response.get_data(as_text=True)


def test_items_start_empty(client) -> None:  # type: ignore[no-untyped-def]
    response = client.get("/api/items")
    assert response.status_code == 200
    assert response.get_json() == {"items": [], "count": 0}


def test_created_items_are_listed_and_fetched_by_id(client) -> None:  # type: ignore[no-untyped-def]
    created = []
    for name in ("first", "  second  "):
        response = client.post("/api/items", json={"name": name})
        assert response.status_code == 201
        item = response.get_json()
        assert response.headers["Location"] == f"/api/items/{item['id']}"
        assert datetime.fromisoformat(item["created_at"]).tzinfo is not None
        created.append(item)
    assert [item["name"] for item in created] == ["first", "second"]  # surrounding blanks dropped
    assert created[0]["id"] < created[1]["id"]

    assert client.get("/api/items").get_json() == {"items": created, "count": 2}
    for item in created:
        response = client.get(f"/api/items/{item['id']}")
        assert response.status_code == 200
        assert response.get_json() == item


def test_name_of_exactly_200_characters_is_accepted(client) -> None:  # type: ignore[no-untyped-def]
    response = client.post("/api/items", json={"name": "n" * 200})
    assert response.status_code == 201
    assert response.get_json()["name"] == "n" * 200


def test_names_beyond_ascii_are_stored_as_sent(client) -> None:  # type: ignore[no-untyped-def]
    name = "caf\u00e9 \U0001f600 \u2028 \u65e5\u672c"  # a surrogate pair in JSON: one character
    response = client.post("/api/items", data=json.dumps({"name": name}), content_type="application/json")
    assert response.status_code == 201
    item = response.get_json()
    assert item["name"] == name
    assert client.get(f"/api/items/{item['id']}").get_json()["name"] == name
    assert client.get("/api/items").get_json()["items"] == [item]


def test_missing_item_is_404(client) -> None:  # type: ignore[no-untyped-def]
    body = _assert_json_error(client.get("/api/items/999"), 404)
    assert body["error"] == "item 999 not found"


@pytest.mark.parametrize("item_id", [0, 2**63 - 1, 2**63, 10**30])
def test_ids_beyond_64_bits_are_404_not_500(client, item_id: int) -> None:  # type: ignore[no-untyped-def]
    body = _assert_json_error(client.get(f"/api/items/{item_id}"), 404)
    assert body["error"] == f"item {item_id} not found"


@pytest.mark.parametrize("path", ["/nope", "/api/items/abc", "/api/items/-1", "/api/", "/health/x"])
def test_unknown_routes_are_404_json(client, path: str) -> None:  # type: ignore[no-untyped-def]
    _assert_json_error(client.get(path), 404)


@pytest.mark.parametrize(
    ("method", "path", "allowed"),
    [
        ("POST", "/health", {"GET", "HEAD", "OPTIONS"}),
        ("PUT", "/info", {"GET", "HEAD", "OPTIONS"}),
        ("DELETE", "/api/items", {"GET", "HEAD", "OPTIONS", "POST"}),
        ("PATCH", "/api/items/1", {"GET", "HEAD", "OPTIONS"}),
    ],
)
def test_wrong_methods_are_405_json_with_allow(client, method: str, path: str, allowed: set[str]) -> None:  # type: ignore[no-untyped-def]
    response = client.open(path, method=method)
    _assert_json_error(response, 405)
    assert {m.strip() for m in response.headers["Allow"].split(",")} == allowed


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (b"{not json", "request body is not valid JSON"),
        (b"", "request body is not valid JSON"),
        (b"\xff\xfe\x00", "request body is not valid JSON"),
        (b"[]", "request body must be a JSON object"),
        (b'"name"', "request body must be a JSON object"),
        (b"null", "request body must be a JSON object"),
        (b"{}", '"name" is required and must be a string'),
        (b'{"title": "x"}', '"name" is required and must be a string'),
        (b'{"name": 1}', '"name" is required and must be a string'),
        (b'{"name": null}', '"name" is required and must be a string'),
        (b'{"name": ["x"]}', '"name" is required and must be a string'),
        (b'{"name": ""}', '"name" must not be empty'),
        (b'{"name": "   "}', '"name" must not be empty'),
        (json.dumps({"name": "n" * 201}).encode(), '"name" must be at most 200 characters'),
        (b'{"name": "\\ud800"}', '"name" must be Unicode text without NUL or unpaired surrogates'),
        (b'{"name": "a\\udfffb"}', '"name" must be Unicode text without NUL or unpaired surrogates'),
        (b'{"name": "nul\\u0000"}', '"name" must be Unicode text without NUL or unpaired surrogates'),
    ],
)
def test_invalid_bodies_are_400_json(client, body: bytes, message: str) -> None:  # type: ignore[no-untyped-def]
    response = client.post("/api/items", data=body, content_type="application/json")
    assert _assert_json_error(response, 400)["error"] == message
    assert client.get("/api/items").get_json()["count"] == 0


def test_non_json_content_type_is_415(client) -> None:  # type: ignore[no-untyped-def]
    response = client.post("/api/items", data='{"name": "x"}', content_type="text/plain")
    assert _assert_json_error(response, 415)["error"] == "Content-Type must be application/json"


def test_body_over_64_kib_is_413(client) -> None:  # type: ignore[no-untyped-def]
    body = json.dumps({"name": "x", "padding": "p" * (64 * 1024)})
    _assert_json_error(client.post("/api/items", data=body, content_type="application/json"), 413)
    assert client.get("/api/items").get_json()["count"] == 0


def test_unexpected_exception_is_500_json_without_traceback(flask_app) -> None:  # type: ignore[no-untyped-def]
    def broken() -> str:
        raise RuntimeError("internal detail that must not leak")

    flask_app.add_url_rule("/broken", view_func=broken)
    response = flask_app.test_client().get("/broken")
    body = _assert_json_error(response, 500)
    assert body["error"] == "internal server error"
    assert "internal detail" not in response.get_data(as_text=True)
