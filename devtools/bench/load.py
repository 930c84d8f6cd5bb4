"""A closed-loop HTTP load generator for the bench server on loopback.

Each client is a thread with its own connection and cookies that sends its next request as soon as
the last one is answered. A few lines of socket code stand in for ``http.client``: the clients
share the machine's cores with the server, and every microsecond they spend parsing is taken from it.
"""

from __future__ import annotations

import socket
import threading
import time
from abc import ABC, abstractmethod
from collections import Counter
from collections.abc import Sequence
from contextlib import suppress
from dataclasses import dataclass, field

from devtools.bench.harness import Stats

REQUEST_TIMEOUT = 30.0
SLICE = 2.0  # seconds of one turn of load (see ``measure``)


@dataclass
class Response:
    status: int
    headers: dict[str, str]  # lower-case names
    cookies: dict[str, str]
    body: bytes


class _ServerClosed(ConnectionError):
    """The server closed a kept-alive connection before answering (the request never ran)."""


class HttpConnection:
    """One HTTP/1.1 connection to the bench server, reopened whenever the server closes it (the
    sync workers close it after every answer)."""

    def __init__(self, port: int, *, timeout: float = REQUEST_TIMEOUT):
        self.port = port
        self.timeout = timeout
        self.sock: socket.socket | None = None

    def close(self) -> None:
        if self.sock is not None:
            self.sock.close()
            self.sock = None

    def exchange(self, request: bytes) -> Response:
        reused = self.sock is not None
        if not reused:
            self.sock = socket.create_connection(("127.0.0.1", self.port), timeout=self.timeout)
            self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        try:
            self.sock.sendall(request)
            response = self._read()
        except (_ServerClosed, BrokenPipeError, ConnectionResetError):
            self.close()
            if not reused:
                raise
            return self.exchange(request)  # the idle connection had gone; once, on a new one
        if response.headers.get("connection", "").lower() == "close":
            self.close()
        return response

    def _recv(self) -> bytes:
        return self.sock.recv(65536)

    def _read(self) -> Response:
        data = bytearray()
        while b"\r\n\r\n" not in data:
            chunk = self._recv()
            if not chunk:
                if data:
                    raise ConnectionError("connection closed in the middle of the response headers")
                raise _ServerClosed("connection closed before any response")
            data += chunk
        head, _, rest = bytes(data).partition(b"\r\n\r\n")
        status_line, *lines = head.decode("latin-1").split("\r\n")
        headers: dict[str, str] = {}
        cookies: dict[str, str] = {}
        for line in lines:
            name, _, value = line.partition(":")
            name, value = name.strip().lower(), value.strip()
            if name == "set-cookie":
                cookie_name, _, cookie_value = value.split(";", 1)[0].partition("=")
                cookies[cookie_name.strip()] = cookie_value.strip()
            else:
                headers[name] = value
        body = bytearray(rest)
        if "content-length" in headers:
            length = int(headers["content-length"])
            while len(body) < length:
                chunk = self._recv()
                if not chunk:
                    raise ConnectionError("connection closed in the middle of the response body")
                body += chunk
        elif headers.get("transfer-encoding"):
            # Django sets Content-Length on every non-streaming response (CommonMiddleware), and
            # none of the measured views streams.
            raise ConnectionError(f"unexpected Transfer-Encoding: {headers['transfer-encoding']}")
        else:
            while chunk := self._recv():
                body += chunk
            headers["connection"] = "close"
        return Response(status=int(status_line.split(" ", 2)[1]), headers=headers, cookies=cookies, body=bytes(body))


def http_request(method: str, path: str, port: int, *, headers: Sequence[str] = (), body: bytes = b"") -> bytes:
    lines = [f"{method} {path} HTTP/1.1", f"Host: 127.0.0.1:{port}", *headers]
    if body or method == "POST":
        lines.append(f"Content-Length: {len(body)}")
    return ("\r\n".join(lines) + "\r\n\r\n").encode("ascii") + body


# --- clients and load ---------------------------------------------------------------------------


