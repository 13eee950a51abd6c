"""Publishing an update, end to end: round one, freeze, round two with a correction, changes.

One review made with `slrflow init` (one reviewer) is run on its first searches and frozen as
published. Months later an update search adds two works and finds one again, the reviewer
screens the new ones, corrects an earlier full-text inclusion, and recodes: the change lists
must say exactly that, each change with the decision file and row behind it.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from slrflow.tables import read_csv
from test_review_states import WORKS, init, ris, search_row, slrflow

pytestmark = pytest.mark.workflow

SOLO = {
    "reviewers": ["solo"],
    "stages": {
        s: {"reviewers_per_record": 1} for s in ("title_abstract", "retrieval", "full_text")
    },
    "resolution": {"method": "consensus", "resolvers": ["solo"]},
}


def _write(path: Path, lines: list[str]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("\n".join(lines) + "\n", "utf-8")


def _decisions(folder: Path, stage: str, rows: list[tuple[str, str, str, str]]) -> None:
    """The reviewer's decision file: (record id, decision, criteria, date) rows, in order."""
    _write(
        folder / "screening" / stage / "solo.csv",
        ["record_id,decision,criteria,note,date"]
        + [f"{r},{d},{c},,{day}" for r, d, c, day in rows],
    )


def _coding(folder: Path, studies: dict[str, str], codes: list[tuple[str, str, str]]) -> None:
    """``studies``: intervention id -> record id; ``codes``: (intervention, dimension, code)."""
    _write(
        folder / "coding" / "studies.csv",
        ["intervention_id,intervention,record_id,note"]
        + [f"{i},{i.upper()} programme,{r}," for i, r in studies.items()],
    )
    _write(
        folder / "coding" / "solo.csv",
        ["intervention_id,dimension,code,answer,quote,page,report,note"]
        + [f"{i},{d},{c},yes,,,," for i, d, c in codes],
    )


def _run(folder: Path) -> None:
    done = slrflow("run", str(folder), "--cores", "2", "--omit-from", "explore_notebook")
    assert done.returncode == 0, (done.stdout + done.stderr)[-4000:]


def _record_ids(folder: Path, export: str, search_id: str) -> dict[str, str]:
    """Title -> record id of each entry of an export, as the workflow will name it."""
    table = folder.parent / f"{search_id}.csv"
    done = slrflow("ingest", str(folder / export), "--search-id", search_id, "-o", str(table))
    assert done.returncode == 0, done.stderr
    records = read_csv(table)
    return dict(zip(records["title"], records["record_id"], strict=True))


def _rows(path: Path, columns: list[str]) -> set[tuple[str, ...]]:
    table = read_csv(path)
    return {tuple(row[c] for c in columns) for row in table.to_dict(orient="records")}


@pytest.fixture(scope="module")
def published(tmp_path_factory):
    """(folder, ids, frozen copy of round one's results, run of round two)."""
    base = tmp_path_factory.mktemp("versions")
    folder = init(base / "review", "Carers (versions)", screening=SOLO, coding={"coders": ["solo"]})
    (folder / "exports" / "scopus.ris").write_text(ris(WORKS[:5]), "utf-8")
    with (folder / "searches.csv").open("a", encoding="utf-8") as log:
        log.write(search_row("scopus", "exports/scopus.ris", 5))
    ids = _record_ids(folder, "exports/scopus.ris", "scopus")
    w = [ids[work[0]] for work in WORKS[:5]]
    first = "2025-04-01"
    _decisions(
        folder,
        "title_abstract",
        [(w[0], "include", "", first), (w[1], "include", "", first), (w[2], "exclude", "C1", first),
         (w[3], "exclude", "C2", first), (w[4], "exclude", "C1", first)],
    )  # fmt: skip
    _decisions(
        folder, "retrieval", [(w[0], "retrieved", "", first), (w[1], "retrieved", "", first)]
    )
    _decisions(folder, "full_text", [(w[0], "include", "", first), (w[1], "include", "", first)])
    _coding(
        folder,
        {"pm": w[0], "om": w[1]},
        [
            ("pm", "we_cognitive", "critical_thinking"),
            ("om", "we_psychosocial", "emotion_regulation"),
        ],
    )
    _run(folder)
    made = slrflow("freeze", str(folder), "--as", "2025-published", "--date", "2025-05-01")
    assert made.returncode == 0, made.stderr
    frozen = base / "round_one"
    shutil.copytree(folder / "results", frozen, ignore=shutil.ignore_patterns("logs"))
    snapshot_bytes = {
        p.relative_to(folder): p.read_bytes()
        for p in (folder / "versions").rglob("*")
        if p.is_file()
    }

    # Round two: the update search finds work 0 again and two new works.
    (folder / "exports" / "scopus_2026.ris").write_text(
        ris([WORKS[0], WORKS[5], WORKS[6]]), "utf-8"
    )
    with (folder / "searches.csv").open("a", encoding="utf-8") as log:
        log.write(search_row("scopus_2026", "exports/scopus_2026.ris", 3, update=1))
    ids = _record_ids(folder, "exports/scopus_2026.ris", "scopus_2026")
    n5, n6 = ids[WORKS[5][0]], ids[WORKS[6][0]]
    later = "2026-02-01"
    _decisions(
        folder,
        "title_abstract",
        [(w[0], "include", "", first), (w[1], "include", "", first), (w[2], "exclude", "C1", first),
         (w[3], "exclude", "C2", first), (w[4], "exclude", "C1", first),
         (n5, "include", "", later), (n6, "exclude", "C4", later)],
    )  # fmt: skip
    _decisions(
        folder,
        "retrieval",
        [
            (w[0], "retrieved", "", first),
            (w[1], "retrieved", "", first),
            (n5, "retrieved", "", later),
        ],
    )
    # the correction: work 1 is excluded at full text after all (row 3 of the file)
    _decisions(
        folder,
        "full_text",
        [(w[0], "include", "", first), (w[1], "exclude", "C3", later), (n5, "include", "", later)],
    )
    _coding(
        folder,
        {"pm": w[0], "nm": n5},
        [("pm", "we_cognitive", "critical_thinking"),
         ("pm", "we_psychosocial", "emotion_regulation"),
         ("nm", "we_cognitive", "critical_thinking")],
    )  # fmt: skip
    _run(folder)
    return folder, {"w": w, "n5": n5, "n6": n6}, frozen, snapshot_bytes


