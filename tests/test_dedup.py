"""Deduplication: the rules on hand-written records, clustering, decisions, bad input, outputs."""

from __future__ import annotations

import pandas as pd
import pytest

from slrflow.dedup import Options, deduplicate
from slrflow.dedup.cluster import cluster
from slrflow.dedup.compare import Comparison, journal_similarity
from slrflow.dedup.counts import counts, overlap
from slrflow.dedup.decisions import read_decisions
from slrflow.dedup.load import DedupInputError, prepare_table
from slrflow.dedup.merge import references
from slrflow.dedup.prepare import notice_kind, title_words

ARTICLE = {
    "title": "Mentoring young people at risk of violent extremism: a randomised trial",
    "authors": "de Vries, Anna; Jansen, Pieter; Bakker, Lotte",
    "year": "2020",
    "journal": "Journal of Adolescent Health",
    "volume": "66",
    "issue": "4",
    "pages": "401-409",
    "doi": "10.1016/j.jadohealth.2020.01.001",
}


def table(*rows: dict) -> pd.DataFrame:
    """An ingest-like record table: record ids r1, r2... and search ids from the rows."""
    frame = pd.DataFrame(
        [{"record_id": f"r{n}", "search_id": "s", **row} for n, row in enumerate(rows, 1)]
    ).fillna("")
    out, _ = prepare_table(frame.astype(str))
    return out


def groups(frame: pd.DataFrame, **options) -> list[set[str]]:
    result = deduplicate(frame, options=Options(**options), quiet=True)
    ids = frame["record_id"].tolist()
    found: dict[int, set[str]] = {}
    for position, label in enumerate(result.label):
        found.setdefault(label, set()).add(ids[position])
    return sorted(found.values(), key=lambda g: sorted(g))


def variant(**changes) -> dict:
    return {**ARTICLE, **changes}


# --- comparison keys -----------------------------------------------------------------------


def test_title_words_drop_database_additions():
    assert title_words("Update on HPV infection. [Review] [33 refs]") == "update on hpv infection"
    assert title_words("[Current aspects of HUS in children]. [Review] [16 refs] [Romanian]") == (
        "current aspects of hus in children"
    )
    assert title_words("Crowdwork and inequality [Arbeiten in der Crowd: Perspektiven]") == (
        "crowdwork and inequality"
    )
    assert title_words("Die Mütze [Hats]") == "die mutze hats"  # too short to be a translation


def test_notice_kinds():
    assert notice_kind(title_words("Erratum: Mentoring young people")) == "erratum"
    assert notice_kind(title_words("Corrigendum to 'Mentoring young people'")) == "erratum"
    assert notice_kind(title_words("Retracted: Mentoring young people")) == "retraction"
    assert notice_kind(title_words("Mentoring young people - Reply")) == "reply"
    assert notice_kind(title_words("Comment on: Mentoring young people")) == "comment"
    assert notice_kind(title_words("Mentoring young people at risk")) == ""


def test_journal_abbreviation_matches_full_name():
    assert journal_similarity("j am soc nephrol", "journal of the american society of nephrology")
    assert (
        journal_similarity("j am soc nephrol", "journal of the american society of nephrology")
        == 0.95
    )
    assert journal_similarity("cancer", "cancer") == 1.0
    assert journal_similarity("nature", "new england journal of medicine") < 0.5


# --- what is the same work ------------------------------------------------------------------


def test_exact_and_reformatted_records_merge():
    frame = table(
        ARTICLE,
        variant(
            title="MENTORING YOUNG PEOPLE AT RISK OF VIOLENT EXTREMISM - A RANDOMISED TRIAL.",
            authors="De Vries A; Jansen P; Bakker L",
            journal="J Adolesc Health",
            doi="",
        ),
    )
    assert groups(frame) == [{"r1", "r2"}]


def test_review_suffix_and_translated_title_merge():
    base = variant(doi="", title="Radicalisation and mental health in adolescents")
    frame = table(
        base,
        {**base, "title": "[Radicalisation and mental health in adolescents]. [Review] [33 refs]"},
    )
    assert groups(frame) == [{"r1", "r2"}]


