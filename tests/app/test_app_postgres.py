"""Two gunicorn servers (two ECS tasks) on one real PostgreSQL database.

The server is the system's PostgreSQL, started by the session fixture `postgres` on a
loopback port; the app logs in with the test SECRETS as its user name and password, so
the checks that no secret reaches a response or a log line cover the database credentials.
"""

from __future__ import annotations

import dataclasses
import json
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from psycopg import sql

from app.config import Settings
from app.service import create_app

_RECOVERY_S = 120.0  # a pool's reconnect back-off is at most 30 s; the machine may be loaded


def _sqlite_file(server) -> Path:  # type: ignore[no-untyped-def]
    return server.stdout_path.parent / "items.db"  # ITEMS_DB of GunicornServer


def _wait_until_every_worker_is_healthy(server, workers: int = 2) -> None:  # type: ignore[no-untyped-def]
    """Each worker has its own pool, reconnecting on its own back-off schedule."""
    deadline = time.monotonic() + _RECOVERY_S
    healthy: set[int] = set()
    while len(healthy) < workers:
        assert time.monotonic() < deadline, f"/health still fails in {workers - len(healthy)} worker(s)"
        response = server.request("GET", "/health")
        if response.status == 200:
            healthy |= server.served_by([response.headers["X-Request-Id"]])
        else:
            time.sleep(0.2)


def _assert_logs_hold_no_database_details(servers, responses, postgres_env: dict[str, str]) -> None:  # type: ignore[no-untyped-def]
    never = [postgres_env[name] for name in ("DB_USERNAME", "DB_PASSWORD", "DB_HOST")]
    never += ["[redacted]", "connection to server", f"port {postgres_env['DB_PORT']}"]
    texts = [r.body.decode() + json.dumps(r.headers) for r in responses]
    for server in servers:
        server.log_records()  # every line is JSON (the driver's warnings included)
        texts += server.logs().splitlines()
    leaks = [(value, text) for value in never for text in texts if value in text]
    assert not leaks, leaks[:3]


def test_items_posted_to_one_task_are_listed_by_the_other_with_unique_ids(  # type: ignore[no-untyped-def]
    start_server, postgres_env
) -> None:
    tasks = [start_server({**postgres_env, "ENVIRONMENT": "test"}) for _ in range(2)]
    names = [f"shared-{i}" for i in range(60)]
    with ThreadPoolExecutor(max_workers=16) as pool:
        responses = list(
            pool.map(
                lambda i: tasks[i % 2].request("POST", "/api/items", {"name": names[i]}), range(len(names))
            )
        )
    assert [r.status for r in responses] == [201] * len(names)
    created = {r.json()["id"]: r.json()["name"] for r in responses}
    assert len(created) == len(names) and sorted(created.values()) == sorted(names)  # ids unique

    for task in tasks:
        listing = task.request("GET", "/api/items")
        assert listing.status == 200
        body = listing.json()
        assert body["count"] == len(names)
        assert {item["id"]: item["name"] for item in body["items"]} == created
        assert [item["id"] for item in body["items"]] == sorted(created)
        assert task.request("GET", "/info").json()["items_store"] == "postgresql"
        assert not _sqlite_file(task).exists()  # nothing went to the task-local SQLite file
    for item_id, name in list(created.items())[:10]:
        one = tasks[item_id % 2].request("GET", f"/api/items/{item_id}")
        assert one.status == 200 and one.json()["name"] == name
        assert one.json()["created_at"] == next(i for i in body["items"] if i["id"] == item_id)["created_at"]


def test_database_outage_is_503_and_clean_json_then_recovers(  # type: ignore[no-untyped-def]
    start_server, postgres, postgres_env
) -> None:
    tasks = [start_server({**postgres_env, "ENVIRONMENT": "test"}) for _ in range(2)]
    first = tasks[0].request("POST", "/api/items", {"name": "before the outage"})
    assert first.status == 201
    responses = [first]

    postgres.stop()
    try:
        for task in tasks:
            health = task.request("GET", "/health")
            assert health.status == 503 and health.json()["status"] == "unhealthy"
            write = task.request("POST", "/api/items", {"name": "during the outage"})
            listing = task.request("GET", "/api/items")
            for response in (write, listing):
                assert response.status == 503 and response.headers["Content-Type"] == "application/json"
                assert response.json()["error"] == "item database unavailable"
                assert response.json()["request_id"] == response.headers["X-Request-Id"]
            responses += [health, write, listing]
    finally:
        postgres.start()

    for task in tasks:
        _wait_until_every_worker_is_healthy(task)
    second = tasks[1].request("POST", "/api/items", {"name": "after the outage"})
    assert second.status == 201 and second.json()["id"] > first.json()["id"]
    for task in tasks:
        listed = [item["name"] for item in task.request("GET", "/api/items").json()["items"]]
        assert listed == ["before the outage", "after the outage"]  # the failed write left nothing
    responses.append(second)

    warnings = [r["message"] for task in tasks for r in task.log_records() if r.get("level") == "warning"]
    assert any(m.startswith("item database unavailable: PostgreSQL: ") for m in warnings)
    _assert_logs_hold_no_database_details(tasks, responses, postgres_env)


def test_start_up_with_the_database_down_waits_instead_of_crash_looping(  # type: ignore[no-untyped-def]
    start_server, postgres, postgres_env
) -> None:
    postgres.stop()
    try:
        task = start_server({**postgres_env, "ENVIRONMENT": "test"}, ready_status=503)
        time.sleep(3)  # the pool's first reconnect attempts fail meanwhile
        assert task.process.poll() is None, "gunicorn exited while the database was down"
        assert task.request("GET", "/health").json()["status"] == "unhealthy"
    finally:
        postgres.start()
    _wait_until_every_worker_is_healthy(task)
    created = task.request("POST", "/api/items", {"name": "after start-up"})
    assert created.status == 201  # the table was created once the database came
    assert task.request("GET", f"/api/items/{created.json()['id']}").json()["name"] == "after start-up"
    _assert_logs_hold_no_database_details([task], [created], postgres_env)
    assert task.stop() == 0


def test_a_role_that_may_not_create_tables_uses_the_existing_one(postgres, postgres_env, settings) -> None:  # type: ignore[no-untyped-def]
    """PostgreSQL 15+ gives no CREATE on schema public; CREATE TABLE IF NOT EXISTS needs it."""
    owner = create_app(dataclasses.replace(settings, database=Settings.from_env(postgres_env).database))
    try:
        assert owner.test_client().post("/api/items", json={"name": "by the owner"}).status_code == 201
    finally:
        owner.extensions["items"].close()
    limited = {**postgres_env, "DB_USERNAME": "items-user-7e2a", "DB_PASSWORD": "pw-limited-91c4"}
    with postgres.admin(postgres_env["DB_NAME"]) as conn:
        role = sql.Identifier(limited["DB_USERNAME"])
        conn.execute(
            sql.SQL("CREATE ROLE {} LOGIN PASSWORD {}").format(role, sql.Literal(limited["DB_PASSWORD"]))
        )
        conn.execute(sql.SQL("GRANT SELECT, INSERT ON items TO {}").format(role))
    app = create_app(dataclasses.replace(settings, database=Settings.from_env(limited).database))
    try:
        client = app.test_client()
        assert client.get("/health").status_code == 200
        assert client.post("/api/items", json={"name": "by the app's role"}).status_code == 201
        names = [item["name"] for item in client.get("/api/items").get_json()["items"]]
        assert names == ["by the owner", "by the app's role"]
    finally:
        app.extensions["items"].close()
