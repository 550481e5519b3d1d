"""An endpoint that fails in the network: one clear line and exit 3 within a few tries, each retry shown.

Real sockets on loopback, no mocks: a server that closes the connection without answering,
one that resets it, one that sends half a response, and a port nobody listens on.
"""

from __future__ import annotations

import contextlib
import socket
import struct
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from fgc.deployer.retries import NETWORK_ATTEMPTS


def _close(conn: socket.socket) -> None:
    conn.close()


def _reset(conn: socket.socket) -> None:
    conn.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))  # close sends RST
    conn.close()


def _truncate(conn: socket.socket) -> None:
    conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: text/xml\r\nContent-Length: 4000\r\n\r\n<Describe")
    conn.close()


def _read_request(conn: socket.socket) -> None:
    """The whole request, head and body: closing a socket with unread data sends a reset instead of
    the answer (RFC 1122 4.2.2.13), which would turn "an answer cut short" into "a reset connection"
    whenever the body arrives in a second segment."""
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = conn.recv(65536)
        if not chunk:
            return
        data += chunk
    head, body = data.split(b"\r\n\r\n", 1)
    length = next(
        (
            int(line.split(b":", 1)[1])
            for line in head.split(b"\r\n")
            if line.lower().startswith(b"content-length:")
        ),
        0,
    )
    while len(body) < length:
        chunk = conn.recv(65536)
        if not chunk:
            return
        body += chunk


class BadEndpoint:
    """A loopback HTTP endpoint that reads each request, then answers with `behaviour`."""

    def __init__(self, behaviour: Callable[[socket.socket], None]) -> None:
        self.behaviour = behaviour
        self.requests = 0
        self.attempts = NETWORK_ATTEMPTS  # how often fgc should try an endpoint that behaves so
        self.sock = socket.create_server(("127.0.0.1", 0))
        self.url = f"http://127.0.0.1:{self.sock.getsockname()[1]}"
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    def _serve(self) -> None:
        while True:
            try:
                conn, _ = self.sock.accept()
            except OSError:  # closed: the test is over
                return
            conn.settimeout(5)
            with contextlib.suppress(OSError):
                _read_request(conn)
            self.requests += 1
            self.behaviour(conn)

    def stop(self) -> None:
        self.sock.close()


@pytest.fixture(params=[_close, _reset, _truncate], ids=["closes", "resets", "truncates"])
def bad_endpoint(request: pytest.FixtureRequest) -> Iterator[BadEndpoint]:
    endpoint = BadEndpoint(request.param)
    # A connection that fails is tried again; an answer cut short is known only once it has
    # arrived, after botocore's retry decision, so it fails at once
    endpoint.attempts = 1 if request.param is _truncate else NETWORK_ATTEMPTS
    try:
        yield endpoint
    finally:
        endpoint.stop()


@pytest.fixture
def closed_port() -> str:
    """A loopback URL nothing listens on (bound, then released)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return f"http://127.0.0.1:{sock.getsockname()[1]}"


def test_endpoint_that_breaks_the_connection_fails_fast_with_one_line(
    cli: Any, spec_file: Path, env: str, bad_endpoint: BadEndpoint, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("AWS_ENDPOINT_URL", bad_endpoint.url)
    code, out, err = cli("status", "-f", str(spec_file), "--env", env)
    assert code == 3, err
    assert "Traceback" not in err
    problem = f"{bad_endpoint.url}/ closed the connection before a complete answer"
    assert err.splitlines() == [  # each retry said as it happens, then one error and its hint
        *(
            f"fgc: {problem} (DescribeStacks); trying again, {n} of {NETWORK_ATTEMPTS}"
            for n in range(2, bad_endpoint.attempts + 1)
        ),
        f"error: {problem}",
        "  hint: check AWS_ENDPOINT_URL (is the emulator running? `fgc emulator` serves one) and the network",
    ]
    assert bad_endpoint.requests == bad_endpoint.attempts


def test_closed_port_fails_fast_naming_the_endpoint(
    cli: Any, spec_file: Path, env: str, closed_port: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("AWS_ENDPOINT_URL", closed_port)
    code, _, err = cli("diff", "-f", str(spec_file), "--env", env)
    assert code == 3
    assert f"error: cannot connect to {closed_port}/: connection refused" in err
    assert err.count("trying again") == NETWORK_ATTEMPTS - 1
    assert "Traceback" not in err


def test_library_callers_hear_of_retries_and_get_aws_refused(bad_endpoint: BadEndpoint) -> None:
    from fgc.deployer.status import status

    from fgc import deployer

    aws = deployer.connect(region="us-east-1", endpoint_url=bad_endpoint.url, credentials=("t", "t"))
    heard: list[str] = []
    aws.on_retry = heard.append
    with pytest.raises(deployer.AwsRefused) as caught:
        status(aws, "any-stack")
    assert caught.value.exit_code == 3
    assert caught.value.message == f"{bad_endpoint.url}/ closed the connection before a complete answer"
    assert len(heard) == bad_endpoint.attempts - 1
    assert all("DescribeStacks" in line for line in heard)
