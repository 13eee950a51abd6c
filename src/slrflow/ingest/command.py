"""``slrflow ingest`` and ``slrflow ingest-report``: the ingest stage from the command line."""

from __future__ import annotations

import argparse
import hashlib
import json
import shutil
import sys
from pathlib import Path

import pandas as pd

from slrflow.ingest import FORMATS, Warning_, open_export
from slrflow.records import COLUMNS
from slrflow.searchlog import parse_mapping, read_search_log
from slrflow.tables import read_csv_chunks, write_csv

#: Records per part when a record table is written (with 20,000 a part, the ingest of a 1 GB Web
#: of Science export peaked at 2 GB; with 5,000 at 175 MB).
_PART = 5_000
#: Bytes copied at a time when the per-search tables are combined.
_COPY = 1 << 20


def add_arguments_ingest(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("files", nargs="+", type=Path, help="export files (any supported format)")
    parser.add_argument("-o", "--output", type=Path, required=True, help="record table (CSV)")
    parser.add_argument("--search-id", help="search the files belong to (default: file stem)")
    parser.add_argument("--format", choices=FORMATS, help="skip detection and read as this")
    parser.add_argument("--mapping", default="", help="CSV/XLSX columns: 'title=Col; year=Col2'")
    parser.add_argument("--hits-reported", type=int, help="hits the database reported")
    parser.add_argument("--name", help="how messages name the file (default: its path)")
    parser.add_argument("--summary", type=Path, help="write counts, sha256 and warnings (JSON)")


def ingest(args: argparse.Namespace) -> int:
    """Read each file, normalise its records and write one table; warnings go to stderr.

    Records are written a part at a time as they are read, so neither an export nor its table
    is ever held whole. A file that cannot be read leaves no table behind.
    """
    write_csv(pd.DataFrame(columns=COLUMNS), args.output)
    try:
        summaries = [_ingest_file(path, args) for path in args.files]
    except BaseException:
        args.output.unlink(missing_ok=True)
        raise
    if args.summary:
        args.summary.parent.mkdir(parents=True, exist_ok=True)
        body = summaries[0] if len(summaries) == 1 else summaries
        args.summary.write_text(json.dumps(body, indent=2, ensure_ascii=False) + "\n", "utf-8")
    return 0


def _ingest_file(path: Path, args: argparse.Namespace) -> dict:
    """Append the records of one export to the table; its summary."""
    name = args.name or str(path)
    if args.hits_reported == 0 and len(args.files) == 1 and _is_empty(path):
        # A search that found nothing: its export is empty, as the search log says.
        print(f"{name}: 0 records (the search found none)", file=sys.stderr)
        return _no_records(path, name=name)
    export = open_export(
        path,
        search_id=args.search_id,
        fmt=args.format,
        mapping=parse_mapping(args.mapping) or None,
        name=args.name if args.name and len(args.files) == 1 else None,
    )
    part: list[dict] = []
    for row in export.records():
        part.append(row)
        if len(part) == _PART:
            _append(part, args.output)
            part = []
    _append(part, args.output)
    records = export.count
    warnings = export.warnings
    if args.hits_reported is not None and args.hits_reported != records:
        warnings.append(
            Warning_(
                export.file,
                None,
                None,
                f"{records} records parsed but the database reported "
                f"{args.hits_reported} hits; check the export is complete",
            )
        )
    for warning in warnings:
        print(f"warning: {warning}", file=sys.stderr)
    print(f"{export.file}: {records} records ({export.format}, {export.encoding})", file=sys.stderr)
    return {
        "file": export.file,
        "format": export.format,
        "encoding": export.encoding,
        "sha256": export.sha256,
        "records": records,
        "hits_reported": args.hits_reported,
        "warnings": [vars(w) for w in warnings],
    }


def _append(rows: list[dict], output: Path) -> None:
    if not rows:
        return
    table = pd.DataFrame(rows, columns=COLUMNS)
    # A year missing from some records must not turn the others into floats ("2015.0").
    table["year"] = table["year"].astype("Int64")
    write_csv(table, output, append=True)


def _is_empty(path: Path) -> bool:
    """Nothing but white space in the file (read a block at a time)."""
    with path.open("rb") as file:
        while block := file.read(1 << 20):
            if block.strip():
                return False
    return True


def _no_records(path: Path, *, name: str) -> dict:
    """The summary of the empty export of a search that reported zero hits."""
    return {
        "file": name,
        "format": "empty",
        "encoding": "",
        "sha256": hashlib.sha256(path.read_bytes()).hexdigest(),
        "records": 0,
        "hits_reported": 0,
        "warnings": [],
    }


def _append_table(table: Path, output: Path, records: int) -> int:
    """Append the rows of a per-search table to the combined one; how many there were.

    A table with the record table's columns (what ``slrflow ingest`` writes, ``records`` rows
    by its summary) is copied as bytes; any other is read and written a part at a time with its
    columns put in order.
    """
    header = pd.DataFrame(columns=COLUMNS).to_csv(index=False, lineterminator="\n").encode()
    with table.open("rb") as source:
        if source.readline() == header:
            with output.open("ab") as target:
                shutil.copyfileobj(source, target, _COPY)
            return records
    count = 0
    for part in read_csv_chunks(table):
        write_csv(part.reindex(columns=COLUMNS, fill_value=""), output, append=True)
        count += len(part)
    return count


def add_arguments_ingest_report(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--search-log", type=Path, required=True)
    parser.add_argument("--review", type=Path, required=True, help="the review folder")
    parser.add_argument("--tables", type=Path, nargs="+", required=True, help="per-search CSVs")
    parser.add_argument("--summaries", type=Path, nargs="+", required=True, help="per-search JSON")
    parser.add_argument("--records", type=Path, required=True, help="combined record table")
    parser.add_argument("--report", type=Path, required=True, help="one row per search (CSV)")
    parser.add_argument("--warnings", type=Path, required=True, help="every warning (CSV)")


def ingest_report(args: argparse.Namespace) -> int:
    """Combine the per-search tables in search-log order and write the ingest report.

    The tables are copied a block at a time, so memory does not grow with the review's size.
    """
    searches = read_search_log(args.search_log, review=args.review)
    tables = {p.stem: p for p in args.tables}
    summaries = {p.stem: json.loads(p.read_text("utf-8")) for p in args.summaries}
    report, warnings = [], []
    write_csv(pd.DataFrame(columns=COLUMNS), args.records)
    total = 0
    for search in searches:
        summary = summaries[search.search_id]
        records = _append_table(tables[search.search_id], args.records, summary["records"])
        total += records
        report.append(
            {
                "search_id": search.search_id,
                "source_type": search.source_type,
                "database": search.database,
                "platform": search.platform,
                "date_searched": search.date_searched,
                "update": search.update,
                "query": search.query,
                "limits": search.limits,
                "file": search.file,
                "format": summary["format"],
                "encoding": summary["encoding"],
                "sha256": summary["sha256"],
                "hits_reported": "" if search.hits_reported is None else search.hits_reported,
                "records": records,
                "difference": ""
                if search.hits_reported is None
                else records - search.hits_reported,
                "warnings": len(summary["warnings"]),
            }
        )
        for warning in summary["warnings"]:
            warnings.append({"search_id": search.search_id, **warning})
    write_csv(pd.DataFrame(report), args.report)
    write_csv(
        pd.DataFrame(warnings, columns=["search_id", "file", "line", "field", "message"]),
        args.warnings,
    )
    print(f"{total} records from {len(searches)} searches", file=sys.stderr)
    return 0
