"""The screening policy from config (``screening:`` in config/config.yaml).

Who screens (``reviewers``), how many independent reviewers each reference needs per stage
(``reviewers_per_record`` 1 or 2, with ``double_share`` for a stable random share of double
screening), what ``maybe`` means, who settles conflicts, and the automation rules.
"""

from __future__ import annotations

import argparse
import hashlib
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import jsonschema

from slrflow import yamlfiles
from slrflow.screening import STAGES, ScreeningError
from slrflow.screening.criteria import Criteria, load_criteria
from slrflow.sheets import load_schema


@dataclass(frozen=True)
class StagePolicy:
    """How many reviewers a stage needs: ``reviewers_per_record`` plus a ``double_share``."""

    reviewers_per_record: int = 1
    double_share: float = 0.0


@dataclass(frozen=True)
class Policy:
    """The screening section of the config, with defaults filled in."""

    reviewers: tuple[str, ...]
    stages: dict[str, StagePolicy]
    maybe: str = "include"
    resolution_method: str = "consensus"
    resolvers: tuple[str, ...] = ()
    automation: tuple[dict[str, Any], ...] = ()
    criteria: str = "criteria.yaml"
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
    """Validate the ``screening`` section against the config schema and build a :class:`Policy`."""
    section = section or {}
    schema = load_schema("config")
    sub = dict(schema["properties"]["screening"])
    sub["$defs"] = schema.get("$defs", {})
    validator = jsonschema.Draft202012Validator(sub)
    problems = [
        f"{file}, screening/{'/'.join(str(p) for p in e.path)}: {e.message}"
        for e in sorted(validator.iter_errors(section), key=lambda e: list(e.path))
    ]
    if not section.get("reviewers"):
        problems.append(f"{file}: screening.reviewers is missing; list the reviewers' names")
    if problems:
        raise ScreeningError(problems, heading="screening config")
    stages = {}
    for stage in STAGES:
        given = (section.get("stages") or {}).get(stage) or {}
        stages[stage] = StagePolicy(
            reviewers_per_record=int(given.get("reviewers_per_record", 1)),
            double_share=float(given.get("double_share", 0.0)),
        )
    resolution = section.get("resolution") or {}
    return Policy(
        reviewers=tuple(section["reviewers"]),
        stages=stages,
        maybe=section.get("maybe", "include"),
        resolution_method=resolution.get("method", "consensus"),
        resolvers=tuple(resolution.get("resolvers") or ()),
        automation=tuple(section.get("automation") or ()),
        criteria=section.get("criteria", "criteria.yaml"),
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


def add_policy_arguments(parser: argparse.ArgumentParser) -> None:
    """The options of a screening command that say where its policy and criteria are."""
    parser.add_argument("--config", type=Path, help="config.yaml holding a screening: section")
    parser.add_argument("--policy", help="the screening section as JSON (instead of --config)")
    parser.add_argument("--criteria", type=Path, help="criteria.yaml (default: from the policy)")


def policy_from_arguments(args: argparse.Namespace) -> tuple[Policy, Criteria]:
    """The policy and criteria named by the options of :func:`add_policy_arguments`."""
    policy = load_policy(config=args.config, policy_json=args.policy)
    return policy, load_criteria(args.criteria or policy.criteria)
