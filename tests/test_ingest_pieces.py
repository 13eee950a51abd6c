"""Large exports are read in pieces; the records and warnings must not depend on where the
pieces are cut."""

from __future__ import annotations

import pytest

from slrflow.ingest import bibtex, loads
from slrflow.ingest.source import Source

ENTRY = """@article{keyNN,
  author = {Smith, J. and M{\\"u}ller, A.},
  title = {Title NN: a test, with commas},
  journal = {Journal},
  year = {20NN},
  abstract = {Line one
with a second line @ home, and an e-mail a@b.org},
}
"""


def _entry(n: int) -> str:
    return ENTRY.replace("NN", f"{n:02d}")


DAMAGED = "@article{broken,\n  title = {Never closed,\n  year = {2020},\n"
JUNK = "junk between entries = here\n"


def _bib(parts: list[str]) -> str:
    return "".join(parts)


@pytest.mark.parametrize(
    "text",
    [
        _bib([_entry(n) for n in range(30)]),
        _bib([_entry(n) for n in range(12)] + [DAMAGED] + [_entry(n) for n in range(12, 30)]),
        _bib([_entry(n) + (JUNK if n % 7 == 3 else "") for n in range(30)]),
        _bib(
            ["@string{jn = {Strung Journal}}\n"]
            + [_entry(n).replace("{Journal}", "jn") for n in range(30)]
        ),
        _bib([_entry(n) for n in range(15)] + [DAMAGED]),
    ],
    ids=["plain", "damaged", "junk", "string", "damaged-last"],
)
def test_bibtex_pieces_give_what_the_whole_file_gives(monkeypatch, text: str) -> None:
    whole = loads(text, fmt="bibtex")
    monkeypatch.setattr(bibtex, "PIECE_CHARS", 200)  # a cut every entry or two
    pieces = loads(text, fmt="bibtex")
    assert pieces.records == whole.records
    assert [str(w) for w in pieces.warnings] == [str(w) for w in whole.warnings]
    assert len(whole.records) == (15 if text.endswith(DAMAGED) else 30)


def test_bibtex_damaged_entry_is_reported_at_its_line(monkeypatch) -> None:
    text = _bib([_entry(n) for n in range(12)] + [DAMAGED] + [_entry(n) for n in range(12, 30)])
    monkeypatch.setattr(bibtex, "PIECE_CHARS", 200)
    result = loads(text, fmt="bibtex")
    line = text[: text.index("@article{broken")].count("\n") + 1
    assert any(w.line == line and "could not be read" in w.message for w in result.warnings)
    # The entry after the damaged one starts on a line with "@", which ends the damaged one.
    assert [r["source_line"] for r in result.records][12] == line + 3


def test_iter_lines_is_split_of_the_text(monkeypatch) -> None:
    from slrflow.ingest import source as source_module

    monkeypatch.setattr(source_module, "_BLOCK", 7)
    for text in ["a", "a\n", "\n\n\nb", "ab\ncd\n\nefghijklmnop\nq", "x" * 30 + "\n" + "y" * 3]:
        src = Source("t", text.encode("utf-8"))
        assert list(src.iter_lines()) == src.text.split("\n")
