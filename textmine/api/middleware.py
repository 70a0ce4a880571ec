"""One ASGI layer around the app: request size and time limits, security headers, metrics.

A plain ASGI middleware (not Starlette's BaseHTTPMiddleware) so streamed exports pass through
untouched: the time limit applies until the response starts; an export that has started
streaming may take as long as it needs.
"""

from __future__ import annotations

import asyncio
import json
import time
from typing import Any, Awaitable, Callable

from textmine.api.metrics import Metrics

Scope = dict[str, Any]
Message = dict[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]

# Scripts and styles only from this server (no inline script; Vega evaluates its expressions with
# Function(), hence 'unsafe-eval'); no framing, no plugins; images may be data: URLs (plots).
CSP = ("default-src 'self'; script-src 'self' 'unsafe-eval'; style-src 'self'; img-src 'self' data:; "
       "object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'")
SECURITY_HEADERS = [
    (b"x-content-type-options", b"nosniff"),
    (b"x-frame-options", b"DENY"),
    (b"referrer-policy", b"same-origin"),
    (b"content-security-policy", CSP.encode()),
]


class _TooLarge(Exception):
    pass


def _error(status: int, code: str, message: str) -> bytes:
    return json.dumps({"error": {"status": status, "code": code, "message": message}}).encode()


class LimitsMiddleware:
    def __init__(self, app: Any, *, max_body_bytes: int, timeout_s: float, metrics: Metrics) -> None:
        self.app = app
        self.max_body_bytes = max_body_bytes
        self.timeout_s = timeout_s
        self.metrics = metrics

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        state = {"status": 500, "started": False}
        self.metrics.in_flight(+1)
        try:
            await self._handle(scope, receive, send, state)
        finally:
            self.metrics.in_flight(-1)
            route = scope.get("route")
            label = getattr(route, "path", None) or "unmatched"
            self.metrics.observe(scope.get("method", "GET"), label, state["status"], time.perf_counter() - started)

    async def _handle(self, scope: Scope, receive: Receive, send: Send, state: dict[str, Any]) -> None:
        declared = dict(scope.get("headers") or []).get(b"content-length")
        if declared is not None:
            try:
                too_large = int(declared) > self.max_body_bytes
            except ValueError:
                await self._send_error(send, state, 400, "bad_request", "Content-Length is not a number")
                return
            if too_large:
                await self._send_error(send, state, 413, "too_large",
                                       f"request body over {self.max_body_bytes} bytes; send less")
                return
        received = 0

        async def limited_receive() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.max_body_bytes:
                    raise _TooLarge()
            return message

        response_started = asyncio.Event()

        async def tracking_send(message: Message) -> None:
            if message["type"] == "http.response.start":
                state["status"] = message["status"]
                state["started"] = True
                message = dict(message)
                message["headers"] = list(message.get("headers", [])) + SECURITY_HEADERS
                response_started.set()
            await send(message)

        task = asyncio.ensure_future(self.app(scope, limited_receive, tracking_send))
        waiter = asyncio.ensure_future(response_started.wait())
        try:
            done, _ = await asyncio.wait({task, waiter}, timeout=self.timeout_s, return_when=asyncio.FIRST_COMPLETED)
        finally:
            waiter.cancel()
        if not done:  # neither finished nor started answering in time
            task.cancel()
            await self._send_error(send, state, 504, "timeout",
                                   f"the request took longer than {self.timeout_s:g} s; narrow it (filters, limit)")
            return
        try:
            await task
        except _TooLarge:
            if not state["started"]:
                await self._send_error(send, state, 413, "too_large", f"request body over {self.max_body_bytes} bytes")
        except asyncio.CancelledError:
            raise

    async def _send_error(self, send: Send, state: dict[str, Any], status: int, code: str, message: str) -> None:
        body = _error(status, code, message)
        state["status"] = status
        state["started"] = True
        await send({"type": "http.response.start", "status": status,
                    "headers": [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode()),
                                *SECURITY_HEADERS]})
        await send({"type": "http.response.body", "body": body})


__all__ = ["CSP", "LimitsMiddleware"]
