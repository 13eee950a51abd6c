"""Properties of every reader and the normalisers, on generated input (hypothesis).

- Valid records written in each export format are read back with the same title, authors,
  year, DOI and abstract.
- Random bytes, truncated exports and exports re-encoded (UTF-16, Windows-1252, BOMs) never
  crash a reader: each gives records or one clear error (IngestError, LimitError, SheetError).
- The normalisers are idempotent and keep control characters out.

Examples are few per property so that the suite stays quick; hypothesis keeps the failing ones.
"""

from __future__ import annotations

import csv
import io
import os
from xml.sax.saxutils import escape

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl import Workbook

from slrflow.ingest import FORMATS, IngestError, loads
from slrflow.limits import LimitError
from slrflow.records import _CONTROL, clean_text, normalise_doi, parse_year
from slrflow.sheets import SheetError, read_sheet

#: Examples per property; SLRFLOW_HYPOTHESIS_EXAMPLES=1000 searches harder (not in the suite).
FEW = settings(
    max_examples=int(os.environ.get("SLRFLOW_HYPOTHESIS_EXAMPLES", "25")),
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)

# Text as exports carry it, without what a format would have to escape differently
# (markup, braces, quotes, tabs): the fields then read back exactly.
_LETTERS = "abcdefghijklmnopqrstuvwxyzéëïöüçñ"
word = st.text(alphabet=_LETTERS, min_size=2, max_size=10)
sentence = st.lists(word, min_size=1, max_size=8).map(lambda w: " ".join(w).capitalize())
surname = st.text(alphabet=_LETTERS, min_size=2, max_size=10).map(str.capitalize)
author = st.tuples(surname, st.sampled_from("ABCDEFGHJKLMNPRSTVW")).map(
    lambda a: f"{a[0]}, {a[1]}."
)
doi = st.tuples(
    st.integers(1000, 99999),
    st.text(alphabet="abcdefghijklmnopqrstuvwxyz0123456789", min_size=3, max_size=12),
).map(lambda d: f"10.{d[0]}/{d[1]}")
record = st.fixed_dictionaries(
    {
        "title": sentence,
        "authors": st.lists(author, min_size=1, max_size=4, unique=True),
        "year": st.integers(1950, 2099),
        "doi": doi,
        "abstract": sentence,
    }
)
records = st.lists(record, min_size=1, max_size=4)


def ris(recs: list[dict]) -> bytes:
    out = []
    for r in recs:
        out += ["TY  - JOUR", f"TI  - {r['title']}"]
        out += [f"AU  - {a}" for a in r["authors"]]
        out += [f"PY  - {r['year']}", f"DO  - {r['doi']}", f"AB  - {r['abstract']}", "ER  - ", ""]
    return "\n".join(out).encode()


def medline(recs: list[dict]) -> bytes:
    out = []
    for i, r in enumerate(recs, 1):
        out += [f"PMID- {30000000 + i}", f"TI  - {r['title']}", f"DP  - {r['year']}"]
        out += [f"AU  - {a}" for a in r["authors"]]
        out += [f"AID - {r['doi']} [doi]", f"AB  - {r['abstract']}", ""]
    return "\n".join(out).encode()


def wos(recs: list[dict]) -> bytes:
    out = ["FN Clarivate Analytics Web of Science", "VR 1.0"]
    for r in recs:
        first, *rest = r["authors"]
        out += ["PT J", f"AU {first}", *[f"   {a}" for a in rest], f"TI {r['title']}"]
        out += [f"PY {r['year']}", f"DI {r['doi']}", f"AB {r['abstract']}", "ER", ""]
    return "\n".join([*out, "EF"]).encode()


def wos_tab(recs: list[dict]) -> bytes:
    rows = ["PT\tAU\tTI\tSO\tPY\tDI\tAB"]
    for r in recs:
        rows.append(
            f"J\t{'; '.join(r['authors'])}\t{r['title']}\tJournal\t{r['year']}\t{r['doi']}\t"
            f"{r['abstract']}"
        )
    return ("\n".join(rows) + "\n").encode()


