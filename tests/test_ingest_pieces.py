"""Large exports are read in pieces; the records and warnings must not depend on where the
pieces are cut."""

from __future__ import annotations

import logging
import random

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


# --- the quicker BibTeX splitter splits exactly as bibtexparser's own ------------------------

_ATOMS = ["a", "b c", " ", "\n", "\n  ", ",", "=", '"', "{", "}", "\\", "\\&", "\\{", "\\}"]
_ATOMS += ["\\\n", "@", "@x{", "\n@misc{", "\t", "é", "(", ")", "{x}", "{{y}}", "\\\\"]


def _random_bibtex(r: random.Random) -> str:
    def value() -> str:
        inner = "".join(r.choice(_ATOMS) for _ in range(r.randint(0, 6)))
        return r.choice(["{X}", '"X"', "{{X}}", "X", "2020"]).replace("X", inner)

    text = ""
    for _ in range(r.randint(1, 4)):
        sep = r.choice([",", ",\n", " ,\n  "])
        fields = [
            r.choice(["title", " author ", "\nyear", "a b", "x@y", "k\\", ""])
            + r.choice(["=", " = ", " =\n "])
            + value()
            for _ in range(r.randint(0, 4))
        ]
        text += (
            f"@{r.choice(['article', 'misc', 'string'])}{r.choice('{(')}key{r.randint(0, 3)}{sep}"
            + sep.join(fields)
            + r.choice(["", ",", ",\n", "\n"])
            + r.choice(["}", ")", "", "}}"])
            + r.choice(["\n", "\n\n", " junk\n", ""])
        )
    return text


def _blocks(splitter_class, text: str) -> list:
    out = []
    for block in splitter_class(text).split().blocks:
        inner = getattr(block, "ignore_error_block", None) or block
        out.append(
            (
                type(block).__name__,
                block.start_line,
                block.raw,
                getattr(block, "key", None),
                getattr(getattr(block, "error", None), "abort_reason", None),
                [(f.key, f.value, f.start_line) for f in getattr(inner, "fields", [])],
                sorted(getattr(block, "duplicate_keys", ()) or ()),
            )
        )
    return out


def test_bibtex_quick_splitter_splits_as_bibtexparser(caplog) -> None:
    from bibtexparser.splitter import Splitter

    caplog.set_level(logging.CRITICAL, logger="bibtexparser")
    for seed in range(3000):
        text = _random_bibtex(random.Random(seed))
        assert _blocks(bibtex._Splitter, text) == _blocks(Splitter, text), (seed, text)


def test_csv_lines_are_those_stringio_gives() -> None:
    import io

    from slrflow.ingest.csv import _lines_with_ends

    for text in ["a,b\n1,2\n", 'a,b\n"x\ny",2', "a\n\n\nb\n\n", "", "\n", "one line"]:
        assert list(_lines_with_ends(iter(text.split("\n")))) == list(io.StringIO(text, newline=""))


def test_a_string_block_is_found_even_split_over_lines() -> None:
    found = bibtex._has_string_block
    assert found(["@article{a,", "}", "@STRING{jn = {J}}"])
    assert found(["@article{a,", "}", "@", "", "  string{jn = {J}}"])
    assert not found(["@article{a,", "  title = {A string theory @ home},", "}"])
    assert not found(["@article{a,", "  title = {@", "}", "@book{string,", "}"])
