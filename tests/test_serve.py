"""The screening page without a browser: decision files, the worklist, the guard, the command."""

from __future__ import annotations

import asyncio
import csv
import json
import multiprocessing
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
import yaml

pytest.importorskip("starlette")
pytest.importorskip("uvicorn")

from serve_review import add_fulltext, make_review, reference_ids, run_screen  # noqa: E402
from serve_server import request, spawn, start  # noqa: E402
from slrflow.screening import ScreeningError  # noqa: E402
from slrflow.screening.criteria import load_criteria  # noqa: E402
from slrflow.serve.answer import DecisionRefused  # noqa: E402
from slrflow.serve.guard import Access, Guard  # noqa: E402
from slrflow.serve.highlight import segments, term_patterns  # noqa: E402
from slrflow.serve.review import open_review  # noqa: E402
from slrflow.serve.sheetfile import SheetFile  # noqa: E402
from slrflow.serve.worklist import Worklist  # noqa: E402
from slrflow.tables import read_csv  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
COLUMNS = ("record_id", "decision", "criteria", "note", "date")


def rows(path: Path) -> list[dict[str, str]]:
    with open(path, encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> Path:
    return make_review(tmp_path_factory.mktemp("serve") / "review")


@pytest.fixture()
def review(built: Path, tmp_path: Path) -> Path:
    import shutil

    return Path(shutil.copytree(built, tmp_path / "review"))


# --- the decision file -----------------------------------------------------------------------


def sheet(path: Path) -> SheetFile:
    return SheetFile(path, columns=COLUMNS, key=lambda r: r.get("record_id") or None)


def test_a_second_answer_replaces_the_row_and_hand_edits_are_kept(tmp_path: Path):
    path = tmp_path / "anouk.csv"
    # a hand-made file: other column order, an extra column, a differently cased header
    path.write_text("Decision,Record_ID,comment,criteria,note,date\ninclude,r1,mine,,,2026-01-02\n")
    f = sheet(path)
    f.put("r2", {"record_id": "r2", "decision": "exclude", "criteria": "C1", "date": "2026-02-01"})
    with open(path, "a", encoding="utf-8") as handle:  # edited by hand meanwhile
        handle.write("maybe,r3,typed,,,2026-02-02\n")
    f.put("r2", {"record_id": "r2", "decision": "include", "criteria": "", "date": "2026-02-03"})
    got = rows(path)
    assert [r["Record_ID"] for r in got] == ["r1", "r2", "r3"]
    assert got[0]["comment"] == "mine" and got[2]["comment"] == "typed"
    assert got[1]["Decision"] == "include" and got[1]["criteria"] == ""
    # an undo refuses when the row is no longer what the page wrote
    with pytest.raises(ValueError, match="changed outside the page"):
        f.put("r2", None, expect={"decision": "exclude"})
    f.put("r2", None, expect={"decision": "include"})
    assert [r["Record_ID"] for r in rows(path)] == ["r1", "r3"]


def test_cells_that_would_run_as_formulas_are_neutralised(tmp_path: Path):
    f = sheet(tmp_path / "a.csv")
    f.put("r1", {"record_id": "r1", "decision": "maybe", "note": "=HYPERLINK(1)"})
    assert rows(tmp_path / "a.csv")[0]["note"] == "'=HYPERLINK(1)"


def test_changed_sees_a_hand_edit_even_within_the_same_second(tmp_path: Path):
    path = tmp_path / "a.csv"
    f = sheet(path)
    f.put("r1", {"record_id": "r1", "decision": "include"})
    assert not f.changed()
    stat = path.stat()
    path.write_text(path.read_text().replace("include", "exclude"))
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns))  # same time and size
    assert not f.changed()  # time and size alike: not read again (the quick check)
    path.write_text(path.read_text() + "r2,maybe,,,\n")
    assert f.changed() and f.refresh()
    assert set(f.answers()) == {"r1", "r2"}


