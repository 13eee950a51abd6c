"""RIS, Web of Science (plain text and tab-delimited), MEDLINE/.nbib and ProQuest readers.

Expected values in the real-file tests were read from the files themselves (grep/sed on the
lines quoted in the comments), not from the readers' output. Line numbers count a lone CR as
a line end, as Source does (the ASySD WoS-RIS and IEEE files have lone CRs between tags).
"""

from __future__ import annotations

import codecs
import csv
import json
from pathlib import Path

import pytest

from slrflow.ingest import IngestError, load, loads
from slrflow.ingest.sniff import detect_format
from slrflow.ingest.source import Source

# --- every real sample of the tagged formats -----------------------------------------------

# Counts checked by hand: RIS by `grep -c '^ER  -'` (and TY lines, BOM stripped), WoS by
# `grep -c '^ER'`, MEDLINE by `grep -c '^PMID-'`, WoS tab-delimited by counting data lines,
# ProQuest by `grep -c '^Document [0-9]* of'`.
COUNTS = {
    "medline_pubmed__metaknowledge.medline": ("medline", 175),
    "medline_pubmed__synthesisr.txt": ("medline", 3),
    "medline_pubmed__synthesisr_res_synth_methods.txt": ("medline", 2),
    "nbib_pubmed__p1m-ortho_citations.nbib": ("medline", 200),
    # MANIFEST.tsv says 105; the file holds "Document 1 of 100" ... "Document 100 of 100" and
    # then a Bibliography section repeating the same 100 documents as BibTeX citations.
    "proquest_txt__metaknowledge.txt": ("proquest", 100),
    "ris_bom_mixed__synthesisr_citesource_issue_24.ris": ("ris", 17),
    "ris_dimensions__citesource.ris": ("ris", 246),
    "ris_ebsco_asp__synthesisr.ris": ("ris", 4),
    "ris_ebsco_crimjustabstracts__citesource_gambling.ris": ("ris", 41),
    "ris_ebsco_econlit__citesource.ris": ("ris", 3),
    "ris_ebsco_psycinfo__citesource_gambling.ris": ("ris", 124),
    "ris_endnote__asysd_ris_export.txt": ("ris", 69),
    "ris_fixture__rispy_example_bom.ris": ("ris", 1),
    "ris_fixture__rispy_example_empty_tag.ris": ("ris", 1),
    "ris_fixture__rispy_example_extraneous_data.ris": ("ris", 2),
    "ris_fixture__rispy_example_multiline.ris": ("ris", 3),
    "ris_fixture__rispy_example_starting_newlines.ris": ("ris", 1),
    "ris_fixture__rispy_example_urls.ris": ("ris", 4),
    "ris_fixture__rispy_example_utf_chars.ris": ("ris", 1),
    # 25 ER lines; only the first TY is at a line start when CRs are ignored ("\n\rTY").
    "ris_ieee__litstudy_example.ris": ("ris", 25),
    "ris_lens__citesource_gambling.ris": ("ris", 49),
    "ris_misc__revtools_avian_ecology.ris": ("ris", 20),
    "ris_ovid__synthesisr.ris": ("ris", 4),
    "ris_pubmed__citesource_gambling.ris": ("ris", 176),
    "ris_scopus__asysd.ris": ("ris", 10),
    "ris_scopus__citesource_gambling.ris": ("ris", 255),
    "ris_scopus__synthesisr.ris": ("ris", 3),
    "ris_wos__asysd.ris": ("ris", 50),
    # WoS plain text saved under a .ris name: read as WoS, by content.
    "wos_plaintext__rispy_example_wos_misnamed.ris": ("wos", 2),
    "wos_plaintext__synthesisr.ciw": ("wos", 5),
    "wos_plaintext__synthesisr.txt": ("wos", 4),
    "wos_plaintext__wosfile.txt": ("wos", 50),
    "wos_plaintext_bad__metaknowledge_badFile.isi": ("wos", 32),
    "wos_plaintext_zoorec__synthesisr.txt": ("wos", 134),
    "wos_tabdelim_utf16__wosfile.txt": ("wos_tab", 50),
    "wos_tabdelim_utf8__wosfile.txt": ("wos_tab", 50),
}
TAGGED = ("ris_*", "wos_*", "medline_*", "nbib_*", "proquest_*")

