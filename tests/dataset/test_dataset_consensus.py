from __future__ import annotations

import pytest

from textmine.dataset.consensus import consensus


def test_a_unit_slip_is_an_outlier_and_leaves_the_consensus_alone():
    values = [3.2, 3.25, 3.3, 3200.0]
    c = consensus(values, ["a", "b", "c", "d"])
    assert c.outliers == (False, False, False, True)
    assert c.value == pytest.approx(3.25) and c.n_documents == 4 and c.n_records == 4
    assert c.low == 3.2 and c.high == 3.3


def test_each_document_counts_once():
    # one paper repeating 1.0 five times does not outvote two papers saying 2.0
    values = [1.0] * 5 + [2.0, 2.0]
    docs = ["a"] * 5 + ["b", "c"]
    c = consensus(values, docs)
    assert c.n_documents == 3 and c.value == 2.0
    assert c.spread == pytest.approx(0.0)


def test_two_documents_that_disagree_are_disputed_not_outliers():
    c = consensus([1.0, 10.0], ["a", "b"])
    assert c.disputed and c.outliers == (False, False)
    agree = consensus([1.0, 1.02], ["a", "b"])
    assert not agree.disputed


def test_small_differences_are_not_outliers():
    # three papers agreeing to the digit must not make a 5 % difference an outlier
    c = consensus([2.0, 2.0, 2.0, 2.1], list("abcd"))
    assert c.outliers == (False,) * 4


def test_log_scale_properties_compare_decades():
    c = consensus([1e-3, 2e-3, 1.5e-3, 1e-9], list("abcd"), log_scale=True)
    assert c.outliers == (False, False, False, True)
    assert c.value == pytest.approx(1.5e-3)
    with pytest.raises(ValueError, match="positive"):
        consensus([0.0, 1.0], ["a", "b"], log_scale=True)
