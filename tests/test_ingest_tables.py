"""BibTeX, CSV/TSV, XLSX and EndNote XML readers.

Expected values in the real-file tests were read from the files themselves (the line or cell
quoted in each comment), not from the readers' output.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from slrflow.ingest import IngestError, load, loads
from slrflow.ingest.source import Source

# --- every real sample of these formats ---------------------------------------------------

# Record counts, checked by hand: BibTeX by counting lines starting with "@", EndNote XML by
# counting <record>/<RECORD> tags, tables by counting rows with Python's csv module (cells
# may hold newlines, so physical lines overcount). All agree with MANIFEST.tsv.
COUNTS = {
    "bib_googlescholar__synthesisr_litsearchr.txt": ("bibtex", 1),
    "bib_scopus__pybibx.bib": ("bibtex", 10),
    "bib_scopus__synthesisr.bib": ("bibtex", 3),
    "bib_wos__pybibx.bib": ("bibtex", 37),
    "csv_ieee__litstudy.csv": ("csv", 10),
    "csv_lens__spicy-adobo.csv": ("csv", 1000),
    "csv_pop_crossref__kagort.csv": ("csv", 1000),
    "csv_pop_googlescholar__propithecus.csv": ("csv", 980),
    "csv_pubmed__p1m-ortho_58.csv": ("csv", 58),
    "csv_ristags__synthesisr_eviatlas.csv": ("csv", 1),
    "csv_scopus__litstudy.csv": ("csv", 58),
    "csv_springer__litstudy.csv": ("csv", 18),
    "endnotexml__wlt13_thesis.xml": ("endnote_xml", 300),
    "endnotexml_dupcaptions__bibdedupe_respiratory_first300.xml": ("endnote_xml", 300),
    "xml_upper_RECORDS__covid3888.xml": ("endnote_xml", 20),
}

# (file, index of the record, source_line, title starts with, year, doi, first author)
SPOT_CHECKS = [
    # litsearchr.txt line 1: @article{grames2019automated, ... pages={1645--1654}
    (
        "bib_googlescholar__synthesisr_litsearchr.txt",
        0,
        1,
        "An automated approach to identifying search terms for systematic reviews",
        2019,
        "",
        "Grames, Eliza M",
    ),
    # pybibx scopus.bib line 2: @ARTICLE{Singh2024, pages = {2609 – 2625}
    (
        "bib_scopus__pybibx.bib",
        0,
        2,
        "Role of expert systems to optimize the friction stir welding",
        2024,
        "10.1007/s12008-023-01458-7",
        "Singh, Harpreet",
    ),
    # synthesisr Scopus_bib_example.bib line 53: @ARTICLE{Tang2020, author={Tang, H. and ...
    (
        "bib_scopus__synthesisr.bib",
        2,
        53,
        "Application of Digital Processing in Relic Image Restoration Design",
        2020,
        "10.1007/s11220-019-0265-8",
        "Tang, H.",
    ),
    # pybibx wos.bib line 2: title wrapped over two lines, Journal = {...-JMR\&T}
    (
        "bib_wos__pybibx.bib",
        0,
        2,
        "Effect of the gap width in AZ31 magnesium alloy joints obtained by friction stir welding",
        2021,
        "10.1016/j.jmrt.2021.10.115",
        "Chiuzuli, Fernanda Rocha",
    ),
    # ieee.csv row 2: "P. Kogge; J. Shalf", DOI 10.1109/MCSE.2013.95
    (
        "csv_ieee__litstudy.csv",
        0,
        2,
        'Exascale Computing Trends: Adjusting to the "New Normal"',
        2013,
        "10.1109/mcse.2013.95",
        "P. Kogge",
    ),
    # lens-export.csv row 502
    (
        "csv_lens__spicy-adobo.csv",
        500,
        502,
        "A systematic literature review of impactful food waste interventions",
        2024,
        "10.1016/j.spc.2024.11.023",
        "Carole Liechti",
    ),
    # PoPCites.csv (Crossref) row 502: "Jakob Mökander, Luciano Floridi"
    (
        "csv_pop_crossref__kagort.csv",
        500,
        502,
        "Correction: Operationalising AI governance through ethics-based auditing",
        2022,
        "10.1007/s43681-022-00191-3",
        "Jakob Mökander",
    ),
    # PoPCites.csv (Google Scholar) row 492: "LK Greene, EA McKenney"
    (
        "csv_pop_googlescholar__propithecus.csv",
        490,
        492,
        "The inside tract: The appendicular, cecal, and colonic microbiome",
        2018,
        "10.1002/ajpa.23481",
        "LK Greene",
    ),
    # legacy PubMed CSV row 31: Description "Aseem SO, Huebert RC.", Details "... doi: ..."
    (
        "csv_pubmed__p1m-ortho_58.csv",
        29,
        31,
        "Epigenetic Mechanisms of Pancreatobiliary Fibrosis.",
        2019,
        "10.1007/s11938-019-00239-0",
        "Aseem SO",
    ),
    # eviatlas.csv row 2: AU "Haddaway, Neal R. and Feierman, Andrew and ..."
    (
        "csv_ristags__synthesisr_eviatlas.csv",
        0,
        2,
        "EviAtlas: a tool for visualising evidence synthesis databases",
        2019,
        "10.1186/s13750-019-0167-1",
        "Haddaway, Neal R.",
    ),
    # scopus.csv row 31: "Rodriguez E.M., Rudy A., Del Rosario R.C.H., ..."
    (
        "csv_scopus__litstudy.csv",
        29,
        31,
        "A discrete Petri net model for cephalostatin-induced apoptosis",
        2011,
        "10.1007/s11047-009-9153-9",
        "Rodriguez, E.M.",
    ),
    # springer.csv row 11: "Mario RüttgersMoritz WaldmannWolfgang SchröderAndreas Lintermann"
    (
        "csv_springer__litstudy.csv",
        9,
        11,
        "A machine-learning-based method for automatizing lattice-Boltzmann simulations",
        2022,
        "10.1007/s10489-021-02808-2",
        "Mario Rüttgers",
    ),
    # My EndNote Library.xml, last record (rec-number 338); the file is a single line
    (
        "endnotexml__wlt13_thesis.xml",
        299,
        1,
        "Mechanisms leading to improved mechanical performance in nanoscale alumina",
        2008,
        "10.1016/j.compscitech.2008.01.009",
        "Zhao, S.",
    ),
    # Respiratory.xml, first record: Ziegler, T. R. (1996), no DOI
    (
        "endnotexml_dupcaptions__bibdedupe_respiratory_first300.xml",
        0,
        1,
        "Perioperative nutritional support in patients undergoing hepatectomy",
        1996,
        "",
        "Ziegler, T. R.",
    ),
    # endnote.xml: first <RECORD>, its DOI only in <URL>10.21105/joss.01686</URL>
    (
        "xml_upper_RECORDS__covid3888.xml",
        0,
        None,
        "Welcome to the tidyverse",
        2019,
        "10.21105/joss.01686",
        "Wickham, Hadley",
    ),
]


def test_every_sample_is_covered(formats_dir: Path) -> None:
    found = {
        p.name
        for pattern in ("bib_*", "csv_*", "endnotexml_*", "xml_*")
        for p in formats_dir.glob(pattern)
    }
    assert found == set(COUNTS)


@pytest.mark.parametrize("name", sorted(COUNTS))
def test_sample_record_count_and_format(formats_dir: Path, name: str) -> None:
    fmt, count = COUNTS[name]
    result = load(formats_dir / name)
    assert result.format == fmt
    assert len(result.records) == count
    assert all(r["source_file"] == str(formats_dir / name) for r in result.records)
    assert len({r["record_id"] for r in result.records}) == count


@pytest.mark.parametrize(
    ("name", "index", "line", "title", "year", "doi", "author"),
    SPOT_CHECKS,
    ids=[c[0] for c in SPOT_CHECKS],
)
def test_sample_spot_check(formats_dir, name, index, line, title, year, doi, author) -> None:
    record = load(formats_dir / name).records[index]
    assert record["title"].startswith(title)
    assert record["year"] == year
    assert record["doi"] == doi
    assert record["authors"].split("; ")[0] == author
    if line is not None:
        assert record["source_line"] == line


def test_bibtex_lines_are_the_entry_lines(formats_dir: Path) -> None:
    path = formats_dir / "bib_wos__pybibx.bib"
    starts = [
        n
        for n, text in enumerate(path.read_text("utf-8-sig").splitlines(), 1)
        if text.startswith("@")
    ]
    assert [r["source_line"] for r in load(path).records] == starts


def test_bibtex_wos_fields(formats_dir: Path) -> None:
    first = load(formats_dir / "bib_wos__pybibx.bib").records[0]
    assert first["journal"] == "JOURNAL OF MATERIALS RESEARCH AND TECHNOLOGY-JMR&T"  # JMR\&T
    assert first["pages"] == "5297-5306"
    # Keywords (author) and Keywords-Plus (index terms) are both kept
    assert "Friction stir welding" in first["keywords"]
    assert "MECHANICAL-PROPERTIES" in first["keywords"]
    assert '"Author"' not in first["original"] and '"author"' in first["original"]


def test_bibtex_scopus_unescaped_percent_and_ampersand(formats_dir: Path) -> None:
    # scopus.bib Yang2024 (line 74), abstract on line 84: "... found to be 0.52%, with a ..."
    record = load(formats_dir / "bib_scopus__pybibx.bib").records[3]
    assert record["source_line"] == 74
    assert "0.52%, with a correlation coefficient value of 0.96101" in record["abstract"]
    assert "83.17%. Effective validation" in record["abstract"]


def test_scopus_csv_authors_and_shifted_rows(formats_dir: Path) -> None:
    result = load(formats_dir / "csv_scopus__litstudy.csv")
    first = result.records[0]
    assert first["author_keys"].startswith("phillips; braun; wang")
    assert first["pages"] == "1781-1802"
    assert first["journal"] == "Journal of Computational Chemistry"
    # "[No author name available]" is Scopus's way of saying none (row 10)
    assert result.records[8]["authors"] == ""
    # Rows 4-59 have 46 cells under a 45-column header: each is reported.
    shifted = [w for w in result.warnings if "46 cells" in w.message]
    assert [w.line for w in shifted] == list(range(4, 60))


def test_pubmed_legacy_csv_fields(formats_dir: Path) -> None:
    # row 2: ShortDetails "Pediatr Allergy Immunol.  2019", EntrezUID 31301691
    first = load(formats_dir / "csv_pubmed__p1m-ortho_58.csv").records[0]
    assert first["journal"] == "Pediatr Allergy Immunol."
    assert first["pmid"] == "31301691"
    assert first["author_keys"] == "nilsson; berthold; mascialino; orme; sjolander; hamilton"


def test_publish_or_perish_authors_without_ellipsis(formats_dir: Path) -> None:
    # row 2: "C Kun‐Rodrigues, J Salmona, A Besolo, ..."
    first = load(formats_dir / "csv_pop_googlescholar__propithecus.csv").records[0]
    assert first["authors"] == "C Kun‐Rodrigues; J Salmona; A Besolo"


def test_lens_markup_and_issns(formats_dir: Path) -> None:
    # row 2: Abstract starts "<jats:p> An industry faced ...", ISSNs "0734242x; 10963669"
    first = load(formats_dir / "csv_lens__spicy-adobo.csv").records[0]
    assert first["abstract"].startswith("An industry faced with escalating")
    assert "<" not in first["abstract"]
    assert first["issn"] == "0734-242X; 1096-3669"


def test_endnote_xml_keeps_caption_and_style_text(formats_dir: Path) -> None:
    record = load(
        formats_dir / "endnotexml_dupcaptions__bibdedupe_respiratory_first300.xml"
    ).records[0]
    assert '"caption": "Duplicate"' in record["original"]
    assert record["journal"] == "Jpen: Journal of Parenteral & Enteral Nutrition"  # &amp;
    assert record["pages"] == "91-92"


def test_endnote_xml_upper_case_lines(formats_dir: Path) -> None:
    path = formats_dir / "xml_upper_RECORDS__covid3888.xml"
    result = load(path)
    lines = Source.from_path(path).lines
    # Each record's line is where its <RECORD> starts in the decoded text.
    assert all(lines[r["source_line"] - 1].startswith("<RECORD>") for r in result.records)
    assert len({r["source_line"] for r in result.records}) == 20
    assert result.records[-1]["title"].startswith("rnaturalearthdata: World Vector Map Data")


# --- hand-written inputs ----------------------------------------------------------------------


BIBTEX = r"""@string{ejp = "European Journal of Psychology"}

