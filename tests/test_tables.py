"""Tables between stages: written a part at a time or whole, read whole, in parts or in part."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from slrflow.tables import read_csv, read_csv_chunks, write_csv

ROWS = pd.DataFrame(
    {
        "record_id": ["s-1", "s-2", "s-3", "s-4", "s-5"],
        "title": ["=HYPERLINK()", "Exit work", 'a, b and "c"', "multi\nline", "-1"],
        "original": ['{"TI": "x"}'] * 5,
    }
)


def test_a_table_written_in_parts_is_the_table_written_whole(tmp_path: Path):
    whole, parts = tmp_path / "whole.csv", tmp_path / "parts.csv"
    write_csv(ROWS, whole)
    write_csv(ROWS.iloc[:0], parts)
    for part in read_csv_chunks(whole, rows=2):
        assert len(part) <= 2
        write_csv(part, parts, append=True)
    assert parts.read_bytes() == whole.read_bytes()
    assert "'=HYPERLINK()" in whole.read_text("utf-8")  # neutralised in the file


def test_reading_restores_cells_and_can_leave_columns_out(tmp_path: Path):
    path = tmp_path / "t.csv"
    write_csv(ROWS, path)
    back = read_csv(path, usecols=lambda c: c != "original")
    assert list(back.columns) == ["record_id", "title"]
    assert list(back["title"]) == list(ROWS["title"])


def test_a_table_without_columns_reads_back_empty(tmp_path: Path):
    path = tmp_path / "empty.csv"
    write_csv(pd.DataFrame(), path)
    assert read_csv(path).empty


def test_ingest_writes_the_same_table_in_parts(tmp_path: Path, monkeypatch):
    from slrflow.cli import main
    from slrflow.ingest import command

    export = Path(__file__).resolve().parents[1] / "resources" / "example" / "exports"
    args = [str(export / "pubmed_2024.nbib"), "--search-id", "pubmed_2024"]
    main(["ingest", *args, "-o", str(tmp_path / "whole.csv")])
    monkeypatch.setattr(command, "_PART", 3)
    main(["ingest", *args, "-o", str(tmp_path / "parts.csv")])
    whole = (tmp_path / "whole.csv").read_bytes()
    assert len(read_csv(tmp_path / "whole.csv")) > 3  # more than one part
    assert (tmp_path / "parts.csv").read_bytes() == whole


def test_the_combined_record_table_is_the_search_tables_one_after_another(tmp_path: Path):
    from slrflow.cli import main
    from slrflow.records import COLUMNS
    from slrflow.searchlog import read_search_log

    example = Path(__file__).resolve().parents[1] / "resources" / "example"
    tables, summaries, expected = [], [], []
    for search in read_search_log(example / "searches.csv"):
        table, summary = tmp_path / f"{search.search_id}.csv", tmp_path / f"{search.search_id}.json"
        args = ["ingest", str(example / search.file), "-o", str(table), "--summary", str(summary),
                "--search-id", search.search_id]  # fmt: skip
        if search.format:
            args += ["--format", search.format]
        if search.mapping:
            args += ["--mapping", search.mapping]
        assert main(args) == 0
        expected.append(read_csv(table))
        tables.append(str(table))
        summaries.append(str(summary))
    # a table whose columns are in another order is put in order, not copied as it is
    shuffled = read_csv(tables[1])
    write_csv(shuffled[list(reversed(shuffled.columns))], tables[1])
    records = tmp_path / "records.csv"
    assert main(["ingest-report", "--search-log", str(example / "searches.csv"),
                 "--review", str(example), "--tables", *tables, "--summaries", *summaries,
                 "--records", str(records), "--report", str(tmp_path / "report.csv"),
                 "--warnings", str(tmp_path / "warnings.csv")]) == 0  # fmt: skip
    whole = tmp_path / "whole.csv"
    write_csv(pd.concat(expected, ignore_index=True)[COLUMNS], whole)
    assert records.read_bytes() == whole.read_bytes()
    report = read_csv(tmp_path / "report.csv")
    assert report["records"].astype(int).tolist() == [len(t) for t in expected]
    assert sum(len(t) for t in expected) > 100


def test_rows_by_id_makes_each_row_when_asked_for():
    import math

    from slrflow.tables import RowsById

    frame = pd.DataFrame(
        {
            "reference_id": ["a", "b", "a"],
            "record_ids": ["a;x", "b; x ;y", "a;z"],
            "year": [2015.0, math.nan, 2020.0],
        }
    )
    rows = RowsById(frame, key="reference_id", aliases="record_ids", text=True)
    # a later row with the same id wins; an alias names the first row holding it
    assert rows["a"] == {"reference_id": "a", "record_ids": "a;z", "year": "2020.0"}
    assert rows["x"]["reference_id"] == "a" and rows["x"]["record_ids"] == "a;x"
    assert rows["y"] == {"reference_id": "b", "record_ids": "b; x ;y", "year": ""}
    assert rows.get("nowhere") is None
    assert set(rows) == {"a", "b", "x", "y", "z"}
    plain = RowsById(frame, key="reference_id")
    assert plain["b"]["year"] != plain["b"]["year"]  # the missing value as it is (NaN)
    assert set(plain) == {"a", "b"}
