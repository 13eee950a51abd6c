"""`slrflow dedup` end to end: both input forms, all outputs, stable bytes, real labelled sets."""

from __future__ import annotations

import pandas as pd
import pytest

from slrflow.cli import main
from slrflow.tables import read_csv

_TITLE = "Exit work with radicalised youth: a process evaluation"
_TPV = "Terrorism and Political Violence"
BENCHMARK_FORM = (
    "\n".join(
        [
            '"ID","ENTRYTYPE","author","title","year","journal","volume","number","pages","doi"',
            f'"a1","article","Smit, J and Bos, K","{_TITLE}",2018,"{_TPV}",30,2,"221-8",'
            '"10.1080/x.1"',
            f'"a2","article","Smit J.Bos K.","{_TITLE.upper()}.",2018,"Terror Polit Violence",30,2,'
            '"221-228",',
            f'"a3","article","Smit, J and Bos, K","Erratum: {_TITLE}",2018,"{_TPV}",30,4,"512",',
            f'"a4","inproceedings","Smit, J","{_TITLE}",2017,'
            '"Proceedings of the Annual Conference on Terrorism Research",,,"",',
        ]
    )
    + "\n"
)


def test_standalone_benchmark_form(tmp_path):
    source = tmp_path / "records.csv"
    source.write_text(BENCHMARK_FORM, encoding="utf-8")
    out = tmp_path / "clusters.csv"
    assert main(["dedup", str(source), "-o", str(out), "--quiet"]) == 0
    clusters = read_csv(out)
    assert clusters["record_id"].tolist() == ["a1", "a2", "a3", "a4"]
    assert clusters["reference_id"].tolist() == ["a1", "a1", "a3", "a4"]
    assert clusters.loc[1, "rule"] != "" and clusters.loc[1, "linked_to"] == "a1"
    assert clusters.loc[0, "rule"] == ""


def test_one_thread_gives_the_same_clusters_as_every_core(tmp_path):
    source = tmp_path / "records.csv"
    source.write_text(BENCHMARK_FORM, encoding="utf-8")
    for threads in ("1", "-1"):
        out = tmp_path / f"clusters{threads}.csv"
        assert main(["dedup", str(source), "-o", str(out), "--quiet", "--threads", threads]) == 0
    assert (tmp_path / "clusters1.csv").read_bytes() == (tmp_path / "clusters-1.csv").read_bytes()
    assert read_csv(tmp_path / "clusters1.csv")["reference_id"].tolist() == ["a1", "a1", "a3", "a4"]


def test_conference_policy_from_the_command_line(tmp_path):
    source = tmp_path / "records.csv"
    source.write_text(BENCHMARK_FORM, encoding="utf-8")
    out = tmp_path / "clusters.csv"
    main(["dedup", str(source), "-o", str(out), "--quiet", "--conference-abstract", "merge"])
    assert read_csv(out)["reference_id"].tolist() == ["a1", "a1", "a3", "a1"]


def test_duplicate_ids_exit_2_naming_rows(tmp_path, capsys):
    source = tmp_path / "records.csv"
    source.write_text(BENCHMARK_FORM.replace('"a2"', '"a1"'), encoding="utf-8")
    assert main(["dedup", str(source), "-o", str(tmp_path / "c.csv")]) == 2
    err = capsys.readouterr().err
    assert "'a1' on rows 2, 3" in err
    assert not (tmp_path / "c.csv").exists()


def ingest_form(tmp_path):
    rows = [
        {
            "record_id": "pubmed-1",
            "search_id": "pubmed",
            "title": "Exit work with radicalised youth",
            "authors": "Smit, J.; Bos, K.",
            "author_keys": "smit; bos",
            "year": "2018",
            "journal": "Terror Polit Violence",
            "volume": "30",
            "pages": "221-228",
            "doi": "10.1080/x.1",
            "abstract": "=cmd() a process evaluation",
        },
        {
            "record_id": "scopus-1",
            "search_id": "scopus",
            "title": "Exit work with radicalised youth",
            "authors": "Smit, Jan; Bos, Karin",
            "author_keys": "smit; bos",
            "year": "2018.0",
            "journal": "Terrorism and Political Violence",
            "volume": "30",
            "pages": "221-228",
            "doi": "",
            "abstract": "",
        },
        {
            "record_id": "scopus-2",
            "search_id": "scopus",
            "title": "Mentoring and resilience",
            "authors": "Roe, R.",
            "author_keys": "roe",
            "year": "2019",
            "journal": "Journal X",
        },
    ]
    path = tmp_path / "records.csv"
    pd.DataFrame(rows).to_csv(path, index=False)
    return path


def test_ingest_form_writes_every_output_stably(tmp_path):
    source = ingest_form(tmp_path)
    first, second = tmp_path / "one", tmp_path / "two"
    for outdir in (first, second):
        assert main(["dedup", str(source), "--outdir", str(outdir), "--quiet"]) == 0
    names = sorted(p.name for p in first.iterdir())
    assert names == sorted(
        [
            "clusters.csv",
            "references.csv",
            "evidence.csv",
            "field_weights.csv",
            "pairs_to_review.csv",
            "related.csv",
            "counts.csv",
            "overlap.csv",
            "overlap.svg",
            "overlap.png",
            "log.csv",
        ]
    )
    for name in names:
        assert (first / name).read_bytes() == (second / name).read_bytes(), name
    references = read_csv(first / "references.csv")
    assert references["reference_id"].tolist() == ["pubmed-1", "scopus-2"]
    assert references.loc[0, "search_ids"] == "pubmed; scopus"
    assert references.loc[0, "journal"] == "Terrorism and Political Violence"
    # formula-like text is neutralised in the file and restored when read back
    assert "'=cmd()" in (first / "references.csv").read_text("utf-8")
    assert references.loc[0, "abstract"].startswith("=cmd()")
    counts = read_csv(first / "counts.csv").set_index("search_id")
    assert counts.loc["all", "duplicates_removed"] == "1"
    evidence = read_csv(first / "evidence.csv")
    assert evidence.loc[0, "sim_title"] == "1.0" and evidence.loc[0, "sim_doi"] == ""
    # three records prove nothing: every field's weight is the prior's, shown with the link
    assert "title +" in evidence.loc[0, "decided_by"]
    weights = read_csv(first / "field_weights.csv").set_index("field")
    assert set(weights["role"]) == {"unproven"}
    assert b"<dc:date>" not in (first / "overlap.svg").read_bytes()


# --- the labelled sets in the shared data ----------------------------------------------------


def truth_groups(folder):
    truth = pd.read_csv(folder / "merged_record_ids.csv", dtype=str)["merged_ids"]
    return {frozenset(row.split(";")) for row in truth}


@pytest.mark.parametrize(
    ("name", "options"),
    [
        ("bibdedupe_special_cases", []),
        # the old search was deduplicated before: its two identical records are two references
        ("bibdedupe_testdata", ["--deduplicated-searches", "old_search"]),
    ],
)
def test_small_labelled_sets_match_the_truth(shared_data, tmp_path, name, options):
    folder = shared_data / "dedup" / name
    out = tmp_path / "clusters.csv"
    assert (
        main(["dedup", str(folder / "records_pre_merged.csv"), "-o", str(out), "--quiet", *options])
        == 0
    )
    clusters = read_csv(out)
    found = {
        frozenset(group["record_id"])
        for _, group in clusters.groupby("reference_id")
        if len(group) > 1
    }
    assert found == truth_groups(folder)
