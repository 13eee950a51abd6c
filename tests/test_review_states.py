"""Every partial state of a review runs to the end, on review folders made with `slrflow init`.

Two reviews are walked through their states, the workflow run after each step (so later runs
only redo what the step changed); each test then checks one state's results as they were.

Review A (two reviewers, two searches in two formats): exports only; decisions on some
references; includes but no full texts; full texts but no coding; coding without consensus; an
update round before any screening of it.
Review B (one reviewer): one search; then a second search with zero records and every reference
excluded.

Each state must give the PRISMA diagram (awaiting boxes holding what is still to do), the audit
report, the sheets for the next step, and charts and a toolkit that say "no coded studies yet"
until a study is coded.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from slrflow.sheets import read_sheet
from slrflow.tables import read_csv

pytestmark = pytest.mark.workflow

ROOT = Path(__file__).resolve().parents[1]

#: Distinct works (title, first author, year, doi) the exports are made of.
WORKS = [
    ("Peer mentoring for young carers: a randomised trial", "Jansen, A.", 2015, "10.1000/pc.1"),
    ("Online support groups and carer burden", "Okafor, B.", 2017, "10.1000/pc.2"),
    ("Respite services in rural areas: a cohort study", "Lindqvist, C.", 2012, "10.1000/pc.3"),
    ("Telephone coaching for dementia caregivers", "Moreau, D.", 2019, "10.1000/pc.4"),
    ("Mindfulness training for parents of disabled children", "Tanaka, E.", 2021, "10.1000/pc.5"),
    ("A qualitative study of befriending schemes", "Schmidt, F.", 2014, "10.1000/pc.6"),
    ("Cost of informal care in Europe", "Rossi, G.", 2016, "10.1000/pc.7"),
    ("Group psychoeducation for stroke survivors' families", "Novak, H.", 2020, "10.1000/pc.8"),
    ("Buddy systems in palliative home care", "Walsh, I.", 2022, "10.1000/pc.9"),
    ("Carer wellbeing after hospital discharge", "Haddad, J.", 2023, "10.1000/pc.10"),
    ("Digital peer networks for carers", "Ivanova, K.", 2024, "10.1000/pc.11"),
]
A_TITLE = "Peer support for carers (review A)"
B_TITLE = "Befriending for carers (review B)"


def ris(works: list[tuple]) -> str:
    """A RIS export of ``works``, as Scopus writes it."""
    entries = []
    for title, author, year, doi in works:
        entries.append(
            f"TY  - JOUR\nTI  - {title}\nAU  - {author}\nPY  - {year}\nT2  - Journal of Care\n"
            f"DO  - {doi}\nAB  - We evaluated {title.lower()} with {year - 1990} carers.\n"
            "LA  - English\nER  - \n"
        )
    return "\n".join(entries)


def bibtex(works: list[tuple]) -> str:
    """A BibTeX export of ``works``."""
    return "\n".join(
        f"@article{{w{index},\n  title = {{{title}}},\n  author = {{{author}}},\n"
        f"  year = {{{year}}},\n  journal = {{Journal of Care}},\n  doi = {{{doi}}}\n}}\n"
        for index, (title, author, year, doi) in enumerate(works)
    )


def search_row(search_id: str, file: str, hits: int, update: int = 0) -> str:
    """A search log row (search_id, source_type, database, platform, date_searched, query,
    limits, hits_reported, file, format, mapping, update, notes)."""
    date = f"2025-03-0{update + 1}"
    return f"{search_id},database,{search_id.title()},,{date},carer*,,{hits},{file},,,{update},\n"


def slrflow(*args: str) -> subprocess.CompletedProcess:
    env = dict(os.environ)
    env["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{env.get('PATH', '')}"
    command = [sys.executable, "-m", "slrflow.cli", *args]
    return subprocess.run(command, env=env, capture_output=True, text=True, check=False)


def init(folder: Path, title: str, **settings) -> Path:
    made = slrflow("init", str(folder), "--title", title)
    assert made.returncode == 0, made.stderr
    if settings:
        config = yaml.safe_load((folder / "config.yaml").read_text("utf-8"))
        for section, values in settings.items():
            config.setdefault(section, {}).update(values)
        (folder / "config.yaml").write_text(yaml.safe_dump(config), "utf-8")
    return folder


def decide(folder: Path, stage: str, reviewer: str, rows: list[tuple[str, str, str]]) -> None:
    """Save a reviewer's decision file: (record id, decision, criteria) rows."""
    path = folder / "screening" / stage / f"{reviewer}.csv"
    path.parent.mkdir(parents=True, exist_ok=True)
    lines = ["record_id,decision,criteria,note,date"]
    lines += [f"{rid},{decision},{criteria},,2025-04-01" for rid, decision, criteria in rows]
    path.write_text("\n".join(lines) + "\n", "utf-8")


