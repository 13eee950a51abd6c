"""The coding stage: codebook, studies vs reports, agreement worked out by hand, the final coding,
suggestions and the coding-sheet round trip.

Fixture (tests/fixtures/coding, hand-written): five references, four included at full text
(s1-aaaaaaaaaa, s1-cccccccccc, s1-dddddddddd, s1-ffffffffff); studies.csv groups the first two
into study I1 (the first through its second record s2-bbbbbbbbbb). Coders anouk and bram; a
consensus file settles two of their three disagreements.
"""

from __future__ import annotations

import math
from pathlib import Path

import pytest
from openpyxl import load_workbook

from slrflow.coding import codebook as C
from slrflow.coding import suggest as S
from slrflow.coding.agreement import combine, dimension_agreement
from slrflow.coding.read import read_all, read_file
from slrflow.coding.sheets import COLUMNS, build
from slrflow.coding.studies import link, read_included, read_references
from slrflow.xlsx import save

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def fx(fixtures) -> Path:
    return fixtures / "coding"


@pytest.fixture(scope="module")
def codebook(fx):
    return C.load(fx / "codebook.yaml")


@pytest.fixture(scope="module")
def studies(fx):
    references = read_references(fx / "references.csv")
    included = read_included(fx / "status.csv")
    found, problems = link(references, included, fx / "review" / "coding" / "studies.csv")
    assert problems == []
    return found


@pytest.fixture(scope="module")
def coding(fx, codebook, studies):
    answers, consensus, problems = read_all(
        fx / "review" / "coding", codebook=codebook, studies=studies, coders=["anouk", "bram"]
    )
    assert problems == []
    return combine(studies, codebook, answers, consensus, coders=["anouk", "bram"])


# --- codebook -----------------------------------------------------------------------------


def test_the_reviews_codebook_loads_with_its_model():
    book = C.load(ROOT / "config" / "codebook.yaml")
    groups = {d.group for d in book.dimensions}
    assert {
        "working_elements",
        "barriers",
        "theory",
        "risk_protective",
        "recommended",
        "description",
        "evaluation",
    } <= groups
    working = [d.id for d in book.dimensions if d.group == "working_elements"]
    assert working == [
        "we_cognitive",
        "we_psychosocial",
        "we_social_educational",
        "we_behavioural",
        "we_societal",
    ]
    assert book.dimension("design").type == "single"
    assert set(book.dimension("design").code_ids) == {
        "rct",
        "quasi_experimental",
        "pre_post",
        "qualitative",
        "mixed",
    }
    assert book.dimension("maryland").code_ids == ("sms1", "sms2", "sms3", "sms4", "sms5")
    assert book.dimension("prevention_level").code_ids == ("universal", "selective", "indicated")
    assert book.dimension("phase").code_ids == ("sensitivity", "group", "action")
    assert book.dimension("level").code_ids == ("micro", "meso", "macro")
    assert set(book.dimension("barriers").code_ids) == {
        "short_duration",
        "ideological_resistance",
        "stigma_distrust",
        "transparency_cultural_fit",
        "not_holistic",
    }
    for item in ("why", "what", "who", "how", "where", "when_how_much", "tailoring"):
        assert book.dimension(f"tidier_{item}").type == "text"
    assert book.dimension("sample_size").type == "number"
    # Every code but the catch-all "other country" has English and Dutch key terms.
    for dimension in book.dimensions:
        for code in dimension.codes:
            if code.id != "other":
                assert code.terms_en and code.terms_nl, (dimension.id, code.id)


CODEBOOK_TEXT = """\
dimensions:
  - id: design
    label: Design
    type: single
    codes:
      - {id: rct, label: RCT, definition: Randomised., terms: {en: [rct], nl: [rct]}}
      - {id: rct, label: RCT again, definition: Randomised., terms: {en: [rct], nl: [rct]}}
  - id: notes
    label: Notes
    type: text
  - id: design
    label: Design again
    type: text
"""


def test_codebook_duplicate_ids_name_the_lines():
    with pytest.raises(C.CodebookError) as info:
        C.loads(CODEBOOK_TEXT, name="book.yaml")
    message = str(info.value)
    # the second rct code is on line 7, the first on line 6; the second design on line 11
    assert "book.yaml: 2 problem(s)" in message
    assert "line 7: duplicate code id 'rct' in dimension 'design' (first used on line 6)" in message
    assert "line 11: duplicate dimension id 'design' (first used on line 2)" in message


