"""The config schema is closed and is the one place each option is defined: unknown keys stop with
the nearest known key, defaults come from the schema, and the same options reach the command line
and the rules from there."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import pytest
import yaml

from slrflow import settings
from slrflow.dedup.options import Options
from slrflow.errors import ConfigError

ROOT = Path(__file__).resolve().parents[1]


EXAMPLE = ROOT / "resources" / "example" / "config.yaml"


@pytest.fixture()
def example() -> dict:
    """The bundled example's settings, with the review folder given as a run gives it."""
    config = yaml.safe_load(EXAMPLE.read_text(encoding="utf-8"))
    return config | {"review": "resources/example"}


def test_the_example_config_passes_and_keeps_its_values(example):
    checked = settings.check(example)
    assert checked["dedup"]["title_same"] == 0.93
    assert checked["screening"]["reviewers"] == ["anouk", "bram"]
    assert checked["screening"]["stages"]["full_text"]["reviewers_per_record"] == 2
    # filled from the schema: a double share the example does not give
    assert checked["screening"]["stages"]["full_text"]["double_share"] == 0
    given = yaml.safe_load(EXAMPLE.read_text(encoding="utf-8")) | {"review": "resources/example"}
    assert example == given  # the config given is not changed


@pytest.mark.parametrize(
    ("where", "key", "expected"),
    [
        ((), "screenig", "unknown key screenig; did you mean screening?"),
        (("dedup",), "title_sam", "unknown key dedup.title_sam; did you mean dedup.title_same?"),
        (
            ("screening", "stages"),
            "fulltext",
            "unknown key screening.stages.fulltext; did you mean screening.stages.full_text?",
        ),
        (("coding",), "Coders", "unknown key coding.Coders; did you mean coding.coders?"),
    ],
)
def test_an_unknown_key_stops_naming_it_and_the_nearest_known_one(example, where, key, expected):
    node = example
    for part in where:
        node = node[part]
    node[key] = node.get(key.lower(), {}) if not where else 1
    with pytest.raises(ConfigError) as info:
        settings.check(example, file="my-config.yaml")
    message = str(info.value)
    assert message.startswith("my-config.yaml: 1 problem(s)")
    assert expected in message


def test_an_unknown_key_far_from_any_known_one_lists_the_known_ones(example):
    example["zzzz"] = 1
    with pytest.raises(ConfigError, match=r"unknown key zzzz \(known here: coding, compare_to"):
        settings.check(example)


def test_every_problem_is_listed_in_one_pass(example):
    example["screenig"] = {}
    example["dedup"]["title_same"] = 1.5
    example["screening"]["maybe"] = "perhaps"
    with pytest.raises(ConfigError) as info:
        settings.check(example)
    assert len(info.value.problems) == 3
    assert "dedup.title_same: 1.5 is greater than the maximum of 1" in str(info.value)
    assert "screening.maybe: 'perhaps' is not one of ['include', 'resolve']" in str(info.value)


def test_defaults_come_from_the_schema_only():
    schema = settings.schema()["properties"]
    # the options' own defaults are the schema's (no second copy in the code)
    assert Options().title_same == schema["dedup"]["properties"]["title_same"]["default"]
    assert Options().cochrane_versions == "merge"
    # the schema writes 10; the dedup log shows the setting as a number with a point (10.0)
    assert repr(Options().match_odds) == "10.0"
    assert settings.defaults("screening")["criteria"] == "criteria.yaml"
    assert settings.check({"review": "r"})["coding"]["codebook"] == "codebook.yaml"


def test_the_workflow_files_repeat_no_default():
    rules = "\n".join(
        line
        for path in sorted((ROOT / "workflow" / "rules").glob("*.smk"))
        for line in path.read_text(encoding="utf-8").splitlines()
        if not line.lstrip().startswith("#")  # what the comments say is not a default
    )
    for default in ('"criteria.yaml"', '"codebook.yaml"', "0.93", '"searches.csv"'):
        assert default not in rules


def test_a_section_becomes_flags_with_the_schemas_types_and_help():
    parser = argparse.ArgumentParser()
    settings.add_flags(parser, "dedup")
    args = parser.parse_args(
        ["--settings", json.dumps({"title_same": 0.9}), "--preprint", "merge", "--title-review",
         "0.8", "--deduplicated-searches", "a", "b"]
    )  # fmt: skip
    values = settings.section_from_arguments("dedup", args)
    # a flag given overrides the section; the section's value stays; the rest are defaults
    assert values["title_same"] == 0.9 and values["title_review"] == 0.8
    assert values["preprint"] == "merge" and values["deduplicated_searches"] == ["a", "b"]
    assert values["authors_same"] == 0.75
    help_text = parser.format_help()
    assert "--title-same" in help_text and "title similarity for a match" in help_text
    with pytest.raises(SystemExit):  # choices come from the schema's enum
        parser.parse_args(["--preprint", "fuse"])


def test_a_bad_section_on_the_command_line_names_the_setting(tmp_path):
    parser = argparse.ArgumentParser()
    settings.add_flags(parser, "prisma")
    args = parser.parse_args(["--settings", '{"previous_studys": 3}'])
    with pytest.raises(ConfigError, match="did you mean prisma.previous_studies"):
        settings.section_from_arguments("prisma", args)
    config = tmp_path / "config.yaml"
    config.write_text("prisma:\n  previous_studies: -1\n", encoding="utf-8")
    args = parser.parse_args(["--config", str(config)])
    with pytest.raises(ConfigError, match=r"(?s)config.yaml: .*previous_studies: -1 is less"):
        settings.section_from_arguments("prisma", args)


def test_the_settings_a_new_review_starts_with_pass():
    template = yaml.safe_load((ROOT / "config" / "config.yaml").read_text(encoding="utf-8"))
    checked = settings.check(template | {"review": "my-review"})
    assert checked["screening"]["criteria"] == "criteria.yaml"
