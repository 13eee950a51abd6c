"""Every rule that runs a command says what it needs, so a cluster scheduler can place its job."""

from __future__ import annotations

import re
from pathlib import Path

RULES = Path(__file__).resolve().parents[1] / "workflow" / "rules"


def rule_blocks() -> dict[str, str]:
    """rule name -> its text, for every rule of every .smk file."""
    blocks = {}
    for path in sorted(RULES.glob("*.smk")):
        text = path.read_text("utf-8")
        starts = list(re.finditer(r"(?m)^(\s*)rule (\w+):", text))
        for i, match in enumerate(starts):
            end = starts[i + 1].start() if i + 1 < len(starts) else len(text)
            blocks[match.group(2)] = text[match.start() : end]
    return blocks


def test_the_rules_are_found():
    blocks = rule_blocks()
    assert {"ingest_search", "dedup", "screen", "audit_report", "simulate"} <= set(blocks)


def test_every_job_declares_threads_memory_and_runtime():
    missing = []
    for name, block in rule_blocks().items():
        if "shell:" not in block:
            continue  # a target that only gathers inputs runs no job
        for needed in ("threads:", "resources:", "mem_mb=", "runtime="):
            if needed not in block:
                missing.append(f"{name}: {needed}")
    assert missing == []