# (file, index, source_line, title starts with, year, doi, first author, pmid); the last
# record of each file unless noted, with the lines it was checked against.
# fmt: off
SPOT_CHECKS = [
    # truncated last record: PMID- 26153366 (line 14925), DP 2016 Jan, TI cut mid-word, no
    # FAU/LID/AID lines left
    ("medline_pubmed__metaknowledge.medline", -1, 14925, "Evaluation of the frequency of G-765C",
     2016, "", "", "26153366"),
    # first record: PMID- 26524502, DP 2016 Jan 15, LID 10.1016/j.gene.2015.10.064 [doi]
    ("medline_pubmed__metaknowledge.medline", 0, 2, "Bioinformatic survey of ABC transporters",
     2016, "10.1016/j.gene.2015.10.064", "Gadzalski, Marek", "26524502"),
    ("medline_pubmed__synthesisr.txt", -1, 190, "Mulch and groundcover effects on soil", 2018,
     "10.7717/peerj.5082", "Bavougian, Christina M", "29967742"),
    ("medline_pubmed__synthesisr_res_synth_methods.txt", -1, 61, "revtools: An R package",
     2019, "10.1002/jrsm.1374", "Westgate, Martin J", "31355546"),
    # AID - 10.1086/340102 [doi] (no LID with [doi] in this record)
    ("nbib_pubmed__p1m-ortho_citations.nbib", -1, 15884, "Vertebral osteomyelitis: long-term",
     2002, "10.1086/340102", "McHenry, Martin C", "11981730"),
    ("proquest_txt__metaknowledge.txt", 0, 218, "Entrenchment and the Kripke-Wittgenstein",
     2014, "", "Dorst, Chris", ""),
    ("proquest_txt__metaknowledge.txt", -1, 6692, "Anthrobiota: Human-microbe relationships",
     2014, "", "Benezra, Amber", ""),
    ("ris_bom_mixed__synthesisr_citesource_issue_24.ris", -1, 383,
     "Systematic map of conservation psychology", 2020, "10.1111/cobi.13623",
     "Wallen, Kenneth E.", "33245809"),  # UR ... pubmed.ncbi.nlm.nih.gov/33245809
    # U1  - 35957633 [PMID] (first record)
    ("ris_dimensions__citesource.ris", 0, 2, "The long-term impact of bushfires", 2022,
     "10.1080/20008198.2022.2087980", "Zhang, Yanqin", "35957633"),
    ("ris_dimensions__citesource.ris", -1, 5032, "International Entrepreneurship and the",
     2021, "10.18226/21789061.v13i4p09", "Correia, Adriana Mirely Silva Spindola", ""),
    # EBSCO: title in T1, year in Y1 2016/11//, DOI only in L3
    ("ris_ebsco_asp__synthesisr.ris", -1, 83, "2ZGK-6 型可调宽窄行高速水稻插秧机设计与试验", 2016,
     "10.11975/j.issn.1002-6819.2016.21.005", "朱德泉", ""),
    ("ris_ebsco_crimjustabstracts__citesource_gambling.ris", -1, 1500,
     "A Prospective Investigation of Affect, the Desire to Gamble", 2016,
     "10.1007/s10899-016-9616-8", "Quilty, Lena C", ""),
    ("ris_ebsco_econlit__citesource.ris", -1, 41, "Developing Social Capital as a Response",
     2008, "", "Prante, Tyler", ""),
    ("ris_ebsco_psycinfo__citesource_gambling.ris", -1, 4249,
     "Harm Reduction for the Prevention of Youth Gambling Problems", 2004,
     "10.1177/0743558403258272", "Dickson, Laurie M.", ""),
    ("ris_endnote__asysd_ris_export.txt", -1, 2150, "The amyloid precursor protein: beyond",
     2006, "10.1186/1750-1326-1-5", "Zheng, Hui", ""),
    # entry with only TY and DO
    ("ris_fixture__rispy_example_bom.ris", 0, 1, "", None, "10.1186/s40981-020-0316-0", "", ""),
    # DO  - http://dx.doi.org/10.1177/2325967120950040 ; A1  - Fanning E.
    ("ris_fixture__rispy_example_empty_tag.ris", 0, 1, "Outcome Measures After Shoulder", 2020,
     "10.1177/2325967120950040", "Fanning E.", ""),
    # "Record #1 of 2 / Provider / Content / 1." before each entry; TY at lines 5 and 33
    ("ris_fixture__rispy_example_extraneous_data.ris", -1, 33, "The title of the reference",
     2006, "", "Marxus, Karlus", ""),
    ("ris_fixture__rispy_example_starting_newlines.ris", 0, 3, "A Mathematical Theory of",
     1948, "", "Shannon,Claude E.", ""),
    ("ris_fixture__rispy_example_urls.ris", -1, 35, "A Mathematical Theory of Communication",
     1948, "", "Shannon,Claude E.", ""),
    # no TI: the title is the Russian ST (short title) line
    ("ris_fixture__rispy_example_utf_chars.ris", 0, 1, "Состояние рецепторного аппарата", 2009,
     "", "Dobrokhotova, Yu E.", ""),
    ("ris_ieee__litstudy_example.ris", -1, 852, "Trends in High Performance Computing:",
     2019, "10.1109/itherm.2019.8757229", "L. A. Parnell", ""),
    ("ris_lens__citesource_gambling.ris", -1, 1349, "Social Costs of Gambling Harm in Italy",
     2022, "10.29173/cgs50", "Lucchini, Fabio", ""),
    ("ris_misc__revtools_avian_ecology.ris", -1, 402, "Relative importance of perch", 2016,
     "10.1016/j.actao.2015.11.007", "Fujita, T.", ""),
    # Ovid: "4." before TY (line 104), A1 authors, Y1 2019//, no DO in this entry
    ("ris_ovid__synthesisr.ris", -1, 104, "Diversity of yard plants in the buffer zone", 2019,
     "", "Antoh, A. A.", ""),
    # authorless: TI, PY 2020, DO 10.1136/bmj.m2832, no AU line
    ("ris_pubmed__citesource_gambling.ris", -1, 5542, "Open letter from UK based academic",
     2020, "10.1136/bmj.m2832", "", ""),
    ("ris_scopus__asysd.ris", -1, 636, "Exocrine pancreatic inflammation in canine diabetes",
     2024, "10.1016/j.tvjl.2024.106241", "Johnson-Pitt, A.", ""),
    ("ris_scopus__citesource_gambling.ris", -1, 7176, "Harm Reduction for the Prevention of",
     2004, "10.1177/0743558403258272", "Dickson, L.M.", ""),
    ("ris_scopus__synthesisr.ris", -1, 77, "Application of Digital Processing in Relic Image",
     2020, "10.1007/s11220-019-0265-8", "Tang, H.", ""),
    ("ris_wos__asysd.ris", -1, 2060, "Gallbladder mucocele in a 12-year-old cocker spaniel",
     2011, "", "Norwich, A", ""),
    ("wos_plaintext__rispy_example_wos_misnamed.ris", -1, 112, "Proximal and distal influences",
     2004, "10.1021/bi0497291", "Cao, WX", "15170339"),
    # no AF: authors from AU
    ("wos_plaintext__synthesisr.ciw", -1, 184, "EPO could be regulated by HIF-1", 2020,
     "10.1080/21691401.2019.1699827", "Yu, Yijun", "31851837"),
    ("wos_plaintext__synthesisr.txt", -1, 137, "miR-324-5p inhibits gallbladder carcinoma",
     2020, "10.1080/21691401.2019.1703724", "Zhang, Xinrong", "31858815"),
    ("wos_plaintext__wosfile.txt", -1, 5358, "Engineering research in ocean sector", 2005,
     "10.1007/s11192-005-0268-1", "Dastidar, PG", ""),
    ("wos_plaintext_bad__metaknowledge_badFile.isi", 0, 3,
     "EXPERIMENTS IN PHENOMENOLOGICAL ELECTRODYNAMICS AND THE ELECTROMAGNETIC ENERGY-MOMENTUM",
     1979, "10.1016/0370-1573(79)90074-7", "BREVIK, I", ""),
    ("wos_plaintext_bad__metaknowledge_badFile.isi", -1, 2031, "INTERNAL PHOTON IMPULSE", 1974,
     "", "BEAUREGA.OC", ""),
    # first record: "AU Stillman, Andrew N. (andrew.stillman@uconn.edu) " -> e-mail dropped
    ("wos_plaintext_zoorec__synthesisr.txt", 0, 3, "Nest site selection and nest survival",
     2019, "", "Stillman, Andrew N.", ""),
    ("wos_plaintext_zoorec__synthesisr.txt", -1, 6744, "A review of the Three-toed Woodpeckers",
     1900, "", "Bangs, O.", ""),
    # tab-delimited: the header is row 1, so the 50th record is row 51
    ("wos_tabdelim_utf16__wosfile.txt", -1, 51, "Engineering research in ocean sector", 2005,
     "10.1007/s11192-005-0268-1", "Dastidar, PG", ""),
    ("wos_tabdelim_utf8__wosfile.txt", 0, 2, "Knowledge networks as channels and conduits",
     2004, "10.1287/orsc.1030.0054", "Owen-Smith, J", ""),
]
# fmt: on