def test_threads_writing_at_once_lose_nothing(tmp_path: Path):
    path = tmp_path / "a.csv"

    def work(n: int) -> None:
        f = sheet(path)
        for i in range(15):
            f.put(f"t{n}-{i}", {"record_id": f"t{n}-{i}", "decision": "include"})

    threads = [threading.Thread(target=work, args=(n,)) for n in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    got = [r["record_id"] for r in rows(path)]
    assert sorted(got) == sorted(f"t{n}-{i}" for n in range(6) for i in range(15))


def _write_many(path: str, name: str) -> None:
    f = sheet(Path(path))
    for i in range(20):
        f.put(f"{name}-{i}", {"record_id": f"{name}-{i}", "decision": "exclude", "criteria": "C1"})


def test_processes_writing_at_once_lose_nothing(tmp_path: Path):
    path = tmp_path / "a.csv"
    context = multiprocessing.get_context("fork")
    workers = [context.Process(target=_write_many, args=(str(path), n)) for n in "abc"]
    for w in workers:
        w.start()
    for w in workers:
        w.join(timeout=60)
    assert len(rows(path)) == 60
    assert not [p for p in tmp_path.iterdir() if p.name.endswith(".tmp")]


# --- key terms -------------------------------------------------------------------------------


def test_key_terms_are_marked_per_criterion():
    criteria = load_criteria(ROOT / "resources" / "example" / "criteria.yaml")
    parts = segments(
        "Evaluation of an intervention, with interviews on mental health.", term_patterns(criteria)
    )
    marked = {text: cid for text, cid in parts if cid}
    # evaluat* and intervention* are C2 terms, interview* a C1 term, "mental health" a C3 term
    assert marked == {"Evaluation": "C2", "intervention": "C2", "interviews": "C1",
                      "mental health": "C3"}  # fmt: skip
    assert "".join(t for t, _ in parts) == (
        "Evaluation of an intervention, with interviews on mental health."
    )
    assert segments("", term_patterns(criteria)) == [["", ""]]


# --- the worklist ----------------------------------------------------------------------------


def test_decisions_go_to_the_file_and_the_workflow_reads_them(review: Path):
    w = Worklist(open_review(review), reviewer="anouk", stage="title_abstract")
    try:
        first = w.next("tab")
        assert first in reference_ids()
        # the cold start ranks by the criteria: references speaking their language come first
        assert first not in {"s1-10", "s1-14"}  # anarchism history, urban planning
        w.decide(first, "include", [], "clear case")
        second = w.next("tab")
        with pytest.raises(DecisionRefused, match="names the criteria"):
            w.decide(second, "exclude", [], "")
        with pytest.raises(DecisionRefused, match="not a criterion"):
            w.decide(second, "exclude", ["C9"], "")
        w.decide(second, "exclude", ["C3", "C1"], "")
        third = w.next("tab")
        w.decide(third, "maybe", [], "")
        assert w.undo() == third
        assert w.next("tab") == third  # the undone reference comes back first
        path = review / "screening" / "title_abstract" / "anouk.csv"
        got = rows(path)
        assert [(r["record_id"], r["decision"], r["criteria"]) for r in got] == [
            (first, "include", ""), (second, "exclude", "C1; C3"),
        ]  # fmt: skip
        assert all(len(r["date"]) == 10 for r in got)
        progress = w.progress()
        assert (progress["screened"], progress["found"], progress["excluded"]) == (2, 1, 1)
        assert progress["left"] == 14
    finally:
        w.close()
    assert run_screen(review) == 0
    log = read_csv(review / "results" / "screening" / "log.csv")
    mine = log[log["reviewer"] == "anouk"]
    assert sorted(mine["reference_id"]) == sorted([first, second])
    assert mine.set_index("reference_id").at[second, "criteria"] == "C1; C3"


def test_other_tabs_get_other_references(review: Path):
    w = Worklist(open_review(review), reviewer="bram", stage="title_abstract")
    try:
        a, b = w.next("tab-a"), w.next("tab-b")
        assert a != b
        assert w.next("tab-a") == a  # asking again keeps its own
    finally:
        w.close()


def test_an_unknown_reviewer_or_missing_results_are_refused(review: Path, tmp_path: Path):
    with pytest.raises(ScreeningError, match="not a reviewer named"):
        Worklist(open_review(review), reviewer="carla", stage="title_abstract")
    (review / "results" / "screening" / "status.csv").unlink()
    with pytest.raises(ScreeningError, match="run the workflow on this review first"):
        Worklist(open_review(review), reviewer="anouk", stage="title_abstract")


def test_a_bad_decision_file_is_reported_and_screening_goes_on(review: Path):
    bad = review / "screening" / "title_abstract" / "bram.csv"
    bad.parent.mkdir(parents=True, exist_ok=True)
    bad.write_text("record_id,decision,criteria,note,date\ns1-01,excluded,,,2026-01-01\n")
    w = Worklist(open_review(review), reviewer="anouk", stage="title_abstract")
    try:
        assert any("bram.csv, row 2" in p for p in w.progress()["problems"])
        assert w.next("t") is not None
    finally:
        w.close()


# --- the guard -------------------------------------------------------------------------------


def call(guard: Guard, *, client="127.0.0.1", host="127.0.0.1:9", method="GET", headers=()):
    sent = []

    async def app(scope, receive, send):
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.response.body", "body": b"ok"})

    async def receive():
        return {"type": "http.request", "body": b""}

    async def send(message):
        sent.append(message)

    guard.app = app
    scope = {
        "type": "http", "method": method, "path": "/", "query_string": b"",
        "client": (client, 5000),
        "headers": [(b"host", host.encode())] + [(k.encode(), v.encode()) for k, v in headers],
    }  # fmt: skip
    asyncio.run(guard(scope, receive, send))
    return sent[0]["status"]


def test_the_guard_answers_this_computer_and_the_page_only():
    guard = Guard(None, access=Access(port=9, page_token="secret"))
    assert call(guard) == 200
    assert call(guard, host="localhost:9") == 200
    assert call(guard, client="192.168.1.20") == 403
    assert call(guard, host="attacker.example:9") == 403  # DNS rebinding
    assert call(guard, method="POST") == 403  # no page token
    assert call(guard, method="POST", headers=[("x-slrflow-page", "wrong")]) == 403
    assert call(guard, method="POST", headers=[("x-slrflow-page", "secret")]) == 200
    other_site = [("x-slrflow-page", "secret"), ("origin", "http://attacker.example")]
    assert call(guard, method="POST", headers=other_site) == 403


def test_another_interface_needs_the_access_token():
    guard = Guard(None, access=Access(port=9, page_token="p", remote=True, access_token="tok",
                                      host="10.0.0.2"))  # fmt: skip
    assert call(guard, client="10.0.0.7", host="10.0.0.2:9") == 403
    cookie = [("cookie", "slrflow_access=tok")]
    assert call(guard, client="10.0.0.7", host="10.0.0.2:9", headers=cookie) == 200
    # under the name another computer knows it by, with the token
    assert call(guard, client="10.0.0.7", host="review-pc.lan:9", headers=cookie) == 200
    wrong = [("cookie", "slrflow_access=guess")]
    assert call(guard, client="10.0.0.7", host="review-pc.lan:9", headers=wrong) == 403


def test_the_command_refuses_another_interface_unless_told(review: Path):
    done = subprocess.run(
        [sys.executable, "-m", "slrflow.cli", "serve", str(review), "--reviewer", "anouk",
         "--host", "0.0.0.0", "--no-browser"],
        capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert done.returncode == 2
    assert "--allow-remote" in done.stderr and "Traceback" not in done.stderr


# --- over HTTP -------------------------------------------------------------------------------


def test_paths_outside_the_review_are_refused(review: Path):
    add_fulltext(review, "s1-00", "The full report of the exit programme.")
    (review / "secret.txt").write_text("not to be served")
    running = start(review, "anouk", stage="title_abstract")
    try:
        port = running.port
        assert request(port, "GET", "/fulltext/s1-00.txt") == (200, "The full report of the exit "
                                                                    "programme.")  # fmt: skip
        for path in (
            "/fulltext/..%2Fsecret.txt", "/fulltext/%2E%2E%2Fsecret.txt",
            "/fulltext/../secret.txt", "/fulltext/..%2F..%2Fconfig.yaml", "/fulltext/.hidden.txt",
            "/static/..%2F..%2Fcli.py", "/static/page.html", "/api/fulltext/..%2Fsecret.txt",
            "/fulltext/%2Fetc%2Fpasswd", "/config.yaml", "/../secret.txt",
        ):  # fmt: skip
            status, text = request(port, "GET", path)
            assert status in (403, 404), path
            assert "not to be served" not in text and "root:" not in text
        status, _ = request(port, "GET", "/", host="attacker.example")
        assert status == 403
        body = {"reference_id": "s1-00", "decision": "include", "criteria": [], "note": ""}
        assert request(port, "POST", "/api/decide", body=body)[0] == 403
        assert not (review / "screening" / "title_abstract" / "anouk.csv").exists()
        ok = request(port, "POST", "/api/decide", body=body,
                     headers={"X-Slrflow-Page": running.token})  # fmt: skip
        assert ok[0] == 200, ok
    finally:
        running.stop()


def test_a_killed_server_loses_no_decision(review: Path):
    process, port, token = spawn(review, "bram")
    decided = []
    try:
        for i in range(6):
            status, text = request(port, "GET", f"/api/state?tab=k{i}")
            ref = json.loads(text)["reference"]["reference_id"]
            include = i % 2 == 1
            body = {
                "reference_id": ref,
                "decision": "include" if include else "exclude",
                "criteria": [] if include else ["C2"],
                "note": f"n{i}",
                "tab": f"k{i}",
            }
            assert request(port, "POST", "/api/decide", body=body,
                           headers={"X-Slrflow-Page": token})[0] == 200  # fmt: skip
            decided.append(ref)
    finally:
        process.send_signal(signal.SIGKILL)
        process.wait(timeout=10)
    got = rows(review / "screening" / "title_abstract" / "bram.csv")
    assert [r["record_id"] for r in got] == decided
    assert not [p for p in (review / "screening" / "title_abstract").iterdir()
                if p.name.startswith(".")]  # fmt: skip
    assert run_screen(review) == 0


def test_the_page_sees_a_hand_edit(review: Path):
    w = Worklist(open_review(review), reviewer="anouk", stage="title_abstract")
    try:
        first = w.next("t")
        w.decide(first, "include", [], "")
        path = review / "screening" / "title_abstract" / "anouk.csv"
        time.sleep(0.01)
        with open(path, "a", encoding="utf-8") as handle:
            handle.write("s1-14,exclude,C2,typed by hand,2026-03-01\n")
        w.check_file()
        assert "changed outside the page" in w.progress()["notice"]
        assert w.progress()["screened"] == 2
        while (ref := w.next("t")) is not None and ref != "s1-14":
            w.decide(ref, "include", [], "")
        assert ref is None  # s1-14 was never offered again
        assert [r["note"] for r in rows(path) if r["record_id"] == "s1-14"] == ["typed by hand"]
    finally:
        w.close()


def test_the_random_sample_of_the_stopping_estimate_comes_first_when_asked(review: Path):
    # both reviewers agree on six references, two of them includes: buscar's test cannot show
    # 95% recall yet and asks for random references from the ten unscreened
    decided = ["s1-00", "s1-01", "s1-02", "s1-05", "s1-07", "s1-10"]
    config = yaml.safe_load((review / "config.yaml").read_text())
    config["screening"]["stopping"]["method"] = "buscar"
    (review / "config.yaml").write_text(yaml.safe_dump(config))
    for name in ("anouk", "bram"):
        path = review / "screening" / "title_abstract" / f"{name}.csv"
        path.parent.mkdir(parents=True, exist_ok=True)
        lines = [
            f"{ref},{'include' if ref in ('s1-00', 's1-01') else 'exclude'},"
            f"{'' if ref in ('s1-00', 's1-01') else 'C2'},,2026-01-0{i + 1}"
            for i, ref in enumerate(decided)
        ]
        path.write_text("record_id,decision,criteria,note,date\n" + "\n".join(lines) + "\n")
    assert run_screen(review) == 0
    w = Worklist(open_review(review), reviewer="anouk", stage="title_abstract")
    try:
        sample = w.snapshot.sample
        stopping = w.progress()["stopping"]
        assert stopping["target_met"] == "no" and stopping["random_sample_size"] == len(sample)
        assert sample and set(sample) <= set(reference_ids()) - set(decided)
        assert w.progress()["sample_left"] == len(sample)
        first = w.next("t", sample_first=True)
        assert first == sample[0] and w.show(first)["random_sample"] is True
        # in priority order the page goes on by rank; a sampled reference is still marked
        ranked = w.next("t")
        assert w.show(ranked)["random_sample"] == (ranked in sample)
    finally:
        w.close()


def test_decisions_in_the_reviewers_other_files_count(review: Path):
    batch = review / "screening" / "title_abstract" / "anouk-batch1.csv"
    batch.parent.mkdir(parents=True, exist_ok=True)
    batch.write_text("record_id,decision,criteria,note,date\ns1-00,exclude,C2,,2026-01-02\n")
    w = Worklist(open_review(review), reviewer="anouk", stage="title_abstract")
    try:
        assert w.progress()["screened"] == 1 and w.progress()["left"] == 15
        seen = set()
        while (ref := w.next("t")) is not None:
            seen.add(ref)
            w.decide(ref, "include", [], "")
        assert "s1-00" not in seen and len(seen) == 15
        with pytest.raises(DecisionRefused, match="change it there"):
            w.decide("s1-00", "include", [], "")
    finally:
        w.close()
    assert batch.read_text().count("\n") == 2  # the page never writes another person's file
