"""A test plugin component for the cluster tests: `testing.chaos` slows every document down (so a
test can kill a worker in the middle of a job) and kills its process outright on a document that
contains a marker, as a native crash or the kernel's OOM killer would (no exception to catch)."""

from __future__ import annotations

import os
import time


class Chaos:
    name = "testing.chaos"
    version = "0.1.0"
    reads = ("sentences",)
    writes = "sentences"  # writes nothing new: it only looks

    def __init__(self, sleep: float = 0.0, kill_marker: str = "") -> None:
        self.sleep = sleep
        self.kill_marker = kill_marker

    def __call__(self, extraction) -> None:
        if self.kill_marker and self.kill_marker in extraction.document.text:
            os._exit(17)
        if self.sleep:
            time.sleep(self.sleep)
