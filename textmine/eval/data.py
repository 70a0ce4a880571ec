"""Where the shared evaluation data lives (never copied into the repository)."""

from __future__ import annotations

import os
from pathlib import Path

ENV = "TEXTMINE_SHARED_DATA"
MATSCHOLAR_DEV = Path("gold") / "matscholar_ner" / "dev.txt"


def shared_data_dir() -> Path:
    """`$TEXTMINE_SHARED_DATA`, else `../shared/data` from the working directory, else from the checkout."""
    candidates = []
    if os.environ.get(ENV):
        candidates.append(Path(os.environ[ENV]))
    candidates.append(Path.cwd().parent / "shared" / "data")
    candidates.append(Path(__file__).resolve().parents[2].parent / "shared" / "data")
    for candidate in candidates:
        if candidate.is_dir():
            return candidate
    raise FileNotFoundError(
        f"no shared data folder (looked at {', '.join(str(c) for c in candidates)}); "
        f"set {ENV}=/path/to/shared/data or give the file explicitly"
    )
