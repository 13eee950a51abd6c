"""The toolkit charts: drawn from the coded fixture, the numbers they show, identical bytes."""

from __future__ import annotations

import pandas as pd
import pytest

from slrflow import tables
from slrflow.coding.codebook import load as load_codebook
from slrflow.figures import charts
from slrflow.toolkit import coded


@pytest.fixture(scope="module")
def codebook(fixtures):
    return load_codebook(fixtures.parent.parent / "config" / "codebook.yaml")


@pytest.fixture()
def items(fixtures):
    found = coded.read(fixtures / "toolkit" / "coded_long.csv")
    by_name = {i.name: i for i in found}
    by_name["Being Muslim Being British"].values["outcome_domains"] = ["cognitive_outcomes"]
    by_name["Radicalise"].values["outcome_domains"] = ["cognitive_outcomes"]
    by_name["Diamant resilience training"].values["outcome_domains"] = ["psychosocial_outcomes"]
    return found


DATABASE = pd.DataFrame(
    {
        "Intervention": ["A", "B", "C", "D"],
        "Country": ["NL", "NL", "DE", "UK"],
        "Prevention level": ["Universal", "Selective; Indicated", "Indicated", ""],
        "Working elements: cognitive": ["Critical thinking", "", "", ""],
        "Working elements: psychosocial": ["Empathy", "Empathy", "", ""],
        "Working elements: social and educational development": ["", "", "", ""],
        "Working elements: behavioural": ["", "", "Long-term reintegration", ""],
        "Working elements: societal": ["", "", "", ""],
    }
)


def _labels(fig) -> list[str]:
    return [t.get_text() for ax in fig.axes for t in ax.texts]


def test_evidence_gap_map_counts_interventions_per_cell_and_level(items, codebook):
    fig = charts.evidence_gap_map(items, codebook)
    ax = fig.axes[0]
    # cognitive x cognitive outcomes: BMBB (Maryland 2) and Radicalise (Maryland 5), one each;
    # psychosocial x psychosocial outcomes: Diamant (Maryland 2); behavioural x cognitive
    # outcomes: Radicalise (Maryland 5).
    assert sorted(_labels(fig)) == ["1", "1", "1", "1"]
    legend = [t.get_text() for t in ax.get_legend().get_texts()]
    assert legend == ["Maryland level 2", "Maryland level 5"]
    assert [t.get_text() for t in ax.get_yticklabels()][0] == "Cognitive"


def test_working_elements_side_by_side(items):
    fig = charts.working_elements(items, DATABASE)
    labels = _labels(fig)
    # Review: cognitive in 2 of 3 (67%); database: cognitive 1 of 4, psychosocial 2 of 4.
    assert "67% (2)" in labels and "25% (1)" in labels and "50% (2)" in labels
    legend = [t.get_text() for t in fig.axes[0].get_legend().get_texts()]
    assert legend == ["Systematic review (n = 3)", "Database scan (n = 4)"]


def test_barriers_and_countries(items, codebook):
    assert "1" in _labels(charts.barriers(items, codebook))  # BMBB: short duration
    fig = charts.interventions(items, codebook, DATABASE)
    countries = [t.get_text() for t in fig.axes[0].get_yticklabels()]
    # UK: 2 review + 1 database; NL: 1 + 2; DE: 0 + 1 -> ties ordered by code.
    assert countries == ["Netherlands (NL)", "United Kingdom (UK)", "Germany (DE)"]


def test_reports_per_year(items, fixtures):
    refs = tables.read_csv(fixtures / "toolkit" / "references.csv")
    fig = charts.reports_per_year(items, refs)
    assert fig.axes[0].get_title(loc="left") == "Included reports per year (n = 4)"


def test_render_all_twice_identical_bytes(items, codebook, fixtures, tmp_path):
    refs = tables.read_csv(fixtures / "toolkit" / "references.csv")
    first = charts.render_all(items, codebook, tmp_path / "a", database=DATABASE, references=refs)
    second = charts.render_all(items, codebook, tmp_path / "b", database=DATABASE, references=refs)
    assert len(first) == 10
    for a, b in zip(first, second, strict=True):
        assert a.read_bytes() == b.read_bytes(), a.name


def test_empty_inputs_still_draw(codebook, tmp_path):
    written = charts.render_all([], codebook, tmp_path)
    assert all(p.stat().st_size > 0 for p in written)