@pytest.fixture(scope="module")
def loaded(formats_dir: Path):
    """Each sample read once for the whole module (keeps the suite fast)."""
    cache: dict[str, object] = {}

    def get(name: str):
        if name not in cache:
            cache[name] = load(formats_dir / name)
        return cache[name]

    return get


def test_every_tagged_sample_is_covered(formats_dir: Path) -> None:
    found = {p.name for pattern in TAGGED for p in formats_dir.glob(pattern)}
    assert found == set(COUNTS)


def test_manifest_counts_agree_except_where_corrected(formats_dir: Path) -> None:
    with open(formats_dir / "MANIFEST.tsv", encoding="utf-8", newline="") as handle:
        manifest = {
            row["file"]: int(row["records"]) for row in csv.DictReader(handle, delimiter="\t")
        }
    wrong = {name for name in COUNTS if manifest[name] != COUNTS[name][1]}
    assert wrong == {"proquest_txt__metaknowledge.txt"}


@pytest.mark.parametrize("name", sorted(COUNTS))
def test_sample_record_count_and_format(loaded, formats_dir: Path, name: str) -> None:
    fmt, count = COUNTS[name]
    result = loaded(name)
    assert result.format == fmt
    assert len(result.records) == count
    assert all(r["source_file"] == str(formats_dir / name) for r in result.records)
    assert all(r["format"] == fmt for r in result.records)
    lines = [r["source_line"] for r in result.records]
    assert lines == sorted(set(lines)), "every record starts on its own, later line"


