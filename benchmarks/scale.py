"""Scale: a whole review of ``--records`` records, run end to end, timed and measured per stage.

A review folder is built in a temporary directory (never in the project) from the real export
samples in the shared data folder: six searches in five formats (RIS from two vendors, Web of
Science plain text, MEDLINE .nbib, Lens CSV, BibTeX), each record written over a real record of
its format so that the fields nobody reads (addresses, cited references, keywords, odd tags) stay
as the databases write them. The works themselves are made up (titles drawn from the words of the
real titles, real surnames, real journals and abstracts), and about a third of the records are
copies of a work found by another search, with the noise real copies have: a missing DOI or a DOI
written as a link, the title in capitals or with a trailing full stop, an HTML entity, a typo,
full given names instead of initials, the online-first year, no abstract. Two reviewers have
screened a small share of the works at title/abstract (by DOI), with some conflicts.

The review folder is made with ``slrflow init``, the workflow runs on it with ``slrflow run``,
and every job is measured from outside: wall-clock seconds, CPU seconds and peak resident memory
of each ``slrflow`` process, grouped by stage. Last, the audit report is opened in Chromium (when
it and Playwright are installed): seconds until the list shows, until every reference is loaded,
and until a trail opens.

    nice .venv/bin/python benchmarks/scale.py --records 100000 [--json OUT] [--keep DIR]

``--json`` writes ``{"records": N, "stages": {"ingest": {"seconds": s, "peak_mb": m}, ...},
"total_seconds": t, "peak_mb": m}`` (peak_mb: the largest sum of all the run's processes at one
moment; a stage's peak_mb: its largest job).
"""

from __future__ import annotations

import argparse
import contextlib
import csv
import io
import json
import os
import random
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path

import psutil

ROOT = Path(__file__).resolve().parents[1]
SHARED = Path(os.environ.get("SLRFLOW_SHARED_DATA", ROOT.parent / "shared" / "data"))
FORMATS_DIR = SHARED / "formats"

#: search id -> (format, export file name, template samples in the shared folder)
SEARCHES = {
    "scopus": ("ris", "scopus.ris", ["ris_scopus__citesource_gambling.ris"]),
    "psycinfo": ("ris", "psycinfo.ris", ["ris_ebsco_psycinfo__citesource_gambling.ris"]),
    "wos": ("wos", "wos.txt", ["wos_plaintext__wosfile.txt"]),
    "pubmed": ("nbib", "pubmed.nbib", ["nbib_pubmed__p1m-ortho_citations.nbib"]),
    "lens": ("csv", "lens.csv", ["csv_lens__spicy-adobo.csv"]),
    "scholar": ("bib", "scholar.bib", ["bib_scopus__pybibx.bib"]),
}
#: How many searches find a work: 1 (60%), 2 (25%) or 3 (15%), so that 1 - 1/1.55 = 35% of
#: the records are duplicates across searches.
COPIES = ((1, 0.60), (2, 0.25), (3, 0.15))
#: The reviewers `slrflow init` puts in a new review's config.
REVIEWERS = ("reviewer_a", "reviewer_b")
#: Which slrflow subcommand belongs to which stage of the report.
STAGES = {
    "ingest": "ingest",
    "ingest-report": "ingest",
    "dedup": "dedup",
    "screen": "screen",
    "screening-sheets": "ranking",
    "stopping": "stopping",
    "code-suggest": "coding",
    "code-sheets": "coding",
    "code": "coding",
    "toolkit-slo": "toolkit",
    "toolkit-database": "toolkit",
    "prisma": "figures",
    "figures": "figures",
    "report": "report",
    "changes": "changes",
    "nbconvert": "notebook",
}


def _read(path: Path) -> str:
    return path.read_bytes().decode("utf-8-sig").replace("\r\n", "\n").lstrip("\ufeff")


# --- the made-up works ------------------------------------------------------------------------


