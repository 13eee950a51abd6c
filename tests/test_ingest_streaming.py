"""An export on disk is read a block at a time: the same lines, encoding, warnings, hash and
records as the file decoded whole, and memory that does not grow with the file."""

from __future__ import annotations

import codecs
import tracemalloc

import pytest

from slrflow.cli import main
from slrflow.ingest import loads, open_export, source
from slrflow.ingest.source import Source
from slrflow.tables import read_csv

# Each file tests one way a block boundary could cut a line wrongly.
TRICKY = {
    "crlf": b"TY  - JOUR\r\nTI  - One\r\nER  - \r\n\r\nTY  - JOUR\r\nTI  - Two\r\nER  - \r\n",
    "old_mac": b"TY  - JOUR\rTI  - One\rER  - \r",
    "no_last_line_end": b"TY  - JOUR\nTI  - One\nER  - ",
    "two_boms": codecs.BOM_UTF8 + "\ufeffTY  - JOUR\nTI  - Caf\u00e9\nER  - \n".encode(),
    "latin1_among_utf8": "TY  - JOUR\nTI  - Caf\u00e9\nER  - \n".encode()
    + "TY  - JOUR\nTI  - Gar\u00e7on\nER  - \n".encode("cp1252")
    + "TY  - JOUR\nTI  - \u00c5rhus\nER  - \n".encode(),
    "all_cp1252": "TY  - JOUR\nTI  - Gar\u00e7on na\u00efve\nER  - \n".encode("cp1252"),
    "cut_in_last_character": "TY  - JOUR\nTI  - Caf\u00e9\nER  - \nTI  - \u00e9".encode()[:-1],
    "blank_lines_at_start": b"\n\n\r\nTY  - JOUR\nTI  - One\nER  - \n",
}


@pytest.mark.parametrize("name", sorted(TRICKY))
@pytest.mark.parametrize("block", [1, 3, 7, 64])
def test_lines_read_a_block_at_a_time_are_the_lines_of_the_whole_text(
    tmp_path, monkeypatch, name, block
):
    data = TRICKY[name]
    path = tmp_path / f"{name}.ris"
    path.write_bytes(data)
    whole = Source(path.name, data)
    expected = whole.lines
    monkeypatch.setattr(source, "_BLOCK", block)
    streamed = Source.from_path(path, name=path.name)
    assert list(streamed.iter_lines()) == expected
    assert "text" not in streamed.__dict__  # never decoded whole
    assert streamed.encoding == whole.encoding
    assert [str(w) for w in streamed.warnings] == [str(w) for w in whole.warnings]
    assert streamed.sha256 == whole.sha256
    assert streamed.head == whole.text[:20000]


def test_a_latin1_line_is_named_with_its_number(tmp_path, monkeypatch):
    path = tmp_path / "mixed.ris"
    path.write_bytes(TRICKY["latin1_among_utf8"])
    monkeypatch.setattr(source, "_BLOCK", 5)
    export = open_export(path, search_id="s")
    titles = [row["title"] for row in export.records()]
    assert titles == ["Caf\u00e9", "Gar\u00e7on", "\u00c5rhus"]
    assert export.encoding == "utf-8+cp1252"
    (warning,) = export.warnings
    # "TI  - Gar\xe7on" is the file's fifth line; one line of it is not UTF-8
    assert warning.line == 5 and "(1 line(s) from here on)" in warning.message


