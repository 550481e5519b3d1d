"""The app under real gunicorn (app/gunicorn.conf.py, 2 workers x 4 threads) on loopback."""

from __future__ import annotations

import http.client
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[2]


def test_concurrent_posts_are_visible_from_every_worker(server) -> None:  # type: ignore[no-untyped-def]
    names = [f"concurrent-{i}" for i in range(40)]
    with ThreadPoolExecutor(max_workers=16) as pool:
        responses = list(pool.map(lambda n: server.request("POST", "/api/items", {"name": n}), names))
    assert [r.status for r in responses] == [201] * len(names)
    created = {r.json()["id"]: r.json()["name"] for r in responses}
    assert len(created) == len(names)  # ids unique across workers and threads
    assert sorted(created.values()) == sorted(names)

    # Concurrent GETs on fresh connections until both workers have answered (bounded).
    listing_pids: set[int] = set()
    for _round in range(20):
        with ThreadPoolExecutor(max_workers=16) as pool:
            listings = list(pool.map(lambda _: server.request("GET", "/api/items"), range(16)))
        for listing in listings:
            assert listing.status == 200
            listed = {item["id"]: item["name"] for item in listing.json()["items"]}
            assert created.items() <= listed.items()
        listing_pids |= server.served_by([r.headers["X-Request-Id"] for r in listings])
        if len(listing_pids) == 2:
            break
    assert len(listing_pids) == 2, "every listing came from one worker; cannot show sharing"

    for item_id, name in created.items():
        response = server.request("GET", f"/api/items/{item_id}")
        assert response.status == 200 and response.json()["name"] == name


def test_chunked_bodies_are_accepted_up_to_64_kib_and_refused_beyond(server) -> None:  # type: ignore[no-untyped-def]
    def post_chunked(chunks: list[bytes]) -> tuple[int, dict]:
        conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=10)
        try:
            headers = {"Content-Type": "application/json"}
            conn.request("POST", "/api/items", body=iter(chunks), headers=headers, encode_chunked=True)
            response = conn.getresponse()
            return response.status, json.loads(response.read())
        finally:
            conn.close()

    status, item = post_chunked([b'{"name": ', b'"sent in chunks"}'])
    assert (status, item["name"]) == (201, "sent in chunks")
    status, error = post_chunked([b'{"name": "x", "pad": "', b"p" * 70_000, b'"}'])
    assert (status, error["status"]) == (413, 413)


def test_every_log_line_is_json_and_access_lines_carry_request_fields(server) -> None:  # type: ignore[no-untyped-def]
    response = server.request("GET", "/api/items/424242", headers={"X-Request-Id": "trace-me-1"})
    assert response.status == 404
    server.served_by(["trace-me-1"])
    records = server.log_records()  # json.loads of every line: a non-JSON line fails here
    assert all({"time", "level", "message", "pid"} <= record.keys() for record in records)
    access = [r for r in records if r.get("request_id") == "trace-me-1"]
    assert len(access) == 1
    assert access[0]["method"] == "GET" and access[0]["path"] == "/api/items/424242"
    assert access[0]["status"] == 404 and access[0]["duration_ms"] >= 0


def test_secrets_never_appear_in_responses_or_logs(server, app_secrets) -> None:  # type: ignore[no-untyped-def]
    responses = [
        server.request("GET", "/health"),
        server.request("GET", "/info"),
        server.request("GET", "/api/items"),
        server.request("POST", "/api/items", {"name": "secret-test"}),
        server.request("POST", "/api/items", {"name": ""}),
        server.request("GET", "/api/items/1"),
        server.request("GET", "/missing"),
        server.request("DELETE", "/api/items"),
    ]
    assert responses[1].json()["secrets_set"]["DB_PASSWORD"] is True
    server.served_by([r.headers["X-Request-Id"] for r in responses])  # all logged
    texts = [r.body.decode() + json.dumps(r.headers) for r in responses] + server.logs().splitlines()
    for value in app_secrets.values():
        assert not [text for text in texts if value in text]


def test_sigterm_finishes_in_flight_requests_and_exits_0(start_server) -> None:  # type: ignore[no-untyped-def]
    srv = start_server()
    body = json.dumps({"name": "in-flight"}).encode()
    head = (
        f"POST /api/items HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
        f"Content-Length: {len(body)}\r\n\r\n"
    ).encode()
    # Requests whose bodies are still arriving: a worker is inside the app, reading them.
    clients = [socket.create_connection(("127.0.0.1", srv.port), timeout=10) for _ in range(4)]
    for sock in clients:
        sock.sendall(head + body[:5])
    _wait_until_accepted(srv.port)

    srv.process.send_signal(signal.SIGTERM)
    time.sleep(0.5)  # the workers now know they are stopping
    assert srv.process.poll() is None, "gunicorn exited with requests in flight"
    for sock in clients:
        sock.sendall(body[5:])
    replies = []
    for sock in clients:
        with sock:
            reply = http.client.HTTPResponse(sock)
            reply.begin()
            replies.append((reply.status, json.loads(reply.read())))
    assert [status for status, _ in replies] == [201] * 4
    assert len({item["id"] for _, item in replies}) == 4

    assert srv.process.wait(timeout=30) == 0
    assert "Handling signal: term" in srv.logs()


def _wait_until_accepted(port: int) -> None:
    """Waits until no connection waits in the listening socket's accept queue (Linux /proc).

    For a listening socket, /proc/net/tcp's rx_queue is the accept queue's length.
    """
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        queued = [
            int(fields[4].split(":")[1], 16)
            for fields in (line.split() for line in Path("/proc/net/tcp").read_text().splitlines()[1:])
            if fields[1].endswith(f":{port:04X}") and fields[3] == "0A"  # 0A: LISTEN
        ]
        if queued == [0]:
            return
        time.sleep(0.01)
    raise AssertionError(f"connections still waiting to be accepted on port {port}")


def test_health_check_commands_work_without_curl(server, unused_port: int) -> None:  # type: ignore[no-untyped-def]
    env = {**os.environ, "PORT": str(server.port)}
    script = [sys.executable, str(ROOT / "app" / "healthcheck.py")]
    assert subprocess.run(script, env=env, timeout=10).returncode == 0
    # The repository's fargate.yaml deploys this app with this container health check (shell form).
    health_check = yaml.safe_load((ROOT / "fargate.yaml").read_text())["services"]["api"]["health_check"]
    assert "curl" not in health_check["command"]
    shell_command = health_check["command"].replace("8080", str(server.port))
    python_first = {**os.environ, "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}"}
    assert subprocess.run(["sh", "-c", shell_command], env=python_first, timeout=10).returncode == 0

    nothing_listens = {**os.environ, "PORT": str(unused_port)}
    assert subprocess.run(script, env=nothing_listens, timeout=10).returncode == 1


def test_runs_from_the_image_layout_with_the_default_database(start_server, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    """Only app/ in the working directory (what .dockerignore sends) and no ITEMS_DB set."""
    workdir, temp = tmp_path / "image", tmp_path / "writable-tmp"
    shutil.copytree(ROOT / "app", workdir / "app", ignore=shutil.ignore_patterns("__pycache__"))
    temp.mkdir()
    srv = start_server({"TMPDIR": str(temp), "ITEMS_DB": ""}, cwd=workdir)  # empty: the default
    assert srv.request("POST", "/api/items", {"name": "in /tmp"}).status == 201
    assert (temp / "items.db").is_file()
    assert srv.stop() == 0
