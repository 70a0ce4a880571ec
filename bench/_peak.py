"""Peak memory of a command run in a child process, measured so the caller's own size does not count.

On Linux a child's `ru_maxrss` (from `os.wait4` or `RUSAGE_CHILDREN`) starts at the RSS of the process
it was forked from: `exec` records the forked copy's high-water mark before replacing it. A command
started from a 900 MB pytest process therefore "peaks" at 900 MB even if it never uses 100. So the
command is started from a small launcher interpreter (~10 MB), and the launcher reports the peak of
its own child.
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

_LAUNCHER = (
    "import os, subprocess, sys\n"
    "proc = subprocess.Popen(sys.argv[2:])\n"
    "_, status, usage = os.wait4(proc.pid, 0)\n"
    "open(sys.argv[1], 'w').write(f'{os.waitstatus_to_exitcode(status)} {usage.ru_maxrss * 1024}')\n"
)


def run_with_peak(cmd: list[str], **popen: Any) -> tuple[int, int]:
    """(exit status, peak RSS in bytes) of `cmd`; `popen` goes to subprocess.Popen (stdout, cwd, env,
    preexec_fn, start_new_session: the launcher's settings, which the command inherits)."""
    with tempfile.TemporaryDirectory(prefix="peak-") as tmp:
        report = Path(tmp) / "peak"
        proc = subprocess.Popen([sys.executable, "-c", _LAUNCHER, str(report), *cmd], **popen)
        launcher_status = proc.wait()
        if not report.exists():  # the launcher itself died (killed, or a limit it inherited)
            return launcher_status, 0
        status, peak = report.read_text().split()
        return int(status), int(peak)


if __name__ == "__main__":  # a check of the measurement itself: the caller's size must not count
    ballast = bytearray(500 * 2**20)
    for i in range(0, len(ballast), 4096):
        ballast[i] = 1
    status, peak = run_with_peak([sys.executable, "-c", "pass"])
    print(f"status {status}, peak {peak / 2**20:.0f} MiB with a 500 MiB caller")
    assert status == 0 and peak < 100 * 2**20