@pytest.mark.parametrize(
    "sample",
    [
        "ris_scopus__asysd.ris",
        "ris_bom_mixed__synthesisr_citesource_issue_24.ris",
        "ris_ovid__synthesisr.ris",
        "wos_plaintext__wosfile.txt",
        "wos_tabdelim_utf16__wosfile.txt",
        "nbib_pubmed__p1m-ortho_citations.nbib",
        "medline_pubmed__metaknowledge.medline",
        "csv_lens__spicy-adobo.csv",
        "bib_scopus__pybibx.bib",
    ],
)
def test_a_real_export_streamed_gives_the_records_read_whole(formats_dir, monkeypatch, sample):
    path = formats_dir / sample
    if not path.exists():
        pytest.skip(f"{sample} not in the shared samples")
    whole = loads(path.read_bytes(), name=sample, search_id="s")
    monkeypatch.setattr(source, "_BLOCK", 4096)  # many blocks even for a small sample
    export = open_export(path, name=sample, search_id="s")
    rows = list(export.records())
    assert len(rows) >= 3
    assert rows == whole.records
    assert (export.format, export.encoding, export.sha256) == (
        whole.format,
        whole.encoding,
        whole.sha256,
    )
    assert export.warnings == whole.warnings


def test_the_table_of_a_streamed_export_is_the_table_written_whole(formats_dir, tmp_path):
    from slrflow.ingest import command

    path = formats_dir / "ris_scopus__asysd.ris"
    if not path.exists():
        pytest.skip("Scopus RIS sample not in the shared samples")
    out = tmp_path / "parts.csv"
    args = [str(path), "--search-id", "scopus", "-o", str(out)]
    saved = command._PART
    try:
        command._PART = 7
        assert main(["ingest", *args]) == 0
    finally:
        command._PART = saved
    assert len(read_csv(out)) > 7  # more than one part
    assert main(["ingest", *args[:-1], str(tmp_path / "whole.csv")]) == 0
    assert out.read_bytes() == (tmp_path / "whole.csv").read_bytes()


def _ris(records: int) -> bytes:
    entry = (
        "TY  - JOUR\nTI  - Exit work with radicalised youth number {n}: a process evaluation\n"
        "AU  - Smit, J.\nAU  - Bos, K.\nPY  - 2018\nT2  - Terrorism and Political Violence\n"
        "AB  - " + "Young people leaving violent groups were followed for a year. " * 8 + "\n"
        "DO  - 10.1080/x.{n}\nER  - \n\n"
    )
    return "".join(entry.format(n=n) for n in range(records)).encode()


def test_memory_of_a_streamed_read_does_not_grow_with_the_file(tmp_path, monkeypatch):
    monkeypatch.setattr(source, "_BLOCK", 1 << 16)
    peaks = {}
    for records in (10, 2_000, 8_000):  # the first read warms the parser's caches
        path = tmp_path / f"{records}.ris"
        path.write_bytes(_ris(records))
        tracemalloc.start()
        export = open_export(path, search_id="s")
        count = sum(1 for _ in export.records())
        peaks[records] = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
        assert count == records
    size = (tmp_path / "8000.ris").stat().st_size
    assert size > 5_000_000
    # only the ids seen so far grow with the records (about 90 bytes each), not the text
    assert peaks[8_000] < size / 4
    assert peaks[8_000] - peaks[2_000] < 6_000 * 150


def test_a_file_that_cannot_be_read_leaves_no_table(tmp_path, capsys):
    path = tmp_path / "bad.ris"
    path.write_bytes(b"\x00\x01binary" * 100)
    out = tmp_path / "table.csv"
    assert main(["ingest", str(path), "-o", str(out)]) != 0
    assert "bad.ris" in capsys.readouterr().err
    assert not out.exists()


def test_an_empty_file_read_from_disk_says_so(tmp_path):
    path = tmp_path / "empty.ris"
    path.write_bytes(b"  \n\n")
    with pytest.raises(source.IngestError, match="empty"):
        list(open_export(path).records())


def test_a_long_blank_start_is_not_taken_for_an_empty_file(tmp_path):
    data = b"\n" * 30_000 + b"TY  - JOUR\nTI  - Late\nER  - \n"
    path = tmp_path / "late.ris"
    path.write_bytes(data)
    # format detection looks at the first 20,000 characters, read whole or a block at a time
    for read in (lambda: loads(data, name="late.ris"), lambda: open_export(path)):
        with pytest.raises(source.IngestError, match="format not recognised"):
            read()
    rows = list(open_export(path, search_id="s", fmt="ris").records())
    assert [r["title"] for r in rows] == ["Late"]