def bibtex(recs: list[dict]) -> bytes:
    out = []
    for i, r in enumerate(recs):
        out.append(
            f"@article{{key{i},\n  title = {{{r['title']}}},\n"
            f"  author = {{{' and '.join(r['authors'])}}},\n  year = {{{r['year']}}},\n"
            f"  doi = {{{r['doi']}}},\n  abstract = {{{r['abstract']}}}\n}}\n"
        )
    return "\n".join(out).encode()


def table(recs: list[dict]) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(["Title", "Authors", "Year", "DOI", "Abstract"])
    for r in recs:
        writer.writerow([r["title"], "; ".join(r["authors"]), r["year"], r["doi"], r["abstract"]])
    return buffer.getvalue().encode()


def xlsx(recs: list[dict]) -> bytes:
    wb = Workbook()
    wb.active.append(["Title", "Authors", "Year", "DOI", "Abstract"])
    for r in recs:
        wb.active.append([r["title"], "; ".join(r["authors"]), r["year"], r["doi"], r["abstract"]])
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


def endnote_xml(recs: list[dict]) -> bytes:
    out = ['<?xml version="1.0" encoding="UTF-8"?><xml><records>']
    for r in recs:
        authors = "".join(f"<author><style>{escape(a)}</style></author>" for a in r["authors"])
        out.append(
            f'<record><ref-type name="Journal Article">17</ref-type><contributors><authors>'
            f"{authors}</authors></contributors><titles><title><style>{escape(r['title'])}"
            f"</style></title></titles><dates><year>{r['year']}</year></dates>"
            f"<electronic-resource-num>{r['doi']}</electronic-resource-num>"
            f"<abstract>{escape(r['abstract'])}</abstract></record>"
        )
    return ("".join(out) + "</records></xml>\n").encode()


def proquest(recs: list[dict]) -> bytes:
    rule = "_" * 60
    out = [rule, "", "Report Information from ProQuest", "December 01 2026 10:00", rule, ""]
    for i, r in enumerate(recs, 1):
        out += [rule, "", f"Document {i} of {len(recs)}", "", r["title"], ""]
        out += [f"Author: {'; '.join(r['authors'])}", "", f"Abstract: {r['abstract']}", ""]
        out += [f"DOI: {r['doi']}", "", f"Publication year: {r['year']}", "", rule, ""]
    return "\n".join(out).encode()


WRITERS = {
    "proquest": proquest,
    "ris": ris,
    "medline": medline,
    "wos": wos,
    "wos_tab": wos_tab,
    "bibtex": bibtex,
    "csv": table,
    "xlsx": xlsx,
    "endnote_xml": endnote_xml,
}


def _surnames(authors: str) -> list[str]:
    return [a.split(",")[0].strip().lower() for a in authors.split(";") if a.strip()]


@pytest.mark.parametrize("fmt", sorted(WRITERS))
@FEW
@given(recs=records)
def test_records_written_in_each_format_read_back_equal(fmt, recs):
    result = loads(WRITERS[fmt](recs), name=f"export.{fmt}")
    assert result.format == fmt
    got = result.records
    assert [r["title"] for r in got] == [r["title"] for r in recs]
    assert [r["year"] for r in got] == [r["year"] for r in recs]
    assert [r["doi"] for r in got] == [r["doi"] for r in recs]
    assert [r["abstract"] for r in got] == [r["abstract"] for r in recs]
    assert [_surnames(r["authors"]) for r in got] == [
        [a.split(",")[0].lower() for a in r["authors"]] for r in recs
    ]
    assert not [w for w in result.warnings if w.field == "year"]


_CLEAR = (IngestError, LimitError, SheetError)


def _read_or_refuse(data: bytes, fmt: str | None) -> None:
    """Read ``data``; only a clear error may come out, and it must name the file."""
    try:
        loads(data, name="export.bin", fmt=fmt)
    except _CLEAR as exc:
        assert "export.bin" in str(exc)