def test_the_snapshot_holds_round_one_and_is_never_touched(published):
    folder, ids, frozen, snapshot_bytes = published
    snapshot = folder / "versions" / "2025-published"
    manifest = json.loads((snapshot / "manifest.json").read_text("utf-8"))
    assert manifest["frozen_on"] == "2025-05-01"
    assert (snapshot / "coded_wide.csv").read_bytes() == (
        frozen / "coding" / "coded_wide.csv"
    ).read_bytes()
    assert (snapshot / "toolkit" / "Toolkit SLO Interventies.xlsx").is_file()
    included = read_csv(snapshot / "references.csv")
    assert sorted(included.loc[included["box"] == "reports_included", "reference_id"]) == sorted(
        ids["w"][:2]
    )
    # a run later, not a byte of it changed
    after = {
        p.relative_to(folder): p.read_bytes()
        for p in (folder / "versions").rglob("*")
        if p.is_file()
    }
    assert after == snapshot_bytes
    again = slrflow("freeze", str(folder), "--as", "2025-published")
    assert again.returncode == 2 and "never rewritten" in again.stderr


def test_references_new_and_corrected_with_their_decision_file_and_row(published):
    folder, ids, _, _ = published
    w = ids["w"]
    got = _rows(
        folder / "results" / "changes" / "references.csv",
        ["reference_id", "change", "then", "now", "file", "row"],
    )
    assert got == {
        (w[1], "changed", "included", "excluded at full text (C3)",
         "screening/full_text/solo.csv", "3"),
        (ids["n5"], "new", "", "included", "screening/full_text/solo.csv", "4"),
        (ids["n6"], "new", "", "excluded at title/abstract (C4)",
         "screening/title_abstract/solo.csv", "8"),
    }  # fmt: skip


def test_studies_added_removed_and_recoded(published):
    folder, _, _, _ = published
    got = _rows(
        folder / "results" / "changes" / "studies.csv",
        ["intervention_id", "change", "dimension", "added", "removed"],
    )
    assert got == {
        ("nm", "added", "", "", ""),
        ("om", "removed", "", "", ""),
        ("pm", "changed", "we_psychosocial", "Emotion regulation", ""),
    }


def test_toolkit_rows_cell_by_cell(published):
    folder, _, _, _ = published
    got = _rows(
        folder / "results" / "changes" / "toolkit.csv",
        ["workbook", "key", "change", "column", "then", "now"],
    )
    assert got == {
        ("Toolkit SLO Interventies", "nm", "added", "", "", ""),
        ("Toolkit SLO Interventies", "om", "removed", "", "", ""),
        ("Toolkit SLO Interventies", "pm", "changed", "Working elements: psychosocial", "",
         "Emotion regulation"),
    }  # fmt: skip


def test_prisma_numbers_then_and_now(published):
    folder, _, _, _ = published
    table = read_csv(folder / "results" / "changes" / "counts.csv")
    n = {(r["node"], r["detail"]): (r["then"], r["now"]) for r in table.to_dict(orient="records")}
    # round one: 5 records, 2 studies of 2 reports included. Round two is drawn as an update of
    # that version: its 2 studies and reports as frozen, one of each withdrawn by the
    # correction, one new study of one new report: 2 in all.
    assert n[("database_results", "")] == ("5", "3")
    assert n[("new_studies", "")] == ("2", "1")
    assert n[("previous_studies", "")] == ("", "2")
    assert n[("previous_reports", "")] == ("", "2")
    assert n[("previous_withdrawn_studies", "")] == ("", "1")
    assert n[("previous_withdrawn_reports", "")] == ("", "1")
    assert ("previous_added_reports", "") not in n
    assert n[("total_studies", "")] == ("", "2")
    assert n[("total_reports", "")] == ("", "2")


def test_a_second_run_does_no_work(published):
    folder, _, _, _ = published
    done = slrflow("run", str(folder), "--cores", "1", "-n", "--omit-from", "explore_notebook")
    assert done.returncode == 0, done.stderr
    assert "Nothing to be done" in done.stdout + done.stderr
