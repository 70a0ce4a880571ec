"""Request counts and latencies in the Prometheus text exposition format (version 0.0.4), kept in
process: `GET /metrics`. Labels are route templates, never raw paths, so they stay few."""

from __future__ import annotations

import bisect
import threading
from collections import defaultdict

BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0)
CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"


def _label(value: str) -> str:
    return value.replace("\\", "\\\\").replace("\n", "\\n").replace('"', '\\"')


class Metrics:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._requests: dict[tuple[str, str, str], int] = defaultdict(int)
        self._buckets: dict[str, list[int]] = defaultdict(lambda: [0] * (len(BUCKETS) + 1))
        self._sums: dict[str, float] = defaultdict(float)
        self._in_flight = 0

    def in_flight(self, delta: int) -> None:
        with self._lock:
            self._in_flight += delta

    def observe(self, method: str, route: str, status: int, seconds: float) -> None:
        with self._lock:
            self._requests[(method, route, str(status))] += 1
            self._buckets[route][bisect.bisect_left(BUCKETS, seconds)] += 1
            self._sums[route] += seconds

    def render(self, gauges: dict[str, tuple[str, float]] | None = None) -> str:
        lines = ["# HELP textmine_http_requests_total HTTP requests answered, by method, route and status.",
                 "# TYPE textmine_http_requests_total counter"]
        with self._lock:
            for (method, route, status), n in sorted(self._requests.items()):
                lines.append(f'textmine_http_requests_total{{method="{_label(method)}",route="{_label(route)}",'
                             f'status="{status}"}} {n}')
            lines += ["# HELP textmine_http_request_duration_seconds Time to answer, by route.",
                      "# TYPE textmine_http_request_duration_seconds histogram"]
            for route, counts in sorted(self._buckets.items()):
                cumulative = 0
                for bound, n in zip((*BUCKETS, float("inf")), counts):
                    cumulative += n
                    le = "+Inf" if bound == float("inf") else f"{bound:g}"
                    lines.append(f'textmine_http_request_duration_seconds_bucket{{route="{_label(route)}",le="{le}"}} '
                                 f"{cumulative}")
                lines.append(f'textmine_http_request_duration_seconds_sum{{route="{_label(route)}"}} {self._sums[route]:.6f}')
                lines.append(f'textmine_http_request_duration_seconds_count{{route="{_label(route)}"}} {cumulative}')
            lines += ["# HELP textmine_http_requests_in_flight Requests being answered now.",
                      "# TYPE textmine_http_requests_in_flight gauge", f"textmine_http_requests_in_flight {self._in_flight}"]
        for name, (help_text, value) in sorted((gauges or {}).items()):
            lines += [f"# HELP {name} {help_text}", f"# TYPE {name} gauge", f"{name} {value:g}"]
        return "\n".join(lines) + "\n"


__all__ = ["BUCKETS", "CONTENT_TYPE", "Metrics"]