@dataclass
class Pools:
    """What the works are drawn from: words, surnames, journals and abstracts of real records."""

    words: list[str]
    surnames: list[str]
    journals: list[str]
    abstracts: list[str]


def read_pools() -> Pools:
    text = "\n".join(
        _read(p) for p in sorted(FORMATS_DIR.glob("ris_*.ris")) if "fixture" not in p.name
    )
    titles = re.findall(r"(?m)^(?:TI|T1)  - (.+)$", text)
    words = sorted({w for t in titles for w in re.findall(r"[A-Za-z]{4,}", t)})
    surnames = sorted(set(re.findall(r"(?m)^A[U1]  - ([A-Z][a-z]+(?:-[A-Z][a-z]+)?),", text)))
    journals = sorted(set(re.findall(r"(?m)^(?:T2|JO|JF)  - (.+)$", text)))
    abstracts = sorted(set(re.findall(r"(?m)^(?:AB|N2)  - (.{200,})$", text)))
    return Pools(words, surnames, journals, abstracts)


@dataclass
class Work:
    """One made-up work; :func:`noisy` gives one search's version of it."""

    number: int
    title: str
    authors: list[tuple[str, str, str]]  # surname, initials, given names
    year: int
    journal: str
    volume: int
    first_page: int
    doi: str
    abstract: str
    #: whether any search's copy kept the DOI (a decision can name the work by it)
    doi_kept: bool = False


def make_work(number: int, rng: random.Random, pools: Pools) -> Work:
    words = rng.sample(pools.words, rng.randint(7, 14))
    title = " ".join([words[0].capitalize(), *(w.lower() for w in words[1:])])
    authors = []
    for _ in range(rng.choice((1, 2, 2, 3, 3, 4, 5, 6))):
        given = [rng.choice(pools.surnames) for _ in range(rng.choice((1, 1, 2)))]
        authors.append((rng.choice(pools.surnames), "".join(g[0] for g in given), " ".join(given)))
    return Work(
        number=number,
        title=title,
        authors=authors,
        year=rng.randint(1992, 2025),
        journal=rng.choice(pools.journals),
        volume=rng.randint(1, 80),
        first_page=rng.randint(1, 900),
        doi=f"10.{rng.randint(1000, 9999)}/sr.{number:07d}" if rng.random() < 0.8 else "",
        abstract=rng.choice(pools.abstracts) if rng.random() < 0.9 else "",
    )


def noisy(work: Work, rng: random.Random) -> dict:
    """One search's version of ``work``: the fields with the noise real copies have."""
    title, doi, year = work.title, work.doi, work.year
    if rng.random() < 0.05:
        title = title.upper()
    if rng.random() < 0.15:
        title += "."
    if rng.random() < 0.05 and " and " not in title:
        title = title.replace(" ", " &amp; ", 1)
    if rng.random() < 0.05 and len(title) > 20:
        i = rng.randrange(5, len(title) - 2)
        title = title[:i] + title[i + 1] + title[i] + title[i + 2 :]
    if doi and rng.random() < 0.15:
        doi = ""
    elif doi and rng.random() < 0.1:
        doi = "https://doi.org/" + doi.upper()
    if rng.random() < 0.05:
        year += 1
    full_names = rng.random() < 0.3
    authors = [(s, g if full_names else ".".join(i) + ".") for s, i, g in work.authors]
    abstract = work.abstract if rng.random() < 0.9 else ""
    pages = f"{work.first_page}-{work.first_page + rng.randint(5, 25)}"
    return {
        "title": title,
        "authors": authors,
        "year": year,
        "journal": work.journal,
        "volume": work.volume,
        "pages": pages,
        "doi": doi,
        "abstract": abstract,
    }


# --- one record of each format, written over a real record ---------------------------------------