def test_codebook_schema_errors_name_the_dimension():
    text = "dimensions:\n  - {id: design, label: Design, type: choice}\n"
    with pytest.raises(C.CodebookError, match=r"dimensions\[1\] \(design\), type: 'choice'"):
        C.loads(text, name="book.yaml")
    with pytest.raises(C.CodebookError, match="single-choice but has no codes"):
        C.loads("dimensions:\n  - {id: d, label: D, type: single}\n", name="b.yaml")
    with pytest.raises(C.CodebookError, match=r"b.yaml, line 2: not valid YAML"):
        C.loads("dimensions:\n\t- id: a\n", name="b.yaml")  # a tab on line 2


# --- studies vs reports ---------------------------------------------------------------------


def test_reports_are_linked_to_studies(studies):
    assert [s.intervention_id for s in studies.studies] == ["I1", "I2", "I3"]
    i1 = studies.study("I1")
    # s2-bbbbbbbbbb is the second record of reference s1-aaaaaaaaaa
    assert i1.reports == ("s1-aaaaaaaaaa", "s1-cccccccccc")
    assert i1.intervention == "Empathy training"
    assert studies.reference_of("s2-bbbbbbbbbb") == "s1-aaaaaaaaaa"
    assert "Doe, J.; Roe, R. (2015)" in studies.reports["s1-aaaaaaaaaa"].citation


def test_citation():
    from slrflow.coding.studies import citation

    row = {
        "authors": "A, A.; B, B.; C, C.; D, D.",
        "year": "2018.0",
        "title": "T.",
        "journal": "J",
        "volume": "6",
        "issue": "4",
        "pages": "44-66",
        "doi": "10.1/x",
    }
    assert citation(row) == "A, A.; B, B.; C, C. et al. (2018). T. J 6(4), 44-66. doi:10.1/x"
    assert citation({"title": "Report"}) == "(n.d.). Report."


def test_included_references_come_from_the_full_text_stage(fx):
    # s1-eeeeeeeeee was excluded at title/abstract
    assert read_included(fx / "status.csv") == [
        "s1-aaaaaaaaaa",
        "s1-cccccccccc",
        "s1-dddddddddd",
        "s1-ffffffffff",
    ]


def test_an_unlinked_included_report_is_its_own_study(fx, tmp_path):
    table = tmp_path / "studies.csv"
    table.write_text(
        "intervention_id,intervention,record_id\nI1,Empathy training,s1-aaaaaaaaaa\n"
        "I1,Empathy training,s1-cccccccccc\n"
    )
    references = read_references(fx / "references.csv")
    found, problems = link(references, read_included(fx / "status.csv"), table)
    assert [s.intervention_id for s in found.studies] == ["I1", "s1-dddddddddd", "s1-ffffffffff"]
    assert not found.study("s1-dddddddddd").linked
    assert [p.severity for p in problems] == ["warning", "warning"]
    assert "s1-dddddddddd is not linked" in problems[0].message


def test_without_a_studies_table_every_report_is_a_study(fx):
    references = read_references(fx / "references.csv")
    found, problems = link(references, read_included(fx / "status.csv"), None)
    assert len(found.studies) == 4 and problems == []


# --- agreement worked out by hand -----------------------------------------------------------


def test_kappa_for_a_single_choice_dimension(coding):
    row = coding.agreement.set_index("dimension").loc["design"]
    # design: I1 rct/rct, I2 pre_post/qualitative, I3 qualitative/qualitative
    # po = 2/3; anouk's shares rct 1/3, pre_post 1/3, qualitative 1/3; bram's 1/3, 0, 2/3
    # pe = 1/9 + 0 + 2/9 = 1/3; kappa = (2/3 - 1/3) / (1 - 1/3) = 0.5
    assert row["statistic"] == "cohen_kappa"
    assert row["value"] == "0.500"
    assert row["percent_agreement"] == "0.667"
    # PABAK with k = 3 codes: (3 * 2/3 - 1) / (3 - 1) = 0.5
    assert row["pabak"] == "0.500"
    assert row["units"] == 3 and row["disagreements"] == 1


