"""Plain text (`.txt`): hard-wrapped prose, or one paragraph per line (e.g. Elsevier SimpleText).

Blank lines separate paragraphs. Within a block, short wrapped lines are joined (a line-end
hyphen between lowercase letters is removed); a block of long lines is one paragraph per line.
A short first line without final punctuation is the title; short lines like "Abstract" or
"2. Results" name the section of the paragraphs that follow; "References" ends the text.
"""

from __future__ import annotations

import json
import re
from typing import Iterator

from textmine.document import Document, DocumentBuilder
from textmine.readers._encoding import decode_text
from textmine.readers._markup import MAX_TEXT_CHARS, clean, finish, parse_date
from textmine.readers.base import ReaderError, readers

_WRAP_WIDTH = 100  # lines this short inside a block are a hard-wrapped paragraph
_HEADING = re.compile(r"^(?:(?:\d+(?:\.\d+)*\.?|[IVX]+\.)\s+)?[A-Z][^.!?;:]{0,78}$")
_STOP = re.compile(r"^(?:\d+\.?\s+)?(references|bibliography|literature cited)$", re.I)
_ABSTRACT = re.compile(r"^(abstract|summary|highlights)$", re.I)
_DOI = re.compile(r"\b(?:doi:\s*|https?://(?:dx\.)?doi\.org/)(10\.\d{4,9}/[^\s\"<>]+)", re.I)
_HYPHEN_END = re.compile(r"(?<=[a-z])-$")
_FIELD = re.compile(r"^(Authors?|DOI|Date|Published|Received|Year)\s*:\s*(\S.{0,300})$", re.I)
_BULLET_ONLY = re.compile(r"^[\W_]{1,3}$")
# What markup starts with; '<5 ppm impurities' or '< 0.1 wt%' does not
_MARKUP = re.compile(rb"<(?:\?xml|!DOCTYPE|!--|!\[CDATA\[|[A-Za-z_][\w:.-]*(?:\s|/?>))", re.I)


@readers.register("text")
class TextReader:
    name = "text"

    def sniff(self, head: bytes, filename: str) -> float:
        name = filename.lower()
        if head.startswith((b"\xff\xfe", b"\xfe\xff")):  # UTF-16 text has NUL bytes: trust the BOM
            return 0.6 if name.endswith((".txt", ".text")) else 0.3
        stripped = head.lstrip()[:64]
        is_text_name = name.endswith((".txt", ".text"))
        if stripped.startswith(b"%PDF") or b"\x00" in head[:4096]:
            return 0.0
        if stripped.startswith(b"<"):  # markup, unless a .txt that merely starts with '<5 ppm'
            return 0.6 if is_text_name and not _MARKUP.match(stripped) else 0.0
        if stripped.startswith((b"{", b"[")):  # JSON, unless a .txt that starts with '[1] Notes'
            return 0.6 if is_text_name and not _looks_like_json(head) else 0.0
        if is_text_name:
            return 0.6
        if "." not in name.rsplit("/", 1)[-1]:
            return 0.35
        return 0.1

    def read(self, data: bytes, source: str) -> Iterator[Document]:
        warnings: list[str] = []
        text = decode_text(data, what="text file", warnings=warnings)
        if not text.strip():
            raise ReaderError("text file is empty (only whitespace)")
        if len(text) > MAX_TEXT_CHARS:  # cut before splitting paragraphs: a 50 MB dump costs no more than the cap
            limit = MAX_TEXT_CHARS * 49 // 50  # joining lines may add a separator per line: stay under the cap
            cut = text.rfind("\n\n", 0, limit)
            if cut < limit // 2:
                cut = text.rfind(" ", 0, limit)
            cut = cut if cut > 0 else limit
            warnings.append(f"text file: text of {len(text):,} characters cut after {cut:,} (the cap is "
                            f"{MAX_TEXT_CHARS:,} per document); split the file to read the rest")
            text = text[:cut]
        b = DocumentBuilder(source=source, format=self.name, kind="paper")
        paragraphs = list(_paragraphs(text))
        if len(paragraphs) > 1 and _looks_like_title(paragraphs[0]):
            b.title = paragraphs.pop(0)
        while paragraphs and (field := _FIELD.match(paragraphs[0])):
            # "Authors: ...", "DOI: ...", "Published: 2019-05-02" lines under the title are metadata, not text
            name, value = field.group(1).lower(), field.group(2).strip()
            if name.startswith("author"):
                b.authors = [a.strip() for a in re.split(r";|,\s*(?:and\s+)?|\s+and\s+", value) if a.strip()]
            elif name == "doi":
                b.doi = value
            elif (date := parse_date(value)) is not None:
                b.date = date
            paragraphs.pop(0)
        if not b.doi and (doi := _DOI.search(text[:3000])):
            b.doi = doi.group(1).rstrip(".,;)")
        section, kind = "", "body"
        for i, para in enumerate(paragraphs):
            is_last = i == len(paragraphs) - 1
            if not is_last and _HEADING.match(para) and len(para.split()) <= 12:
                if _STOP.match(para):
                    break
                section = para
                kind = "abstract" if _ABSTRACT.match(para) else "body"
                continue
            b.add_paragraph(para, section=section, kind=kind)
        yield finish(b, data, "text file", warnings)


