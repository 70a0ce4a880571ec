"""Bytes of a text file to `str`: BOM, UTF-8 (a few bad bytes replaced, with their offsets),
else the legacy codec the file is really in; binary refused with a reason."""

from __future__ import annotations

import codecs
import re

from textmine.readers.base import ReaderError

_BOMS = ((b"\xef\xbb\xbf", "utf-8"), (b"\xff\xfe", "utf-16-le"), (b"\xfe\xff", "utf-16-be"))
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0e-\x1f\x7f]")


def decode_text(data: bytes, *, what: str = "file", warnings: list[str] | None = None) -> str:
    """Bytes of a text file to str: BOM, then UTF-8, then cp1252, then latin-1.

    A UTF-8 file with a few invalid bytes (a stray byte from a bad copy) stays UTF-8: only the bad
    bytes become U+FFFD, and `warnings` says where. Only a file that is not mostly valid UTF-8
    (more invalid bytes than valid multibyte characters: real Windows-1252 or latin-1 text) is
    decoded with another codec, with a warning saying which. What is refused is binary (NUL bytes
    or many control characters), with a reason saying so.
    """
    warnings = warnings if warnings is not None else []
    for bom, codec in _BOMS:
        if data.startswith(bom):
            if codec == "utf-8":
                data = data[len(bom):]
                break
            try:
                return data[len(bom):].decode(codec)
            except UnicodeDecodeError:
                break
    sample = data[:65536]
    if b"\x00" in sample:
        raise ReaderError(f"{what} looks binary (contains NUL bytes), not text; pass a supported format")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        text = _decode_mostly_utf8(data, what, warnings)
    controls = len(_CONTROL.findall(text[:65536]))
    if controls > max(8, len(text[:65536]) // 100):
        raise ReaderError(f"{what} looks binary ({controls} control characters in the first 64 KiB), not text")
    return text


_REPLACEMENT = "\ufffd"
_SHOWN_OFFSETS = 10


def _decode_mostly_utf8(data: bytes, what: str, warnings: list[str]) -> str:
    text = data.decode("utf-8", "replace")
    bad = text.count(_REPLACEMENT) - data.count(_REPLACEMENT.encode("utf-8"))
    valid_multibyte = len(text) - len(text.encode("ascii", "ignore")) - text.count(_REPLACEMENT)
    if valid_multibyte >= bad:
        offsets = _invalid_utf8_offsets(data, _SHOWN_OFFSETS)
        shown = ", ".join(str(o) for o in offsets) + (" ..." if bad > len(offsets) else "")
        warnings.append(
            f"{what}: {bad} invalid UTF-8 byte sequence{'s' if bad != 1 else ''} replaced by U+FFFD "
            f"at byte offset{'s' if bad != 1 else ''} {shown}; the rest is UTF-8"
        )
        return text
    for codec in ("cp1252", "latin-1"):
        try:
            decoded = data.decode(codec)
        except UnicodeDecodeError:
            continue
        warnings.append(f"{what} is not UTF-8 ({bad} invalid sequences, {valid_multibyte} valid): decoded as {codec}")
        return decoded
    raise AssertionError("latin-1 decodes any bytes")  # pragma: no cover


def _invalid_utf8_offsets(data: bytes, limit: int) -> list[int]:
    """Byte offsets of the first `limit` invalid UTF-8 sequences (no copy of the data per error)."""
    view = memoryview(data)
    offsets: list[int] = []
    position = 0
    while len(offsets) < limit and position < len(data):
        try:
            codecs.utf_8_decode(view[position:], "strict", True)
            break
        except UnicodeDecodeError as err:
            offsets.append(position + err.start)
            position += err.end
    return offsets