def test_kappa_for_a_multi_choice_dimension_counts_presence_per_code(coding):
    row = coding.agreement.set_index("dimension").loc["elements"]
    # 3 studies x 3 codes = 9 units (a code left blank by a coder who coded the dimension = no)
    # (anouk, bram): I1 a y,y  b y,n  c n,n | I2 a y,y  b n,y  c n,n | I3 a n,n  b n,n  c y,y
    # po = 7/9; yes shares 4/9 and 4/9; pe = (4/9)^2 + (5/9)^2 = 41/81
    # kappa = (63/81 - 41/81) / (40/81) = 22/40 = 0.55
    assert row["value"] == "0.550"
    assert row["percent_agreement"] == "0.778"
    # PABAK with k = 2 (yes/no): 2 * 7/9 - 1 = 5/9 = 0.556
    assert row["pabak"] == "0.556"
    assert row["units"] == 9 and row["disagreements"] == 2


def test_numbers_and_texts(coding):
    table = coding.agreement.set_index("dimension")
    assert table.loc["sample_size", "percent_agreement"] == "1.000"
    assert table.loc["sample_size", "statistic"] == ""
    assert table.loc["why", "note"] == "free text: not compared"


def test_krippendorff_alpha_for_three_coders(codebook):
    dimension = codebook.dimension("design")
    units = {
        ("I1", "design", ""): {"x": "rct", "y": "rct", "z": "rct"},
        ("I2", "design", ""): {"x": "pre_post", "y": "qualitative", "z": "qualitative"},
        ("I3", "design", ""): {"x": "qualitative", "y": "qualitative"},
    }
    row = dimension_agreement(dimension, units, ["x", "y", "z"])
    # coincidences: I1 o(rct,rct)=3; I2 o(pre,qual)=o(qual,pre)=1, o(qual,qual)=1; I3 o(qual,qual)=2
    # n_rct=3, n_pre=1, n_qual=4, n=8; alpha = 1 - (n-1) * sum_{c!=k} o_ck / sum_{c!=k} n_c n_k
    #   = 1 - 7 * 2 / (2 * (3*1 + 3*4 + 1*4)) = 1 - 14/38 = 0.632
    assert row["statistic"] == "krippendorff_alpha"
    assert math.isclose(float(row["value"]), 24 / 38, abs_tol=5e-4)
    # all three agree on I1 only; I3 (two coders) agrees too: 2 of 3 units
    assert row["percent_agreement"] == "0.667"


def test_kappa_undefined_when_everyone_uses_one_code(codebook):
    units = {
        ("I1", "design", ""): {"x": "rct", "y": "rct"},
        ("I2", "design", ""): {"x": "rct", "y": "rct"},
    }
    row = dimension_agreement(codebook.dimension("design"), units, ["x", "y"])
    assert row["value"] == "" and "undefined" in row["note"]
    assert row["percent_agreement"] == "1.000"


# --- disagreements, consensus and the final coding ------------------------------------------


def test_disagreements_are_listed_and_consensus_settles_them(coding):
    rows = coding.disagreements.to_dict(orient="records")
    assert [(r["intervention_id"], r["dimension"], r["code"], r["status"]) for r in rows] == [
        ("I1", "elements", "b", "settled"),
        ("I2", "elements", "b", "open"),
        ("I2", "design", "", "settled"),
    ]
    assert rows[0]["answers"] == "anouk: yes | bram: no"
    assert rows[2]["consensus"] == "qualitative"


def test_final_coding_is_consensus_where_one_exists(coding):
    final = coding.long[coding.long["coder"] == "final"]
    got = {(r.intervention_id, r.dimension, r.code, r.basis) for r in final.itertuples()}
    assert ("I1", "elements", "b", "consensus") in got
    assert ("I2", "design", "qualitative", "consensus") in got
    assert ("I1", "design", "rct", "agreed") in got
    # the open disagreement has no final value; the pre_post answer is not final
    assert not any(k[:3] == ("I2", "elements", "b") for k in got)
    assert not any(k[:3] == ("I2", "design", "pre_post") for k in got)
    # the agreed final row carries anouk's quote and page
    i1a = final[(final.intervention_id == "I1") & (final.code == "a")].iloc[0]
    assert (i1a.quote, i1a.page, i1a.report) == ("We trained empathy.", "abstract", "s1-aaaaaaaaaa")


def test_wide_table_has_one_row_per_study(coding):
    wide = coding.wide.set_index("intervention_id")
    assert list(wide.index) == ["I1", "I2", "I3"]
    assert wide.loc["I1", "elements"] == "Empathy; Critical thinking"
    assert wide.loc["I1", "reports"] == "s1-aaaaaaaaaa; s1-cccccccccc"
    assert wide.loc["I2", "elements"] == "Empathy"
    assert wide.loc["I2", "open_disagreements"] == "elements.b"
    assert wide.loc["I2", "design"] == "Qualitative"
    assert wide.loc["I1", "sample_size"] == "120"
    # free texts that differ are both kept
    assert wide.loc["I1", "why"] == "Empathy reduces hostility | Empathy as protective factor"


