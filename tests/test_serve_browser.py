"""The screening page in a real browser (Debian's Chromium through Playwright), used as a
reviewer uses it: keys only, an undo, an exclusion with two criteria, a reload, two pages."""

from __future__ import annotations

import csv
import os
import shutil
import time
from pathlib import Path

import pytest

pytest.importorskip("starlette")
sync_api = pytest.importorskip("playwright.sync_api")

from serve_review import add_fulltext, make_review, run_screen  # noqa: E402
from serve_server import start  # noqa: E402
from slrflow.tables import read_csv  # noqa: E402

pytestmark = pytest.mark.browser
# a busy machine answers slowly; waiting longer costs nothing when it is not
sync_api.expect.set_options(timeout=20_000)

#: Screenshots go here when set (to look at them); otherwise into the test's folder.
SHOTS = os.environ.get("SLRFLOW_SCREENSHOTS")


def rows(path: Path) -> list[dict[str, str]]:
    with open(path, encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


@pytest.fixture(scope="module")
def browser():
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    if not chromium:
        pytest.skip("Debian's chromium is not installed")
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=chromium,
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                  "--disable-component-update", "--disable-sync", "--no-first-run"],
        )  # fmt: skip
        yield browser
        browser.close()


@pytest.fixture()
def review(tmp_path: Path) -> Path:
    return make_review(tmp_path / "review")


def shot(page, tmp_path: Path, name: str) -> None:
    folder = Path(SHOTS) if SHOTS else tmp_path
    folder.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(folder / f"{name}.png"), full_page=True)


def title(page) -> str:
    return page.locator("#f-title").inner_text()


def wait_screened(page, n: int) -> None:
    # locator assertions, not wait_for_function: the page's policy forbids evaluating strings
    sync_api.expect(page.locator("#n-screened")).to_have_text(str(n))