class Walk:
    """One review walked through its states: ``results[state]`` is a copy of its results after
    that state's run (logs left out), ``runs[state]`` that run's completed process."""

    def __init__(self, folder: Path, store: Path):
        self.folder = folder
        self.store = store
        self.runs: dict[str, subprocess.CompletedProcess] = {}
        self.results: dict[str, Path] = {}
        self.ids: dict[str, str] = {}

    def run(self, state: str) -> None:
        done = slrflow("run", str(self.folder), "--cores", "2", "--omit-from", "explore_notebook")
        self.runs[state] = done
        copy = self.store / state
        if (self.folder / "results").is_dir():
            shutil.copytree(self.folder / "results", copy, ignore=shutil.ignore_patterns("logs"))
        self.results[state] = copy

    def reference_ids(self) -> dict[str, str]:
        """Each work's title -> the record id its reference is known by."""
        references = read_csv(self.folder / "results" / "dedup" / "references.csv")
        return dict(zip(references["title"], references["reference_id"], strict=True))


@pytest.fixture(scope="module")
def review_a(tmp_path_factory) -> Walk:
    base = tmp_path_factory.mktemp("review_a")
    folder = init(base / "review-a", A_TITLE)
    walk = Walk(folder, base / "states")
    (folder / "exports" / "scopus.ris").write_text(ris(WORKS[:6]), "utf-8")
    # the second search finds the second work again (same DOI) and two others
    (folder / "exports" / "wos.bib").write_text(bibtex([WORKS[1], WORKS[6], WORKS[7]]), "utf-8")
    with (folder / "searches.csv").open("a", encoding="utf-8") as log:
        log.write(search_row("scopus", "exports/scopus.ris", 6))
        log.write(search_row("wos", "exports/wos.bib", 3))
    walk.run("exports_only")
    if walk.runs["exports_only"].returncode:
        return walk
    ids = walk.ids = walk.reference_ids()
    r = [ids[work[0]] for work in WORKS[:8]]

    decide(folder, "title_abstract", "reviewer_a", [(r[0], "include", ""), (r[1], "Include", ""),
                                                      (r[2], "exclude", "C1")])  # fmt: skip
    walk.run("some_decisions")

    both_exclude = [(rid, "exclude", "C1") for rid in (r[2], r[4], r[5], r[6], r[7])]
    both = [(r[0], "include", ""), (r[1], "include", ""), *both_exclude]
    decide(folder, "title_abstract", "reviewer_a", [*both, (r[3], "include", "")])
    decide(folder, "title_abstract", "reviewer_b", [*both, (r[3], "exclude", "C2")])
    walk.run("includes_no_full_texts")

    (folder / "screening" / "resolutions.csv").write_text(
        "record_id,stage,decision,criteria,resolved_by,date,note\n"
        f"{r[3]},title_abstract,exclude,C2,reviewer_a; reviewer_b,2025-04-03,discussed\n",
        "utf-8",
    )
    decide(folder, "retrieval", "reviewer_a", [(r[0], "retrieved", ""), (r[1], "retrieved", "")])
    for reviewer in ("reviewer_a", "reviewer_b"):
        decide(folder, "full_text", reviewer, [(r[0], "include", ""), (r[1], "exclude", "C3")])
    (folder / "fulltext").mkdir()
    (folder / "fulltext" / f"{r[0]}.txt").write_text(
        "Peer mentors met young carers weekly; critical thinking and resilience improved.\n",
        "utf-8",
    )
    walk.run("full_texts_no_coding")

    (folder / "coding").mkdir()
    (folder / "coding" / "studies.csv").write_text(
        f"intervention_id,intervention,record_id,note\npm,Peer Mentoring,{r[0]},\n", "utf-8"
    )
    header = "intervention_id,dimension,code,answer,quote,page,report,note\n"
    for coder, answer in (("reviewer_a", "yes"), ("reviewer_b", "no")):
        (folder / "coding" / f"{coder}.csv").write_text(
            header + f"pm,we_cognitive,critical_thinking,{answer},,,,\n"
            "pm,we_psychosocial,emotion_regulation,yes,,,,\n",
            "utf-8",
        )
    walk.run("coding_no_consensus")

    # months later: an update search finds the first work again and two new ones
    (folder / "exports" / "scopus_2026.ris").write_text(
        ris([WORKS[0], WORKS[8], WORKS[9]]), "utf-8"
    )
    with (folder / "searches.csv").open("a", encoding="utf-8") as log:
        log.write(search_row("scopus_2026", "exports/scopus_2026.ris", 3, update=1))
    walk.run("update_round")
    return walk


