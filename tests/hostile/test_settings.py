"""Settings files a person writes (config.yaml, criteria.yaml, codebook.yaml): anchors and
aliases that expand to billions of values, or refer to themselves, are refused in a moment with
a message naming the file; ordinary anchors still work."""

from __future__ import annotations

import time
from pathlib import Path

import attacks
import pytest

from slrflow.coding import codebook as C
from slrflow.limits import LimitError
from slrflow.screening.criteria import load_criteria
from slrflow.yamlfiles import safe_load


def test_a_yaml_bomb_in_criteria_is_refused_quickly(tmp_path: Path):
    path = tmp_path / "criteria.yaml"
    path.write_text(attacks.yaml_bomb("criteria"), "utf-8")
    started = time.perf_counter()
    with pytest.raises(LimitError, match=r"criteria\.yaml: through anchors and aliases"):
        load_criteria(path)
    assert time.perf_counter() - started < 5  # before: 78 s and 1.6 GB to write the message


def test_a_yaml_bomb_in_the_codebook_is_refused(tmp_path: Path):
    # l0 is 11 values (a list of ten), l(k) = 1 + 10 l(k-1), so l8 = 1,111,111,111; the whole
    # document: root + 10 keys + l0..l8 (1,234,567,899) + l8 again under "dimensions".
    with pytest.raises(LimitError, match="codebook.yaml: .* expands to 2,345,679,021 values"):
        C.loads(attacks.yaml_bomb("dimensions"), name="codebook.yaml")


def test_a_document_that_refers_to_itself_is_refused():
    with pytest.raises(LimitError, match="config.yaml: .* refers to itself"):
        safe_load("screening: &s {reviewers: [a], again: *s}\n", name="config.yaml")


def test_ordinary_anchors_still_work():
    text = "people: &people [anouk, bram]\nresolution: {resolvers: *people}\n"
    assert safe_load(text, name="config.yaml") == {
        "people": ["anouk", "bram"],
        "resolution": {"resolvers": ["anouk", "bram"]},
    }
