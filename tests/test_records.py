"""Normalisation of single fields and the record id (slrflow.records).

Every expected value here is written out by hand from the rule it checks.
"""

from __future__ import annotations

import json

import pytest

from slrflow.records import (
    COLUMNS,
    Entry,
    assign_record_ids,
    author_key,
    clean_text,
    normalise,
    normalise_doi,
    normalise_isbn,
    normalise_issn,
    normalise_pages,
    normalise_pmid,
    parse_year,
    split_authors,
    split_keywords,
)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("221-8", "221-228"),
        ("221-28", "221-228"),
        ("1535-41", "1535-1541"),  # EndNote RIS SP
        ("1299-301", "1299-1301"),
        ("466-75", "466-475"),  # MEDLINE PG
        ("12-3", "12-13"),
        ("99-101", "99-101"),
        ("7003-7016", "7003-7016"),
        ("221–8", "221-228"),  # en dash
        ("221 - 8", "221-228"),
        ("e12-19", "e12-e19"),
        ("e12-e19", "e12-e19"),
        ("S12-S19", "S12-S19"),
        ("123", "123"),
        ("e0815", "e0815"),
        ("xii-xv", "xii-xv"),  # roman numerals left as they are
        ("", ""),
    ],
)
def test_normalise_pages(value: str, expected: str) -> None:
    assert normalise_pages(value) == expected


def test_normalise_pages_from_start_and_end() -> None:
    assert normalise_pages("221", "8") == "221-228"
    assert normalise_pages("221", "228") == "221-228"
    assert normalise_pages("", "8") == "8"
    assert normalise_pages("221-228", "228") == "221-228"  # SP already a range
    assert normalise_pages(None, None) == ""


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("https://doi.org/10.1000/ABC", "10.1000/abc"),
        ("http://dx.doi.org/10.1177/2325967120950040", "10.1177/2325967120950040"),
        ("doi:10.1000/abc", "10.1000/abc"),
        ("DOI: 10.1000/x.y.", "10.1000/x.y"),  # trailing full stop of a sentence
        ("10.1016/0370-1573(79)90074-7", "10.1016/0370-1573(79)90074-7"),  # brackets kept
        ("10.1000/abc [doi]", "10.1000/abc"),
        ("10.3390%2fani15010003", "10.3390/ani15010003"),  # Scopus link parameter
        ("10.1000/a&amp;b", "10.1000/a&b"),
        (["", "10.1000/First", "10.1000/second"], "10.1000/first"),
        ("no doi here", ""),
        (None, ""),
    ],
)
def test_normalise_doi(value, expected: str) -> None:
    assert normalise_doi(value) == expected


def test_normalise_pmid() -> None:
    assert normalise_pmid("PMID: 26524502") == "26524502"
    assert normalise_pmid("26524502") == "26524502"
    assert normalise_pmid("") == ""
    assert normalise_pmid("none") == ""


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("2019/05/03", 2019),
        ("2016/09//", 2016),  # EBSCO Y1
        ("1 Jan.-Feb. 2019", 2019),  # IEEE Y1
        ("2016 Jan 15", 2016),  # MEDLINE DP
        ("May 2021", 2021),
        ("c2001", 2001),
        ("19991", None),  # five digits is not a year
        ("1499", None),  # before printing
        ("", None),
        (None, None),
        (["", "2020"], 2020),
    ],
)
def test_parse_year(value, expected) -> None:
    assert parse_year(value) == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("<i>Title</i> of &amp; x", "Title of & x"),
        ("&lt;i&gt;T&lt;/i&gt;", "T"),  # markup encoded once
        ("x &amp;lt;sup&amp;gt;2&amp;lt;/sup&amp;gt;", "x 2"),  # encoded twice
        ("<jats:p>Abstract <jats:italic>x</jats:italic>, y</jats:p><jats:p>Next</jats:p>",
         "Abstract x, y Next"),
        ("H<sub>2</sub>O and CO<sub>2</sub>", "H2O and CO2"),  # inline tags inside words
        ("a<br/>b", "a b"),
        ("<p>One</p><p>Two</p>", "One Two"),
        ("p &lt; 0.05 and r &gt; 0.3", "p < 0.05 and r > 0.3"),  # comparisons are not tags
        ("2 < 3 and 5 > 4", "2 < 3 and 5 > 4"),
        ("p<0.05", "p<0.05"),
        ("a&nbsp;b\u00a0c", "a b c"),
        ("  spaced \n\t out  ", "spaced out"),
        ("word <i>x</i> , next", "word x, next"),
        (["a", None, "b"], "a b"),
        (None, ""),
    ],
)  # fmt: skip
def test_clean_text(value, expected: str) -> None:
    assert clean_text(value) == expected


