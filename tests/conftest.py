"""Shared fixtures: where the shared real-data samples are, and the project's own fixtures."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = Path(__file__).resolve().parent / "fixtures"
# Real export samples and benchmark sets live beside the project, never inside it.
SHARED_DATA = Path(os.environ.get("SLRFLOW_SHARED_DATA", ROOT.parent / "shared" / "data"))


@pytest.fixture(scope="session")
def shared_data() -> Path:
    """The shared data folder; tests that need it skip when it is absent."""
    if not SHARED_DATA.is_dir():
        pytest.skip(f"shared data not found at {SHARED_DATA}")
    return SHARED_DATA


@pytest.fixture(scope="session")
def formats_dir(shared_data: Path) -> Path:
    path = shared_data / "formats"
    if not path.is_dir():
        pytest.skip(f"no export samples at {path}")
    return path


@pytest.fixture(scope="session")
def fixtures() -> Path:
    return FIXTURES