@article{mueller2020,
  author = {M{\"u}ller, J{\"o}rg and van der Berg, Anna and {World Health Organization}},
  title = {{Preventing} radicalisation: 50% of cases \& more},
  journal = ejp,
  year = 2020,
  pages = {221--8},
  doi = {10.1000/ABC\_1},
  keywords = {radicalisation; prevention},
}

@article{broken,
  title = {Never closed,

@inproceedings{conf2021,
  Title = {A conference abstract},
  Author = {Doe, Jane},
  Booktitle = {Proceedings of the Meeting},
  Year = {2021},
  Note = {first},
  Note = {second},
}
"""


def test_bibtex_decoding_and_lines() -> None:
    result = loads(BIBTEX, name="refs.bib")
    assert result.format == "bibtex"
    assert len(result.records) == 2
    first, second = result.records
    assert first["source_line"] == 3
    assert first["authors"] == "Müller, Jörg; van der Berg, Anna; World Health Organization"
    assert first["author_keys"].split("; ")[:2] == ["muller", "vanderberg"]
    assert first["title"] == "Preventing radicalisation: 50% of cases & more"
    assert first["journal"] == "European Journal of Psychology"
    assert first["pages"] == "221-228"
    assert first["doi"] == "10.1000/abc_1"
    assert first["keywords"] == "radicalisation; prevention"
    assert first["doc_type"] == "article"
    # Capitalised field names and a repeated field: still read, both values kept.
    assert second["source_line"] == 16
    assert second["journal"] == "Proceedings of the Meeting"
    assert '"note": ["first", "second"]' in second["original"]


def test_bibtex_broken_entry_is_a_warning_with_its_line() -> None:
    warnings = loads(BIBTEX, name="refs.bib").warnings
    broken = [w for w in warnings if "could not be read" in w.message]
    assert len(broken) == 1
    assert broken[0].line == 13
    assert str(broken[0]).startswith("refs.bib:13")


UNKNOWN_TABLE = (
    "Naam artikel;Schrijvers;Jaar;Tijdschrift;Code\n"
    'Weerbaarheid in de wijk;"Jansen, P.; de Vries, K.";2021;'
    "Tijdschrift voor Veiligheid;10.5553/TVV/1\n"
    '"Een\nmeerregelige titel";Bakker, L.;2019;Justitiele Verkenningen;\n'
)
MAPPING = {
    "title": "Naam artikel",
    "authors": "schrijvers",  # matched case-insensitively
    "year": "Jaar",
    "journal": "Tijdschrift",
    "doi": "Code",
}


def test_csv_with_mapping() -> None:
    result = loads(UNKNOWN_TABLE, name="export.csv", mapping=MAPPING)
    assert result.format == "csv"
    first, second = result.records
    assert first["title"] == "Weerbaarheid in de wijk"
    assert first["author_keys"] == "jansen; devries"
    assert first["year"] == 2021
    assert first["journal"] == "Tijdschrift voor Veiligheid"
    assert first["doi"] == "10.5553/tvv/1"
    assert first["source_line"] == 2
    # A quoted cell spanning two lines: the row number counts rows, not lines.
    assert second["title"] == "Een meerregelige titel"
    assert second["source_line"] == 3
    assert '"Naam artikel": "Een\\nmeerregelige titel"' in second["original"]


def test_csv_without_title_column_asks_for_a_mapping() -> None:
    with pytest.raises(IngestError) as error:
        loads(UNKNOWN_TABLE, name="export.csv")
    message = str(error.value)
    assert message.startswith("export.csv:1 (field title)")
    assert "Naam artikel, Schrijvers, Jaar" in message
    assert "mapping" in message and "search log" in message


def test_mapping_to_a_missing_column() -> None:
    with pytest.raises(IngestError) as error:
        loads(UNKNOWN_TABLE, name="export.csv", mapping={**MAPPING, "abstract": "Samenvatting"})
    message = str(error.value)
    assert "'Samenvatting'" in message
    assert "columns found: Naam artikel, Schrijvers, Jaar, Tijdschrift, Code" in message
    assert "(field abstract)" in message


def test_mapping_to_an_unknown_field() -> None:
    with pytest.raises(IngestError, match="unknown record field 'titel'"):
        loads(UNKNOWN_TABLE, name="export.csv", mapping={"titel": "Naam artikel"})


def test_mapping_overrides_a_recognised_column() -> None:
    table = "Title,Short title,Year\nA long title,Short,2020\n"
    record = loads(table, mapping={"title": "Short title"}).records[0]
    assert record["title"] == "Short"
    assert record["year"] == 2020


def test_tsv_and_record_without_title() -> None:
    table = "Title\tAuthors\tYear\tDOI\nFirst\tDoe, J.\t2020\t\n\tRoe, K.\t2021\t10.1000/x\n"
    result = loads(table, name="export.tsv")
    assert len(result.records) == 2  # the untitled record is kept, with a warning
    assert result.records[1]["doi"] == "10.1000/x"
    [warning] = result.warnings
    assert (warning.line, warning.field) == (3, "title")
    assert str(warning).startswith("export.tsv:3 (field title)")


def test_empty_csv_and_header_only_csv() -> None:
    with pytest.raises(IngestError, match=r"^empty\.csv: file is empty"):
        loads(b"", name="empty.csv", fmt="csv")
    result = loads("Title,Authors,Year\n", name="header.csv")
    assert result.records == []
    assert any("no records" in w.message for w in result.warnings)


def test_blank_rows_are_not_records() -> None:
    result = loads("Title,Year\nOne,2020\n,\n\nTwo,2021\n", name="t.csv")
    assert [(r["title"], r["source_line"]) for r in result.records] == [("One", 2), ("Two", 5)]


def test_xlsx_first_sheet(tmp_path: Path) -> None:
    import datetime as dt

    from openpyxl import Workbook

    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["Document Title", "Authors", "Publication Year", "DOI", "Added"])
    sheet.append(["Peer mentoring after detention", "Smit, A.; Kok, B.", 2022, None, None])
    sheet.append([None, None, None, None, None])
    sheet.append(["Family support", "Visser, C.", 2018.0, "doi:10.1000/FS", dt.date(2024, 1, 2)])
    workbook.create_sheet("Ignored").append(["Title"])
    path = tmp_path / "export.xlsx"
    workbook.save(path)

    result = load(path)
    assert result.format == "xlsx"
    assert [r["source_line"] for r in result.records] == [2, 4]
    first, second = result.records
    assert first["authors"] == "Smit, A.; Kok, B."
    assert first["year"] == 2022
    assert second["year"] == 2018  # a float cell, not "2018.0"
    assert second["doi"] == "10.1000/fs"
    assert '"Added": "2024-01-02"' in second["original"]


def test_xlsx_with_mapping_and_missing_column(tmp_path: Path) -> None:
    from openpyxl import Workbook

    workbook = Workbook()
    workbook.active.append(["Naam", "Jaartal"])
    workbook.active.append(["Exit-programma", 2017])
    path = tmp_path / "lijst.xlsx"
    workbook.save(path)
    record = load(path, mapping={"title": "Naam", "year": "Jaartal"}).records[0]
    assert (record["title"], record["year"], record["source_line"]) == ("Exit-programma", 2017, 2)
    with pytest.raises(IngestError, match="columns found: Naam, Jaartal"):
        load(path, mapping={"title": "Titel"})


def test_damaged_xlsx(tmp_path: Path) -> None:
    path = tmp_path / "broken.xlsx"
    path.write_bytes(b"PK\x03\x04" + b"\x00" * 100)
    with pytest.raises(IngestError, match=r"not an \.xlsx workbook"):
        load(path)


ENDNOTE = """<?xml version="1.0" encoding="UTF-8" ?>
<xml><records>
<record><ref-type name="Journal Article">17</ref-type>
<contributors><authors><author><style face="normal">Smit, A.</style></author></authors>
<secondary-authors><author>Editor, E.</author></secondary-authors></contributors>
<titles><title><style face="normal">Mentoring </style><style face="italic">after</style>
<style face="normal"> detention</style></title></titles>
<periodical><full-title>Journal of Deradicalization</full-title></periodical>
<dates><year>2020</year></dates><isbn>2363-9849 (Electronic)</isbn>
<accession-num>31234567</accession-num><caption>Duplicate</caption>
<electronic-resource-num>10.1000/JD.1</electronic-resource-num></record>
<record><titles><title>Second</title></titles></record>
</records></xml>
"""


def test_endnote_xml_fields_and_lines() -> None:
    result = loads(ENDNOTE, name="lib.xml")
    assert result.format == "endnote_xml"
    first, second = result.records
    assert first["source_line"] == 3
    assert second["source_line"] == 12
    assert first["title"] == "Mentoring after detention"
    assert first["authors"] == "Smit, A."  # the editor is not an author
    assert first["journal"] == "Journal of Deradicalization"
    assert first["issn"] == "2363-9849"
    assert first["pmid"] == "31234567"
    assert first["doi"] == "10.1000/jd.1"
    assert first["doc_type"] == "Journal Article"
    assert '"caption": "Duplicate"' in first["original"]


def test_truncated_endnote_xml_names_file_and_line() -> None:
    truncated = ENDNOTE[: ENDNOTE.index("<record><titles>") + 20]
    with pytest.raises(IngestError) as error:
        loads(truncated, name="lib.xml")
    assert re.match(r"lib\.xml:12: XML is broken here", str(error.value))
    assert error.value.line == 12


def test_endnote_xml_entities_refused() -> None:
    bomb = '<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaa">]><xml><records>&a;</records></xml>'
    with pytest.raises(IngestError, match="refused"):
        loads(bomb, name="bomb.xml", fmt="endnote_xml")


def test_excel_sep_line_names_the_delimiter() -> None:
    result = loads("sep=;\nTitle;Year\nWijkaanpak;2020\n", name="excel.csv")
    [record] = result.records
    assert (record["title"], record["year"], record["source_line"]) == ("Wijkaanpak", 2020, 3)


def test_stray_quote_joining_rows_is_reported() -> None:
    table = 'Title,Year,DOI\n"Broken title,2020,\nNext,2021,10.1000/x\n'
    result = loads(table, name="quote.csv")
    assert len(result.records) == 1  # the quote swallowed the next row...
    # ...and the short row says so, with its row number.
    assert any(
        w.line == 2 and "only 1 of the header's 3 cells" in w.message for w in result.warnings
    )


# --- rows with more cells than the header ---------------------------------------------------

SCOPUS_HEADER = (
    "Authors,Title,Year,Source title,DOI,Funding Text 1,References,PubMed ID,"
    "Language of Original Document,Document Type,Publication Stage,Source,EID\n"
)


def test_row_with_an_extra_cell_is_an_error_naming_file_and_rows() -> None:
    table = "Title,Year,Language\nFine,2020,English\nSplit, title,2021,English\nAlso,2019,Dutch,x\n"
    with pytest.raises(IngestError) as error:
        loads(table, name="export.csv")
    message = str(error.value)
    assert message.startswith("export.csv:3: 2 row(s) have more cells than the header's 3")
    assert "row 3 (4 cells), row 4 (4 cells)" in message


def test_extra_empty_cells_are_harmless() -> None:
    result = loads("Title,Year\nOne,2020,,\n", name="t.csv")
    assert [r["title"] for r in result.records] == ["One"]


def test_scopus_funding_text_overflow_is_realigned_with_a_warning() -> None:
    # Scopus names only "Funding Text 1"; a second funding text shifts every later cell.
    row = ('"Doe J.",Exit work,2022,J Crim,10.1/x,Grant A,Grant B,"Ref (2005)",35064163,'
           "English,Article,Final,Scopus,2-s2.0-85123480963\n")  # fmt: skip
    result = loads(SCOPUS_HEADER + row, name="scopus.csv")
    [record] = result.records
    assert record["language"] == "English"  # not the PubMed id
    assert record["pmid"] == "35064163"
    assert record["doc_type"] == "Article"
    assert '"Funding Text 2": "Grant B"' in record["original"]
    assert any(w.line == 2 and "Funding Text 2" in w.message for w in result.warnings)


def test_scopus_row_shifted_elsewhere_is_not_guessed() -> None:
    # One cell too many at the end. Read as a second funding text, the rest would shift: the
    # PubMed id column would hold "English" and the EID "extra". The checks refuse that
    # reading, so the row is an error rather than a guess.
    row = ('"Doe J.",Exit work,2022,J Crim,10.1/x,Grant A,"Ref (2005)",35064163,English,'
           "Article,Final,Scopus,2-s2.0-85123480963,extra\n")  # fmt: skip
    with pytest.raises(IngestError, match=r"scopus\.csv:2: 1 row\(s\) have more cells"):
        loads(SCOPUS_HEADER + row, name="scopus.csv")


def test_real_scopus_export_languages_are_languages(formats_dir: Path) -> None:
    # csv_scopus__litstudy.csv: rows 4-59 carry a second funding text under a header that
    # names one; read straight, their PubMed id landed in language (row 4: "35064163").
    result = load(formats_dir / "csv_scopus__litstudy.csv")
    languages = {r["language"] for r in result.records}
    assert languages <= {"English", ""}, languages
    row4 = next(r for r in result.records if r["source_line"] == 4)
    assert row4["pmid"] == "35064163"