def test_an_included_study_nobody_coded_is_listed_not_dropped(fx, codebook, studies):
    answers, consensus, _ = read_all(
        fx / "review" / "coding", codebook=codebook, studies=studies, coders=["anouk", "bram"]
    )
    answers = [a for a in answers if a.intervention_id != "I3"]
    result = combine(studies, codebook, answers, consensus, coders=["anouk", "bram"])
    assert result.wide.set_index("intervention_id").loc["I3", "status"] == "not coded"
    warnings = [p for p in result.problems if p.intervention_id == "I3"]
    assert len(warnings) == 1 and "has not been coded by anyone" in warnings[0].message


# --- suggestions ----------------------------------------------------------------------------


def test_suggestions_name_term_source_and_sentence(studies, codebook, tmp_path):
    (tmp_path / "s1-dddddddddd.txt").write_text(
        "Page one text.\fWe used a randomised design. Pupils showed veerkracht and resilience."
    )
    frame = S.suggest(studies, codebook, fulltext=tmp_path)
    full = frame[(frame.reference_id == "s1-dddddddddd") & (frame.source == "fulltext")]
    assert set(zip(full.code, full.page, strict=True)) == {("rct", "2"), ("c", "2")}
    c_row = full[full.code == "c"].iloc[0]
    assert c_row.terms == "resilience; veerkracht"
    assert c_row.sentence == "Pupils showed veerkracht and resilience."
    # the abstract of I2 suggests critical thinking (b) with its sentence
    abstract = frame[(frame.intervention_id == "I2") & (frame.source == "abstract")]
    assert ("b", "Interviews with pupils about critical thinking.") in set(
        zip(abstract.code, abstract.sentence, strict=True)
    )


def test_sentences_end_at_full_stops_and_blank_lines():
    text = "Method\n\nWe trained 46 pupils. They met\nweekly.\n\nResults"
    assert S.sentences(text) == ["Method", "We trained 46 pupils.", "They met weekly.", "Results"]


def test_term_patterns_are_whole_words_with_wildcards():
    import re

    assert re.search(S.term_pattern("kritisch denk*"), "Kritisch  denkvermogen", re.I)
    assert not re.search(S.term_pattern("exit"), "exits", re.I)
    assert not re.search(S.term_pattern("ADHD"), "xADHD", re.I)


def test_pdf_full_text_is_read_per_page(studies, codebook, tmp_path):
    from pypdf import PdfWriter
    from pypdf.generic import DecodedStreamObject, DictionaryObject, NameObject

    writer = PdfWriter()
    for text in ("Nothing here.", "Training in empathy helped."):
        page = writer.add_blank_page(width=300, height=200)
        font = DictionaryObject(
            {
                NameObject("/Type"): NameObject("/Font"),
                NameObject("/Subtype"): NameObject("/Type1"),
                NameObject("/BaseFont"): NameObject("/Helvetica"),
            }
        )
        page[NameObject("/Resources")] = DictionaryObject(
            {NameObject("/Font"): DictionaryObject({NameObject("/F1"): writer._add_object(font)})}
        )
        stream = DecodedStreamObject()
        stream.set_data(f"BT /F1 12 Tf 10 100 Td ({text}) Tj ET".encode())
        page[NameObject("/Contents")] = writer._add_object(stream)
    with open(tmp_path / "s1-ffffffffff.pdf", "wb") as handle:
        writer.write(handle)
    frame = S.suggest(studies, codebook, fulltext=tmp_path)
    full = frame[(frame.reference_id == "s1-ffffffffff") & (frame.source == "fulltext")]
    assert list(zip(full.code, full.page, strict=True)) == [("a", "2")]


def test_suggestions_are_never_a_coders_decision(coding):
    assert set(coding.long["coder"]) == {"anouk", "bram", "consensus", "final"}


# --- the coding sheet round trip ------------------------------------------------------------