_JSON_START = re.compile(rb'\s*(?:\{\s*(?:"|\})|\[\s*(?:[\[{"\]]|-?\d[\d.eE+-]*\s*[,\]]|true|false|null))')


def _looks_like_json(head: bytes, window: int = 65536) -> bool:
    """True when `head` is JSON: parsed when it is the whole file, else judged by how it starts
    ('{"', '[{', '[1, 2' are JSON; '[1] Notes on ...', '{draft} ...' are prose)."""
    if len(head) < window:
        try:
            json.loads(head)
            return True
        except (ValueError, RecursionError):
            return False
    return bool(_JSON_START.match(head))


def _paragraphs(text: str) -> Iterator[str]:
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    blocks: list[list[str]] = []
    for block in re.split(r"\n\s*\n", text):
        lines = [line.strip() for line in block.split("\n") if line.strip()]
        run: list[str] = []
        for line in lines:  # metadata lines ("DOI: ...") stand alone even inside a block
            if _FIELD.match(line):
                blocks.extend([run, [line]] if run else [[line]])
                run = []
            else:
                run.append(line)
        if run:
            blocks.append(run)
    for lines in blocks:
        if len(lines) > 1 and max(len(x) for x in lines[:-1]) <= _WRAP_WIDTH and not _is_heading_then_text(lines):
            yield _join_wrapped(lines)
        elif len(lines) > 1 and _is_heading_then_text(lines) and max((len(x) for x in lines[1:-1]), default=0) <= _WRAP_WIDTH:
            yield lines[0]
            yield _join_wrapped(lines[1:])
        else:
            yield from (clean(line) for line in lines if not _BULLET_ONLY.match(line))


def _is_heading_then_text(lines: list[str]) -> bool:
    """'Abstract' / '1. Introduction' on its own line directly above the paragraph it names."""
    first = lines[0]
    longest = max(len(line) for line in lines[1:])
    if _STOP.match(first):
        return True
    return (
        len(first) <= 60
        and bool(_HEADING.match(first))
        and not first.endswith(("-", ","))
        and len(first.split()) <= 8
        and len(first) < 0.6 * longest
        and lines[1][:1].isupper()  # the paragraph under a heading starts a sentence
    )


def _join_wrapped(lines: list[str]) -> str:
    out = lines[0]
    for line in lines[1:]:
        if _HYPHEN_END.search(out) and line[:1].islower():
            out = out[:-1] + line
        else:
            out = f"{out} {line}"
    return clean(out)


def _looks_like_title(line: str) -> bool:
    """A title is short, has a few words and is not a sentence (no final full stop)."""
    return 2 <= len(line.split()) <= 40 and len(line) <= 300 and not line.endswith((".", ",", ";", ":"))
