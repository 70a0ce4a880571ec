from __future__ import annotations

import numpy as np

from textmine.ner.decode import LABELS, allowed_starts, allowed_transitions, bio_spans, crf_marginals, viterbi


def test_bio_spans() -> None:
    tags = ["B-MAT", "I-MAT", "O", "I-PRO", "B-PRO", "B-PRO", "I-PRO", "O", "B-DSC"]
    assert bio_spans(tags) == [(0, 2, "MAT"), (3, 4, "PRO"), (4, 5, "PRO"), (5, 7, "PRO"), (8, 9, "DSC")]


def test_viterbi_never_produces_invalid_bio() -> None:
    rng = np.random.default_rng(0)
    for _ in range(50):
        em = rng.normal(size=(12, len(LABELS))) * 3
        tags = [LABELS[i] for i in viterbi(em)]
        for prev, cur in zip(["O"] + tags, tags):
            if cur.startswith("I-"):
                assert prev[2:] == cur[2:] and prev != "O", (prev, cur)


def test_viterbi_follows_emissions_when_valid() -> None:
    want = ["B-MAT", "I-MAT", "O", "B-PRO"]
    em = np.full((4, len(LABELS)), -5.0)
    for t, tag in enumerate(want):
        em[t, LABELS.index(tag)] = 5.0
    assert [LABELS[i] for i in viterbi(em)] == want


def test_crf_marginals_equal_brute_force_path_enumeration() -> None:
    import itertools

    rng = np.random.default_rng(3)
    k = len(LABELS)
    trans = np.where(allowed_transitions(LABELS), rng.normal(size=(k, k)), -1e4)
    start = np.where(allowed_starts(LABELS), rng.normal(size=k), -1e4)
    end = rng.normal(size=k)
    em = rng.normal(size=(3, k))
    want = np.zeros_like(em)
    for path in itertools.product(range(k), repeat=3):  # every tag sequence, weighted by its CRF score
        score = start[path[0]] + em[0, path[0]] + end[path[-1]]
        score += sum(trans[a, b] + em[t + 1, b] for t, (a, b) in enumerate(zip(path, path[1:])))
        for t, tag in enumerate(path):
            want[t, tag] += np.exp(score)
    want /= want[0].sum()
    np.testing.assert_allclose(crf_marginals(em, trans, start, end), want, atol=1e-9)
    assert crf_marginals(em[:1], trans, start, end).shape == (1, k)
