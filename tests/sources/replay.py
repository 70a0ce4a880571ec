"""A real HTTP server on 127.0.0.1 that replays recorded API responses, with fault injection.

Routes match a path and a subset of query parameters; one-shot faults (429 + Retry-After, 500,
a slow reply that trips the client's read timeout, a body cut short, malformed bytes) are served
before the route they shadow. Every request is logged so tests can assert what was asked.
"""

from __future__ import annotations

import socket
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Callable
from urllib.parse import parse_qs, urlsplit


@dataclass
class Reply:
    body: bytes = b""
    status: int = 200
    content_type: str = "application/xml"
    headers: dict[str, str] = field(default_factory=dict)
    delay: float = 0.0  # seconds before anything is sent (a timeout when above the client's)
    truncate: int | None = None  # send only this many body bytes, announce them all, then hang up

    @classmethod
    def file(cls, path: Path, content_type: str = "application/xml", **kw) -> "Reply":
        return cls(body=path.read_bytes(), content_type=content_type, **kw)


@dataclass
class Request:
    method: str
    path: str
    params: dict[str, str]
    body: bytes
    headers: dict[str, str]


Responder = Reply | Callable[[Request], Reply]


@dataclass
class _Route:
    method: str
    path: str
    params: dict[str, str]
    reply: Responder
    times: int | None = None  # faults: served this many times, then gone

    def matches(self, request: Request) -> bool:
        if self.method != request.method:
            return False
        if self.path.endswith("*"):
            if not request.path.startswith(self.path[:-1]):
                return False
        elif self.path != request.path:
            return False
        return all(request.params.get(k) == v for k, v in self.params.items())


class ReplayServer:
    def __init__(self) -> None:
        self.routes: list[_Route] = []
        self.faults: list[_Route] = []
        self.log: list[Request] = []
        self._lock = threading.Lock()
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args: object) -> None:  # keep pytest output clean
                pass

            def setup(self) -> None:
                super().setup()
                # headers and body go out in two writes; without this, Nagle + delayed ACK add 40 ms
                self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

            def _handle(self) -> None:
                split = urlsplit(self.path)
                params = {k: v[-1] for k, v in parse_qs(split.query, keep_blank_values=True).items()}
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else b""
                request = Request(self.command, split.path, params, body, {k.lower(): v for k, v in self.headers.items()})
                reply = server._reply_for(request)
                if reply.delay:
                    time.sleep(reply.delay)
                payload = reply.body if reply.truncate is None else reply.body[: reply.truncate]
                try:
                    self.send_response(reply.status)
                    self.send_header("Content-Type", reply.content_type)
                    self.send_header("Content-Length", str(len(reply.body)))
                    if reply.truncate is not None:
                        self.send_header("Connection", "close")
                    for key, value in reply.headers.items():
                        self.send_header(key, value)
                    self.end_headers()
                    self.wfile.write(payload)
                    self.wfile.flush()
                except (BrokenPipeError, ConnectionResetError):
                    pass  # the client gave up (timeout test): nothing to do
                if reply.truncate is not None:
                    self.close_connection = True

            do_GET = do_POST = _handle

        self._httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._httpd.daemon_threads = True
        self._thread = threading.Thread(target=self._httpd.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True)

    @property
    def url(self) -> str:
        host, port = self._httpd.server_address[:2]
        return f"http://{host}:{port}"

    def route(self, path: str, reply: Responder, *, params: dict[str, str] | None = None, method: str = "GET") -> None:
        self.routes.append(_Route(method, path, params or {}, reply))

    def fault(self, path: str, reply: Reply, *, params: dict[str, str] | None = None, method: str = "GET",
              times: int = 1) -> None:
        """Serve `reply` for the next `times` matching requests, then the normal route again."""
        self.faults.append(_Route(method, path, params or {}, reply, times))

    def requests(self, path: str | None = None) -> list[Request]:
        with self._lock:
            return [r for r in self.log if path is None or r.path == path]

    def requests_with(self, param: str, value: str) -> list[Request]:
        with self._lock:
            return [r for r in self.log if r.params.get(param) == value]

    def _reply_for(self, request: Request) -> Reply:
        with self._lock:
            self.log.append(request)
            for fault in self.faults:
                if fault.times and fault.matches(request):
                    fault.times -= 1
                    return fault.reply if isinstance(fault.reply, Reply) else fault.reply(request)
            for route in self.routes:
                if route.matches(request):
                    return route.reply if isinstance(route.reply, Reply) else route.reply(request)
        return Reply(body=f"no route for {request.method} {request.path} {request.params}".encode(), status=404,
                     content_type="text/plain")

    def __enter__(self) -> "ReplayServer":
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._httpd.shutdown()
        self._httpd.server_close()