@pytest.mark.parametrize(
    ("name", "index", "line", "title", "year", "doi", "author", "pmid"),
    SPOT_CHECKS,
    ids=[f"{c[0]}[{c[1]}]" for c in SPOT_CHECKS],
)
def test_sample_spot_check(loaded, name, index, line, title, year, doi, author, pmid) -> None:
    record = loaded(name).records[index]
    assert record["source_line"] == line
    assert record["title"].startswith(title)
    assert bool(record["title"]) == bool(title)
    assert record["year"] == year
    assert record["doi"] == doi
    assert record["authors"].split("; ")[0] == author
    assert record["pmid"] == pmid


# --- format-specific checks on the real samples --------------------------------------------


def test_malformed_wos_file_keeps_intact_records_and_says_what_is_wrong(loaded) -> None:
    """badFile.isi: record 1 has its CR tag line moved below NR (line 117), so its 104 cited
    references are read as continuation lines of C1 and CR holds one; the file has no EF."""
    result = loaded("wos_plaintext_bad__metaknowledge_badFile.isi")
    assert len(result.records) == 32
    messages = {(w.line, w.field): w.message for w in result.warnings}
    assert set(messages) == {(118, "CR"), (2070, None)}
    assert "NR (line 117) says 104 cited references but CR lists 1" in messages[(118, "CR")]
    assert "record at line 3" in messages[(118, "CR")]
    assert "does not end with 'EF'" in messages[(2070, None)]
    first = result.records[0]
    assert first["pages"] == "133-201"  # BP 133 / EP 201
    assert first["journal"] == "PHYSICS REPORTS-REVIEW SECTION OF PHYSICS LETTERS"
    assert first["issn"] == "0370-1573"
    assert all(w.file.endswith("badFile.isi") for w in result.warnings)


def test_truncated_medline_file_keeps_last_record_with_warning(loaded) -> None:
    result = loaded("medline_pubmed__metaknowledge.medline")
    assert [(w.line, "no SO (source) line" in w.message) for w in result.warnings] == [
        (14925, True)
    ]
    # the title is cut at "...in the\n      endometriu" (end of file)
    assert result.records[-1]["title"].endswith("expression of this gene in the endometriu")


def test_medline_fields(loaded) -> None:
    first = loaded("medline_pubmed__metaknowledge.medline").records[0]
    assert first["pages"] == "466-475"  # PG  - 466-75
    assert first["issue"] == "1 Pt 3"
    assert first["issn"] == "1879-0038; 0378-1119"  # IS (Electronic) and (Linking)
    assert first["journal"] == "Gene"
    assert first["language"] == "eng"


