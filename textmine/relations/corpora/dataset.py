"""Load built relation shards as a `datasets.DatasetDict` (the training extra has `datasets`).

    data = load_relation_data("build/relations")                  # train + dev of every corpus
    data = load_relation_data("build/relations", corpora=["polyie", "measeval"], silver=False)

Test shards are never loaded unless asked for by name (`splits=("test",)`).
"""

from __future__ import annotations

from pathlib import Path
from typing import Iterable

from textmine.relations.corpora.schema import SPLITS


def features():
    """The explicit schema, so that shards whose optional fields are all null still concatenate."""
    from datasets import Features, Value

    entity = {
        "id": Value("string"), "type": Value("string"), "start": Value("int32"), "end": Value("int32"),
        "text": Value("string"), "generic": Value("bool"), "family": Value("string"),
    }
    relation = {"type": Value("string"), "head": Value("string"), "tail": Value("string")}
    return Features({
        "id": Value("string"), "corpus": Value("string"), "split": Value("string"), "doc_id": Value("string"),
        "source": Value("string"), "text": Value("string"), "entities": [entity], "relations": [relation],
        "family": Value("string"), "silver": Value("bool"),
    })


def shard_files(folder: Path, corpora: Iterable[str] | None = None,
                splits: Iterable[str] = ("train", "dev")) -> dict[str, list[str]]:
    """The shard paths by split, for the given corpora (default: every corpus with a shard in `folder`)."""
    folder = Path(folder)
    wanted = set(corpora) if corpora is not None else None
    files: dict[str, list[str]] = {}
    for split in splits:
        if split not in SPLITS:
            raise ValueError(f"unknown split {split!r}; splits are {', '.join(SPLITS)}")
        for path in sorted(folder.glob(f"*-{split}.jsonl")):
            corpus = path.name[: -len(f"-{split}.jsonl")]
            if wanted is None or corpus in wanted:
                files.setdefault(split, []).append(str(path))
    return files


def load_relation_data(folder: str | Path, corpora: Iterable[str] | None = None,
                       splits: Iterable[str] = ("train", "dev"), silver: bool = True, cache_dir: str | None = None):
    """A DatasetDict of the shards in `folder` (built by `python -m textmine.relations.corpora.build`).

    `silver=False` leaves out distant supervision (the Snowball sets).
    """
    try:
        from datasets import load_dataset
    except ImportError:
        raise ImportError("loading relation data needs the `datasets` library: pip install 'textmine[train]'") from None
    files = shard_files(Path(folder), corpora, splits)
    if not files:
        raise FileNotFoundError(
            f"no relation shards for {list(splits)} in {folder}: run "
            f"`python -m textmine.relations.corpora.build --out {folder}` first"
        )
    data = load_dataset("json", data_files=files, features=features(), cache_dir=cache_dir)
    if not silver:
        data = data.filter(lambda unit: not unit["silver"])
    return data