class Client(ABC):
    """One simulated user agent: its own connection and cookies."""

    def __init__(self, port: int, index: int):
        self.port = port
        self.index = index
        self.conn = HttpConnection(port)
        self.cookies: dict[str, str] = {}

    @abstractmethod
    def prepare(self) -> None:
        """What a real client does once before its first measured request."""

    @abstractmethod
    def next_request(self) -> bytes: ...

    @abstractmethod
    def received(self, response: Response) -> bool:
        """Take in an answer (its cookies, say); whether it is the one the real flow expects."""

    def cookie_header(self) -> list[str]:
        if not self.cookies:
            return []
        return ["Cookie: " + "; ".join(f"{k}={v}" for k, v in self.cookies.items())]


@dataclass
class Load:
    seconds: float
    latencies: list[float] = field(default_factory=list)  # of the accepted requests, seconds
    errors: Counter = field(default_factory=Counter)  # "HTTP 500", "ConnectionResetError", …
    samples: list[str] = field(default_factory=list)  # the first few error bodies

    def merge(self, other: Load) -> None:
        """Add ``other``'s answers (not its seconds: parallel clients share one window)."""
        self.latencies += other.latencies
        self.errors += other.errors
        self.samples += other.samples[: max(0, 3 - len(self.samples))]

    @property
    def ok(self) -> int:
        return len(self.latencies)

    @property
    def error_count(self) -> int:
        return sum(self.errors.values())

    @property
    def rate(self) -> float:
        return self.ok / self.seconds if self.seconds else 0.0

    @property
    def p95_ms(self) -> float:
        return Stats(samples=self.latencies).p95_ms


def drive(clients: list[Client], seconds: float) -> Load:
    """Every client in its own thread sends requests back to back for ``seconds``.

    Only answers that arrive within the window count, over exactly its length: the window opens
    with every client sending at once (the server is busy from the first instant) and the tail
    after it, while the slowest clients finish and the server runs half-empty, counts nowhere.
    """
    barrier = threading.Barrier(len(clients) + 1)
    parts: list[Load] = [Load(seconds=seconds) for _ in clients]
    failures: list[Exception] = []

    def run(client: Client, part: Load) -> None:
        try:
            barrier.wait()
            deadline = time.perf_counter() + seconds
            while time.perf_counter() < deadline:
                request = client.next_request()
                started = time.perf_counter()
                try:
                    response = client.conn.exchange(request)
                except OSError as exc:
                    client.conn.close()
                    error, response = type(exc).__name__, None
                finished = time.perf_counter()
                if response is not None:
                    # Always, even past the deadline: the form client keeps the session cookie.
                    accepted = client.received(response)
                    error = None if accepted else f"HTTP {response.status}"
                if finished > deadline:
                    break
                if error is None:
                    part.latencies.append(finished - started)
                    continue
                part.errors[error] += 1
                if response is not None and len(part.samples) < 3:
                    part.samples.append(response.body[:300].decode("utf-8", errors="replace"))
        except Exception as exc:  # re-raised in the calling thread
            failures.append(exc)
            with suppress(threading.BrokenBarrierError):
                barrier.abort()

    threads = [threading.Thread(target=run, args=(c, p), daemon=True) for c, p in zip(clients, parts, strict=True)]
    for thread in threads:
        thread.start()
    with suppress(threading.BrokenBarrierError):
        barrier.wait()
    for thread in threads:
        thread.join()
    if failures:
        raise failures[0]
    total = Load(seconds=seconds)
    for part in parts:
        total.merge(part)
    return total


def measure(groups: dict[str, list[Client]], *, warmup: float, seconds: float) -> dict[str, Load]:
    """``seconds`` of load for each group of clients, taken in turns of about ``SLICE`` seconds.

    Turns rather than one stretch each: on a machine shared with other work, a neighbour that
    gets busy halfway slows every group a little instead of only the last one, and the ratio to
    the baseline stays meaningful.
    """
    for clients in groups.values():
        for client in clients:
            client.prepare()
        drive(clients, warmup)  # worker-local caches, DB connections, templates: not counted
    turns = max(1, round(seconds / SLICE))
    loads = {name: Load(seconds=0.0) for name in groups}
    for _ in range(turns):
        for name, clients in groups.items():
            part = drive(clients, seconds / turns)
            loads[name].merge(part)
            loads[name].seconds += part.seconds
    for name, load in loads.items():
        if not load.ok:
            raise RuntimeError(f"no {name} request succeeded: {dict(load.errors)} {load.samples}")
    return loads
