"""The screening policy from config (``screening:`` in config/config.yaml).

Who screens (``reviewers``), how many independent reviewers each reference needs per stage
(``reviewers_per_record`` 1 or 2, with ``double_share`` for a stable random share of double
screening), what ``maybe`` means, who settles conflicts, and the automation rules.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from slrflow import settings, yamlfiles
from slrflow.screening import STAGES, ScreeningError


@dataclass(frozen=True)
class StagePolicy:
    """How many reviewers a stage needs: ``reviewers_per_record`` plus a ``double_share``."""

    reviewers_per_record: int
    double_share: float


@dataclass(frozen=True)
class Policy:
    """The screening section of the config, with defaults filled in (the defaults are the
    config schema's: :func:`parse_policy` builds a policy)."""

    reviewers: tuple[str, ...]
    stages: dict[str, StagePolicy]
    maybe: str
    resolution_method: str
    resolvers: tuple[str, ...]
    automation: tuple[dict[str, Any], ...]
    criteria: str
    #: the most references one screening sheet lists (the highest-priority first)
    sheet_size: int
    raw: dict[str, Any] = field(default_factory=dict)

    def maybe_passes(self, stage: str) -> bool:
        """Whether a maybe counts as include (title/abstract with ``maybe: include`` only)."""
        return stage == "title_abstract" and self.maybe == "include"

    def needed(self, reference_id: str, stage: str) -> int:
        """Reviewers this reference needs at this stage (double screening drawn stably)."""
        policy = self.stages[stage]
        if policy.reviewers_per_record >= 2:
            return min(2, len(self.reviewers))
        if (
            policy.double_share > 0
            and _draw(f"double:{stage}:{reference_id}") < policy.double_share
        ):
            return min(2, len(self.reviewers))
        return 1

    def assigned(self, reference_id: str, stage: str, decided: set[str]) -> list[str]:
        """Reviewers who should judge the reference: those who did, topped up in a stable
        rotation so that work is shared evenly between reviewers."""
        need = self.needed(reference_id, stage)
        chosen = [r for r in self.reviewers if r in decided]
        start = int(_draw(f"assign:{stage}:{reference_id}") * len(self.reviewers))
        rotation = self.reviewers[start:] + self.reviewers[:start]
        for reviewer in rotation:
            if len(chosen) >= need:
                break
            if reviewer not in chosen:
                chosen.append(reviewer)
        return chosen

    def may_resolve(self, name: str) -> bool:
        return name in (self.resolvers or self.reviewers)


def _draw(key: str) -> float:
    """A number in [0, 1) fixed by ``key``: the same reference always gets the same draw."""
    return int(hashlib.sha256(key.encode("utf-8")).hexdigest()[:12], 16) / 16**12


def parse_policy(section: dict[str, Any] | None, *, file: str = "config") -> Policy:
    """Validate the ``screening`` section against the config schema and build a :class:`Policy`
    (the schema's defaults for what the section leaves out)."""
    problems = [f"{file}, {p}" for p in settings.section_problems("screening", section)]
    if not (section or {}).get("reviewers"):
        problems.append(f"{file}: screening.reviewers is missing; list the reviewers' names")
    if problems:
        raise ScreeningError(problems, heading="screening config")
    section = settings.with_defaults("screening", section)
    stages = {
        stage: StagePolicy(
            reviewers_per_record=int(section["stages"][stage]["reviewers_per_record"]),
            double_share=float(section["stages"][stage]["double_share"]),
        )
        for stage in STAGES
    }
    resolution = section["resolution"]
    return Policy(
        reviewers=tuple(section["reviewers"]),
        stages=stages,
        maybe=section["maybe"],
        resolution_method=resolution["method"],
        resolvers=tuple(resolution.get("resolvers") or ()),
        automation=tuple(section["automation"]),
        criteria=section["criteria"],
        sheet_size=int(section["sheet_size"]),
        raw=section,
    )


def load_policy(*, config: str | Path | None = None, policy_json: str | None = None) -> Policy:
    """The policy from a config YAML file (its ``screening`` section) or a JSON string."""
    if policy_json:
        try:
            section = json.loads(policy_json)
        except json.JSONDecodeError as exc:
            raise ScreeningError([f"--policy is not valid JSON: {exc}"]) from exc
        return parse_policy(section, file="--policy")
    if config is None:
        raise ScreeningError(["give --config (config.yaml) or --policy (JSON)"])
    data = yamlfiles.load(config) or {}
    return parse_policy(data.get("screening"), file=str(config))