def test_sheet_round_trip(studies, codebook, tmp_path):
    suggestions = S.suggest(studies, codebook)
    path = tmp_path / "carla.xlsx"
    save(build(studies, codebook, coder="carla", suggestions=suggestions), path)

    workbook = load_workbook(path)
    assert workbook.sheetnames == ["Read me", "Studies", "I1", "I2", "I3", "Codebook", "Lists"]
    assert workbook["Lists"].sheet_state == "hidden"
    assert workbook["Studies"]["C2"].hyperlink.location == "'I1'!A1"
    sheet = workbook["I1"]
    assert [c.value for c in sheet[1]] == COLUMNS
    rows = {(r[1].value, r[2].value or ""): r[0].row for r in sheet.iter_rows(min_row=2)}
    # elements a, b, c + design + sample_size + why
    assert len(rows) == 6
    # dropdowns: yes/no for the multi-choice rows, the design codes for the single-choice row
    formulas = {str(v.sqref): v.formula1 for v in sheet.data_validations.dataValidation}
    col = COLUMNS.index("answer") + 1
    letter = "E"
    assert col == 5
    assert formulas[f"{letter}2 {letter}3 {letter}4"] == "'Lists'!$A$1:$A$2"
    design_range = formulas[f"{letter}{rows[('design', '')]}"]
    lists = workbook["Lists"]
    column = design_range.split("$")[1]
    assert [lists[f"{column}{i}"].value for i in (1, 2, 3)] == ["rct", "pre_post", "qualitative"]
    # the suggestion for empathy quotes the abstract sentence
    suggestion = sheet.cell(row=rows[("elements", "a")], column=COLUMNS.index("suggestion") + 1)
    assert "[abstract] empathy: We trained empathy." in suggestion.value
    # an abstract starting with = is text, not a formula
    abstracts = [c.value for c in workbook["Studies"]["F"] if c.value]
    assert "'=1+1 Veerkracht van jongeren." in abstracts
    assert all(c.data_type != "f" for row in workbook["Studies"].iter_rows() for c in row)

    # fill it in as a coder would, and read it back
    def put(key, answer, quote=None, page=None, report=None):
        row = rows[key]
        sheet.cell(row=row, column=COLUMNS.index("answer") + 1, value=answer)
        if quote:
            sheet.cell(row=row, column=COLUMNS.index("quote") + 1, value=quote)
            sheet.cell(row=row, column=COLUMNS.index("page") + 1, value=page)
        if report:
            sheet.cell(row=row, column=COLUMNS.index("report") + 1, value=report)

    put(("elements", "a"), "yes", "We trained empathy.", 3, "s1-aaaaaaaaaa")
    put(("elements", "c"), "no")
    put(("design", ""), "rct")
    put(("sample_size", ""), 46)
    put(("why", ""), "=empathy first")
    filled = tmp_path / "filled.xlsx"
    workbook.save(filled)
    answers, problems = read_file(filled, coder="carla", codebook=codebook, studies=studies)
    assert problems == []
    got = [
        (a.intervention_id, a.dimension, a.code, a.value, a.quote, a.page, a.report)
        for a in answers
    ]
    assert got == [
        ("I1", "elements", "a", "yes", "We trained empathy.", "3", "s1-aaaaaaaaaa"),
        ("I1", "elements", "c", "no", "", "", ""),
        ("I1", "design", "rct", "yes", "", "", ""),
        ("I1", "sample_size", "", "46", "", "", ""),
        ("I1", "why", "", "=empathy first", "", "", ""),
    ]
    assert answers[0].row == "'I1'!2"


def test_sheet_bytes_depend_on_content_only(studies, codebook, tmp_path):
    one, two = tmp_path / "one.xlsx", tmp_path / "two.xlsx"
    save(build(studies, codebook, coder="x"), one)
    save(build(studies, codebook, coder="x"), two)
    assert one.read_bytes() == two.read_bytes()


def test_a_regenerated_sheet_keeps_the_coders_answers(fx, studies, codebook, tmp_path):
    previous, _ = read_file(
        fx / "review" / "coding" / "anouk.csv", coder="anouk", codebook=codebook, studies=studies
    )
    path = tmp_path / "anouk.xlsx"
    save(build(studies, codebook, coder="anouk", previous=previous), path)
    again, problems = read_file(path, coder="anouk", codebook=codebook, studies=studies)
    assert problems == []
    key = [(a.intervention_id, a.dimension, a.code, a.value, a.quote, a.page) for a in again]
    expected = [
        (a.intervention_id, a.dimension, a.code, a.value, a.quote, a.page) for a in previous
    ]
    assert sorted(key) == sorted(expected)