@pytest.fixture(scope="module")
def review_b(tmp_path_factory) -> Walk:
    base = tmp_path_factory.mktemp("review_b")
    folder = init(
        base / "review-b",
        B_TITLE,
        screening={
            "reviewers": ["solo"],
            "stages": {stage: {"reviewers_per_record": 1}
                       for stage in ("title_abstract", "retrieval", "full_text")},
            "resolution": {"method": "consensus", "resolvers": ["solo"]},
        },
        coding={"coders": ["solo"]},
    )  # fmt: skip
    walk = Walk(folder, base / "states")
    (folder / "exports" / "psycinfo.ris").write_text(ris(WORKS[6:11]), "utf-8")
    with (folder / "searches.csv").open("a", encoding="utf-8") as log:
        log.write(search_row("psycinfo", "exports/psycinfo.ris", 5))
    walk.run("one_search_one_reviewer")
    if walk.runs["one_search_one_reviewer"].returncode:
        return walk
    ids = walk.ids = walk.reference_ids()
    # a search that found nothing: its export holds no record
    (folder / "exports" / "cinahl.ris").write_text("", "utf-8")
    with (folder / "searches.csv").open("a", encoding="utf-8") as log:
        log.write(search_row("cinahl", "exports/cinahl.ris", 0))
    decide(folder, "title_abstract", "solo", [(ids[w[0]], "exclude", "C4") for w in WORKS[6:11]])
    walk.run("all_excluded")
    # a later batch with a date the reviewer typed by hand
    path = folder / "screening" / "title_abstract" / "solo-2.csv"
    path.write_text(
        f"record_id,decision,criteria,note,date\n{ids[WORKS[6][0]]},exclude,C4,,1 April\n",
        "utf-8",
    )
    walk.run("broken_decision_file")
    path.unlink()
    return walk


def counts(results: Path) -> dict[str, int]:
    """The PRISMA counts of a state: node (or node/detail) -> n."""
    table = read_csv(results / "screening" / "counts.csv")
    found = {}
    for row in table.to_dict(orient="records"):
        key = f"{row['node']}/{row['detail']}" if row["detail"] else row["node"]
        found[key] = int(row["n"])
    return found


def to_judge(results: Path, stage: str, reviewer: str) -> list[str]:
    """The record ids a reviewer's next sheet asks about."""
    frame = read_sheet(results / "screening" / "sheets" / stage / f"{reviewer}.xlsx")
    return [rid for rid in frame["record_id"] if rid]