def test_years_one_apart_merge_when_the_source_agrees():
    frame = table(variant(doi=""), variant(doi="", year="2019"))
    assert groups(frame) == [{"r1", "r2"}]


def test_years_far_apart_go_to_review_not_merged():
    frame = table(
        variant(doi="", volume="", issue="", pages=""),
        variant(doi="", year="2016", volume="", issue="", pages=""),
    )
    result = deduplicate(frame, quiet=True)
    assert len(set(result.label)) == 2
    assert [(c.i, c.j) for c in result.queue] == [(0, 1)]


def test_truncated_author_list_and_missing_doi_merge():
    frame = table(ARTICLE, variant(authors="de Vries, A.", doi=""))
    assert groups(frame) == [{"r1", "r2"}]


def test_erratum_is_not_the_article():
    frame = table(
        ARTICLE,
        variant(
            title="Erratum: " + ARTICLE["title"],
            pages="512",
            issue="5",
            doi="10.1016/j.jadohealth.2020.03.002",
        ),
        variant(title="Correction to: " + ARTICLE["title"], pages="", issue="", doi=""),
    )
    assert groups(frame) == [{"r1"}, {"r2"}, {"r3"}]


def test_retraction_and_reply_are_not_the_article():
    frame = table(
        ARTICLE,
        variant(title="Retraction notice: " + ARTICLE["title"], doi="", pages="", issue=""),
        variant(title=ARTICLE["title"] + " - Reply", doi="", pages="", issue=""),
    )
    assert groups(frame) == [{"r1"}, {"r2"}, {"r3"}]


def test_shared_supplement_doi_with_other_titles_is_not_a_match():
    supplement = {
        "journal": "Eur Psychiatry",
        "volume": "33",
        "issue": "S1",
        "doi": "10.1016/s0924-9338(16)x0002-3",
        "year": "2016",
    }
    frame = table(
        {
            **supplement,
            "title": "Deradicalisation programmes in Dutch prisons: a first evaluation",
            "authors": "Smit, J.",
            "pages": "S120",
        },
        {
            **supplement,
            "title": "Anxiety among refugee children after resettlement in Norway",
            "authors": "Olsen, K.",
            "pages": "S245",
        },
    )
    assert groups(frame) == [{"r1"}, {"r2"}]


def test_generic_titles_need_the_same_place():
    editorial = {
        "title": "Editorial",
        "authors": "Weber, Ron",
        "journal": "MIS Quarterly",
        "year": "2002",
        "volume": "26",
    }
    frame = table(
        {**editorial, "issue": "1"}, {**editorial, "issue": "2"}, {**editorial, "issue": "2"}
    )
    # the two issue-2 records carry no page: not enough to call them one editorial either
    assert groups(frame) == [{"r1"}, {"r2"}, {"r3"}]
    frame = table(
        {**editorial, "issue": "2", "pages": "iii-iv"},
        {**editorial, "issue": "2", "pages": "iii-iv"},
    )
    assert groups(frame) == [{"r1", "r2"}]


def test_two_works_differing_in_one_word_are_not_merged():
    trial = {"authors": "Alexion Pharmaceuticals, Inc", "year": "2011"}
    frame = table(
        {**trial, "title": "Open-label trial of eculizumab in pediatric patients with aHUS"},
        {**trial, "title": "Open-label trial of eculizumab in adult patients with aHUS"},
    )
    assert groups(frame) == [{"r1"}, {"r2"}]


CONFERENCE = {
    "title": ARTICLE["title"],
    "authors": ARTICLE["authors"],
    "year": "2019",
    "journal": "Proceedings of the European Conference on Violence Prevention",
    "doc_type": "Conference Abstract",
}


@pytest.mark.parametrize(
    ("policy", "expected", "related"),
    [("keep", [{"r1"}, {"r2"}], 0), ("link", [{"r1"}, {"r2"}], 1), ("merge", [{"r1", "r2"}], 0)],
)
def test_conference_abstract_policy(policy, expected, related):
    frame = table(ARTICLE, CONFERENCE)
    assert groups(frame, conference_abstract=policy) == expected
    result = deduplicate(frame, options=Options(conference_abstract=policy), quiet=True)
    assert len(result.related) == related


