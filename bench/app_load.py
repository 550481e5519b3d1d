"""Load benchmark of the sample app under gunicorn (app/gunicorn.conf.py) on loopback.

For each item store (SQLite, and PostgreSQL: a throwaway server of the system's
PostgreSQL, durable settings, started as the app's tests start it), starts its own
gunicorn on a free 127.0.0.1 port with WEB_CONCURRENCY x GUNICORN_THREADS, seeds the
items, then measures requests/s and p50/p99 latency for GET /health, GET /api/items
(with the seeded items) and POST /api/items, and stops the server with SIGTERM. It uses
wrk when it is installed (`apt-get install wrk`) and a small asyncio keep-alive client
otherwise.

    .venv/bin/python bench/app_load.py [--store both|sqlite|postgresql] [--tool auto|wrk|python]

Target on 2 cores, 2 workers x 4 threads: >= 1,500 req/s on /health, p99 < 50 ms at 32
connections. Both the server and the load generator share this machine's cores.
"""

from __future__ import annotations

import argparse
import asyncio
import dataclasses
import http.client
import json
import os
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests" / "app"))
from postgres_server import PostgresServer  # noqa: E402  (the tests' throwaway server)

HOST = "127.0.0.1"
START_TIMEOUT_S = 20.0
REQUEST_TIMEOUT_S = 30.0
POST_BODY = json.dumps({"name": "bench item"})


@dataclasses.dataclass(frozen=True)
class Scenario:
    label: str
    method: str
    path: str
    body: str | None = None


@dataclasses.dataclass(frozen=True)
class Result:
    scenario: Scenario
    tool: str
    requests: int
    errors: int  # non-2xx responses and socket errors
    seconds: float
    rps: float
    p50_ms: float
    p99_ms: float
    server_cpu_us: float | None = None  # gunicorn CPU time (all processes) per request


# --------------------------------------------------------------------------- server


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        return sock.getsockname()[1]


class Server:
    """gunicorn as in production, but bound to loopback, logging to a file in `workdir`."""

    def __init__(self, workdir: Path, workers: int, threads: int, store_env: dict[str, str]) -> None:
        self.port = _free_port()
        env = {
            **os.environ,
            "ITEMS_DB": str(workdir / "items.db"),
            "WEB_CONCURRENCY": str(workers),
            "GUNICORN_THREADS": str(threads),
            **store_env,
        }
        command = [sys.executable, "-m", "gunicorn", "-c", "app/gunicorn.conf.py"]
        command += ["--bind", f"{HOST}:{self.port}", "app.main:app"]
        self.log_path = workdir / "gunicorn.log"
        with open(self.log_path, "wb") as log:
            self.process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=log, stderr=log)
        self._wait_ready()

    def _wait_ready(self) -> None:
        deadline = time.monotonic() + START_TIMEOUT_S
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise SystemExit(f"gunicorn exited early:\n{self.log_path.read_text()}")
            try:
                if self.request("GET", "/health")[0] == 200:
                    return
            except OSError:
                time.sleep(0.05)
        self.stop()
        raise SystemExit("gunicorn did not become healthy")

    def request(self, method: str, path: str, body: str | None = None) -> tuple[int, bytes]:
        conn = http.client.HTTPConnection(HOST, self.port, timeout=10)
        try:
            headers = {"Content-Type": "application/json"} if body is not None else {}
            conn.request(method, path, body=body, headers=headers)
            response = conn.getresponse()
            return response.status, response.read()
        finally:
            conn.close()

    def seed(self, count: int) -> None:
        conn = http.client.HTTPConnection(HOST, self.port, timeout=10)
        try:
            for i in range(count):
                body = json.dumps({"name": f"seed item {i}"})
                conn.request("POST", "/api/items", body=body, headers={"Content-Type": "application/json"})
                response = conn.getresponse()
                response.read()
                if response.status != 201:
                    raise SystemExit(f"seeding failed: HTTP {response.status}")
        finally:
            conn.close()

    def cpu_seconds(self) -> float | None:
        """CPU time used so far by the master and its live workers (Linux /proc), or None.

        Per request, this shows the server's cost independently of what else shares the
        machine's cores, which wall-clock requests/s does not.
        """
        try:
            children = Path(f"/proc/{self.process.pid}/task/{self.process.pid}/children").read_text()
            ticks = 0
            for pid in [self.process.pid, *map(int, children.split())]:
                fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
                ticks += int(fields[11]) + int(fields[12])  # utime + stime
        except (OSError, ValueError, IndexError):
            return None
        return ticks / os.sysconf("SC_CLK_TCK")

    def stop(self) -> int:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
        return self.process.wait(timeout=30)


