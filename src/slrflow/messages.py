"""The wording of messages about bad input, shared by every stage so that they read alike.

Kept free of heavy imports: the screening package's error class uses it, and the Snakefile
imports that package to list its inputs.
"""

from __future__ import annotations

from collections.abc import Iterable


def some_of(items: Iterable[object], limit: int = 20) -> str:
    """``"a, b, c and 7 more"``: the first ``limit`` of ``items`` named in a message, and how
    many are left unnamed, so that a long list never hides that it was cut."""
    items = [str(i) for i in items]
    shown = ", ".join(items[:limit])
    return shown + (f" and {len(items) - limit} more" if len(items) > limit else "")


def problem_list(heading: str, problems: list, *, limit: int, noun: str = "problem(s)") -> str:
    """``heading: N problem(s)`` and the first ``limit`` problems, one per line: the message of
    every error about input a person wrote."""
    listed = "\n".join(f"  - {p}" for p in problems[:limit])
    more = f"\n  ... and {len(problems) - limit} more" if len(problems) > limit else ""
    return f"{heading}: {len(problems)} {noun}\n{listed}{more}"
