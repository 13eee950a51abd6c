"""The screening stage on the bundled example review: the numbers its README states, and the
accounting invariant (every record of every export in exactly one box).

Runs ingest, dedup and screen in-process (not through Snakemake) so it stays quick.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest
import yaml

from screening_review import FINAL_BOXES
from slrflow.cli import main
from slrflow.searchlog import read_search_log
from slrflow.tables import read_csv

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = ROOT / "resources" / "example"


def _digest(folder: Path) -> dict[str, str]:
    return {
        str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


@pytest.fixture(scope="module")
def example(tmp_path_factory):
    if not (EXAMPLE / "screening").is_dir():
        pytest.skip("the example review has no screening decisions")
    before = _digest(EXAMPLE)
    out = tmp_path_factory.mktemp("example")
    config = yaml.safe_load((ROOT / "resources" / "example" / "config.yaml").read_text("utf-8"))
    tables, summaries = [], []
    for search in read_search_log(EXAMPLE / "searches.csv"):
        table, summary = out / f"{search.search_id}.csv", out / f"{search.search_id}.json"
        args = ["ingest", str(EXAMPLE / search.file), "-o", str(table), "--summary", str(summary),
                "--search-id", search.search_id, "--name", search.file]  # fmt: skip
        if search.format:
            args += ["--format", search.format]
        if search.mapping:
            args += ["--mapping", search.mapping]
        assert main(args) == 0
        tables.append(str(table))
        summaries.append(str(summary))
    records, report = out / "records.csv", out / "report.csv"
    assert main(["ingest-report", "--search-log", str(EXAMPLE / "searches.csv"),
                 "--review", str(EXAMPLE), "--tables", *tables, "--summaries", *summaries,
                 "--records", str(records), "--report", str(report),
                 "--warnings", str(out / "warnings.csv")]) == 0  # fmt: skip
    dedup = [f"--{k.replace('_', '-')}={v}" for k, v in sorted(config.get("dedup", {}).items())]
    assert main(["dedup", str(records), "--outdir", str(out / "dedup"), "--quiet",
                 "--decisions", str(EXAMPLE / "dedup_decisions.csv"), *dedup]) == 0  # fmt: skip
    screening = out / "screening"
    assert main(["screen", "--records", str(records), "--report", str(report),
                 "--clusters", str(out / "dedup" / "clusters.csv"),
                 "--references", str(out / "dedup" / "references.csv"),
                 "--review", str(EXAMPLE), "--policy", json.dumps(config["screening"]),
                 "--criteria", str(ROOT / "resources" / "example" / "criteria.yaml"),
                 "-o", str(screening)]) == 0  # fmt: skip
    assert _digest(EXAMPLE) == before  # the review folder is never written
    names = ("log", "status", "conflicts", "agreement", "counts", "flow", "boxes")
    result = {name: read_csv(screening / f"{name}.csv") for name in names}
    result["records"] = read_csv(records)
    return result


def test_every_record_in_exactly_one_box(example):
    boxes, records = example["boxes"], example["records"]
    assert len(records) == 167
    assert sorted(boxes["record_id"]) == sorted(records["record_id"])
    assert boxes["record_id"].is_unique
    flow = example["flow"]
    totals = flow[flow["reason"] == ""].set_index("box")["n"].astype(int)
    assert totals[list(FINAL_BOXES)].sum() == totals["records_identified"] == 167


def test_example_numbers_as_its_readme_states(example):
    flow = example["flow"]
    totals = flow[flow["reason"] == ""].set_index("box")["n"].astype(int)
    status = example["status"]
    # 167 records form 70 references; three German ones go to the language rule
    assert status["reference_id"].nunique() == 70
    assert totals["automation_ineligible"] == 3
    # three references of the 2025 update await both reviewers
    ta = status[status["stage"] == "title_abstract"].set_index("reference_id")
    pending = ta[ta["status"] == "pending"]
    assert len(pending) == 3 and all(pending.index.str.startswith("scopus_2025"))
    assert set(pending["awaiting"]) <= {"anouk; bram", "bram; anouk"}
    # 33 reports sought, one not retrieved, 32 assessed, 10 excluded, 22 included
    assert totals["reports_sought"] == 33
    assert totals["reports_not_retrieved"] == 1
    assert totals["reports_assessed"] == 32
    assert totals["reports_excluded"] == 10
    assert totals["reports_included"] == 22
    excluded = flow[(flow["box"] == "reports_excluded") & (flow["reason"] != "")]
    by_reason = {
        r: int(n) for r, n in zip(excluded["reason"], excluded["n"], strict=True) if n != "0"
    }
    assert by_reason == {"C1": 2, "C2": 2, "C3": 2, "C4": 3, "no_full_text": 1}
    # seven title/abstract and four full-text conflicts, all settled
    conflicts = example["conflicts"]
    assert conflicts.groupby("stage").size().to_dict() == {"full_text": 4, "title_abstract": 7}
    assert set(conflicts["state"]) == {"settled"}


def test_example_agreement_has_its_counts(example):
    agreement = example["agreement"].set_index("stage")
    # both reviewers judged the 62 original references plus two of the update at title/abstract
    # (70 references - 3 removed by automation - 3 pending), and the 32 reports at full text
    assert int(agreement.loc["title_abstract", "n"]) == 64
    assert int(agreement.loc["full_text", "n"]) == 32
    for stage in ("title_abstract", "full_text"):
        kappa = float(agreement.loc[stage, "cohen_kappa"])
        assert 0 < kappa < 1


def test_update_duplicates_keep_their_decisions(example):
    log = example["log"]
    moved = log[(log["source"] == "reviewer") & (log["record_id"] != log["reference_id"])]
    # decisions naming a record that is not its reference's id still count (carried over)
    assert len(moved) > 0
    status = example["status"].set_index(["reference_id", "stage"])
    for ref, stage in zip(moved["reference_id"], moved["stage"], strict=True):
        assert status.loc[(ref, stage), "status"] not in ("pending", "not_reached")


def _totals(frame):
    rows = frame[frame["detail"] == ""]
    return dict(zip(rows["node"], rows["n"].astype(int), strict=True))


def test_example_prisma_is_the_updated_review_template(example):
    # searches.csv has one update search (scopus_2025, update = 1): the diagram is the
    # updated-review template. README: its 8 records are 3 already found in 2024 and 5 new;
    # both reviewers screened 2 of the new ones, 3 await both; all 22 included reports come
    # from the 2024 searches (159 records = 167 - 8), 21 interventions.
    c = _totals(example["counts"])
    assert c["previous_records"] == 167 - 8
    assert (c["previous_reports"], c["previous_awaiting"]) == (22, 0)
    assert c["previous_other"] == 159 - 22
    assert (c["database_results"], c["duplicates"], c["excluded_automatic"]) == (8, 3, 0)
    assert (c["records_screened"], c["records_excluded"], c["records_awaiting"]) == (5, 2, 3)
    assert (c["dbr_sought_reports"], c["new_reports"]) == (0, 0)
    assert c["total_reports"] == 22
    assert "website_results" not in c  # no other-methods search in the update round
    from slrflow.prisma import check, from_frame

    assert check(from_frame(example["counts"])) == []


def test_example_prisma_as_one_new_review(example):
    """All rounds as one new review: the numbers the example's README states."""
    from slrflow.prisma import check
    from slrflow.screening.counts import Box, prisma_counts
    from slrflow.screening.criteria import load_criteria

    boxes = [
        Box(r["record_id"], r["search_id"], r["reference_id"], r["box"], r["reason"],
            tuple(x for x in r["reasons"].split("; ") if x))
        for r in example["boxes"].to_dict(orient="records")
    ]  # fmt: skip
    searches = read_search_log(EXAMPLE / "searches.csv")
    counts, placed = prisma_counts(
        boxes,
        load_criteria(ROOT / "resources" / "example" / "criteria.yaml"),
        source_types={s.search_id: s.source_type for s in searches},
        databases={s.search_id: s.database for s in searches},
    )
    c = counts
    assert check(c) == []
    # 167 records: 149 from databases (36+25+15+25+15+25+8), 18 by other methods (12 + 6)
    assert c["database_results"] + c["website_results"] + c["citations_results"] == 167
    assert (c["website_results"], c["citations_results"]) == (12, 6)
    # three German references removed by the language rule, in whichever column
    assert c["excluded_automatic"] + c["other_excluded_automatic"] == 3
    # 3 update references await title/abstract screening
    assert c["records_awaiting"] + c["other_records_awaiting"] == 3
    # 33 reports sought, 1 not retrieved, 32 assessed, 10 excluded, 22 included
    assert c["dbr_sought_reports"] + c["other_sought_reports"] == 33
    assert c["dbr_notretrieved_reports"] + c["other_notretrieved_reports"] == 1
    assert c["dbr_assessed"] + c["other_assessed"] == 32
    assert c["dbr_excluded"] + c["other_excluded"] == 10
    assert c["new_reports"] == 22
    reasons = {}
    for node in ("dbr_excluded", "other_excluded"):
        for label, n in c.parts.get(node, {}).items():
            reasons[label.split()[0]] = reasons.get(label.split()[0], 0) + n
    assert reasons == {"C1": 2, "C2": 2, "C3": 2, "C4": 3, "no_full_text": 1}
    # 70 references: the records counted once per column, not as duplicates
    kept = sum(1 for p in placed if p.node not in ("duplicates", "other_duplicates"))
    assert kept == 70