def _blocks(record: str, tag_width: int) -> list[tuple[str, str]]:
    """A tagged record as (tag, text) blocks; continuation lines stay with their tag."""
    blocks: list[tuple[str, str]] = []
    for line in record.split("\n"):
        if not line.strip():
            continue
        if line[:1] == " " and blocks:
            tag, text = blocks[-1]
            blocks[-1] = (tag, text + "\n" + line)
        else:
            blocks.append((line[:tag_width].strip(), line))
    return blocks


RIS_OWN = {"TI", "T1", "AU", "A1", "PY", "Y1", "DO", "AB", "N2", "T2", "JO", "JF", "VL", "SP"}
RIS_OWN |= {"EP", "TY", "ER"}


def write_ris(out, n: int, f: dict, template: str) -> None:
    lines = ["TY  - JOUR", f"TI  - {f['title']}"]
    lines += [f"AU  - {s}, {g}" for s, g in f["authors"]]
    lines += [f"PY  - {f['year']}", f"T2  - {f['journal']}", f"VL  - {f['volume']}"]
    start, _, end = f["pages"].partition("-")
    lines += [f"SP  - {start}", f"EP  - {end}"]
    if f["doi"]:
        lines.append(f"DO  - {f['doi']}")
    if f["abstract"]:
        lines.append(f"AB  - {f['abstract']}")
    out.write("\n".join(x for x in [*lines, template] if x) + "\nER  - \n\n")


WOS_OWN = {"AU", "AF", "TI", "PY", "DI", "AB", "SO", "UT", "VL", "BP", "EP", "PT", "ER"}


def write_wos(out, n: int, f: dict, template: str) -> None:
    names = [f"{s}, {g.replace('.', '')}" for s, g in f["authors"]]
    lines = ["PT J", "AU " + "\n   ".join(names), "TI " + f["title"], "SO " + f["journal"].upper()]
    lines += [f"PY {f['year']}", f"VL {f['volume']}"]
    start, _, end = f["pages"].partition("-")
    lines += [f"BP {start}", f"EP {end}"]
    if f["doi"]:
        lines.append(f"DI {f['doi']}")
    if f["abstract"]:
        lines.append(f"AB {f['abstract']}")
    lines += [template, f"UT WOS:{n:015d}"]
    out.write("\n".join(x for x in lines if x) + "\nER\n\n")


NBIB_OWN = {"PMID", "TI", "AU", "FAU", "DP", "LID", "AID", "AB", "JT", "TA", "VI", "PG"}


def write_nbib(out, n: int, f: dict, template: str) -> None:
    lines = [f"PMID- {40000000 + n}", f"DP  - {f['year']}", f"TI  - {f['title']}"]
    for surname, given in f["authors"]:
        lines += [f"FAU - {surname}, {given}", f"AU  - {surname} {given.replace('.', '')}"]
    lines += [f"JT  - {f['journal']}", f"VI  - {f['volume']}", f"PG  - {f['pages']}"]
    if f["doi"]:
        lines.append(f"LID - {f['doi']} [doi]")
    if f["abstract"]:
        lines.append(f"AB  - {f['abstract']}")
    lines.append(template)
    out.write("\n".join(x for x in lines if x) + "\n\n")


def write_bib(out, n: int, f: dict, keywords: str) -> None:
    def braced(value) -> str:
        return "{" + str(value).replace("{", "(").replace("}", ")") + "}"

    authors = " and ".join(f"{s}, {g}" for s, g in f["authors"])
    fields = [
        ("author", authors),
        ("title", f["title"]),
        ("journal", f["journal"]),
        ("year", f["year"]),
        ("volume", f["volume"]),
        ("pages", f["pages"].replace("-", "--")),
        ("doi", f["doi"]),
        ("abstract", f["abstract"]),
        ("keywords", keywords),
    ]
    body = ",\n".join(f"  {k} = {braced(v)}" for k, v in fields if v != "")
    out.write(f"@article{{sr{n},\n{body}\n}}\n\n")