def test_ris_junk_between_entries_is_reported_by_line(loaded) -> None:
    result = loaded("ris_fixture__rispy_example_extraneous_data.ris")
    assert [w.line for w in result.warnings] == [1, 29]  # "Record #1 of 2", "Record #2 of 2"
    assert "Record #1 of 2" in result.warnings[0].message
    assert [r["source_line"] for r in result.records] == [5, 33]


def test_ris_multiline_values_and_unknown_tags_are_kept(loaded) -> None:
    records = loaded("ris_fixture__rispy_example_multiline.ris").records
    # third entry: "N2  - first line," then "ER then second line and at the end" unindented
    original = json.loads(records[2]["original"])
    words = " ".join(original["N2"].split())
    assert words == "first line, ER then second line and at the end the last line"
    assert original["N1"].split("\n") == ["first line", "* second line", "* last line"]
    scopus = json.loads(loaded("ris_scopus__synthesisr.ris").records[0]["original"])
    assert scopus["C7"] == "1722034" and len(scopus["AD"]) == 3  # tags rispy does not name


def test_ris_database_specific_fields(loaded) -> None:
    asp = loaded("ris_ebsco_asp__synthesisr.ris").records[0]
    assert asp["issn"] == "0167-8809"  # SN  - 01678809
    assert asp["pages"] == "206-217"  # SP 206 / EP 217
    assert asp["journal"] == "Agriculture, Ecosystems & Environment"  # JF
    crim = loaded("ris_ebsco_crimjustabstracts__citesource_gambling.ris").records[0]
    assert not crim["abstract"].startswith("Copyright of")
    assert "Copyright of Addiction Research" not in crim["abstract"]
    endnote = loaded("ris_endnote__asysd_ris_export.txt").records[0]
    assert endnote["pages"] == "1535-1541"  # SP  - 1535-41
    assert endnote["issn"] == "0964-6906"  # SN  - 0964-6906 (Print)0964-6906
    scopus = loaded("ris_scopus__synthesisr.ris").records[0]
    assert scopus["pages"] == "1722034"  # no SP; C7 (article number) 1722034
    lens = loaded("ris_lens__citesource_gambling.ris").records[1]  # TY at line 18 ... ER 45
    assert lens["pmid"] == "32424665"  # L2  - https://www.ncbi.nlm.nih.gov/pubmed/32424665
    assert lens["issn"] == "1573-3602; 1050-5350"  # SN  - 15733602 / SN  - 10505350
    pubmed = loaded("ris_pubmed__citesource_gambling.ris").records[0]
    assert pubmed["issn"] == "1660-4601; 1661-7827"  # SN  - 1660-4601 1661-7827


def test_wos_tab_utf16_and_utf8_give_the_same_records(loaded) -> None:
    def content(name):
        return [
            {k: v for k, v in r.items() if k not in ("record_id", "search_id", "source_file")}
            for r in loaded(name).records
        ]

    assert content("wos_tabdelim_utf16__wosfile.txt") == content("wos_tabdelim_utf8__wosfile.txt")
    assert loaded("wos_tabdelim_utf16__wosfile.txt").encoding == "utf-16"


def test_wos_plain_and_tab_exports_of_the_same_search_agree(loaded) -> None:
    """wosfile's plain-text and tab-delimited samples are the same 50 records."""
    plain = loaded("wos_plaintext__wosfile.txt").records
    tab = loaded("wos_tabdelim_utf8__wosfile.txt").records
    for field in ("title", "authors", "year", "doi", "pages", "journal", "issn"):
        assert [r[field] for r in plain] == [r[field] for r in tab], field


def test_proquest_fields(loaded) -> None:
    first = loaded("proquest_txt__metaknowledge.txt").records[0]
    assert first["isbn"] == "9781303940095"
    assert first["doc_type"] == "Dissertation/Thesis"
    assert first["url"].endswith("docview/1548716365?accountid=14906")
    assert "Kripke-Wittgenstein paradox" in first["keywords"].split("; ")
    assert loaded("proquest_txt__metaknowledge.txt").warnings == []


def test_every_sample_is_detected_by_content(formats_dir: Path) -> None:
    for name, (fmt, _count) in COUNTS.items():
        assert detect_format(Source.from_path(formats_dir / name)) == fmt, name


# --- bad input, with small hand-written files ------------------------------------------------