# ------------------------------------------------------------------ python client


def _request_bytes(scenario: Scenario) -> bytes:
    body = (scenario.body or "").encode()
    lines = [f"{scenario.method} {scenario.path} HTTP/1.1", f"Host: {HOST}"]
    if scenario.body is not None:
        lines += ["Content-Type: application/json", f"Content-Length: {len(body)}"]
    return ("\r\n".join(lines) + "\r\n\r\n").encode() + body


_CONTENT_LENGTH = re.compile(rb"\r\ncontent-length:\s*(\d+)", re.IGNORECASE)


async def _connection(port: int, raw: bytes, count: int, deadline: float, latencies: list[float]) -> int:
    """Sends up to `count` requests one after another on one keep-alive connection; returns errors."""
    errors = 0
    reader, writer = await asyncio.open_connection(HOST, port)
    try:
        for _ in range(count):
            if time.perf_counter() > deadline:
                break
            started = time.perf_counter()
            writer.write(raw)
            head = await reader.readuntil(b"\r\n\r\n")
            length = _CONTENT_LENGTH.search(head)
            await reader.readexactly(int(length.group(1)) if length else 0)
            latencies.append(time.perf_counter() - started)
            if head[9:10] != b"2":  # "HTTP/1.1 2xx"
                errors += 1
    finally:
        writer.close()
    return errors