def templates(fmt: str, files: list[str]) -> list:
    """The real records of ``fmt`` in ``files``, less the fields the works fill in."""
    text = "\n".join(_read(FORMATS_DIR / f) for f in files)
    if fmt == "ris":
        records = [m.group(1) for m in re.finditer(r"(?ms)^TY  - .*?\n(.*?)^ER  -", text)]
        return [
            "\n".join(x for x in r.split("\n") if x.strip() and x[:2] not in RIS_OWN)
            for r in records
        ]
    if fmt == "wos":
        records = [m.group(1) for m in re.finditer(r"(?ms)^PT .*?\n(.*?)^ER\s*$", text)]
        return ["\n".join(t for tag, t in _blocks(r, 2) if tag not in WOS_OWN) for r in records]
    if fmt == "nbib":
        records = [c for c in re.split(r"\n\s*\n(?=PMID- )", text) if "PMID- " in c]
        return ["\n".join(t for tag, t in _blocks(r, 4) if tag not in NBIB_OWN) for r in records]
    if fmt == "csv":
        return list(csv.DictReader(io.StringIO(text)))
    if fmt == "bib":
        keywords = re.findall(r"(?im)^\s*keywords\s*=\s*\{(.+)\},?\s*$", text)
        return keywords or [""]
    raise ValueError(fmt)


def write_export(path: Path, fmt: str, copies: list[tuple[int, dict]], rng: random.Random) -> None:
    pool = templates(fmt, SEARCHES[path.stem][2])
    with path.open("w", encoding="utf-8", newline="") as out:
        if fmt == "wos":
            out.write("FN Clarivate Analytics Web of Science\nVR 1.0\n")
        writer = None
        if fmt == "csv":
            writer = csv.DictWriter(out, fieldnames=list(pool[0]))
            writer.writeheader()
        for n, f in copies:
            template = rng.choice(pool)
            if fmt == "csv":
                row = dict(template)
                row.update(
                    {
                        "Lens ID": f"{n:03d}-{n % 997:03d}-{n % 991:03d}-{n % 983:03d}",
                        "Title": f["title"],
                        "Author/s": "; ".join(f"{g} {s}" for s, g in f["authors"]),
                        "Publication Year": f["year"],
                        "Date Published": f"{f['year']}-01-01",
                        "Source Title": f["journal"],
                        "Volume": f["volume"],
                        "Start Page": f["pages"].split("-")[0],
                        "End Page": f["pages"].split("-")[1],
                        "DOI": f["doi"],
                        "PMID": "",
                        "Abstract": f["abstract"],
                    }
                )
                writer.writerow(row)
            else:
                {"ris": write_ris, "wos": write_wos, "nbib": write_nbib, "bib": write_bib}[fmt](
                    out, n, f, template
                )
        if fmt == "wos":
            out.write("EF\n")


def build_review(folder: Path, records: int, *, seed: int = 15) -> dict:
    """Write a review of ``records`` records into ``folder``; returns what it holds."""
    rng = random.Random(seed)
    pools = read_pools()
    per_search: dict[str, list[tuple[int, dict]]] = {s: [] for s in SEARCHES}
    works: list[Work] = []
    total = 0
    n = 0
    while total < records:
        work = make_work(len(works), rng, pools)
        works.append(work)
        copies = rng.choices([c for c, _ in COPIES], [w for _, w in COPIES])[0]
        copies = min(copies, records - total)
        for search in rng.sample(list(SEARCHES), copies):
            copy = noisy(work, rng)
            per_search[search].append((n, copy))
            work.doi_kept = work.doi_kept or bool(copy["doi"])
            n += 1
        total += copies
    exports = folder / "exports"
    exports.mkdir(parents=True, exist_ok=True)
    log_rows = []
    for search, (fmt, name, _) in SEARCHES.items():
        copies = per_search[search]
        rng.shuffle(copies)
        write_export(exports / name, fmt, copies, rng)
        log_rows.append(
            {
                "search_id": search,
                "source_type": "database",
                "database": search,
                "date_searched": "2026-11-01",
                "query": "generated for the scale benchmark",
                "hits_reported": len(copies),
                "file": f"exports/{name}",
                "update": 0,
            }
        )
    with (folder / "searches.csv").open("w", encoding="utf-8", newline="") as out:
        writer = csv.DictWriter(out, fieldnames=list(log_rows[0]))
        writer.writeheader()
        writer.writerows(log_rows)
    screened = write_decisions(folder, works, rng)
    return {"works": len(works), "records": total, "screened": screened}