def test_abstract_printed_in_the_journal_supplement_is_one_record_not_two_versions():
    meeting = {
        "title": "Eculizumab in a newborn with aHUS",
        "authors": "Aguirre, M.; Areses, R.",
        "year": "2011",
        "volume": "26",
        "issue": "9",
        "pages": "1676-1677",
    }
    frame = table(
        {**meeting, "journal": "Pediatric Nephrology"},
        {**meeting, "journal": "Pediatric Nephrology.Conference: 44th Annual Meeting of ESPN"},
    )
    assert groups(frame) == [{"r1", "r2"}]


@pytest.mark.parametrize(("policy", "expected"), [("keep", 2), ("merge", 1)])
def test_preprint_policy(policy, expected):
    preprint = variant(
        journal="medRxiv",
        doi="10.1101/2019.12.01.19013581",
        volume="",
        issue="",
        pages="",
        year="2019",
    )
    frame = table(ARTICLE, preprint)
    assert len(groups(frame, preprint=policy)) == expected


@pytest.mark.parametrize(("policy", "expected"), [("merge", 1), ("keep", 2), ("link", 2)])
def test_cochrane_versions_policy(policy, expected):
    review = {
        "title": "Air versus oxygen for resuscitation of infants at birth",
        "authors": "Tan, A.; Schulze, A.",
        "journal": "Cochrane Database Syst Rev",
        "pages": "CD002273",
    }
    frame = table(
        {**review, "year": "2004", "doi": "10.1002/14651858.CD002273.pub2"},
        {**review, "year": "2005", "doi": "10.1002/14651858.CD002273.pub3"},
    )
    assert len(groups(frame, cochrane_versions=policy)) == expected


# --- clustering -----------------------------------------------------------------------------


def test_complete_linkage_does_not_chain_two_works():
    verdicts = {(0, 1): "same", (1, 2): "same", (0, 2): "different"}

    def verdict_of(i, j):
        return Comparison(i, j, verdicts[(i, j)], "r", 0.9, {})

    edges = [Comparison(0, 1, "same", "r", 0.95, {}), Comparison(1, 2, "same", "r", 0.9, {})]
    result = cluster(3, edges, verdict_of)
    assert result.label == [0, 0, 2]  # the stronger link wins, the weaker one is refused
    assert result.refused[0][:2] == (1, 2)


def test_no_chaining_through_a_record_without_details():
    # r2 (no volume, no pages) matches both r1 and r3, but r1 and r3 are two papers in two
    # volumes: r3 must not join r1 through r2.
    bare = variant(doi="", volume="", issue="", pages="", journal="")
    frame = table(variant(doi=""), bare, variant(doi="", volume="67", issue="1", pages="12-20"))
    found = groups(frame)
    assert {"r1", "r3"} not in [g & {"r1", "r3"} for g in found]
    assert len(found) == 2


def test_already_deduplicated_search_is_not_merged_within():
    frame = table(ARTICLE, ARTICLE, ARTICLE)
    frame["search_id"] = ["old", "old", "new"]
    assert groups(frame, deduplicated_searches=("old",)) == [{"r1", "r3"}, {"r2"}]


# --- a person's decisions --------------------------------------------------------------------


def write_decisions(path, rows):
    columns = ["record_id_a", "record_id_b", "verdict", "reviewer", "date", "note"]
    pd.DataFrame(rows, columns=columns).to_csv(path, index=False)
    return path


def test_decisions_are_obeyed(tmp_path):
    frame = table(ARTICLE, ARTICLE, variant(title="Mentoring youths: a randomised trial", doi=""))
    path = write_decisions(
        tmp_path / "dedup_decisions.csv",
        [
            ["r1", "r2", "different", "anouk", "2024-11-22", "two printings"],
            ["r3", "r1", "same", "bram", "2024-11-22", ""],
        ],
    )
    decided, problems = read_decisions(path, {"r1", "r2", "r3"})
    assert problems == []
    result = deduplicate(frame, decisions=decided, quiet=True)
    assert result.label == [0, 1, 0]
    assert [e.rule for e in result.evidence] == ["person"]


