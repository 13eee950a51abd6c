"""Reading a record table for deduplication, in either of the two forms it comes in.

1. The ingest table (``slrflow ingest``): ``record_id`` plus :data:`slrflow.records.COLUMNS`.
2. A BibTeX-like CSV as used by deduplication benchmarks: id column ``ID`` and fields ``author``
   (``" and "``-joined), ``title``, ``year``, ``journal``, ``booktitle``, ``volume``, ``number``,
   ``pages``, ``doi``, ``abstract``, ``isbn`` (which often holds ISSNs), ``ENTRYTYPE`` and,
   when present, ``search_set`` (taken as the search).

Both are turned into the ingest table's columns (cleaned with :mod:`slrflow.records`).
:func:`load` returns the table and a list of :class:`Problem` warnings; input that cannot be
deduplicated safely (no id column, rows without an id, one id on several rows) raises
:class:`DedupInputError` naming the rows.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from slrflow import records as rec
from slrflow.dedup.prepare import RUN_TOGETHER, split_run_together
from slrflow.errors import InputError
from slrflow.messages import some_of
from slrflow.tables import read_csv

#: Columns of the ingest table the dedup stage does not read; they are carried along untouched.
CARRIED = ("source_file", "source_line", "format", "publisher", "original")
#: Columns the dedup stage reads, in the ingest table's order.
FIELDS = [c for c in rec.COLUMNS if c not in CARRIED]

#: longest value still taken as a plausible field (longer ones are reported; comparison uses a cut)
MAX_LENGTH = {"title": 1000, "authors": 20000, "journal": 500, "abstract": 30000, "pages": 50}


class DedupInputError(InputError):
    """A record table the dedup stage cannot use; the message names the rows and what to do."""


@dataclass(frozen=True)
class Problem:
    """A warning about the input: ``row`` counts the header as row 1 (as spreadsheets do)."""

    file: str
    row: int | None
    field: str | None
    message: str

    def __str__(self) -> str:
        where = self.file + (f", row {self.row}" if self.row else "")
        where += f", field {self.field}" if self.field else ""
        return f"{where}: {self.message}"


def _bib_authors(value: str) -> list[str]:
    """Authors from a benchmark cell: ``"Zuna, R E and Wang, S S"`` or run-together
    ``"Tan A.Schulze A.O'Donnell C. P."`` (some exports drop the separator)."""
    value = value.strip()
    if not value:
        return []
    if " and " not in value and ";" not in value and RUN_TOGETHER.search(value):
        return split_run_together(value)
    return rec.split_authors(value)


def _issn_isbn(value: str) -> tuple[str, str]:
    issn = rec.normalise_issn(value)
    rest = re.sub(r"(?<![\dXx])\d{4}-\d{3}[\dXx](?![\dXx])", " ", value)
    return issn, rec.normalise_isbn(rest)


def _each_once(values: pd.Series, function) -> pd.Series:
    """``values.map(function)``, calling ``function`` once per distinct value (journals,
    volumes, years and names recur across records)."""
    return values.map({value: function(value) for value in values.unique()})


@functools.lru_cache(maxsize=200_000)
def _author_key(name: str) -> str:
    return rec.author_key(name)


def _from_bib(frame: pd.DataFrame) -> pd.DataFrame:
    """The benchmark form as ingest-table columns."""
    get = lambda name: frame[name] if name in frame.columns else pd.Series("", index=frame.index)  # noqa: E731
    out = pd.DataFrame(index=frame.index)
    out["record_id"] = frame["ID"]
    out["search_id"] = get("search_set")
    out["title"] = get("title").map(rec.clean_text)
    authors = get("author").map(_bib_authors)
    out["authors"] = authors.map(rec.join_list)
    out["author_keys"] = authors.map(lambda a: rec.join_list(_author_key(x) for x in a))
    out["year"] = _each_once(get("year"), lambda v: str(rec.parse_year(v) or ""))
    journal = _each_once(get("journal"), rec.clean_text)
    booktitle = _each_once(get("booktitle"), rec.clean_text)
    out["journal"] = journal.where(journal != "", booktitle)
    out["volume"] = _each_once(get("volume"), rec.clean_text)
    out["issue"] = _each_once(
        get("number") if "number" in frame.columns else get("issue"), rec.clean_text
    )
    out["pages"] = _each_once(
        get("pages"), lambda v: rec.normalise_pages(re.sub(r"\s*-+\s*", "-", v))
    )
    doi = get("doi").map(rec.normalise_doi)
    out["doi"] = doi
    out["pmid"] = get("pmid").map(rec.normalise_pmid)
    ids = _each_once(get("isbn"), _issn_isbn)
    out["issn"] = (get("issn").map(rec.normalise_issn) + "; " + ids.map(lambda p: p[0])).map(
        lambda v: rec.join_list(dict.fromkeys(x for x in v.split("; ") if x))
    )
    out["isbn"] = ids.map(lambda p: p[1])
    out["abstract"] = get("abstract").map(rec.clean_text)
    out["keywords"] = get("keywords").map(rec.clean_text)
    doc_type = _each_once(get("ENTRYTYPE"), rec.clean_text)
    # A booktitle without a journal marks a paper in proceedings, whatever the entry type says.
    out["doc_type"] = doc_type.where(
        ~((booktitle != "") & (journal == "") & (doc_type == "")), "inproceedings"
    )
    out["language"] = get("language")
    out["url"] = get("url")
    return out


def load(path: str | Path, *, name: str | None = None) -> tuple[pd.DataFrame, list[Problem]]:
    """Read ``path`` (either form) into a table with :data:`FIELDS` (plus any other ingest
    columns); return it with the warnings. Raises :class:`DedupInputError` on unusable input."""
    path = Path(path)
    label = name or str(path)
    try:
        # the entry as exported (``original``) is never compared, and is a third of the table
        raw = read_csv(path, usecols=lambda column: column != "original")
    except (pd.errors.ParserError, UnicodeDecodeError) as exc:
        raise DedupInputError(f"{label}: cannot be read as a CSV table: {exc}") from exc
    return prepare_table(raw, file=label)


def prepare_table(
    raw: pd.DataFrame, *, file: str = "records"
) -> tuple[pd.DataFrame, list[Problem]]:
    """Check and convert an already read table (all cells strings); see :func:`load`."""
    raw = raw.fillna("").astype(str)
    problems: list[Problem] = []
    if "record_id" in raw.columns:
        id_column = "record_id"
    elif "ID" in raw.columns:
        id_column = "ID"
    else:
        raise DedupInputError(
            f"{file}: no id column; expected 'record_id' (the table `slrflow ingest` writes) "
            f"or 'ID' (benchmark CSV); found {', '.join(raw.columns) or 'no columns'}"
        )
    row_numbers = pd.Series(range(2, len(raw) + 2), index=raw.index)
    # a row with an id is not empty: only the rows without one have every cell looked at
    empty = pd.Series(False, index=raw.index)
    no_id = raw[id_column].str.strip() == ""
    if no_id.any():
        empty[no_id] = (raw[no_id].map(str.strip) == "").all(axis=1)
    if empty.any():
        problems.append(
            Problem(
                file,
                None,
                None,
                f"{int(empty.sum())} empty row(s) skipped (rows {some_of(row_numbers[empty], 10)})",
            )
        )
        raw = raw[~empty]
        row_numbers = row_numbers[~empty]
    ids = raw[id_column].str.strip()
    missing = ids == ""
    if missing.any():
        raise DedupInputError(
            f"{file}: {int(missing.sum())} row(s) have content but no {id_column} "
            f"(rows {some_of(row_numbers[missing], 10)}); give every record an id"
        )
    repeated = ids[ids.duplicated(keep=False)]
    if len(repeated):
        details = []
        for value, group in repeated.groupby(repeated, sort=False):
            details.append(f"{value!r} on rows {some_of(row_numbers[group.index], 5)}")
            if len(details) >= 10:
                break
        raise DedupInputError(
            f"{file}: {repeated.nunique()} record id(s) used on more than one row: "
            + "; ".join(details)
            + ". Each record needs its own id: rename or remove the repeated rows"
        )
    raw = raw.assign(**{id_column: ids})
    if id_column == "record_id":
        table = raw.copy()
        for column in FIELDS:
            if column not in table.columns:
                table[column] = ""
        # a year read through a float column ("2015.0") compares and merges as 2015
        table["year"] = table["year"].map(lambda v: str(rec.parse_year(v) or "") if v else "")
        if (table["author_keys"] == "").all() and (table["authors"] != "").any():
            table["author_keys"] = table["authors"].map(
                lambda a: rec.join_list(rec.author_key(x) for x in a.split("; "))
            )
    else:
        table = _from_bib(raw)
    table = table.reset_index(drop=True)
    rows = list(row_numbers)
    problems.extend(_check_fields(table, rows, file))
    return table, problems


def _check_fields(table: pd.DataFrame, rows: list[int], file: str) -> list[Problem]:
    """Warnings for records that can hardly be compared and for implausibly long fields."""
    problems = []
    has = {c: table[c].str.strip() != "" for c in ("title", "authors", "doi", "pmid", "year")}
    no_title = ~has["title"]
    only_id = no_title & ~has["authors"] & (has["doi"] | has["pmid"])
    bare = no_title & ~has["authors"] & ~has["doi"] & ~has["pmid"]
    checks = [
        (only_id, "only an identifier (no title, no authors): matched by DOI/PMID alone"),
        (bare, "no title, no authors and no DOI/PMID: cannot be matched, kept on its own"),
        (no_title & has["authors"], "no title: matched only by DOI/PMID or sent for review"),
        (has["title"] & ~has["authors"], "no authors: needs a closer title and source match"),
    ]
    for mask, message in checks:
        if mask.any():
            where = [rows[i] for i in mask[mask].index]
            problems.append(
                Problem(
                    file,
                    None,
                    None,
                    f"{len(where)} record(s) with {message} (rows {some_of(where, 10)})",
                )
            )
    for column, limit in MAX_LENGTH.items():
        lengths = table[column].str.len()
        for index in lengths[lengths > limit].index:
            problems.append(
                Problem(
                    file,
                    rows[index],
                    column,
                    f"{lengths[index]} characters (more than {limit}): kept, but only the first "
                    f"{limit} are compared; check the export for run-together fields",
                )
            )
    return problems
