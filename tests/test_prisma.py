"""The PRISMA 2020 counts table, its reconciliation, the PRISMA2020 CSV and the diagram."""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd
import pytest

from slrflow import prisma, tables
from slrflow.figures import prisma_diagram


def _text(fig) -> str:
    """All text of the figure with line wraps and non-breaking spaces as plain spaces."""
    return re.sub(r"\s+", " ", " | ".join(t.get_text() for ax in fig.axes for t in ax.texts))


@pytest.fixture()
def counts(fixtures):
    return prisma.read_counts(fixtures / "toolkit" / "prisma_counts.csv")


def test_the_hand_written_counts_reconcile(counts):
    # 120 - 30 - 5 = 85 screened; 85 - 60 = 25 sought; 25 - 1 = 24 assessed;
    # (24 - 6) + (7 - 5) = 20 reports of new studies.
    assert prisma.check(counts) == []
    assert counts["database_results"] == 120
    assert counts.parts["dbr_excluded"] == {
        "C1 Primary data": 2,
        "C3 Focus on psychopathology, psychosocial factors": 4,
    }
    assert counts.has_other_methods and not counts.is_update


def test_a_wrong_number_is_named(counts):
    counts.set("records_screened", 84)
    problems = prisma.check(counts)
    assert any(
        "records identified - removed before screening" in p and "85 != 84" in p for p in problems
    )
    with pytest.raises(prisma.CountsError, match="do not add up"):
        prisma.reconcile(counts)


def test_parts_must_sum_to_their_total(fixtures, tmp_path):
    frame = tables.read_csv(fixtures / "toolkit" / "prisma_counts.csv")
    frame.loc[frame["detail"] == "Scopus", "n"] = "71"
    problems = prisma.check(prisma.from_frame(frame))
    assert "database_results is not the sum of its parts: 120 != 121" in problems


def test_bad_rows_name_row_and_field():
    frame = pd.DataFrame(
        {
            "node": ["records_screened", "records_sreened", "duplicates"],
            "detail": ["", "", ""],
            "n": ["12", "3", "many"],
        }
    )
    with pytest.raises(prisma.CountsError) as info:
        prisma.from_frame(frame, file="counts.csv")
    assert "counts.csv: row 3, field node: unknown node 'records_sreened'" in str(info.value)
    assert "row 4, field n: 'many' is not a count" in str(info.value)


def test_table_round_trip(counts, tmp_path):
    prisma.write_counts(counts, tmp_path / "c.csv")
    again = prisma.read_counts(tmp_path / "c.csv")
    assert again.totals == counts.totals and again.parts == counts.parts


def test_prisma2020_csv_schema(counts):
    frame = prisma.to_prisma2020(counts)
    assert list(frame.columns) == [
        "data",
        "node",
        "box",
        "description",
        "boxtext",
        "tooltips",
        "url",
        "n",
    ]
    n = dict(zip(frame["data"], frame["n"], strict=True))
    assert n["database_results"] == "120" and n["records_screened"] == "85"
    assert n["database_specific_results"] == "PsycINFO, 50; Scopus, 70"
    # Commas inside a reason would split it in the R package: they are dropped there.
    assert (
        n["dbr_excluded"]
        == "C1 Primary data, 2; C3 Focus on psychopathology  psychosocial factors, 4"
    )
    assert n["new_studies"] == "19" and n["previous_studies"] == "0"
    row = frame[frame["data"] == "records_screened"].iloc[0]
    assert (row["node"], row["box"]) == ("node9", "box4")


def test_diagram_shows_the_numbers(counts):
    fig = prisma_diagram.draw(counts)
    text = _text(fig)
    for expected in (
        "Databases (n = 120)",
        "PsycINFO (n = 50)",
        "Duplicate records removed (n = 30)",
        "Records screened (n = 85)",
        "Records excluded (n = 60)",
        "Reports not retrieved (n = 1)",
        "C1 Primary data (n = 2)",
        "Websites (n = 4)",
        # a new review: the new-review template's wording, without "new"
        "Studies included in review (n = 19)",
        "Reports of included studies",
        "Identification of studies via databases and registers",
        "Identification of studies via other methods",
        "counted once, under the first of them in the order of the review's criteria",
    ):
        assert expected in text, expected
    assert "Previous studies" not in text
    assert "new studies" not in text.lower() and "New studies" not in text


def test_updated_review_template(counts):
    updated = prisma.with_previous(prisma.with_studies(counts, 18), 12, 13)
    assert updated["total_studies"] == 30 and updated["total_reports"] == 33
    assert prisma.check(updated) == []
    fig = prisma_diagram.draw(updated)
    text = _text(fig)
    assert "Studies included in previous version of review (n = 12)" in text
    assert "Total studies included in review (n = 30)" in text
    # the updated-review template keeps "new"
    assert "New studies included in review (n = 18)" in text
    assert "Identification of new studies via databases and registers" in text


def test_two_renders_are_byte_identical(counts, tmp_path):
    for run in ("a", "b"):
        prisma_diagram.render(
            counts, [tmp_path / f"{run}.svg", tmp_path / f"{run}.png", tmp_path / f"{run}.pdf"]
        )
    for ext in ("svg", "png", "pdf"):
        first = (tmp_path / f"a.{ext}").read_bytes()
        assert first == (tmp_path / f"b.{ext}").read_bytes(), ext
    svg = (tmp_path / "a.svg").read_text()
    assert "<dc:date>" not in svg
    assert b"CreationDate" not in (tmp_path / "a.pdf").read_bytes()


