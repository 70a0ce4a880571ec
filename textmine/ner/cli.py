"""`textmine ner` (JSONL in, JSONL out); `textmine train` lives in `textmine.ner.training.cli`.

    textmine ner --input IN.jsonl --output OUT.jsonl [--model fast]

An input line is either {"id", "tokens": [...]} (pre-tokenised; one BIO tag per token comes back;
Matscholar-normalised tokens are detected and not normalised twice) or {"id", "text"} (spans come
back as char offsets into the text).
"""

from __future__ import annotations

import json
import sys
from itertools import islice
from typing import IO, Iterator

import click


def _read_lines(stream: IO[str]) -> Iterator[tuple[int, dict]]:
    for lineno, line in enumerate(stream, 1):
        if not line.strip():
            continue
        try:
            item = json.loads(line)
        except json.JSONDecodeError as exc:
            raise click.ClickException(f"line {lineno}: not JSON ({exc.msg})") from None
        if not isinstance(item, dict) or ("tokens" not in item and "text" not in item):
            raise click.ClickException(f'line {lineno}: expected an object with "tokens" or "text"')
        yield lineno, item


def tag_jsonl(tagger, lines: Iterator[tuple[int, dict]], out: IO[str], batch_size: int = 256,
              normalise: bool | None = None) -> int:
    """Stream input items through `tagger` in bounded batches; returns the number of items written."""
    n = 0
    while True:
        batch = list(islice(lines, batch_size))
        if not batch:
            return n
        token_items = [(i, item) for i, (_, item) in enumerate(batch) if "tokens" in item]
        text_items = [(i, item) for i, (_, item) in enumerate(batch) if "tokens" not in item]
        results: dict[int, dict] = {}
        if token_items:
            tagged = tagger.tag_words([[str(t) for t in item["tokens"]] for _, item in token_items], normalise=normalise)
            for (i, item), tw in zip(token_items, tagged):
                spans = [{"start": s, "end": e, "label": lab, "text": " ".join(item["tokens"][s:e]),
                          "confidence": round(c, 4)} for s, e, lab, c in tw.spans()]
                results[i] = {"id": item.get("id"), "tags": tw.tags, "spans": spans}
        if text_items:
            predicted = tagger.predict_texts([str(item["text"]) for _, item in text_items])
            for (i, item), spans in zip(text_items, predicted):
                results[i] = {"id": item.get("id"), "spans": [s.to_dict() for s in spans]}
        for i in range(len(batch)):
            out.write(json.dumps(results[i], ensure_ascii=False) + "\n")
        n += len(batch)


@click.command("ner")
@click.option("--input", "input_path", type=click.Path(exists=True, dir_okay=False, allow_dash=True), required=True,
              help="JSONL: {id, tokens} or {id, text} per line ('-' for stdin)")
@click.option("--output", "output_path", type=click.Path(dir_okay=False, writable=True, allow_dash=True), required=True,
              help="JSONL output ('-' for stdout)")
@click.option("--model", default="fast", show_default=True, help="shipped model name (fast, accurate) or a model folder")
@click.option("--batch-size", default=256, show_default=True, help="input lines per batch")
@click.option("--threads", type=int, default=None, help="onnxruntime intra-op threads (default: all cores)")
@click.option("--normalise/--no-normalise", default=None,
              help="force or skip Matscholar normalisation of pre-tokenised input (default: detect)")
def ner_command(input_path: str, output_path: str, model: str, batch_size: int, threads: int | None,
                normalise: bool | None) -> None:
    """Tag materials entities (MAT SPL DSC PRO APL SMT CMT) in a JSONL file."""
    from textmine.ner.tagger import NerTagger

    try:
        tagger = NerTagger(model, threads=threads)
    except (FileNotFoundError, ImportError) as exc:
        raise click.ClickException(f"{exc} (NER needs: pip install 'textmine[ner]')") from None
    src = sys.stdin if input_path == "-" else open(input_path, encoding="utf-8")
    dst = sys.stdout if output_path == "-" else open(output_path, "w", encoding="utf-8")
    try:
        n = tag_jsonl(tagger, _read_lines(src), dst, batch_size=batch_size, normalise=normalise)
    finally:
        if src is not sys.stdin:
            src.close()
        if dst is not sys.stdout:
            dst.close()
    click.echo(f"tagged {n} lines with {tagger.model_dir.name}", err=True)