RIS_TWO = (
    "TY  - JOUR\nTI  - First title\nAU  - Smith, J\nPY  - 2020\nER  - \n\n"
    "TY  - JOUR\nTI  - Second title\nPY  - 2021\nER  - \n"
)


def _warnings(result) -> list[tuple[int | None, str]]:
    return [(w.line, w.message) for w in result.warnings]


def test_ris_truncated_file_keeps_last_entry(tmp_path: Path) -> None:
    path = tmp_path / "cut.ris"
    path.write_text(RIS_TWO[: RIS_TWO.index("PY  - 2021")], encoding="utf-8")
    result = load(path)
    assert [r["title"] for r in result.records] == ["First title", "Second title"]
    ((line, message),) = _warnings(result)
    assert line == 7 and "truncated" in message
    assert str(result.warnings[0]).startswith(f"{path}:7: ")


def test_ris_entry_without_er_before_next_entry(tmp_path: Path) -> None:
    text = RIS_TWO.replace("PY  - 2020\nER  - \n", "PY  - 2020\n")
    result = loads(text, name="noer.ris")
    assert [r["year"] for r in result.records] == [2020, 2021]
    assert [w.line for w in result.warnings] == [1]
    assert "next entry at line 6" in result.warnings[0].message


def test_ris_junk_and_missing_ty_never_lose_an_entry() -> None:
    text = "Exported 2024\n\n" + RIS_TWO.replace("TY  - JOUR\nTI  - Second", "TI  - Second")
    text += "stray footer\n"
    result = loads(text, name="junk.ris")
    assert [r["title"] for r in result.records] == ["First title", "Second title"]
    lines = [w.line for w in result.warnings]
    assert lines == [1, 9, 12]  # junk, tag line with no TY before it, footer
    assert "no 'TY  - ' before it" in result.warnings[1].message


def test_ris_tag_without_space_after_the_dash() -> None:
    result = loads("TY  - JOUR\nTI  -Tight title\nPY  -2020\nSP  -\nER  -\n", name="t.ris")
    assert (result.records[0]["title"], result.records[0]["year"]) == ("Tight title", 2020)


def test_record_without_title_is_kept_with_warning() -> None:
    result = loads("TY  - JOUR\nAU  - Doe, A\nDO  - 10.1000/xyz\nER  - \n", name="nt.ris")
    assert result.records[0]["doi"] == "10.1000/xyz"
    assert [(w.line, w.field) for w in result.warnings] == [(1, "title")]


def test_latin1_file_is_read_with_a_warning(tmp_path: Path) -> None:
    path = tmp_path / "latin1.ris"
    path.write_bytes(
        "TY  - JOUR\nTI  - Caf\u00e9 study\nAU  - M\u00fcller, H\nER  - \n".encode("latin-1")
    )
    result = load(path)
    assert result.records[0]["title"] == "Caf\u00e9 study"
    assert result.records[0]["author_keys"] == "muller"
    assert result.encoding == "cp1252"
    assert result.warnings[0].line == 2 and "not valid UTF-8" in result.warnings[0].message


def test_utf8_export_joined_with_a_latin1_one_keeps_both_right(tmp_path: Path) -> None:
    path = tmp_path / "joined.ris"
    utf8 = "TY  - JOUR\nTI  - Caf\u00e9 one\nER  - \n".encode()
    latin1 = "TY  - JOUR\nTI  - Caf\u00e9 two\nER  - \n".encode("latin-1")
    path.write_bytes(codecs.BOM_UTF8 + utf8 + latin1)
    result = load(path)
    assert [r["title"] for r in result.records] == ["Caf\u00e9 one", "Caf\u00e9 two"]
    assert result.encoding == "utf-8+cp1252"
    assert [(w.line, "1 line(s)" in w.message) for w in result.warnings] == [(5, True)]


@pytest.mark.parametrize(
    ("encoding", "bom"),
    [
        ("utf-16-le", codecs.BOM_UTF16_LE),
        ("utf-16-be", codecs.BOM_UTF16_BE),
        ("utf-8", codecs.BOM_UTF8),
        ("utf-16-le", b""),
    ],
)
def test_utf16_and_byte_order_marks(tmp_path: Path, encoding: str, bom: bytes) -> None:
    path = tmp_path / "enc.ris"
    path.write_bytes(bom + RIS_TWO.replace("First", "Ĳssel First").encode(encoding))
    result = load(path)
    assert [r["title"] for r in result.records] == ["Ĳssel First title", "Second title"]
    assert [r["source_line"] for r in result.records] == [1, 7]
    assert result.warnings == []


