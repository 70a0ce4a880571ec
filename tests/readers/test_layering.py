"""Readers sit below sources: importing them must not pull in the harvesters or their HTTP stack."""

from __future__ import annotations

import json
import subprocess
import sys

from tests.conftest import ROOT


def _modules_after(statement: str) -> set[str]:
    script = f"import json, sys; {statement}; print(json.dumps(sorted(sys.modules)))"
    out = subprocess.run([sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True, check=True,
                         env={"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin"})
    return set(json.loads(out.stdout.strip().splitlines()[-1]))


def test_importing_readers_imports_neither_sources_nor_httpx():
    loaded = _modules_after("import textmine.readers")
    assert "textmine.readers.payloads" in loaded  # the payload readers are registered ...
    offending = sorted(m for m in loaded if m.split(".")[0] in ("httpx", "httpcore") or m.startswith("textmine.sources"))
    assert offending == []  # ... without the harvesting layer


def test_payload_readers_are_registered_by_importing_readers_alone():
    loaded = _modules_after(
        "import textmine.readers as r; "
        "assert {'arxiv-atom', 'oai-pmh', 'crossref-json', 'semantic-scholar-json', 'europepmc-json'} <= set(r.readers.names())"
    )
    assert "textmine.sources" not in loaded