def check_complete(walk: Walk, state: str, *, title: str, coded: bool = False) -> Path:
    """The run of ``state`` finished and left every result a person looks at."""
    done = walk.runs.get(state)
    assert done is not None, "an earlier state of this review failed"
    assert done.returncode == 0, (done.stdout + done.stderr)[-4000:]
    results = walk.results[state]
    for name in ("prisma.svg", "prisma.png", "prisma.pdf", "prisma2020.csv"):
        assert (results / "figures" / name).stat().st_size > 0, name
    page = (results / "report" / "index.html").read_text("utf-8")
    assert title in page
    assert "Traceback" not in page
    charts = ["evidence_gap_map", "working_elements", "barriers", "interventions"]
    toolkit = read_csv(results / "toolkit" / "slo_method.csv")
    coded_row = toolkit.loc[toolkit["item"] == "coded studies", "value"].tolist()
    for chart in charts:
        svg = (results / "figures" / f"{chart}.svg").read_text("utf-8")
        assert ("no coded studies yet" in svg) != coded, chart
    if coded:
        assert coded_row and coded_row[0] != "no coded studies yet"
    else:
        assert coded_row == ["no coded studies yet"]
        assert "No coded studies yet." in page
    return results


def test_exports_only(review_a: Walk):
    results = check_complete(review_a, "exports_only", title=A_TITLE)
    n = counts(results)
    # 6 + 3 records, the second work found twice: 8 references, all awaiting both reviewers
    assert n["database_results"] == 9
    assert n["duplicates"] == 1
    assert n["records_screened"] == 8
    assert n["records_awaiting"] == 8
    assert n["records_excluded"] == 0
    for reviewer in ("reviewer_a", "reviewer_b"):
        assert len(to_judge(results, "title_abstract", reviewer)) == 8
        assert to_judge(results, "full_text", reviewer) == []


def test_decisions_on_some_references(review_a: Walk):
    results = check_complete(review_a, "some_decisions", title=A_TITLE)
    n = counts(results)
    # two reviewers needed: one reviewer's decisions leave every reference awaiting
    assert n["records_awaiting"] == 8
    assert n["records_excluded"] == 0
    judged = {review_a.ids[w[0]] for w in WORKS[:3]}
    assert not judged & set(to_judge(results, "title_abstract", "reviewer_a"))
    assert len(to_judge(results, "title_abstract", "reviewer_a")) == 5
    assert len(to_judge(results, "title_abstract", "reviewer_b")) == 8


def test_includes_but_no_full_texts(review_a: Walk):
    results = check_complete(review_a, "includes_no_full_texts", title=A_TITLE)
    n = counts(results)
    # works 0 and 1 included by both, work 3 a conflict, five excluded by both
    assert n["records_excluded"] == 5
    assert n["records_awaiting"] == 1
    assert n["dbr_sought_reports"] == 2
    assert n["dbr_awaiting_retrieval"] == 2
    conflicts = read_csv(results / "screening" / "conflicts.csv")
    assert review_a.ids[WORKS[3][0]] in set(conflicts["reference_id"])
    included = {review_a.ids[w[0]] for w in WORKS[:2]}
    assert set(to_judge(results, "retrieval", "reviewer_a")) == included
    assert to_judge(results, "title_abstract", "reviewer_a") == []


def test_full_texts_but_no_coding(review_a: Walk):
    results = check_complete(review_a, "full_texts_no_coding", title=A_TITLE)
    n = counts(results)
    assert n["records_excluded"] == 6  # the conflict settled as an exclusion
    assert n["records_awaiting"] == 0
    assert n["dbr_assessed"] == 2
    assert n["dbr_excluded"] == 1
    assert n["new_reports"] == 1
    # the included report waits for coding: a coding sheet per coder names it
    for coder in ("reviewer_a", "reviewer_b"):
        assert (results / "coding" / "sheets" / f"{coder}.xlsx").is_file()
    # the included report is a study still to code
    wide = read_csv(results / "coding" / "coded_wide.csv")
    assert wide["status"].tolist() == ["not coded"]
    assert wide["reports"].tolist() == [review_a.ids[WORKS[0][0]]]
    page = (results / "report" / "index.html").read_text("utf-8")
    assert "1 included study waits for coding" in page


