"""The audit report: what it shows, that it escapes export text, and how a person uses it.

The browser tests open the page from the file system in Debian's Chromium through Playwright
(no browser download); they skip when Chromium or Playwright is not installed.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pandas as pd
import pytest

from slrflow.report.collect import collect
from slrflow.report.render import render
from slrflow.tables import write_csv

HOSTILE_TITLE = '<script>alert("x")</script> Youth <b>mentoring</b> & "exit" work'


def write_results(results: Path) -> None:
    """A small results folder by hand: 4 records in 3 references, two reviewers, codes."""
    records = pd.DataFrame(
        [
            # record_id, search_id, source_file, source_line, format, title, doi
            [
                "psyc-aaaa",
                "psycinfo",
                "exports/psycinfo.ris",
                1,
                "ris",
                "Exit work in Denmark",
                "10.1/exit",
            ],
            [
                "scop-bbbb",
                "scopus",
                "exports/scopus.csv",
                2,
                "csv",
                "Exit work in Denmark.",
                "10.1/EXIT",
            ],
            ["scop-cccc", "scopus", "exports/scopus.csv", 3, "csv", HOSTILE_TITLE, ""],
            ["wos-dddd", "wos", "exports/wos.txt", 41, "wos", "Psychosis and terrorism", ""],
        ],
        columns=["record_id", "search_id", "source_file", "source_line", "format", "title", "doi"],
    )
    write_csv(records, results / "ingest" / "records.csv")
    write_csv(
        pd.DataFrame(
            {
                "search_id": ["psycinfo", "scopus", "wos"],
                "database": ["PsycINFO", "Scopus", "Web of Science"],
                "records": [1, 2, 1],
            }
        ),
        results / "ingest" / "report.csv",
    )
    write_csv(
        pd.DataFrame(
            {
                "record_id": ["psyc-aaaa", "scop-bbbb", "scop-cccc", "wos-dddd"],
                "reference_id": ["psyc-aaaa", "psyc-aaaa", "scop-cccc", "wos-dddd"],
                "rule": ["", "doi", "", ""],
                "score": ["", "1.0", "", ""],
            }
        ),
        results / "dedup" / "clusters.csv",
    )
    write_csv(
        pd.DataFrame(
            {
                "reference_id": ["psyc-aaaa", "scop-cccc", "wos-dddd"],
                "title": ["Exit work in Denmark", HOSTILE_TITLE, "Psychosis and terrorism"],
                "authors": ["Hansen, P.", "=cmd|' /C calc'!A0", "Corner, E.; Gill, P."],
                "year": ["2019", "2021", "2015"],
                "doi": ["10.1/exit", "", ""],
                "journal": ["Journal of Deradicalization", "", "Journal of Forensic Sciences"],
                "abstract": ["A cohort of former extremists.", "", ""],
            }
        ),
        results / "dedup" / "references.csv",
    )
    write_csv(
        pd.DataFrame(
            [("title_abstract", "anouk", 3, 0, 0, 0), ("title_abstract", "bram", 2, 1, 0, 0)],
            columns=["stage", "reviewer", "done", "to_do", "conflicts", "settled"],
        ),
        results / "screening" / "progress.csv",
    )
    log = pd.DataFrame(
        [
            ["psyc-aaaa", "psyc-aaaa", "title_abstract", "anouk", "include", "", "anouk.csv", 2],
            ["psyc-aaaa", "psyc-aaaa", "title_abstract", "bram", "include", "", "bram.csv", 2],
            ["scop-cccc", "scop-cccc", "title_abstract", "anouk", "exclude", "C2", "anouk.csv", 3],
            [
                "scop-cccc",
                "scop-cccc",
                "title_abstract",
                "bram",
                "exclude",
                "C2; C4",
                "bram.csv",
                3,
            ],
            ["wos-dddd", "wos-dddd", "title_abstract", "anouk", "exclude", "C1", "anouk.csv", 4],
        ],
        columns=[
            "reference_id",
            "record_id",
            "stage",
            "reviewer",
            "decision",
            "criteria",
            "file",
            "row",
        ],
    )
    write_csv(log, results / "screening" / "log.csv")
    write_csv(
        pd.DataFrame(
            {
                "reference_id": ["psyc-aaaa", "scop-cccc", "wos-dddd"],
                "stage": ["title_abstract"] * 3,
                "status": ["included", "excluded", "excluded"],
            }
        ),
        results / "screening" / "status.csv",
    )


@pytest.fixture()
def report_page(tmp_path: Path) -> Path:
    results = tmp_path / "results"
    write_results(results)
    page = results / "report" / "index.html"
    render(collect(results), page, review="resources/example", title="Example review")
    return page


def read_chunks(page: Path, kind: str) -> list:
    """The rows of every ``assets/data/<kind>-NNNN.js`` chunk, in order."""
    rows = []
    for path in sorted((page.parent / "assets" / "data").glob(f"{kind}-*.js")):
        text = path.read_text("utf-8")
        call = "slrflowIndex(" if kind == "index" else "slrflowTrails("
        assert text.startswith(call) and text.endswith(");\n")
        number, _, body = text[len(call) : -3].partition(",")
        assert int(number) == int(path.stem.split("-")[1])
        if kind == "index":  # the index chunk also says where in the list it starts
            start, _, body = body.partition(",")
            assert int(start) == len(rows)
        rows.extend(json.loads(body))
    return rows


def test_every_reference_has_its_trail(report_page: Path):
    index = read_chunks(report_page, "index")
    trails = read_chunks(report_page, "trail")
    assert [row[0] for row in index] == ["psyc-aaaa", "scop-cccc", "wos-dddd"]
    assert len(trails) == 3
    # the merged reference lists both export lines with the rule that linked them
    merged = trails[0]["records"]["rows"]
    assert [r[0] for r in merged] == ["psyc-aaaa", "scop-bbbb"]
    assert merged[1][2:5] == ["exports/scopus.csv:2", "csv", "doi"]
    assert merged[0][2] == "exports/psycinfo.ris:1"
    assert index[0][7] == "psyc-aaaa scop-bbbb"  # both record ids find it
    # the second reference's decisions: both reviewers, with their criteria
    decisions = trails[1]["decisions"]
    assert "reference_id" not in decisions["columns"]
    assert [row[decisions["columns"].index("criteria")] for row in decisions["rows"]] == [
        "C2",
        "C2; C4",
    ]
    assert index[1][8]["criterion"] == "C2|C4"


def test_export_text_is_escaped(report_page: Path):
    html = report_page.read_text("utf-8")
    assert "<script>alert" not in html
    assert "<b>mentoring</b>" not in html
    # in the chunks the title is JSON data the page shows as text, never markup
    assert read_chunks(report_page, "index")[1][1] == HOSTILE_TITLE


def test_chunks_hold_a_fixed_number_of_references(tmp_path: Path, monkeypatch):
    from slrflow.report import chunks

    monkeypatch.setattr(chunks, "TRAIL_CHUNK", 2)
    results = tmp_path / "results"
    write_results(results)
    page = results / "report" / "index.html"
    render(collect(results), page)
    data = page.parent / "assets" / "data"
    assert sorted(p.name for p in data.iterdir()) == [
        "index-0000.js",
        "trail-0000.js",
        "trail-0001.js",
    ]
    assert len(read_chunks(page, "trail")) == 3
    # a second, smaller run leaves no chunk of the first behind
    monkeypatch.setattr(chunks, "TRAIL_CHUNK", 250)
    render(collect(results), page)
    assert sorted(p.name for p in data.iterdir()) == ["index-0000.js", "trail-0000.js"]


def test_page_loads_nothing_from_the_network(report_page: Path):
    html = report_page.read_text("utf-8")
    assert "default-src 'none'" in html
    for attribute in ('src="http', "src='http", 'href="http://', "@import"):
        assert attribute not in html
    assert (report_page.parent / "assets" / "report.js").is_file()


def test_missing_stages_are_said_not_hidden(tmp_path: Path):
    results = tmp_path / "results"
    write_results(results)
    shutil.rmtree(results / "screening")
    page = results / "report" / "index.html"
    render(collect(results), page)
    assert "No screening decisions have been read." in page.read_text("utf-8")


# --- in a real browser --------------------------------------------------------------------


@pytest.fixture(scope="module")
def browser():
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    sync_api = pytest.importorskip("playwright.sync_api")
    if not chromium:
        pytest.skip("Debian's chromium is not installed")
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=chromium,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--no-first-run",
            ],
        )
        yield browser
        browser.close()


@pytest.fixture()
def page(browser, report_page: Path):
    page = browser.new_page()
    requests = []
    page.on("request", lambda r: requests.append(r.url))
    page.goto(report_page.as_uri())
    page.wait_for_selector("#reference-list[data-ready]", state="attached")
    yield page
    page.close()
    assert all(url.startswith("file://") for url in requests), requests


def visible_references(page) -> list[str]:
    return page.eval_on_selector_all(
        "article.ref:not([hidden])", "els => els.map(e => e.id.slice(4))"
    )


def test_search_finds_a_record_by_title_words(page):
    page.fill("#q", "denmark exit")
    assert visible_references(page) == ["psyc-aaaa"]
    assert page.inner_text("#shown") == "1 of 3 references"
    page.fill("#q", "scop-bbbb")  # a member record's id finds its reference
    assert visible_references(page) == ["psyc-aaaa"]


def test_search_words_match_anywhere_in_the_reference(page):
    # author, journal and abstract words together, in any order: all must be in the reference
    page.fill("#q", "cohort hansen deradicalization")
    assert visible_references(page) == ["psyc-aaaa"]
    page.fill("#q", "journal")  # two journals hold the word
    assert visible_references(page) == ["psyc-aaaa", "wos-dddd"]
    page.fill("#q", "forensic cohort")  # each word is in some reference, never both in one
    assert visible_references(page) == []


def test_progress_per_reviewer_is_shown(report_page: Path):
    html = report_page.read_text("utf-8")
    assert "Progress per reviewer" in html
    section = html.split("Progress per reviewer")[1].split("</table>")[0]
    assert "<td>bram</td>" in section


def test_filter_exclusions_by_criterion(page):
    page.select_option("#f-criterion", "C2")
    assert visible_references(page) == ["scop-cccc"]
    page.select_option("#f-criterion", "C1")
    assert visible_references(page) == ["wos-dddd"]
    page.select_option("#f-reviewer", "bram")
    assert visible_references(page) == []


def test_following_a_record_link_opens_its_trail(page, report_page: Path):
    page.goto(report_page.as_uri() + "#rec-scop-bbbb")
    page.wait_for_selector("#rec-scop-bbbb")
    trail = page.locator("#ref-psyc-aaaa details")
    assert trail.get_attribute("open") is not None
    text = trail.inner_text()
    assert "exports/scopus.csv:2" in text
    assert "doi" in text  # the rule that linked the record
    assert "anouk" in text and "bram" in text


def test_hostile_title_is_shown_as_text(page, tmp_path: Path):
    dialogs = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    title = page.inner_text("#ref-scop-cccc .title")
    assert title == HOSTILE_TITLE
    assert page.locator("#ref-scop-cccc b").count() == 0
    assert dialogs == []
    page.screenshot(path=str(tmp_path / "report.png"), full_page=True)


def test_abstract_words_are_bounded():
    from slrflow.report.chunks import abstract_words

    assert abstract_words("The cohort and THE Cohort of former extremists") == (
        "the cohort and former extremists"
    )
    assert len(abstract_words(" ".join(f"word{i}" for i in range(5000)))) <= 800


def test_a_leftover_of_an_earlier_setting_is_not_shown(tmp_path: Path):
    # the database toolkit of an inventory since removed stays in results/, but this run did
    # not build it: the report says the review has no database scan
    results = tmp_path / "results"
    (results / "toolkit").mkdir(parents=True)
    (results / "toolkit" / "slo_interventions.csv").write_text("Intervention\n", "utf-8")
    (results / "toolkit" / "database_interventions.csv").write_text(
        "Intervention\nStale programme\n", "utf-8"
    )
    built = [results / "toolkit" / "slo_interventions.csv"]
    data = collect(results, built=built)
    assert data.has("toolkit_slo") and not data.has("toolkit_database")
    assert collect(results).has("toolkit_database")  # without the list: every file present
    page = tmp_path / "report" / "index.html"
    render(data, page, review="r", title="A review")
    html = page.read_text("utf-8")
    assert "Stale programme" not in html
    assert "no database scan" in html
    assert "No coded studies yet." in html