def test_example_boxes_name_each_record_s_prisma_box(example):
    boxes, counts = example["boxes"], _totals(example["counts"])
    assert (boxes["prisma"] != "").all()
    for node, n in boxes["prisma"].value_counts().items():
        assert counts[node] == n, node
    assert len(boxes) == 167


def test_example_studies_of_the_previous_version(example):
    """README: 22 reports describing 21 interventions, all from the 2024 searches."""
    from slrflow.prisma import check, from_frame, with_studies

    boxes = example["boxes"]
    reference_of = dict(zip(boxes["record_id"], boxes["reference_id"], strict=True))
    linked = read_csv(EXAMPLE / "coding" / "studies.csv")
    studies: dict[str, list[str]] = {}
    for study, record in zip(linked["intervention_id"], linked["record_id"], strict=True):
        studies.setdefault(study, []).append(reference_of[record])
    previous = boxes.loc[boxes["prisma"] == "previous_reports", "reference_id"].tolist()
    counts = with_studies(
        from_frame(example["counts"]), list(studies.values()), previous_reports=previous
    )
    assert (counts["previous_studies"], counts["new_studies"], counts["total_studies"]) == (
        21, 0, 21,
    )  # fmt: skip
    assert (counts["previous_reports"], counts["total_reports"]) == (22, 22)
    assert check(counts) == []