def wait_rows(path: Path, n: int, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if path.exists() and len(rows(path)) >= n:
            return
        time.sleep(0.05)
    raise AssertionError(f"{path}: {len(rows(path)) if path.exists() else 0} rows, not {n}")


def test_screening_with_the_keyboard(browser, review: Path, tmp_path: Path):
    running = start(review, "anouk")
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    outside = []
    page.on("request", lambda r: None if r.url.startswith(running.url) else outside.append(r.url))
    errors = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    try:
        page.goto(running.url)
        page.wait_for_selector("#f-title:not(:empty)")
        # export text is shown as text: the script tag in a title is not run, only printed
        shot(page, tmp_path, "1-first")
        titles = []
        keys = ["i", "e", "m", "i", "i", "e", "i", "m", "i", "i"]
        for n, key in enumerate(keys, start=1):
            titles.append(title(page))
            if key == "e":
                page.keyboard.press("e")  # no criterion ticked: refused, nothing written
                sync_api.expect(page.locator("#error")).to_contain_text("Tick the failed")
                if n == 2:
                    page.keyboard.press("1")
                    page.keyboard.press("3")
                    page.keyboard.press("n")
                    page.keyboard.type("no intervention; e and i typed here are a note")
                    page.keyboard.press("Escape")
                    shot(page, tmp_path, "2-excluding")
                else:
                    page.keyboard.press("2")
                page.keyboard.press("e")
            else:
                page.keyboard.press(key)
            wait_screened(page, n)
        path = review / "screening" / "title_abstract" / "anouk.csv"
        assert len(rows(path)) == 10
        page.keyboard.press("u")  # take back the tenth
        wait_screened(page, 9)
        assert title(page) == titles[9]  # the undone reference is shown again
        page.reload()
        page.wait_for_selector("#f-title:not(:empty)")
        wait_screened(page, 9)
        assert title(page) == titles[9]
        assert page.locator("#n-left").inner_text() == "7"  # 16 references, 9 judged
        assert page.locator("#n-found").inner_text() == "5"
        assert page.locator("#n-excluded").inner_text() == "2"
        assert page.locator("#n-maybe").inner_text() == "2"
        shot(page, tmp_path, "3-after-reload")
        got = rows(path)
        assert [r["decision"] for r in got] == ["include", "exclude", "maybe", "include",
                                               "include", "exclude", "include", "maybe",
                                               "include"]  # fmt: skip
        assert got[1]["criteria"] == "C1; C3"
        assert got[1]["note"] == "no intervention; e and i typed here are a note"
        assert got[5]["criteria"] == "C2"
        assert all(r["date"] for r in got)
        assert len({r["record_id"] for r in got}) == 9
        # the title with markup was shown, as text, and its markup never ran
        assert any(t.startswith("<img src=x onerror=") for t in titles)
        assert page.evaluate("typeof window.__xss") == "undefined"
        assert not outside and not errors
    finally:
        page.close()
        running.stop()
    # the screening stage reads the page's decisions
    assert run_screen(review) == 0
    log = read_csv(review / "results" / "screening" / "log.csv")
    assert sorted(log.loc[log["reviewer"] == "anouk", "record_id"]) == sorted(
        r["record_id"] for r in got
    )
    status = read_csv(review / "results" / "screening" / "status.csv")
    waiting = status[(status["stage"] == "title_abstract") & (status["status"] == "pending")]
    assert (waiting["awaiting"] == "bram").sum() == 9  # judged by anouk, still owed by bram


def test_two_pages_deciding_at_once_lose_nothing(browser, review: Path, tmp_path: Path):
    anouk, bram = start(review, "anouk"), start(review, "bram")
    context = browser.new_context()
    pages = [context.new_page(), context.new_page(), browser.new_page()]
    try:
        for page, running in zip(pages, (anouk, anouk, bram), strict=True):
            page.goto(running.url)
            page.wait_for_selector("#f-title:not(:empty)")
        # two tabs of one reviewer are shown different references
        assert title(pages[0]) != title(pages[1])
        mine_path = review / "screening" / "title_abstract" / "anouk.csv"
        theirs_path = review / "screening" / "title_abstract" / "bram.csv"
        for n in range(1, 5):
            for page in pages:  # a page ignores keys while its last answer is on its way
                page.wait_for_selector("body[data-busy='0']")
            for page in pages:  # each press is sent without waiting for the others
                page.keyboard.press("i")
            wait_rows(mine_path, 2 * n)
            wait_rows(theirs_path, n)
        wait_screened(pages[2], 4)
        shot(pages[2], tmp_path, "4-second-reviewer")
        mine, theirs = rows(mine_path), rows(theirs_path)
        assert len(mine) == 8 and len({r["record_id"] for r in mine}) == 8
        assert len(theirs) == 4
    finally:
        context.close()
        pages[2].close()
        anouk.stop()
        bram.stop()
    assert run_screen(review) == 0


def test_full_text_beside_the_form(browser, review: Path, tmp_path: Path):
    # both reviewers include s1-00 and s1-01; s1-00 is retrieved, its text is in fulltext/
    for name in ("anouk", "bram"):
        path = review / "screening" / "title_abstract" / f"{name}.csv"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(
            "record_id,decision,criteria,note,date\n"
            "s1-00,include,,,2026-01-05\ns1-01,include,,,2026-01-05\n"
        )
    retrieval = review / "screening" / "retrieval" / "anouk.csv"
    retrieval.parent.mkdir(parents=True)
    retrieval.write_text(
        "record_id,decision,criteria,note,date\n"
        "s1-00,retrieved,,from the <b>library</b>,2026-01-10\n"
        "s1-01,retrieved,,,2026-01-10\n"
    )
    add_fulltext(review, "s1-00", "FULL REPORT\n\nMethods: interviews with 40 participants.")
    assert run_screen(review) == 0
    status = read_csv(review / "results" / "screening" / "status.csv").set_index(
        ["reference_id", "stage"]
    )
    # one reviewer per reference at full text, drawn stably: screen as the one it waits for
    who = status.at[("s1-00", "full_text"), "awaiting"]
    assert who in ("anouk", "bram")
    running = start(review, who, stage="full_text")
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    try:
        page.goto(running.url)
        page.wait_for_selector("#ft-text:not([hidden])")
        assert "interviews with 40 participants" in page.locator("#ft-text").inner_text()
        assert "from the <b>library</b>" in page.locator("#retrieval").inner_text()
        shot(page, tmp_path, "5-full-text")
        shown = title(page)
        page.keyboard.press("i")
        wait_screened(page, 1)
    finally:
        page.close()
        running.stop()
    got = rows(review / "screening" / "full_text" / f"{who}.csv")
    assert shown == "Evaluation of an exit programme for violent extremists"
    assert [(r["record_id"], r["decision"]) for r in got] == [("s1-00", "include")]
    assert run_screen(review) == 0


def test_resolver_settles_a_conflict(browser, review: Path, tmp_path: Path):
    folder = review / "screening" / "title_abstract"
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "anouk.csv").write_text(
        "record_id,decision,criteria,note,date\ns1-03,include,,a trial,2026-01-05\n"
    )
    (folder / "bram.csv").write_text(
        "record_id,decision,criteria,note,date\ns1-03,exclude,C2,not evaluated,2026-01-06\n"
    )
    assert run_screen(review) == 0
    running = start(review, "bram", resolve=True)
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    try:
        page.goto(running.url)
        page.wait_for_selector("#votes table")
        votes = page.locator("#votes").inner_text()
        assert "a trial" in votes and "not evaluated" in votes
        shot(page, tmp_path, "6-resolver")
        page.keyboard.press("i")
        page.wait_for_selector("#done:not([hidden])")
    finally:
        page.close()
        running.stop()
    got = rows(review / "screening" / "resolutions.csv")
    assert [(r["record_id"], r["stage"], r["decision"], r["resolved_by"]) for r in got] == [
        ("s1-03", "title_abstract", "include", "bram")
    ]
    assert run_screen(review) == 0
    status = read_csv(review / "results" / "screening" / "status.csv")
    row = status[(status["reference_id"] == "s1-03") & (status["stage"] == "title_abstract")]
    assert row["status"].tolist() == ["include"]
