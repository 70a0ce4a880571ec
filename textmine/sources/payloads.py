"""Moved: the API-payload readers live in `textmine.readers.payloads` (readers never import
sources). This name stays so existing imports keep working."""

from textmine.readers.payloads import *  # noqa: F401,F403
from textmine.readers.payloads import __all__  # noqa: F401