def test_undecided_unknown_and_conflicting_decisions(tmp_path):
    frame = table(
        variant(doi="", year="2016", volume="", issue="", pages=""),
        variant(doi="", volume="", issue="", pages=""),
    )
    path = write_decisions(
        tmp_path / "d.csv",
        [
            ["r1", "r2", "", "", "", ""],  # copied from the queue, not decided yet
            ["r1", "gone-1", "same", "anouk", "2024-11-22", ""],
        ],
    )
    decided, problems = read_decisions(path, {"r1", "r2"})
    assert decided == {}
    messages = " | ".join(str(p) for p in problems)
    assert "undecided" in messages and "gone-1" in messages and "row 3" in messages
    result = deduplicate(frame, decisions=decided, quiet=True)
    assert len(set(result.label)) == 2 and len(result.queue) == 1

    path = write_decisions(
        tmp_path / "d2.csv",
        [
            ["r1", "r2", "same", "anouk", "2024-11-22", ""],
            ["r2", "r1", "different", "bram", "2024-11-22", ""],
        ],
    )
    decided, problems = read_decisions(path, {"r1", "r2"})
    assert decided[("r1", "r2")].verdict == "different"
    assert "disagree" in str(problems[0])
    path = write_decisions(
        tmp_path / "d3.csv",
        [
            ["r1", "r2", "different", "anouk", "2024-11-22", ""],
            ["r2", "r1", "same", "bram", "2024-12-01", "checked the PDF"],
        ],
    )
    decided, _ = read_decisions(path, {"r1", "r2"})
    assert decided[("r1", "r2")].verdict == "same"  # the later verdict wins
    result = deduplicate(frame, decisions=decided, quiet=True)
    assert len(set(result.label)) == 1 and result.queue == []


def test_bad_decision_rows_name_row_and_field(tmp_path):
    path = write_decisions(tmp_path / "d.csv", [["r1", "r2", "perhaps", "anouk", "", ""]])
    with pytest.raises(ValueError, match=r"row 2, field verdict"):
        read_decisions(path, {"r1", "r2"})


# --- bad input -------------------------------------------------------------------------------


def test_duplicate_ids_are_an_error_naming_rows():
    raw = pd.DataFrame({"ID": ["a", "b", "a"], "title": ["x", "y", "z"]})
    with pytest.raises(DedupInputError, match=r"'a' on rows 2, 4"):
        prepare_table(raw)


def test_missing_id_column_and_rows_without_id():
    with pytest.raises(DedupInputError, match="no id column"):
        prepare_table(pd.DataFrame({"title": ["x"]}))
    with pytest.raises(DedupInputError, match=r"rows 3\)"):
        prepare_table(pd.DataFrame({"ID": ["a", ""], "title": ["x", "y"]}))


def test_thin_and_absurd_records_are_warned_about_and_kept():
    raw = pd.DataFrame(
        {
            "ID": ["a", "b", "c", "d", "", "f"],
            "title": ["", "Some title", "", "T" * 5000, "", "Another title"],
            "author": ["Smith, J", "", "", "Roe, R", "", "Doe, J"],
            "doi": ["", "", "10.1000/xyz", "", "", ""],
        }
    )
    frame, problems = prepare_table(raw)
    assert frame["record_id"].tolist() == ["a", "b", "c", "d", "f"]
    text = "\n".join(str(p) for p in problems)
    assert "1 empty row(s) skipped (rows 6)" in text
    assert "only an identifier" in text and "rows 4)" in text
    assert "no title" in text and "no authors" in text
    assert "row 5, field title: 5000 characters" in text
    result = deduplicate(frame, quiet=True)
    assert len(result.label) == 5


# --- outputs ---------------------------------------------------------------------------------