def test_coding_without_consensus(review_a: Walk):
    results = check_complete(review_a, "coding_no_consensus", title=A_TITLE, coded=True)
    disagreements = read_csv(results / "coding" / "disagreements.csv")
    open_ = disagreements[disagreements["code"] == "critical_thinking"]
    assert len(open_) == 1 and open_["intervention_id"].iloc[0] == "pm"
    toolkit = read_csv(results / "toolkit" / "slo_interventions.csv")
    assert toolkit["Intervention id"].tolist() == ["pm"]


def test_update_round_before_any_screening_of_it(review_a: Walk):
    results = check_complete(review_a, "update_round", title=A_TITLE, coded=True)
    n = counts(results)
    # the update's three records: the first work again (a previous reference) and two new works
    assert n["database_results"] == 3
    assert n["records_screened"] == 2
    assert n["records_awaiting"] == 2
    assert n["previous_reports"] == 1
    new = {review_a.ids.get(w[0]) for w in WORKS[8:10]} - {None}
    judge = set(to_judge(results, "title_abstract", "reviewer_a"))
    assert len(judge) == 2 and not new - judge
    drawn = (results / "figures" / "prisma.svg").read_text("utf-8")
    assert "previous version" in drawn


def test_one_search_one_reviewer(review_b: Walk):
    results = check_complete(review_b, "one_search_one_reviewer", title=B_TITLE)
    n = counts(results)
    assert n["database_results"] == 5
    assert n["records_awaiting"] == 5
    sheets = sorted(p.name for p in (results / "screening" / "sheets").rglob("*.xlsx"))
    # a screening sheet and a conflict sheet per stage
    assert sheets == ["resolutions.xlsx"] * 3 + ["solo.xlsx"] * 3
    assert len(to_judge(results, "title_abstract", "solo")) == 5


def test_search_with_zero_records_and_all_excluded(review_b: Walk):
    results = check_complete(review_b, "all_excluded", title=B_TITLE)
    n = counts(results)
    assert n["database_results"] == 5
    assert n.get("database_results/Cinahl", 0) == 0  # the search that found nothing
    assert n["records_excluded"] == 5
    assert n["records_awaiting"] == 0
    assert n["dbr_sought_reports"] == 0
    assert n["new_studies"] == 0
    assert to_judge(results, "title_abstract", "solo") == []
    report = read_csv(results / "ingest" / "report.csv")
    assert report.set_index("search_id").loc["cinahl", "records"] == "0"


def test_a_second_review_holds_nothing_of_the_first(review_a: Walk, review_b: Walk):
    check_complete(review_b, "all_excluded", title=B_TITLE)
    check_complete(review_a, "update_round", title=A_TITLE, coded=True)
    # what only review A has (its reviewer names are also the agreement table's column names)
    a_marks = [A_TITLE, WORKS[0][0], "scopus_2026", "Peer Mentoring", "wos.bib"]
    for path in (review_b.folder / "results").rglob("*"):
        if path.suffix in {".csv", ".html", ".svg", ".json", ".log"}:
            text = path.read_text("utf-8", errors="replace")
            if path.suffix == ".csv":
                # a header names columns, not people: agreement.csv has columns reviewer_a and
                # reviewer_b in every review, and is left from the last good run when the check
                # of the people's files stops the next one
                text = text.partition("\n")[2]
            leaked = [mark for mark in a_marks if mark in text]
            assert not leaked, f"{path} holds {leaked} of another review"
    # and no output of the bundled example either
    assert not (review_b.folder / "results" / "toolkit" / "database_interventions.csv").exists()
    page = (review_b.folder / "results" / "report" / "index.html").read_text("utf-8")
    assert "anouk" not in page and "no database scan" in page


def test_a_failed_step_shows_its_message_on_the_console(review_b: Walk):
    done = review_b.runs["broken_decision_file"]
    assert done.returncode != 0
    console = done.stdout + done.stderr
    # the step's own message, naming the file, its row and the field, at the end of the run
    tail = console[console.index("slrflow run: the run stopped on these errors:") :]
    assert "solo-2.csv" in tail and "row 2" in tail and "date" in tail
    assert "Traceback" not in console
