"""The review's eligibility criteria and named exclusion reasons (``config/criteria.yaml``).

A criterion (C1-C4) is something a reference must satisfy; an exclusion names the ones it fails.
An exclusion reason (duplicate, not_retrievable, wrong_language...) is a reason to exclude that
is not a criterion; each says at which stages it may be used. Key terms of each criterion are
highlighted in the screening sheets.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

import jsonschema
import yaml

from slrflow import yamlfiles
from slrflow.screening import ScreeningError
from slrflow.sheets import load_schema

#: Stages where the eligibility criteria themselves may be named.
CRITERIA_STAGES = ("title_abstract", "full_text")


@dataclass(frozen=True)
class Criterion:
    """One eligibility criterion or named exclusion reason.

    ``kind`` is ``criterion`` or ``reason``; ``stages`` are the stages whose decision files may
    name it; ``terms`` maps a language code to the key terms highlighted in sheets.
    """

    id: str
    label: str
    kind: str
    stages: tuple[str, ...]
    text: str = ""
    label_nl: str = ""
    text_nl: str = ""
    terms: dict[str, tuple[str, ...]] = field(default_factory=dict)


@dataclass(frozen=True)
class Criteria:
    """All criteria and reasons, in the file's order (criteria first)."""

    items: tuple[Criterion, ...]
    file: str = "criteria.yaml"

    @property
    def ids(self) -> list[str]:
        return [c.id for c in self.items]

    def get(self, cid: str) -> Criterion | None:
        """The criterion or reason ``cid`` names, in any case (``c2`` is ``C2``)."""
        exact = next((c for c in self.items if c.id == cid), None)
        folded = cid.casefold()
        return exact or next((c for c in self.items if c.id.casefold() == folded), None)

    def for_stage(self, stage: str) -> list[Criterion]:
        """The criteria and reasons a decision file of ``stage`` may name."""
        return [c for c in self.items if stage in c.stages]

    def order(self, ids: list[str] | tuple[str, ...]) -> tuple[str, ...]:
        """``ids`` in file order (the first is the reason PRISMA counts), unknown ones last."""
        rank = {cid: i for i, cid in enumerate(self.ids)}
        return tuple(sorted(dict.fromkeys(ids), key=lambda c: (rank.get(c, len(rank)), c)))

    def term_pattern(self) -> re.Pattern[str] | None:
        """One regex matching every key term of every criterion (whole words, any case)."""
        terms = sorted(
            {t for c in self.items for words in c.terms.values() for t in words},
            key=lambda t: (-len(t), t),
        )
        if not terms:
            return None
        parts = []
        for term in terms:
            stem = term[:-1] if term.endswith("*") else term
            body = re.escape(stem).replace(r"\ ", r"\s+")
            parts.append(body + (r"\w*" if term.endswith("*") else ""))
        return re.compile(r"(?<!\w)(?:" + "|".join(parts) + r")(?!\w)", re.IGNORECASE)


def parse_criteria(data: dict, *, file: str = "criteria.yaml") -> Criteria:
    """Validate the parsed YAML against ``criteria.schema.json`` and build :class:`Criteria`."""
    validator = jsonschema.Draft202012Validator(load_schema("criteria"))
    problems = []
    for error in sorted(validator.iter_errors(data), key=lambda e: list(e.path)):
        where = "/".join(str(p) for p in error.path) or "(top level)"
        problems.append(f"{file}, {where}: {error.message}")
    if problems:
        raise ScreeningError(problems, heading=f"{file} does not match criteria.schema.json")
    items = []
    for c in data.get("criteria", []):
        items.append(
            Criterion(
                id=c["id"],
                label=c["label"],
                kind="criterion",
                stages=CRITERIA_STAGES,
                text=c["text"].strip(),
                label_nl=c.get("label_nl", ""),
                text_nl=c.get("text_nl", "").strip(),
                terms={lang: tuple(words) for lang, words in (c.get("terms") or {}).items()},
            )
        )
    for r in data.get("exclusion_reasons", []) or []:
        items.append(
            Criterion(
                id=r["id"],
                label=r["label"],
                kind="reason",
                stages=tuple(r["stages"]),
                text=r.get("description", "").strip(),
                label_nl=r.get("label_nl", ""),
            )
        )
    seen: set[str] = set()
    for item in items:
        # ids are matched without case in decision files, so C1 and c1 would be one id
        if item.id.casefold() in seen:
            problems.append(
                f"{file}: id {item.id!r} is used twice (ids are compared without case); "
                "give each its own id"
            )
        seen.add(item.id.casefold())
    if problems:
        raise ScreeningError(problems, heading=f"{file} has duplicate ids")
    return Criteria(tuple(items), file=file)


def load_criteria(path: str | Path) -> Criteria:
    """Read and validate ``config/criteria.yaml``."""
    path = Path(path)
    if not path.is_file():
        raise ScreeningError([f"{path}: file not found"], heading="criteria")
    try:
        data = yamlfiles.safe_load(path.read_text("utf-8"), name=str(path)) or {}
    except yaml.YAMLError as exc:
        raise ScreeningError([f"{path}: not valid YAML: {exc}"], heading="criteria") from exc
    return parse_criteria(data, file=str(path))
