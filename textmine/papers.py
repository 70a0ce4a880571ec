"""One document per paper in a run: the same paper read from several formats is stored once.

`Papers(store)` is what `textmine.pipeline.Pipeline` asks about every document it reads, before
extracting it: `resolve(document)` finds the stored reads that are the same paper
(`textmine.identity.same_paper`), keeps the richest copy (`identity.best`: a fixed ranking of
formats, then the smallest id and source, so never first-come) and records every other read as an
alias of it. Only a kept document is extracted and stored. A document that stops being kept (a
richer copy arrived) is deleted with its records by `finish()` at the end of the run, once the
batch that may still be writing it is stored.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from textmine.document import Document
from textmine.identity import Evidence, Member, best, conflict, evidence, lookup_keys, same_paper
from textmine.store.base import Store

__all__ = ["Papers", "alternates"]


@dataclass
class Papers:
    store: Store
    demoted: set[str] = field(default_factory=set)  # ids no longer kept: deleted by finish()
    merged: int = 0  # reads of this run that are aliases of a kept copy
    split: set[str] = field(default_factory=set)  # sources of aliases found ambiguous: read them again
    # The reads recorded for the source being read, by doc id: one lookup per source, not one per
    # document (a bulk file's documents share its source). Only `resolve` writes members of it.
    _source: str | None = None
    _reads: dict[str, Member] = field(default_factory=dict)

    @classmethod
    def of(cls, store: Store) -> "Papers | None":
        """None for a store without paper identity (a plugin): every copy is then kept, as before."""
        return cls(store) if all(hasattr(store, m) for m in ("put_members", "find_members", "delete_members")) else None

    def resolve(self, document: Document) -> Member:
        """Record this read of `document` and say whether it is the copy kept for its paper.

        A file's own earlier reads are never other copies (an edited file replaces them)."""
        ev = evidence(document)
        if ev.source != self._source:
            self._source = ev.source
            self._reads = {m.doc_id: m for m in self.store.find_members(source=ev.source)}
        mine = self._decide(ev, self._reads.get(ev.doc_id))
        self._reads[ev.doc_id] = mine
        return mine

    def _decide(self, ev: Evidence, before: Member | None) -> Member:
        if before is not None and before.evidence == ev:
            # Judged before on the same evidence: the decision stands (a richer copy arriving later
            # changes this row when it is judged; a kept copy that goes away forgets its aliases,
            # which are then judged afresh). A re-run of unchanged files asks nothing more.
            if not before.kept:
                self.merged += 1
                if ev.doc_id != before.canonical:
                    self.demoted.add(ev.doc_id)  # in case a run was cut before deleting it
            return before
        candidates = [m for m in self.store.find_members(keys=lookup_keys(ev)) if m.source != ev.source]
        matched = [(reason, m) for m in candidates if (reason := same_paper(ev, m.evidence))]
        matches = sorted((reason, m.canonical) for reason, m in matched)
        papers = sorted({canonical for _, canonical in matches})
        cluster = [m for m in self.store.find_members(canonicals=papers) if m.source != ev.source] if papers else []
        reads = [ev, *(m.evidence for m in cluster)]
        if any(conflict(a, b) for i, a in enumerate(reads) for b in reads[i + 1 :]):
            # The reads this one would join are not all one paper: keep it apart (a miss, never a
            # false merge). An alias it matched inside a paper it conflicts with could be a copy of
            # either: it is split off and read again at the end of the run (then kept apart too),
            # so the outcome does not depend on which paper that alias met first.
            for _, m in matched:
                if not m.kept and any(conflict(ev, c.evidence) for c in cluster if c.canonical == m.canonical):
                    self.store.delete_members([(m.doc_id, m.source)])
                    self.split.add(m.source)
            matches, papers, cluster, reads = [], [], [], [ev]
        top = best(reads)
        kept = (top.doc_id, top.source)
        joined = matches[0][0] if matches else ""

        def why(read) -> str:
            """An alias's reason: its own evidence against the kept copy, else what joined the papers."""
            return same_paper(read, top) or joined

        updated = [
            Member(evidence=m.evidence, canonical=top.doc_id, kept=(m.doc_id, m.source) == kept,
                   reason=m.reason if (m.doc_id, m.source) == kept else why(m.evidence))
            for m in cluster
            if m.canonical != top.doc_id or m.kept != ((m.doc_id, m.source) == kept)
        ]
        mine = Member(evidence=ev, canonical=top.doc_id, kept=(ev.doc_id, ev.source) == kept,
                      reason=joined if (ev.doc_id, ev.source) == kept else why(ev))
        if updated or mine != before:  # a re-run of unchanged files writes nothing
            self.store.put_members([*updated, mine])
        # documents that were kept for this paper and no longer are
        self.demoted.update(p for p in papers if p != top.doc_id)
        if not mine.kept:
            self.merged += 1
            if ev.doc_id != top.doc_id:
                self.demoted.add(ev.doc_id)
        return mine

    def finish(self) -> list[str]:
        """The documents that stopped being kept during the run (unless kept again since), for the
        caller to delete now that every batch that may have been writing them is stored."""
        self._source = None  # members change outside `resolve` from here on (forget, a new run)
        if not self.demoted:
            return []
        still = {m.doc_id for m in self.store.find_members(canonicals=self.demoted) if m.kept}
        gone = sorted(self.demoted - still)
        self.demoted.clear()
        return gone

    def take_split(self) -> list[str]:
        sources, self.split = sorted(self.split), set()
        return sources

    def reads_of(self, source: str) -> set[str]:
        """Ids of the documents recorded as read from `source` (kept or not)."""
        return {m.doc_id for m in self.store.find_members(source=source)}

    def forget(self, reads: list[tuple[str, str]]) -> list[str]:
        """Forget reads (doc id, source) that their file no longer gives (it was edited). Aliases
        left without a kept copy are forgotten too; returns their sources, to read again so that a
        new copy is chosen among what is still there."""
        if not reads:
            return []
        self._source = None
        self.store.delete_members(reads)
        papers = sorted({doc_id for doc_id, _ in reads})
        left = self.store.find_members(canonicals=papers)
        kept = {m.canonical for m in left if m.kept}
        orphans = [m for m in left if m.canonical not in kept]
        self.store.delete_members([(m.doc_id, m.source) for m in orphans])
        return sorted({m.source for m in orphans})


def alternates(store: Store, doc_id: str) -> list[Member]:
    """The other reads of the paper kept as `doc_id` (other files or formats, not stored); none for
    a store without paper identity."""
    find = getattr(store, "find_members", None)
    return [m for m in find(canonicals=[doc_id]) if not m.kept] if find else []


def local_file(source: str) -> Path | None:
    path = Path(source)
    return path if path.is_absolute() and path.is_file() else None