def test_references_take_the_best_field_values():
    frame = table(
        variant(title=ARTICLE["title"].upper(), authors="de Vries, A.", abstract="Short."),
        variant(journal="J Adolesc Health", abstract="A much longer abstract of the trial."),
    )
    result = deduplicate(frame, quiet=True)
    refs = references(frame, result)
    assert len(refs) == 1
    ref = refs.iloc[0]
    assert ref["reference_id"] == "r1" and ref["record_ids"] == "r1; r2"
    assert ref["title"] == ARTICLE["title"]  # not the capitals-only one
    assert ref["authors"] == ARTICLE["authors"]  # the longest list
    assert ref["journal"] == ARTICLE["journal"]  # the full name
    assert ref["abstract"] == "A much longer abstract of the trial."


def test_counts_and_overlap_per_search():
    other = variant(
        title="School-based resilience training and extremist attitudes", doi="", pages="410-418"
    )
    frame = table(ARTICLE, ARTICLE, variant(doi=""), other)
    frame["search_id"] = ["pubmed", "pubmed", "scopus", "scopus"]
    result = deduplicate(frame, quiet=True)
    table_counts = counts(frame, result).set_index("search_id")
    assert table_counts.loc["pubmed", "records"] == 2
    assert table_counts.loc["pubmed", "within_search"] == 1
    assert table_counts.loc["pubmed", "duplicates_removed"] == 1
    assert table_counts.loc["scopus", "duplicates_removed"] == 1
    assert table_counts.loc["scopus", "only_this_search"] == 1
    assert (
        table_counts.loc["all", "duplicates_removed"] == 2
        and table_counts.loc["all", "unique"] == 2
    )
    matrix = overlap(frame, result).set_index("search_id")
    assert matrix.loc["pubmed", "scopus"] == 2  # both pubmed records are also in scopus
    assert matrix.loc["scopus", "pubmed"] == 1
    assert matrix.loc["pubmed", "pubmed"] == 2  # and each has a twin within pubmed


def test_different_dois_are_different_works_unless_the_text_is_the_same():
    abstract = (
        "Background: exit programmes aim to help people leave extremist groups. Methods: we "
        "followed 120 participants of a Dutch exit programme for two years and compared them "
        "with 80 people who declined the offer, using interviews and police records. Results: "
        "participants reoffended less often and reported better mental health. Conclusions: "
        "exit work with psychosocial support deserves a randomised evaluation."
    )
    first = variant(abstract=abstract)
    again = variant(abstract=abstract, doi="10.1016/j.jadohealth.2021.09.009", volume="67")
    assert groups(table(first, again)) == [{"r1", "r2"}]  # one text published twice
    other = variant(doi="10.1016/j.jadohealth.2021.09.009", volume="67", abstract="")
    assert groups(table(first, other)) == [{"r1"}, {"r2"}]


def test_title_word_conflicts():
    from slrflow.dedup.compare import title_word_conflict

    assert title_word_conflict("trial in adult patients", "trial in pediatric patients")
    assert title_word_conflict("results part 1", "results part 2")
    assert title_word_conflict("mentoring young offenders", "mentoring young offenders part ii")
    assert not title_word_conflict("labour law for crowdworkers 1", "labour law for crowdworkers")
    assert not title_word_conflict(
        "value of p16ink4a as a marker", "value of p16 ink4a as a marker"
    )
    assert not title_word_conflict("health care for refugees", "healthcare for refugees")
    assert not title_word_conflict("randomised trial of mentoring", "randomized trial of mentoring")


def test_abstracts_of_a_meeting_printed_in_the_journal_are_not_two_versions():
    meeting = {
        "title": "A phase II study of eculizumab in aHUS",
        "year": "2011",
        "authors": "Licht, C.; Muus, P.; Legendre, C.",
    }
    frame = table(
        {**meeting, "journal": "Journal of Thrombosis and Haemostasis.Conference: 23rd Congress"},
        {
            **meeting,
            "journal": "J Thromb Haemost",
            "volume": "9",
            "issue": "s2",
            "pages": "499-711",
        },
    )
    assert groups(frame) == [{"r1", "r2"}]