def write_decisions(folder: Path, works: list[Work], rng: random.Random) -> int:
    """Two reviewers' title/abstract decisions (by DOI) on 2% of the works; 5% disagree."""
    chosen = [w for w in works if w.doi_kept and w.year >= 2000 and rng.random() < 0.02]
    stage = folder / "screening" / "title_abstract"
    stage.mkdir(parents=True)
    for reviewer in REVIEWERS:
        with (stage / f"{reviewer}.csv").open("w", encoding="utf-8", newline="") as out:
            writer = csv.writer(out)
            writer.writerow(["record_id", "doi", "decision", "criteria", "date"])
            for work in chosen:
                r = random.Random(f"{work.number}")
                include = r.random() < 0.1
                if reviewer == REVIEWERS[1] and r.random() < 0.05:
                    include = not include
                decision = ("include", "") if include else ("exclude", r.choice(("C1", "C2")))
                writer.writerow(["", work.doi, *decision, "2026-11-20"])
    return len(chosen)


# --- running and measuring ----------------------------------------------------------------------


@dataclass
class Job:
    stage: str
    start: float
    end: float
    peak: int = 0
    cpu: float = 0.0


def _command(proc: psutil.Process) -> list[str]:
    try:
        return proc.cmdline()
    except (psutil.NoSuchProcess, psutil.AccessDenied):
        return []


def _stage_of(commands: list[list[str]]) -> str | None:
    """The stage a job belongs to, from the command lines of its processes."""
    for cmd in commands:
        if "nbconvert" in cmd:
            return "notebook"
        for i, part in enumerate(cmd[:-1]):
            if part.endswith("/slrflow") or part == "slrflow":
                return STAGES.get(cmd[i + 1], cmd[i + 1])
    return None


class Monitor(threading.Thread):
    """Samples the run's process tree: each job's lifetime, CPU time and peak memory.

    A job is a process Snakemake started (the shell of a rule) with everything below it (the
    ``slrflow`` command, a notebook's kernel); its memory at a moment is the sum over them.
    """

    def __init__(self, root: psutil.Process, interval: float = 0.1) -> None:
        super().__init__(daemon=True)
        self.root, self.interval = root, interval
        self.jobs: dict[int, Job] = {}
        self.peak_total = 0
        self.stop = threading.Event()
        self.progress: Path | None = None

    def sample(self) -> None:
        procs = [self.root, *self.root.children(recursive=True)]
        total, now = 0, time.time()
        for proc in procs:
            try:
                total += proc.memory_info().rss
            except psutil.NoSuchProcess:
                continue
        self.peak_total = max(self.peak_total, total)
        for snakemake in procs:
            if not any("snakemake" in part for part in _command(snakemake)[:3]):
                continue
            try:
                shells = snakemake.children()
            except psutil.NoSuchProcess:
                continue
            for shell in shells:
                try:
                    tree = [shell, *shell.children(recursive=True)]
                    rss = sum(p.memory_info().rss for p in tree)
                    cpu = sum(sum(p.cpu_times()[:2]) for p in tree)
                    started = shell.create_time()
                except psutil.NoSuchProcess:
                    continue
                job = self.jobs.get(shell.pid)
                if job is None:
                    stage = _stage_of([_command(p) for p in tree])
                    if stage is None:
                        continue
                    job = self.jobs[shell.pid] = Job(stage, started, now)
                job.end, job.peak = now, max(job.peak, rss)
                job.cpu = max(job.cpu, cpu)

    def run(self) -> None:
        last = 0.0
        while not self.stop.is_set():
            with contextlib.suppress(psutil.NoSuchProcess):
                self.sample()
            if self.progress is not None and time.time() - last > 30:
                # what has been measured so far, should a long run be stopped
                self.progress.write_text(json.dumps(self.summary(), indent=2) + "\n", "utf-8")
                last = time.time()
            time.sleep(self.interval)

    def summary(self) -> dict:
        """Seconds (first start to last end), CPU seconds and peak memory per stage."""
        stages: dict[str, dict] = {}
        for job in sorted(self.jobs.values(), key=lambda j: j.start):
            s = stages.setdefault(
                job.stage, {"start": job.start, "end": job.end, "peak": 0, "jobs": 0, "cpu": 0.0}
            )
            s["start"], s["end"] = min(s["start"], job.start), max(s["end"], job.end)
            s["peak"], s["jobs"] = max(s["peak"], job.peak), s["jobs"] + 1
            s["cpu"] += job.cpu
        return {
            "stages": {
                name: {
                    "seconds": round(s["end"] - s["start"], 1),
                    "peak_mb": round(s["peak"] / 1e6),
                    "cpu_seconds": round(s["cpu"], 1),
                    "jobs": s["jobs"],
                }
                for name, s in stages.items()
            },
            "peak_mb": round(self.peak_total / 1e6),
        }