def test_cli_writes_diagram_and_r_csv(fixtures, tmp_path):
    from slrflow.cli import main

    out = tmp_path / "prisma"
    code = main(
        [
            "prisma",
            str(fixtures / "toolkit" / "prisma_counts.csv"),
            "-o",
            f"{out}.svg",
            "--r-csv",
            str(tmp_path / "prisma2020.csv"),
            "--previous-studies",
            "2",
            "--previous-reports",
            "3",
        ]
    )
    assert code == 0 and (tmp_path / "prisma.svg").stat().st_size > 1000
    r = tables.read_csv(tmp_path / "prisma2020.csv")
    n = dict(zip(r["data"], r["n"], strict=True))
    assert (n["previous_studies"], n["total_studies"], n["total_reports"]) == ("2", "21", "23")


def test_reads_what_the_screening_stage_writes():
    """The screening stage's PRISMA rows (its accounting) load, reconcile and draw."""
    from slrflow.screening.counts import Box, prisma_nodes
    from slrflow.screening.criteria import load_criteria

    criteria = load_criteria(
        Path(__file__).resolve().parents[1] / "resources" / "example" / "criteria.yaml"
    )
    first = criteria.ids[0]
    # By hand: scopus r1 + r2 (r2 a duplicate of r1), psycinfo r3, r4, r5; r1 included,
    # r3 excluded at title/abstract, r4 excluded at full text, r5 removed by automation.
    boxes = [
        Box("r1", "scopus", "r1", "reports_included"),
        Box("r2", "scopus", "r1", "duplicates_removed"),
        Box("r3", "psycinfo", "r3", "records_excluded", first, (first,)),
        Box("r4", "psycinfo", "r4", "reports_excluded", first, (first,)),
        Box("r5", "psycinfo", "r5", "automation_ineligible", "old", ("old",)),
    ]
    databases = {"scopus": "Scopus", "psycinfo": "PsycINFO"}
    rows = prisma_nodes(boxes, criteria, databases=databases, rules=["old"])
    counts = prisma.from_frame(pd.DataFrame(rows).astype(str))
    assert prisma.check(counts) == []
    assert counts.parts["database_results"] == {"PsycINFO": 3, "Scopus": 2}
    removed = (counts["duplicates"], counts["excluded_automatic"], counts["records_screened"])
    assert removed == (1, 1, 3)
    assert (counts["records_excluded"], counts["dbr_assessed"], counts["new_reports"]) == (1, 2, 1)
    assert "Records screened (n = 3)" in _text(prisma_diagram.draw(counts))


def test_cli_fails_when_the_numbers_do_not_add_up(fixtures, tmp_path, capsys):
    from slrflow.cli import main

    frame = tables.read_csv(fixtures / "toolkit" / "prisma_counts.csv")
    # 85 screened - 60 excluded = 25 sought; say 27 were sought
    frame.loc[frame["node"] == "dbr_sought_reports", "n"] = "27"
    tables.write_csv(frame, tmp_path / "counts.csv")
    out = tmp_path / "prisma.svg"
    assert main(["prisma", str(tmp_path / "counts.csv"), "-o", str(out)]) == 2
    err = capsys.readouterr().err
    assert "records screened - excluded - awaiting screening vs reports sought" in err
    assert "25 != 27" in err and not out.exists()


def test_records_awaiting_a_decision_have_their_box(counts):
    # 85 screened: 60 excluded, 3 awaiting screening, 22 sought (instead of 25); 22 - 1 not
    # retrieved = 21 assessed; (21 - 6) + (7 - 5) = 17 reports of new studies.
    counts.set("records_awaiting", 3)
    counts.set("dbr_sought_reports", 22)
    counts.set("dbr_assessed", 21)
    counts.set("new_reports", 17)
    counts.set("new_studies", 17)
    assert prisma.check(counts) == []
    text = _text(prisma_diagram.draw(counts))
    assert "Records awaiting screening (n = 3)" in text
    counts.set("records_awaiting", 2)
    assert prisma.check(counts) == [
        "records screened - excluded - awaiting screening vs reports sought for retrieval: 23 != 22"
    ]


def test_phase_labels_fit_their_bars(counts):
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    fig = prisma_diagram.draw(prisma.with_studies(counts, 2))
    renderer = FigureCanvasAgg(fig).get_renderer()
    ax = fig.axes[0]
    labels = [t for t in ax.texts if t.get_text() in ("Identification", "Screening", "Included")]
    assert len(labels) == 3
    for label in labels:
        text = label.get_window_extent(renderer)
        middle = ((text.x0 + text.x1) / 2, (text.y0 + text.y1) / 2)
        extents = [p.get_window_extent(renderer) for p in ax.patches]
        bars = [b for b in extents if b.contains(*middle)]
        assert bars, label.get_text()
        bar = min(bars, key=lambda b: b.height)
        assert bar.y0 <= text.y0 and text.y1 <= bar.y1, label.get_text()