def test_crlf_line_ends_keep_line_numbers(tmp_path: Path) -> None:
    path = tmp_path / "crlf.txt"
    wos = (
        "FN Clarivate\nVR 1.0\nPT J\nAU Doe, J\nTI A long\n   title\nPY 2020\nER\n\n"
        "PT J\nTI B\nPY 2019\nER\n\nEF\n"
    )
    path.write_bytes(wos.replace("\n", "\r\n").encode("utf-8"))
    result = load(path)
    assert result.format == "wos"
    assert [(r["source_line"], r["title"]) for r in result.records] == [
        (3, "A long title"),
        (10, "B"),
    ]
    assert result.warnings == []


@pytest.mark.parametrize("data", [b"", b"\n  \r\n", codecs.BOM_UTF8 + b"\r\n", codecs.BOM_UTF16_LE])
def test_empty_file_is_an_error_naming_the_file(tmp_path: Path, data: bytes) -> None:
    path = tmp_path / "empty.ris"
    path.write_bytes(data)
    with pytest.raises(IngestError, match=r"empty\.ris: file is empty"):
        load(path)


@pytest.mark.parametrize(
    "data",
    [
        b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4,
        b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj <<>>\n",
        bytes(range(1, 256)) * 20,
    ],
    ids=["png", "pdf", "control-bytes"],
)
def test_binary_files_are_refused_clearly(tmp_path: Path, data: bytes) -> None:
    path = tmp_path / "export.ris"
    path.write_bytes(data)
    with pytest.raises(IngestError, match=r"export\.ris.*(binary|PDF)"):
        load(path)


def test_wos_truncated_and_unterminated_records() -> None:
    text = "FN x\nVR 1.0\nPT J\nTI One\nPY 2001\nPT J\nTI Two\nER\nPT J\nTI Three\nPY 20"
    result = loads(text, name="cut.txt")
    assert [r["title"] for r in result.records] == ["One", "Two", "Three"]
    # the cut-off record, the record without an end, and the cut-off year "20"
    assert [(w.line, w.field) for w in result.warnings] == [(3, None), (9, None), (9, "year")]
    assert "before the next record at line 6" in result.warnings[0].message
    assert "truncated" in result.warnings[1].message


def test_wos_stray_lines_are_reported() -> None:
    text = "FN x\nVR 1.0\nPT J\nTI One\nnot a tag\nER\ngarbage\nEF\n"
    result = loads(text, name="stray.txt")
    assert result.records[0]["title"] == "One not a tag"
    assert [(w.line, w.field) for w in result.warnings] == [(5, "TI"), (7, None)]


def test_medline_junk_and_missing_source() -> None:
    text = (
        "PMID- 1\nTI  - A title\n      continued\nSO  - J. 2020.\n\n"
        "something else\n\nPMID- 2\nTI  - B\n"
    )
    result = loads(text, name="p.nbib")
    assert result.format == "medline"
    assert [r["title"] for r in result.records] == ["A title continued", "B"]
    assert [(w.line, "SO" in w.message) for w in result.warnings] == [(6, False), (8, True)]


def test_medline_record_that_lost_its_pmid_line_is_not_merged() -> None:
    text = "PMID- 1\nTI  - One\nSO  - J.\n\nTI  - Two\nSO  - K.\n"
    result = loads(text, name="lost.nbib")
    assert [(r["title"], r["pmid"], r["source_line"]) for r in result.records] == [
        ("One", "1", 1),
        ("Two", "", 5),
    ]
    assert [w.line for w in result.warnings] == [5]
    assert "not PMID" in result.warnings[0].message


def test_wos_tab_short_row_is_reported() -> None:
    text = "PT\tAU\tTI\tSO\tPY\tDI\t\nJ\tDoe, J; Roe, K\tA title\tJ X\t2020\t10.1/x\t\nJ\tShort\n"
    result = loads(text, name="t.txt")
    assert result.format == "wos_tab"
    assert [r["source_line"] for r in result.records] == [2, 3]
    assert result.records[0]["authors"] == "Doe, J; Roe, K"
    assert [w.line for w in result.warnings if "cells" in w.message] == [3]