@pytest.mark.parametrize(
    ("author", "key"),
    [
        ("van der Berg, J.", "vanderberg"),
        ("Müller, Hans", "muller"),
        ("O'Brien, P", "obrien"),
        ("Sanchez del Pulgar, J.", "sanchezdelpulgar"),
        ("Shannon,Claude E.", "shannon"),
        ("BREVIK, I", "brevik"),
        ("J Smith", "smith"),
        ("J. A. Smith", "smith"),
        ("G. Kalbe", "kalbe"),
        ("Smith JA", "smith"),  # MEDLINE AU
        ("Fanning E.", "fanning"),  # Embase RIS A1
        ("Smith J.A.", "smith"),  # Scopus
        ("Nominé J.-P.", "nomine"),
        ("Li", "li"),
        ("", ""),
    ],
)
def test_author_key(author: str, key: str) -> None:
    assert author_key(author) == key


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (["Smith, J", "Doe, A"], ["Smith, J", "Doe, A"]),
        ("Smith, J; Doe, A", ["Smith, J", "Doe, A"]),
        ("Smith, John and Doe, Jane", ["Smith, John", "Doe, Jane"]),
        ("Phillips J.C., Braun R., Kalé L.", ["Phillips J.C.", "Braun R.", "Kalé L."]),
        ("Smith J., Doe A.B.", ["Smith J.", "Doe A.B."]),  # two Scopus authors
        ("Nilsson C, Berthold M", ["Nilsson C", "Berthold M"]),  # PubMed CSV
        ("Smith, J., Doe, A.B.", ["Smith, J.", "Doe, A.B."]),
        ("J Smith, A Doe, B Roe", ["J Smith", "A Doe", "B Roe"]),  # Publish or Perish
        ("Arslan Munir, Alexander Aved, Erik Blasch", ["Arslan Munir", "Alexander Aved",
                                                        "Erik Blasch"]),
        ("Smith, John", ["Smith, John"]),  # one author, not two
        ("Tulloch, C.", ["Tulloch, C."]),
        ("J Smith, A Doe, ...", ["J Smith", "A Doe"]),
        ("", []),
    ],
)  # fmt: skip
def test_split_authors(value, expected) -> None:
    assert split_authors(value) == expected


def test_split_keywords() -> None:
    assert split_keywords(["a", "b; c"]) == ["a", "b", "c"]
    assert split_keywords("x; y ;z") == ["x", "y", "z"]
    assert split_keywords("one, with comma") == ["one, with comma"]


def test_issn_and_isbn() -> None:
    assert normalise_issn("20964129 (ISSN)") == "2096-4129"
    assert normalise_issn("1660-4601 1661-7827") == "1660-4601; 1661-7827"
    assert normalise_issn("0964-6906 (Print)0964-6906") == "0964-6906"
    assert normalise_issn(["1558-366x"]) == "1558-366X"
    assert normalise_isbn("978-1-4020-6754-9") == "9781402067549"
    assert normalise_isbn("0-306-40615-2") == "0306406152"
    assert normalise_isbn("") == ""


def test_normalise_entry() -> None:
    entry = Entry(
        line=7,
        fields={
            "title": "A <i>study</i>",
            "authors": ["Smith, J", "Müller, H"],
            "year": "2019/05/03",
            "journal_abbrev": "J X",
            "start_page": "221",
            "end_page": "8",
            "doi": "https://doi.org/10.1000/ABC",
            "issn": ["1234-5678"],
            "keywords": ["a", "b"],
            "url": "http://x.org/a http://y.org",
        },
        original={"TI": "A <i>study</i>"},
    )
    row = normalise(entry, search_id="s1", source_file="f.ris", fmt="ris")
    assert [key for key in row if not key.startswith("_")] == COLUMNS
    assert row["title"] == "A study"
    assert row["authors"] == "Smith, J; Müller, H"
    assert row["author_keys"] == "smith; muller"
    assert row["year"] == 2019
    assert row["journal"] == "J X"  # abbreviation when there is no full title
    assert row["pages"] == "221-228"
    assert row["doi"] == "10.1000/abc"
    assert row["issn"] == "1234-5678"
    assert row["keywords"] == "a; b"
    assert row["url"] == "http://x.org/a"
    assert row["source_line"] == 7
    assert json.loads(row["original"]) == {"TI": "A <i>study</i>"}


def test_record_ids_do_not_depend_on_order() -> None:
    def rows():
        return [
            normalise(Entry(line=i, fields={"title": t}), search_id="s", source_file="f", fmt="x")
            for i, t in enumerate(["one", "two", "two"], 1)
        ]

    forward, backward = rows(), rows()[::-1]
    assign_record_ids(forward)
    assign_record_ids(backward)
    assert {r["record_id"] for r in forward} == {r["record_id"] for r in backward}
    ids = [r["record_id"] for r in forward]
    assert len(set(ids)) == 3
    assert all(i.startswith("s-") for i in ids)
    assert ids[2] == ids[1] + "-2"  # identical content within one search told apart


def test_only_real_markup_is_removed() -> None:
    # JATS, HTML and MathML tags go; text that merely looks like a tag stays (escaped later).
    assert clean_text("<jats:p>Back<jats:italic>ground</jats:italic></jats:p>") == "Background"
    assert clean_text("<mml:math><mml:mi>x</mml:mi></mml:math> rises") == "x rises"
    assert clean_text("<Creep Crack Initiation.pdf>") == "<Creep Crack Initiation.pdf>"
    assert clean_text("<script>alert(1)</script> youth") == "<script>alert(1)</script> youth"


def test_record_ids_come_from_the_export_not_from_cleaning() -> None:
    def row(title: str, line: int) -> dict:
        entry = Entry(line=line, fields={"title": title, "year": "2020"})
        return normalise(entry, search_id="s1", source_file="f.ris", fmt="ris")

    first = [row("A <i>study</i>", 1), row("Another", 9)]
    reordered = [row("Another", 1), row("A <i>study</i>", 12)]
    assign_record_ids(first)
    assign_record_ids(reordered)
    assert {r["record_id"] for r in first} == {r["record_id"] for r in reordered}
    # Both rows clean to the same title, yet the export wrote them differently.
    plain = [row("A study", 1)]
    assign_record_ids(plain)
    assert plain[0]["title"] == first[0]["title"]
    assert plain[0]["record_id"] != first[0]["record_id"]