def run_workflow(review: Path, cores: int, log: Path) -> dict:
    env = dict(os.environ, PATH=f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}")
    command = [
        str(Path(sys.executable).parent / "slrflow"),
        "run",
        str(review),
        "--cores",
        str(cores),
    ]
    print("running:", " ".join(command), file=sys.stderr)
    start = time.time()
    with log.open("w") as out:
        proc = subprocess.Popen(command, cwd=ROOT, stdout=out, stderr=subprocess.STDOUT, env=env)
        monitor = Monitor(psutil.Process(proc.pid))
        monitor.progress = log.with_name("measured-so-far.json")
        monitor.start()
        code = proc.wait()
        monitor.stop.set()
        monitor.join()
    total = time.time() - start
    if code:
        tail = log.read_text(errors="replace")[-3000:]
        raise SystemExit(f"the workflow failed (exit {code}); end of {log}:\n{tail}")
    summary = monitor.summary()
    return {
        "stages": summary["stages"],
        "total_seconds": round(total, 1),
        "peak_mb": summary["peak_mb"],
    }


def make_review(review: Path) -> None:
    """``slrflow init``: the review folder with its config, criteria and codebook."""
    subprocess.run(
        [str(Path(sys.executable).parent / "slrflow"), "init", str(review)],
        check=True,
        capture_output=True,
    )
    config = review / "config.yaml"
    text = re.sub(r"(?m)^title: .*$", 'title: "Scale benchmark review"', config.read_text("utf-8"))
    config.write_text(text, "utf-8")