def test_proquest_small_export() -> None:
    text = (
        "Report Information from ProQuest\n\n____\n\n"
        "Document 1 of 2\n\nA study: of things\n\nAuthor: Doe, Jane; Roe, Kim\n\n"
        "Abstract: First paragraph.\n\nBackground: second paragraph.\n\n"
        "Publication title: Journal of X\n\nVolume: 12\n\nPages: 221-8\n\n"
        "Publication year: 2019\n\nDOI: 10.1000/ABC\n\nISSN: 1234-5678\n\n"
        "________________________________________\n\n"
    )
    result = loads(text, name="pq.txt")
    assert result.format == "proquest"
    (record,) = result.records
    assert record["title"] == "A study: of things"
    assert record["authors"] == "Doe, Jane; Roe, Kim"
    assert record["abstract"] == "First paragraph. Background: second paragraph."
    assert (record["journal"], record["volume"], record["pages"]) == (
        "Journal of X",
        "12",
        "221-228",
    )
    assert (record["year"], record["doi"], record["issn"]) == (2019, "10.1000/abc", "1234-5678")
    assert [(w.line, "of 2" in w.message) for w in result.warnings] == [(5, True)]


def test_unrecognised_text_is_an_error_naming_the_file() -> None:
    with pytest.raises(IngestError, match=r"notes\.txt:1: format not recognised"):
        loads("just some notes\nwithout structure\n", name="notes.txt")


@pytest.mark.parametrize(
    ("text", "fmt"),
    [
        ("FN Clarivate Analytics Web of Science\nVR 1.0\nPT J\nTI x\nER\nEF\n", "wos"),
        ('TY,AU,TI\nJOUR,"Doe, J",x\n', "csv"),  # RIS tags as CSV column names
        ("1.\nTY  - JOUR\nTI  - x\nER  - \n", "ris"),
        ("AU  - Doe, J\nTI  - x\nPY  - 2020\nER  - \n", "ris"),  # entry that lost its TY
        ("\nPMID- 1\nTI  - x\n", "medline"),
        ("@article{k, title={x}}\n", "bibtex"),
        ("PT\tAU\tTI\tSO\nJ\tDoe\tx\ty\n", "wos_tab"),
    ],
)
def test_sniffing_small_files(text: str, fmt: str) -> None:
    assert detect_format(Source("f", text.encode("utf-8"))) == fmt


# --- the command line ------------------------------------------------------------------------


def test_cli_ingest_writes_the_table_and_reports_bad_files(tmp_path: Path, capsys) -> None:
    from slrflow.cli import main
    from slrflow.tables import read_csv

    export = tmp_path / "wos.ris"  # WoS plain text under a RIS name
    export.write_text(
        "FN Clarivate\nVR 1.0\nPT J\nAU Doe, J\nTI A title\nPY 2020\nDI 10.1000/X\nER\nEF\n",
        encoding="utf-8",
    )
    out = tmp_path / "records.csv"
    assert main(["ingest", str(export), "-o", str(out)]) == 0
    table = read_csv(out)
    assert list(table["title"]) == ["A title"]
    assert list(table["format"]) == ["wos"] and list(table["source_line"]) == ["3"]
    assert list(table["doi"]) == ["10.1000/x"]

    empty = tmp_path / "empty.ris"
    empty.write_bytes(b"")
    assert main(["ingest", str(empty), "-o", str(tmp_path / "x.csv")]) == 2
    err = capsys.readouterr().err
    assert f"error: {empty}: file is empty" in err
    assert "Traceback" not in err


def test_a_search_that_found_nothing_has_an_empty_export(tmp_path: Path, capsys):
    from slrflow.cli import main
    from slrflow.tables import read_csv

    empty = tmp_path / "cinahl.ris"
    empty.write_bytes(b"\n")
    out, summary = tmp_path / "x.csv", tmp_path / "x.json"
    found = ["ingest", str(empty), "-o", str(out), "--summary", str(summary)]
    # the search log says the database found nothing: no records, no error
    assert main([*found, "--hits-reported", "0", "--name", "exports/cinahl.ris"]) == 0
    assert len(read_csv(out)) == 0 and "record_id" in read_csv(out).columns
    written = json.loads(summary.read_text("utf-8"))
    assert (written["file"], written["records"], written["format"]) == (
        "exports/cinahl.ris",
        0,
        "empty",
    )
    # the database found 12 but the file is empty: a failed export, said so
    assert main([*found, "--hits-reported", "12"]) == 2
    assert "put 0 in its hits_reported" in capsys.readouterr().err