@FEW
@given(data=st.binary(max_size=2000), fmt=st.sampled_from([None, *FORMATS]))
def test_random_bytes_never_crash_a_reader(data, fmt):
    _read_or_refuse(data, fmt)


@FEW
@given(
    recs=records,
    fmt=st.sampled_from(sorted(WRITERS)),
    cut=st.floats(0, 1),
    forced=st.booleans(),
)
def test_truncated_exports_never_crash_a_reader(recs, fmt, cut, forced):
    data = WRITERS[fmt](recs)
    _read_or_refuse(data[: int(len(data) * cut)], fmt if forced else None)


@FEW
@given(
    recs=records,
    fmt=st.sampled_from(sorted(set(WRITERS) - {"xlsx"})),
    encoding=st.sampled_from(
        ["utf-16", "utf-16-le", "utf-16-be", "utf-8-sig", "cp1252", "latin-1"]
    ),
    flips=st.lists(st.integers(0, 10_000), max_size=5),
)
def test_reencoded_and_damaged_exports_never_crash_a_reader(recs, fmt, encoding, flips):
    data = bytearray(WRITERS[fmt](recs).decode().encode(encoding, errors="replace"))
    for position in flips:  # a few damaged bytes, as a bad copy leaves them
        if data:
            data[position % len(data)] ^= 0x5A
    _read_or_refuse(bytes(data), None)


@FEW
@given(data=st.binary(max_size=3000), suffix=st.sampled_from([".csv", ".tsv", ".xlsx"]))
def test_random_bytes_never_crash_the_sheet_reader(tmp_path_factory, data, suffix):
    path = tmp_path_factory.mktemp("sheet") / f"anouk{suffix}"
    path.write_bytes(data)
    try:
        read_sheet(path)
    except (SheetError, LimitError) as exc:
        assert "anouk" in str(exc)


@FEW
@given(recs=records, cut=st.floats(0, 1))
def test_truncated_workbooks_never_crash_the_sheet_reader(tmp_path_factory, recs, cut):
    data = xlsx(recs)
    path = tmp_path_factory.mktemp("sheet") / "anouk.xlsx"
    path.write_bytes(data[: int(len(data) * cut)])
    try:
        read_sheet(path)
    except (SheetError, LimitError) as exc:
        assert "anouk.xlsx" in str(exc)


# --- the normalisers ----------------------------------------------------------------------------


@settings(max_examples=200, deadline=None)
@given(st.text())
def test_clean_text_is_idempotent_and_drops_control_characters(text):
    cleaned = clean_text(text)
    assert clean_text(cleaned) == cleaned
    assert not _CONTROL.search(cleaned)
    assert cleaned == cleaned.strip()


@settings(max_examples=200, deadline=None)
@given(st.integers(1500, 2099), st.sampled_from(["{}", "{}/05/03", "c{}", "{} Jan", "[{}]"]))
def test_parse_year_reads_every_year_in_range(year, form):
    text = form.format(year)
    assert parse_year(text) == year
    full_width = "".join(chr(ord(c) + 0xFEE0) if c.isdigit() else c for c in text)
    assert parse_year(full_width) == year


@settings(max_examples=200, deadline=None)
@given(st.text())
def test_parse_year_gives_a_year_in_range_or_none(text):
    year = parse_year(text)
    assert year is None or 1500 <= year <= 2099


@settings(max_examples=200, deadline=None)
@given(doi, st.sampled_from(["{}", "https://doi.org/{}", "doi:{}", "{}\nS0140673620300011",
                             "S0140673620300011\n{}", "DOI {}.", "{} [doi]"]))  # fmt: skip
def test_normalise_doi_finds_the_doi_in_what_surrounds_it(value, form):
    assert normalise_doi(form.format(value.upper())) == value
    assert normalise_doi(normalise_doi(form.format(value))) == value