async def _python_load(
    port: int, scenario: Scenario, connections: int, requests: int, duration: float
) -> tuple[list[float], int, float]:
    raw = _request_bytes(scenario)
    latencies: list[float] = []
    per_connection = max(1, requests // connections)
    started = time.perf_counter()
    deadline = started + duration
    load = asyncio.gather(
        *(_connection(port, raw, per_connection, deadline, latencies) for _ in range(connections)),
        return_exceptions=True,
    )
    try:  # a request in progress at the deadline gets this long to finish
        outcomes = await asyncio.wait_for(load, timeout=duration + REQUEST_TIMEOUT_S)
    except TimeoutError:
        raise SystemExit(f"{scenario.label}: no response within {REQUEST_TIMEOUT_S:.0f} s") from None
    elapsed = time.perf_counter() - started
    errors = sum(o if isinstance(o, int) else 1 for o in outcomes)
    return latencies, errors, elapsed


def run_python(port: int, scenario: Scenario, connections: int, requests: int, duration: float) -> Result:
    latencies, errors, elapsed = asyncio.run(_python_load(port, scenario, connections, requests, duration))
    latencies.sort()

    def percentile(p: float) -> float:
        return latencies[min(len(latencies) - 1, int(p * len(latencies)))] * 1000 if latencies else 0.0

    return Result(
        scenario,
        "python",
        len(latencies),
        errors,
        elapsed,
        len(latencies) / elapsed,
        percentile(0.50),
        percentile(0.99),
    )


# --------------------------------------------------------------------------- wrk

_UNITS_MS = {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60000.0}


def _wrk_latency_ms(output: str, percent: str) -> float:
    match = re.search(rf"^\s*{percent}%\s+([\d.]+)(us|ms|s|m)\s*$", output, re.MULTILINE)
    if not match:
        raise SystemExit(f"cannot read the {percent}% latency from wrk:\n{output}")
    return float(match.group(1)) * _UNITS_MS[match.group(2)]


def run_wrk(port: int, scenario: Scenario, connections: int, duration: float, workdir: Path) -> Result:
    script = workdir / "request.lua"
    lua = [f'wrk.method = "{scenario.method}"']
    if scenario.body is not None:
        lua += [f"wrk.body = {json.dumps(scenario.body)}", 'wrk.headers["Content-Type"] = "application/json"']
    script.write_text("\n".join(lua) + "\n")
    command = ["wrk", "-t1", f"-c{connections}", f"-d{max(1, round(duration))}s", "--latency"]
    command += ["-s", str(script), f"http://{HOST}:{port}{scenario.path}"]
    output = subprocess.run(
        command, capture_output=True, text=True, check=True, timeout=duration + REQUEST_TIMEOUT_S
    ).stdout
    total = re.search(r"(\d+) requests in ([\d.]+)(ms|s|m)", output)
    rps = re.search(r"Requests/sec:\s+([\d.]+)", output)
    if not (total and rps):
        raise SystemExit(f"cannot read wrk's output:\n{output}")
    non_2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    socket_errors = re.search(r"connect (\d+), read (\d+), write (\d+), timeout (\d+)", output)
    errors = int(non_2xx.group(1)) if non_2xx else 0
    errors += sum(int(n) for n in socket_errors.groups()) if socket_errors else 0
    return Result(
        scenario,
        "wrk",
        int(total.group(1)),
        errors,
        float(total.group(2)) * _UNITS_MS[total.group(3)] / 1000,
        float(rps.group(1)),
        _wrk_latency_ms(output, "50"),
        _wrk_latency_ms(output, "99"),
    )


# --------------------------------------------------------------------------- main

_HEADER = (
    f"{'endpoint':<32} {'requests':>9} {'errors':>7} {'req/s':>9} {'p50 ms':>8} {'p99 ms':>8} "
    f"{'server CPU us/req':>18}"
)


def _row(result: Result) -> str:
    cpu = "-" if result.server_cpu_us is None else f"{result.server_cpu_us:.0f}"
    return (
        f"{result.scenario.label:<32} {result.requests:>9} {result.errors:>7} {result.rps:>9.0f} "
        f"{result.p50_ms:>8.2f} {result.p99_ms:>8.2f} {cpu:>18}"
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--store", choices=["both", "sqlite", "postgresql"], default="both")
    parser.add_argument("--tool", choices=["auto", "wrk", "python"], default="auto")
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--duration", type=float, default=10.0, help="seconds per endpoint (at most)")
    parser.add_argument("--requests", type=int, default=30000, help="python client: requests per endpoint")
    parser.add_argument("--items", type=int, default=1000, help="items in the database for GET /api/items")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--threads", type=int, default=4)
    args = parser.parse_args(argv)

    tool = args.tool
    if tool == "auto":
        tool = "wrk" if shutil.which("wrk") else "python"
    elif tool == "wrk" and not shutil.which("wrk"):
        parser.error("wrk is not installed (apt-get install wrk), or use --tool python")

    scenarios = [
        Scenario("GET /health", "GET", "/health"),
        Scenario(f"GET /api/items ({args.items} items)", "GET", "/api/items"),
        Scenario("POST /api/items", "POST", "/api/items", POST_BODY),  # last: it grows the list
    ]
    print(
        f"gunicorn {args.workers} workers x {args.threads} threads, {args.connections} connections, "
        f"{tool}, {os.cpu_count()} CPUs",
        flush=True,
    )
    stores = ["sqlite", "postgresql"] if args.store == "both" else [args.store]
    exit_codes = []
    for store in stores:
        with tempfile.TemporaryDirectory(prefix="app-bench-") as tmp, _store_env(store) as store_env:
            workdir = Path(tmp)
            server = Server(workdir, args.workers, args.threads, store_env)
            try:
                server.seed(args.items)
                print(f"\n{store}\n{_HEADER}")
                for scenario in scenarios:
                    print(_row(_measure(server, scenario, tool, args, workdir)), flush=True)
            finally:
                exit_codes.append(server.stop())
            print(f"gunicorn stopped with SIGTERM, exit status {exit_codes[-1]}")
    return 0 if set(exit_codes) == {0} else 1


def _measure(
    server: Server, scenario: Scenario, tool: str, args: argparse.Namespace, workdir: Path
) -> Result:
    # short warm-up so the first scenario does not pay for connection setup and imports
    run_python(server.port, scenario, args.connections, args.connections * 5, 2.0)
    cpu_before = server.cpu_seconds()
    if tool == "wrk":
        result = run_wrk(server.port, scenario, args.connections, args.duration, workdir)
    else:
        result = run_python(server.port, scenario, args.connections, args.requests, args.duration)
    cpu_after = server.cpu_seconds()
    if cpu_before is not None and cpu_after is not None and result.requests:
        cpu_us = (cpu_after - cpu_before) / result.requests * 1e6
        result = dataclasses.replace(result, server_cpu_us=cpu_us)
    return result


@contextmanager
def _store_env(store: str) -> Iterator[dict[str, str]]:
    """The app's variables for the store: none for SQLite, a fresh database for PostgreSQL.

    The PostgreSQL server is durable (fsync on, as a production server), on the same cores.
    """
    if store == "sqlite":
        yield {}
        return
    postgres = PostgresServer("bench", secrets.token_hex(16), durable=True)
    try:
        postgres.create_database("bench")
        yield postgres.env("bench")
    finally:
        postgres.close()


if __name__ == "__main__":
    sys.exit(main())
