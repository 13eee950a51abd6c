"""Hostile and broken input: the corpus folder and the helpers of ``tests/`` on the path."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent
# screening_review.py (the tiny screening review) lives one folder up.
sys.path.insert(0, str(HERE.parent))
sys.path.insert(0, str(HERE))


@pytest.fixture(scope="session")
def corpus() -> Path:
    """The hand-made files, one per case (see corpus/README.md)."""
    return HERE / "corpus"