def measure_report(page: Path, tries: int = 3) -> dict | None:
    """Seconds until the audit report shows its list, until every reference is loaded (search
    and filters cover all), and until a trail deep in the list opens: the median of ``tries``
    fresh pages in Chromium; None without Chromium or Playwright."""
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        return None
    if not chromium:
        return None
    args = ["--no-sandbox", "--disable-gpu", "--disable-background-networking"]
    args += ["--disable-component-update", "--disable-sync", "--no-first-run"]
    times: dict[str, list[float]] = {"open": [], "all_loaded": [], "trail": []}
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium, args=args)
        for _ in range(tries):
            tab = browser.new_page()
            start = time.perf_counter()
            tab.goto(page.as_uri())
            tab.wait_for_selector("article.ref")
            times["open"].append(time.perf_counter() - start)
            tab.wait_for_selector("#reference-list[data-ready]", state="attached", timeout=300_000)
            times["all_loaded"].append(time.perf_counter() - start)
            tab.click("#next")  # the second page of the list: a trail chunk not yet read
            start = time.perf_counter()
            tab.click("article.ref >> nth=10 >> summary")
            tab.wait_for_selector("article.ref >> nth=10 >> .trail")
            times["trail"].append(time.perf_counter() - start)
            tab.close()
        browser.close()
    references = int(re.search(r'data-references="(\d+)"', page.read_text("utf-8")).group(1))
    return {"references": references} | {
        f"{name}_seconds": round(sorted(values)[len(values) // 2], 2)
        for name, values in times.items()
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--records", type=int, default=100_000)
    parser.add_argument("--json", type=Path, help="write the figures here as JSON")
    parser.add_argument("--cores", type=int, default=2)
    parser.add_argument("--keep", type=Path, help="build the review here and keep it")
    parser.add_argument("--seed", type=int, default=15)
    parser.add_argument(
        "--build-only", action="store_true", help="build the review into --keep and stop"
    )
    parser.add_argument(
        "--reuse", action="store_true", help="run on the review --build-only left in --keep"
    )
    args = parser.parse_args()
    if (args.build_only or args.reuse) and not args.keep:
        parser.error("--build-only and --reuse need --keep DIR")
    if not FORMATS_DIR.is_dir():
        print(f"no export samples at {FORMATS_DIR}", file=sys.stderr)
        return 1
    tmp = None
    if args.keep:
        review = args.keep.resolve()
        if review.exists() and not args.reuse:
            shutil.rmtree(review)
    else:
        tmp = tempfile.TemporaryDirectory(prefix="slrflow-scale-")
        review = Path(tmp.name) / "review"
    try:
        built_file = review / "built.json"
        if args.reuse:
            built = json.loads(built_file.read_text("utf-8"))
            for leftover in ("results", ".snakemake"):
                shutil.rmtree(review / leftover, ignore_errors=True)
        else:
            t0 = time.perf_counter()
            make_review(review)
            built = build_review(review, args.records, seed=args.seed)
            built_file.write_text(json.dumps(built), "utf-8")
            print(
                f"built {built['records']:,} records of {built['works']:,} works "
                f"({1 - built['works'] / built['records']:.0%} duplicates) in "
                f"{time.perf_counter() - t0:.0f} s; {built['screened']:,} works screened",
                file=sys.stderr,
            )
        if args.build_only:
            return 0
        figures = {
            "records": built["records"],
            **run_workflow(review, args.cores, review / "run.log"),
        }
        report = measure_report(review / "results" / "report" / "index.html")
        if report:
            figures["report"] = report
    finally:
        if tmp is not None:
            tmp.cleanup()
    # Wall-clock seconds depend on what else the machine runs; CPU seconds are the steadier figure.
    print(f"{'stage':12} {'jobs':>5} {'seconds':>9} {'CPU s':>9} {'peak MB':>9}")
    for name, s in figures["stages"].items():
        print(
            f"{name:12} {s['jobs']:>5} {s['seconds']:>9.1f} {s['cpu_seconds']:>9.1f} "
            f"{s['peak_mb']:>9,}"
        )
    cpu = sum(s["cpu_seconds"] for s in figures["stages"].values())
    print(
        f"{'total':12} {'':>5} {figures['total_seconds']:>9.1f} {cpu:>9.1f} "
        f"{figures['peak_mb']:>9,}"
    )
    print(f"machine load (1, 5, 15 min) at the end: {os.getloadavg()}")
    print(f"peak memory per record: {figures['peak_mb'] * 1e3 / figures['records']:.1f} kB")
    if "report" in figures:
        r = figures["report"]
        print(
            f"audit report of {r['references']:,} references in Chromium: list shown in "
            f"{r['open_seconds']} s, all references loaded in {r['all_loaded_seconds']} s, "
            f"a trail opened in {r['trail_seconds']} s"
        )
    if args.json:
        args.json.write_text(json.dumps(figures, indent=2) + "\n", "utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
