"""Field weights learned per review: m/u counted by hand, junk fields, vetoes, evidence."""

from __future__ import annotations

import math

import pandas as pd
import pytest

from slrflow.dedup import Options, deduplicate
from slrflow.dedup.compare import (
    classify,
    is_abbreviation,
    journal_forms_similarity,
    similarities,
    title_is_prefix,
    word_inserted,
)
from slrflow.dedup.load import prepare_table
from slrflow.dedup.outputs import evidence, field_weights
from slrflow.dedup.prepare import (
    form_of,
    journal_forms,
    notice_kind,
    prepare,
    split_run_together,
    surname_key,
    title_words,
)
from slrflow.dedup.weights import estimate, level, prior_weights, random_pairs

# --- m and u counted on a tiny constructed set ----------------------------------------------


def _pair(**sims):
    base = dict.fromkeys(
        ("title", "authors", "year", "journal", "volume", "issue", "pages", "abstract", "doi")
    )
    return {**base, **sims}


def test_m_and_u_are_counted_as_worked_by_hand():
    # 12 pairs sharing a DOI: the volume agrees in 11, the issue never (a running number)
    certain = [_pair(title=1.0, doi=1.0, volume=1.0, issue=0.0) for _ in range(11)]
    certain.append(_pair(title=1.0, doi=1.0, volume=0.0, issue=0.0))
    # 20 random pairs: the volume agrees in 1, the issue in none
    strangers = [_pair(title=0.3, volume=0.0, issue=0.0) for _ in range(19)]
    strangers.append(_pair(title=0.3, volume=1.0, issue=0.0))
    weights = estimate(certain, [True] * 12, [False] * 12, strangers)
    volume = weights.fields["volume"]
    assert volume.certain_pairs == 12
    # m = (11 agreeing + 4 prior pairs x 0.95) / (12 + 4) = 14.8 / 16
    assert volume.m["agree"] == pytest.approx(0.925)
    # u = (1 + 0.5) / (20 + 1.5)
    assert volume.u["agree"] == pytest.approx(1.5 / 21.5, abs=1e-4)
    assert volume.weight["agree"] == pytest.approx(math.log2(0.925 / (1.5 / 21.5)), abs=0.01)
    # the issue disagrees among certain duplicates as among strangers: no weight at all
    issue = weights.fields["issue"]
    assert issue.role == "ignored"
    assert issue.of(0.0) == 0.0 and issue.of(1.0) == 0.0
    # one volume disagreement in 12 is too many to prove the volume reliable (upper bound)
    assert volume.role == "weighed"


def test_few_certain_pairs_leave_a_field_unproven():
    certain = [_pair(title=1.0, doi=1.0, volume=1.0) for _ in range(9)]
    weights = estimate(certain, [True] * 9, [False] * 9, [_pair(volume=0.0)] * 50)
    assert weights.fields["volume"].role == "unproven"
    assert weights.role("pages") == "unproven"


def test_a_field_never_vouches_for_itself():
    # near-identical titles with only the year and the volume agreeing: certain for the pages
    # (two other fields agree), not for the year (only one other field: the volume)
    pairs = [_pair(title=1.0, year=1.0, volume=1.0, pages=0.0) for _ in range(15)]
    weights = estimate(pairs, [False] * 15, [False] * 15, [_pair(pages=0.0, year=0.0)] * 40)
    assert weights.fields["pages"].certain_pairs == 15
    assert weights.fields["year"].certain_pairs == 0


def test_levels():
    assert level("year", 0.5) == "partial" and level("year", 0.0) == "disagree"
    assert level("journal", 0.95) == "agree" and level("journal", 0.3) == "disagree"
    assert level("pages", None) is None


def test_random_pairs_are_stable_and_distinct():
    small = random_pairs(5)
    assert len(small) == 10 and (small[:, 0] < small[:, 1]).all()
    big = random_pairs(1000, limit=300)
    assert len(big) == 300 and len({tuple(p) for p in big.tolist()}) == 300
    assert (big == random_pairs(1000, limit=300)).all()


# --- the engine with learned weights --------------------------------------------------------

_TOPICS = [
    "mentoring", "policing", "schooling", "housing", "sport", "radio", "theatre", "music",
    "gardening", "boxing", "chess", "cooking", "sailing", "hiking", "drawing", "coding",
    "dancing", "fishing", "reading", "writing", "farming", "nursing", "cycling", "rowing",
]  # fmt: skip
_PLACES = ["Leeds", "Utrecht", "Lyon", "Ghent", "Porto", "Turin"]
_NAMES = [
    "Smit", "Bos", "Visser", "Mulder", "Dekker", "Brouwer", "Kok", "Jacobs", "Vos", "Peters",
    "Hendriks", "Dijkstra", "Kramer", "Schouten", "Post", "Kuiper", "Huisman", "Veenstra",
    "Koster", "Prins", "Blom", "Hoekstra", "Meijer", "Groot",
]  # fmt: skip
_JOURNALS = [
    ("Journal of Youth Studies", "J Youth Stud"),
    ("Youth Justice", "Youth Justice"),
    ("British Journal of Criminology", "Br J Criminol"),
]


def _review(*, issue_of, trap: bool = False) -> pd.DataFrame:
    """Two records per work (one export each); ``issue_of(work, copy)`` gives the issue."""
    rows = []
    for w, topic in enumerate(_TOPICS):
        place = _PLACES[w % len(_PLACES)]
        first, second = _NAMES[w], _NAMES[(w + 7) % len(_NAMES)]
        written = (f"{first}, A; {second}, B", f"A {first}; B {second}")
        for copy in range(2):
            rows.append(
                {
                    "record_id": f"w{w}c{copy}",
                    "search_id": f"s{copy}",
                    "title": f"Effects of {topic} programmes on young offenders in {place}",
                    "authors": written[copy],
                    "year": str(2000 + w % 20),
                    "journal": _JOURNALS[w % 3][copy],
                    "volume": str(10 + w),
                    "issue": issue_of(w, copy),
                    "pages": f"{100 + 20 * w}-{110 + 20 * w}",
                }
            )
    if trap:  # another work: the same title, authors and year, another volume and page range
        rows.append({**rows[0], "record_id": "trap", "volume": "99", "pages": "501-509",
                     "issue": "2"})  # fmt: skip
    table, _ = prepare_table(pd.DataFrame(rows).astype(str))
    return table


def _groups(table, result):
    ids = table["record_id"].tolist()
    found: dict[int, set[str]] = {}
    for position, label in enumerate(result.label):
        found.setdefault(label, set()).add(ids[position])
    return [g for g in found.values() if len(g) > 1]


def test_a_running_number_in_the_issue_field_gets_no_weight():
    # every pair of duplicates "disagrees" on the issue: a fixed rule refused them all
    table = _review(issue_of=lambda w, copy: str(1000 + 2 * w + copy))
    result = deduplicate(table, quiet=True)
    assert result.weights.role("issue") == "ignored"
    assert len(_groups(table, result)) == len(_TOPICS)
    assert result.queue == []
    links = evidence(table, result)
    assert links["decided_by"].str.contains("issue 0 (ignored here)", regex=False).all()
    weights = field_weights(result).set_index("field")
    # every other field agrees on every pair: the match weight is their agreement weights
    agreeing = ["title", "authors", "year", "journal", "volume", "pages"]
    expected = weights.loc[agreeing, "weight_agree"].sum()
    assert links["match_weight"].tolist() == pytest.approx([expected] * len(_TOPICS), abs=0.02)
    # prior odds: 24 certain pairs among 48 x 47 / 2 = 1128 pairs of records
    assert result.weights.prior_bits == pytest.approx(math.log2(24 / 1128), abs=0.01)
    assert links["match_odds"].tolist() == pytest.approx(
        [expected + math.log2(24 / 1128)] * len(_TOPICS), abs=0.03
    )
    assert weights.loc["issue", "role"] == "ignored"
    assert weights.loc["issue", "disagreeing"] == weights.loc["issue", "certain_pairs"]


def test_a_reliable_field_keeps_two_works_apart():
    table = _review(issue_of=lambda w, copy: str(1 + w % 4), trap=True)
    result = deduplicate(table, quiet=True)
    assert result.weights.vetoes("volume") and result.weights.vetoes("pages")
    groups = _groups(table, result)
    assert len(groups) == len(_TOPICS)
    assert not any("trap" in g for g in groups)
    assert not any({result.keys.record_id[c.i], result.keys.record_id[c.j]} & {"trap"}
                   for c in result.queue)  # fmt: skip


def _two(**changes):
    first = {"record_id": "a", "search_id": "s", "title": "Effects of mentoring on young offenders",
             "authors": "Smit, J; Bos, K", "year": "2018", "journal": "Youth Justice",
             "volume": "12", "pages": "1-10"}  # fmt: skip
    table, _ = prepare_table(pd.DataFrame([first, {**first, "record_id": "b", **changes}]))
    return table, deduplicate(table, options=Options(), quiet=True)


def test_unproven_fields_that_disagree_send_the_pair_to_a_person():
    # two records prove nothing: volume and pages may not veto, nor be ignored
    table, result = _two(volume="13", pages="31-40")
    assert result.weights.role("volume") == "unproven"
    assert _groups(table, result) == []
    assert [c.rule for c in result.queue] == ["title_authors_year_doubted"]


def test_one_unproven_field_does_not_overturn_a_pair_certain_on_the_others():
    # title, authors, year, journal and pages agree: the volume alone (a typo) does not decide
    table, result = _two(volume="13")
    assert _groups(table, result) == [{"a", "b"}]


# --- messy fields ---------------------------------------------------------------------------


def test_journal_abbreviations_and_parallel_titles():
    assert is_abbreviation(
        "proc natl acad sci u s a",
        "proceedings of the national academy of sciences of the united states of america",
    )  # noqa: E501
    assert is_abbreviation("int j clin pract", "international journal of clinical practice")
    assert not is_abbreviation("cancer", "cancer research")
    assert not is_abbreviation("j clin oncol", "journal of clinical oncology nursing practice")
    forms = journal_forms("Zhonghua jie he za zhi = Chinese journal of tuberculosis")
    assert "chinese journal of tuberculosis" in forms
    assert "lung cancer" in journal_forms("Lung cancer (Amsterdam, Netherlands)")
    assert "journal of parenteral and enteral nutrition" in journal_forms(
        "JPEN. Journal of parenteral and enteral nutrition"
    )


def _keys(*rows):
    frame = pd.DataFrame(
        [{"record_id": f"r{n}", "search_id": "s", **row} for n, row in enumerate(rows)]
    ).fillna("")
    table, _ = prepare_table(frame.astype(str))
    return prepare(table)


def test_messy_locators_still_agree():
    keys = _keys(
        {"title": "x", "journal": "JPEN: Journal of Parenteral & Enteral Nutrition",
         "volume": "28(3)", "pages": "288-297"},
        {"title": "x", "journal": "JPEN. Journal of parenteral and enteral nutrition",
         "volume": "28", "issue": "3", "pages": "288-97"},
        {"title": "x", "volume": "3", "issue": "28"},
    )  # fmt: skip
    assert journal_forms_similarity(keys, 0, 1) == 1.0
    sims = similarities(keys, 0, 1)
    assert sims["volume"] == 1.0 and sims["issue"] == 1.0 and sims["pages"] == 1.0
    swapped = similarities(keys, 1, 2)  # volume and issue swapped in one export
    assert swapped["volume"] == 1.0 and swapped["issue"] == 1.0


def test_names_run_together_or_with_initials_first_give_one_surname():
    assert split_run_together("Tan A.Schulze A.O'Donnell C. P.Davis P. G.") == [
        "Tan A.",
        "Schulze A.",
        "O'Donnell C. P.",
        "Davis P. G.",
    ]
    assert split_run_together("Diewald M.Lükemann L.") == ["Diewald M.", "Lükemann L."]
    for written in ("Zuna, R E", "Zuna R. E.", "R. E. Zuna", "Zuna RE"):
        assert surname_key(written) == "zuna", written
    assert surname_key("van der Berg, J.") == "vanderberg"
    keys = _keys(
        {"title": "x", "authors": "Adeli K.Lewis G. F."},
        {"title": "x", "authors": "Adeli, Khosrow; Lewis, Gary F"},
    )
    assert keys.surnames[0] == keys.surnames[1] == ("adeli", "lewis")


# --- a field missing, moved or mistyped in one export ---------------------------------------


def test_one_reliable_field_does_not_split_a_pair_certain_at_the_same_place():
    # the issue is reliable here (it vetoes); one copy has it mistyped (5 for 1), while title,
    # authors, year, journal, volume and first page agree: the same work
    table = _review(issue_of=lambda w, copy: "5" if (w, copy) == (0, 1) else str(1 + w % 4))
    result = deduplicate(table, quiet=True)
    assert result.weights.vetoes("issue")
    assert {"w0c0", "w0c1"} in _groups(table, result)


def test_a_column_in_every_issue_stays_apart_without_pages():
    # the editor's column of two issues of one volume: title, author, year, journal and
    # volume agree, the issue (reliable here) differs and no page tells where they are
    rows = [
        {"record_id": f"e{k}", "search_id": "s",
         "title": "Remarks from the editor of the quarterly on the year ahead",
         "authors": "Lee, A", "year": "2000", "journal": "Quarterly Review",
         "volume": "24", "issue": str(k)}
        for k in (1, 2)
    ]  # fmt: skip
    table, _ = prepare_table(pd.DataFrame(rows).astype(str))
    reliable = _review(issue_of=lambda w, copy: str(1 + w % 4))
    both = pd.concat([reliable, table], ignore_index=True)
    result = deduplicate(both, quiet=True)
    assert result.weights.vetoes("issue")
    assert not any(g & {"e1", "e2"} for g in _groups(both, result))


def test_missing_authors_with_the_whole_place_in_the_journal_agreeing():
    # title ratio 2 x 39 / (39 + 47) = 0.91: below title_same (0.93), above 0.8; no authors on
    # one side; journal, volume and first page agree
    table, result = _two(authors="", title="Effects of mentoring schemes on young offenders")
    assert _groups(table, result) == [{"a", "b"}]
    assert result.evidence[0].rule == "close_title_full_source"
    # without the page the place is not known: kept apart
    table, result = _two(
        authors="", title="Effects of mentoring schemes on young offenders", pages=""
    )
    assert _groups(table, result) == []


def test_volume_written_in_the_issue_field():
    # one export put the volume in the issue field and has no volume; the other no issue
    table, _ = prepare_table(
        pd.DataFrame(
            [
                {"record_id": "a", "title": "x", "volume": "", "issue": "1109"},
                {"record_id": "b", "title": "x", "volume": "1109", "issue": ""},
                {"record_id": "c", "title": "x", "volume": "", "issue": "3"},
            ]
        )
    )
    keys = prepare(table)
    assert similarities(keys, 0, 1)["volume"] == 1.0
    assert similarities(keys, 0, 1)["issue"] is None
    assert similarities(keys, 1, 2)["volume"] is None  # 3 is not 1109: nothing known


def _verdict(first: dict, second: dict) -> tuple[str, str]:
    """The verdict on two records in a review where every field has proved reliable."""
    table, _ = prepare_table(pd.DataFrame([first, second]).astype(str))
    weights = prior_weights()
    for weight in weights.fields.values():
        weight.role = "veto"
    found = classify(prepare(table), 0, 1, Options(), weights=weights)
    return found.verdict, found.rule


def test_a_chapter_and_its_book_series_share_the_page_range():
    # one export names the book series, the other the book, and only one gives the volume:
    # the journal (reliable) disagrees, but the same first and last page is one place
    chapter = {"record_id": "c1", "search_id": "s", "year": "2011",
               "title": "Thrombotic microangiopathies from animal models to human disease",
               "authors": "Noris, M; Remuzzi, G", "journal": "Contributions to Nephrology",
               "volume": "169", "pages": "337-350"}  # fmt: skip
    book = {**chapter, "record_id": "c2", "volume": "",
            "journal": "Experimental Models for Renal Diseases"}  # fmt: skip
    assert _verdict(chapter, book) == ("same", "title_authors_year")
    # one page is no range (many short items share one): the journal keeps them apart
    assert _verdict({**chapter, "pages": "337"}, {**book, "pages": "337"})[0] == "different"


def test_two_names_of_one_conference_agree_as_a_journal():
    first = {"record_id": "a", "search_id": "s", "doc_type": "inproceedings",
             "title": "Hiring biases in online labor markets: the case of gender stereotyping",
             "authors": "Chan, J; Wang, J", "year": "2014",
             "journal": "International Conference on Information Systems"}  # fmt: skip
    second = {**first, "record_id": "b", "authors": "",
              "journal": "ICIS 2014: Building a Better World"}  # fmt: skip
    table, _ = prepare_table(pd.DataFrame([first, second]))
    result = deduplicate(table, quiet=True)
    assert _groups(table, result) == [{"a", "b"}]
    assert result.evidence[0].rule == "long_title_source"


#: one article (English) and its German title, at the same place in the journal
_ENGLISH = {"record_id": "t1", "search_id": "s", "authors": "Haipeter, T",
            "title": "Platform economy and crowdworking as challenges for codetermination",
            "journal": "Industrielle Beziehungen", "year": "2020", "volume": "27",
            "pages": "205-226"}  # fmt: skip
_GERMAN = {**_ENGLISH, "record_id": "t2", "year": "2016",
           "title": "Plattformokonomie und Crowdworking als Herausforderungen"}  # fmt: skip


def test_a_translated_title_at_the_same_place_without_a_year():
    # another language's title: only the place tells; with the year missing on one side the
    # same issue and the same page range (first and last page) stand in for it
    english = {**_ENGLISH, "issue": "2"}
    german = {**english, "record_id": "t2", "year": "", "title": _GERMAN["title"]}
    assert _verdict(english, german) == ("same", "source_locator")
    # the first page alone is not enough without the year, unless the journal and volume say
    # the year (a volume of a journal is one year): then the whole place agrees
    one_page = ({**english, "pages": "205"}, {**german, "pages": "205"})
    assert _verdict(*one_page) == ("same", "source_locator_without_year")
    no_journal = (one_page[0], {**one_page[1], "journal": ""})
    assert _verdict(*no_journal)[0] == "different"


def test_a_meeting_named_after_its_journal_in_abbreviated_words():
    # the meeting's abstracts printed in the journal's supplement, every word abbreviated:
    # its first words abbreviate the journal, a later one names the meeting (cong)
    abstract = {"record_id": "m1", "search_id": "s", "year": "2011",
                "title": "A phase II study of eculizumab in patients with atypical HUS",
                "authors": "Licht, C; Muus, P", "journal": "J Thromb Haemost"}  # fmt: skip
    meeting = {**abstract, "record_id": "m2",
               "journal": "Jour Thro Haem 23rd Cong Inte Soci Thro Haem Kyoto"}  # fmt: skip
    assert _verdict(abstract, meeting) == ("same", "title_authors_year")
    # a meeting named after another journal: the journal (reliable here) keeps them apart
    other = {**abstract, "record_id": "m3", "journal": "Vasc Medi Soci 12th Annu Meet Boston"}
    assert _verdict(abstract, other)[0] == "different"


def test_a_shared_doi_under_another_title_without_authors():
    # the same DOI, year, volume and first page under a translated title, no authors on one
    # side: the same work; with another page it is a shared (supplement) DOI for a person
    article = {**_ENGLISH, "record_id": "d1", "doi": "10.3224/indbez.v27i2.05"}
    translated = {**article, "record_id": "d2", "authors": "", "title": _GERMAN["title"]}
    assert _verdict(article, translated) == ("same", "doi_translated_title")
    assert _verdict(article, {**translated, "pages": "301-310"})[0] != "same"


# --- a field scrambled in the exports (ignored in the review) -------------------------------


def _verdict_ignoring(first: dict, second: dict, name: str, *, prior_bits: float):
    """The verdict on two records where every field vetoes but ``name`` is ignored."""
    table, _ = prepare_table(pd.DataFrame([first, second]).astype(str))
    weights = prior_weights()
    for weight in weights.fields.values():
        weight.role = "veto"
    weights.fields[name].role = "ignored"
    weights.prior_bits = prior_bits
    found = classify(prepare(table), 0, 1, Options(), weights=weights)
    return found.verdict, found.rule


def test_a_rule_that_needs_an_ignored_field_is_asked_as_if_it_agreed():
    # a translated title at the same place: the rule needs the year, which the review ignores
    # (a scrambled column). Prior weights: authors 4.17 + journal 4.0 + volume 4.25 + pages
    # 4.17 - title 5.49 (log2(0.02 / 0.9)) = 11.1 bits; the year adds nothing but may stand
    # in with its prior agreement weight, 4.17
    assert _verdict_ignoring(_ENGLISH, _GERMAN, "year", prior_bits=-3.0) == (
        "same",
        "source_locator_without_year",
    )  # 8.1 + 4.17 >= 10
    # 4.1 + 4.17 < 10: the remaining fields are too weak even with the stand-in
    assert _verdict_ignoring(_ENGLISH, _GERMAN, "year", prior_bits=-7.0)[0] == "different"
    # a year missing on one side is implied all the same by the journal and volume; with the
    # volume missing too nothing says it
    no_year = {**_GERMAN, "year": ""}
    assert _verdict_ignoring(_ENGLISH, no_year, "year", prior_bits=-3.0) == (
        "same",
        "source_locator_without_year",
    )
    no_volume = {**no_year, "volume": ""}
    assert _verdict_ignoring(_ENGLISH, no_volume, "year", prior_bits=0.0)[0] == "different"
    # the year ignored does not make any other field agree: another volume stays apart
    other = {**_GERMAN, "volume": "28"}
    assert _verdict_ignoring(_ENGLISH, other, "year", prior_bits=0.0)[0] == "different"


def test_what_the_trusted_fields_imply_and_what_they_cannot():
    # the journal ignored: the same first author, year, volume and page range are one
    # journal. authors 4.17 + year 4.17 + volume 4.25 + pages 4.17 - title 5.49 = 11.27 bits,
    # - 3 prior + 4.0 (the journal's stand-in) >= 10
    moved = {**_GERMAN, "year": "2020", "journal": "Arbeit und Recht"}
    assert _verdict_ignoring(_ENGLISH, moved, "journal", prior_bits=-3.0) == (
        "same",
        "source_locator_without_journal",
    )
    # one page in common is not a page range (abstracts share pages): kept apart
    one_page = ({**_ENGLISH, "pages": "205"}, {**moved, "pages": "205"})
    assert _verdict_ignoring(*one_page, "journal", prior_bits=0.0)[0] == "different"
    # the volume ignored: the same journal, year and page range are one volume
    renumbered = {**_GERMAN, "year": "2020", "volume": "3"}
    assert _verdict_ignoring(_ENGLISH, renumbered, "volume", prior_bits=-3.0) == (
        "same",
        "source_locator_without_volume",
    )
    # the authors ignored: nothing else says who wrote a text, and another abstract on the
    # same page looks just like a translated title: never assumed
    scrambled = {**_GERMAN, "year": "2020", "authors": "Vos, K"}
    assert _verdict_ignoring(_ENGLISH, scrambled, "authors", prior_bits=0.0)[0] == "different"


def test_a_volume_missing_on_one_side_is_implied_by_the_place():
    # every field reliable; the translated title's record lacks the volume: the same journal,
    # year, issue and first page are one volume. Prior weights: authors 4.17 + year 4.17 +
    # journal 4.0 + issue 4.17 + pages 4.17 - title 5.49 = 15.2 bits
    english = {**_ENGLISH, "issue": "2", "pages": "205"}
    german = {**_GERMAN, "year": "2020", "issue": "2", "pages": "205", "volume": ""}
    assert _verdict(english, german) == ("same", "source_locator_without_volume")
    # another issue: nothing says which volume; kept apart
    assert _verdict(english, {**german, "issue": "3"})[0] == "different"


def test_a_paper_at_meetings_a_year_apart_needs_a_venue_to_trust():
    talk = {
        "record_id": "c1",
        "search_id": "s",
        "doc_type": "inproceedings",
        "title": "Home bias in online employment",
        "authors": "Liang, C; Hong, Y",
        "year": "2017",
        "journal": "International Conference on Information Systems",
    }
    other = {**talk, "record_id": "c2", "year": "2018",
             "journal": "Hawaii International Conference on System Sciences"}  # fmt: skip
    # trusted venue names that differ: two meetings, two works
    assert _verdict_ignoring(talk, other, "issue", prior_bits=0.0)[0] == "different"
    # venue names that cannot be trusted: a person decides
    assert _verdict_ignoring(talk, other, "journal", prior_bits=0.0) == (
        "maybe",
        "title_authors_year_apart_venue_unknown",
    )


def test_a_meeting_numbered_in_words_has_the_acronym_of_its_short_name():
    rows = [
        {"record_id": "p1", "search_id": "s", "title": "t", "doc_type": "inproceedings",
         "journal": "PROCEEDINGS OF THE SIXTEENTH SYMPOSIUM ON USABLE PRIVACY AND SECURITY"},
        {"record_id": "p2", "search_id": "s", "title": "t", "doc_type": "article",
         "journal": "Symposium on Usable Privacy and Security"},
    ]  # fmt: skip
    table, _ = prepare_table(pd.DataFrame(rows))
    keys = prepare(table)
    assert keys.venue_acronym[0] == keys.venue_acronym[1] == "sups"
    # the form without the venue's name: the document type still says a conference paper
    assert keys.form_by_type == ["conference", ""]
    assert keys.form == ["conference", "conference"]


def test_a_scrambled_year_column_does_not_lose_a_translated_title():
    # the second export's years are scrambled (another work's year): the review learns to
    # ignore the year; the translated title at the same place is still found, by the rule
    # that needs the year, asked as if it agreed
    table = _review(issue_of=lambda w, copy: "")
    scrambled = table["year"].where(table["search_id"] == "s0", table["year"].iloc[::-1].values)
    table = table.assign(year=scrambled)
    extra, _ = prepare_table(pd.DataFrame([_ENGLISH, _GERMAN]).astype(str))
    both = pd.concat([table, extra], ignore_index=True)
    result = deduplicate(both, quiet=True)
    assert result.weights.ignored("year")
    groups = _groups(both, result)
    assert {"t1", "t2"} in groups
    assert len(groups) == len(_TOPICS) + 1
    ids = both["record_id"]
    rules = {c.rule for c in result.evidence if {ids[c.i], ids[c.j]} == {"t1", "t2"}}
    assert rules == {"source_locator_without_year"}


# --- authors the review cannot compare: the place of one text stands in ----------------------

#: the prior odds of a review of about 1,400 records (bits): the weights alone decide nothing
PRIOR = -13.0


def _unknown_authors(first: dict, second: dict) -> tuple[str, str]:
    """The verdict where the authors are ignored (a scrambled column), at the prior odds of a
    review of about 1,400 records."""
    return _verdict_ignoring(first, second, "authors", prior_bits=PRIOR)


_TALK = {"record_id": "h1", "search_id": "s", "doc_type": "inproceedings", "year": "2017",
         "title": "Moral hazards and effects of IT-enabled monitoring systems in online labor",
         "authors": "Liang, C; Hong, Y", "pages": "44-53",
         "journal": "Hawaii International Conference on System Sciences"}  # fmt: skip


def test_a_page_range_stands_in_for_authors_that_cannot_be_compared():
    # a changed title word ("IT-enabled" / "Enhanced") needs the whole citation, authors
    # included; with the authors scrambled, the same proceedings, year and page range (one
    # text's place) say it instead
    changed = {**_TALK, "record_id": "h2", "authors": "Vos, K",
               "title": _TALK["title"].replace("IT-enabled", "enhanced")}  # fmt: skip
    found = _unknown_authors(_TALK, changed)
    assert found == ("same", "title_source")
    # one page is not a range (abstracts share pages): a person decides
    one_page = ({**_TALK, "pages": "44"}, {**changed, "pages": "44"})
    assert _unknown_authors(*one_page) == (
        "maybe",
        "title_word_differs",
    )
    # authors that the review trusts and that differ: not the same work
    assert _verdict(_TALK, changed)[0] != "same"


def test_a_subtitle_run_into_the_title_still_begins_with_the_title():
    short = "inherited complement regulatory protein deficiency predisposes to human disease"
    glued = short + "the examples of vascular damage"
    assert title_is_prefix(short, glued)
    # a short title that begins a longer word is another title
    assert not title_is_prefix("eculizumab for adults", "eculizumab for adultsin europe")
    chapter = {"record_id": "b1", "search_id": "s", "year": "2007", "title": short,
               "authors": "Young, N S", "journal": "Advances in Immunology",
               "volume": "96", "pages": "141-177"}  # fmt: skip
    other = {**chapter, "record_id": "b2", "title": glued, "authors": "Aguirre, M"}
    assert _unknown_authors(chapter, other) == (
        "same",
        "title_source",
    )


def test_one_year_apart_needs_the_issue_and_page_range_when_authors_say_nothing():
    # online in 2020, in print in 2021: the same volume, issue and page range
    online = {"record_id": "e1", "search_id": "s", "year": "2020", "volume": "19",
              "issue": "1", "pages": "15-51", "authors": "Fuchs, C",
              "title": "Engels at 200: digital capitalism and its critics",
              "journal": "tripleC: Communication, Capitalism & Critique"}  # fmt: skip
    printed = {**online, "record_id": "e2", "year": "2021", "authors": "Vos, K",
               "journal": "Triplec-Communication Capitalism & Critique"}  # fmt: skip
    assert _unknown_authors(online, printed) == (
        "same",
        "title_source_locator",
    )
    # another issue, or a range against its first page: nothing ties the two years together
    for change in ({"issue": "2"}, {"pages": "15"}):
        apart = _unknown_authors(online, {**printed, **change})
        assert apart[0] != "same"


def test_a_long_title_in_one_volume_and_issue_of_a_journal_named_another_way():
    english = {"record_id": "j1", "search_id": "s", "year": "2016", "volume": "31",
               "issue": "2", "authors": "Saito, Y",
               "title": "Rating prediction for software developers by integrating community data",
               "journal": "Transactions of the Japanese Society for AI"}  # fmt: skip
    japanese = {**english, "record_id": "j2", "authors": "Vos, K",
                "journal": "Jinko Chino Gakkai Ronbunshi"}  # fmt: skip
    assert _unknown_authors(english, japanese) == (
        "same",
        "long_title_volume_issue",
    )
    # another issue: a person decides
    assert _unknown_authors(english, {**japanese, "issue": "3"})[0] != "same"


def test_one_conference_a_year_apart_without_authors_to_compare():
    talk = {"record_id": "i1", "search_id": "s", "doc_type": "inproceedings", "year": "2017",
            "title": "Call for bids to improve matching efficiency: evidence from online labor",
            "authors": "Stephany, F",
            "journal": "International Conference on Information Systems"}  # fmt: skip
    listed = {**talk, "record_id": "i2", "year": "2018", "authors": "Vos, K",
              "journal": "ICIS: Transforming Society with Digital Innovation"}  # fmt: skip
    assert _unknown_authors(talk, listed) == (
        "same",
        "long_title_venue_year_apart",
    )
    # another conference series: two meetings, two works
    other = {**listed, "journal": "Hawaii International Conference on System Sciences"}
    assert _unknown_authors(talk, other)[0] != "same"
    # a short title is too common to say it alone
    short = ({**talk, "title": "Home bias"}, {**listed, "title": "Home bias"})
    assert _unknown_authors(*short)[0] != "same"


def test_a_scrambled_author_column_does_not_lose_a_title_with_its_subtitle():
    # the second export's authors are scrambled: the review learns to ignore them, and the
    # first author no longer pairs records for comparison. A proceedings paper without a
    # volume whose title another record extends by a subtitle shares no other key than its
    # year and first page
    table = _review(issue_of=lambda w, copy: "")
    second = table["search_id"] == "s1"
    scrambled = table["authors"].where(~second, table["authors"].iloc[::-1].values)
    table = table.assign(authors=scrambled)
    paper = {"record_id": "p1", "search_id": "s0", "doc_type": "inproceedings",
             "year": "2016", "title": "Infrastructure in the wild", "authors": "Soden, R",
             "journal": "Proceedings of the 2016 CHI Conference", "pages": "2796-2807"}  # fmt: skip
    extended = {**paper, "record_id": "p2", "search_id": "s1", "authors": "Vos, K",
                "title": "Infrastructure in the wild: what mapping in Nepal reveals"}  # fmt: skip
    extra, _ = prepare_table(pd.DataFrame([paper, extended]).astype(str))
    both = pd.concat([table, extra], ignore_index=True)
    result = deduplicate(both, quiet=True)
    assert result.weights.ignored("authors")
    groups = _groups(both, result)
    assert {"p1", "p2"} in groups
    assert len(groups) == len(_TOPICS) + 1


def test_a_word_put_inside_a_title_is_not_left_to_the_weights():
    assert word_inserted("eculizumab for atypical hus", "eculizumab for congenital atypical hus")
    # a subtitle at an end, a stop word or a misspelt word is not a word put inside
    assert not word_inserted("eculizumab for atypical hus", "eculizumab for atypical hus in 2009")
    assert not word_inserted("effects of sport", "effects of the sport")
    assert not word_inserted("eculizumab for atypical hus", "eculizumab for atypicl hus")
    # two letters on neighbouring pages of one issue, authors scrambled: journal, year, volume
    # and issue agree (one issue holds many works) and the title is close; the weights would
    # join them, the inserted word keeps them for a person
    letter = {"record_id": "l1", "search_id": "s", "year": "2009", "volume": "360",
              "issue": "5", "pages": "542-544", "authors": "Loo, D",
              "title": "Eculizumab for atypical hemolytic-uremic syndrome",
              "journal": "New England Journal of Medicine"}  # fmt: skip
    next_one = {**letter, "record_id": "l2", "pages": "544-546", "authors": "Lunn, M",
                "title": "Eculizumab for congenital atypical hemolytic-uremic syndrome",
                }  # fmt: skip
    assert _verdict_ignoring(letter, next_one, "authors", prior_bits=0.0) == (
        "maybe",
        "similar_title",
    )
    # a misspelt word instead: the weights decide
    misspelt = {**next_one, "title": "Eculizumab for atypical hemolytic-uremic syndromes"}
    assert _verdict_ignoring(letter, misspelt, "authors", prior_bits=0.0)[0] == "same"


def test_the_same_authors_and_page_range_stand_in_for_a_source_that_cannot_be_compared():
    # the journal column scrambled: the same authors, year and page range say one text
    changed = {**_TALK, "record_id": "h2", "journal": "Information Systems Research",
               "title": _TALK["title"].replace("IT-enabled", "enhanced")}  # fmt: skip
    assert _verdict_ignoring(_TALK, changed, "journal", prior_bits=PRIOR) == (
        "same",
        "title_authors_year",
    )
    # one page only: a person decides
    one_page = ({**_TALK, "pages": "44"}, {**changed, "pages": "44"})
    assert _verdict_ignoring(*one_page, "journal", prior_bits=PRIOR)[0] != "same"


def test_one_title_by_other_authors_at_the_place_of_another_volume_is_another_work():
    # the same title, journal, issue and pages, one year missing, and a volume that differs:
    # with the author lists sharing nothing, the pair is not certain enough for the volume
    # (reliable here) to be taken for a typo
    first = {"record_id": "a", "search_id": "s", "title": "Understanding absorptive capacity",
             "authors": "Al-Mudimigh, Abdullah", "year": "", "journal": "Information Systems",
             "volume": "107", "issue": "3", "pages": "1827-1830"}  # fmt: skip
    other = {**first, "record_id": "b", "authors": "Okafor, C; Nguyen, T", "year": "2015",
             "volume": "110"}  # fmt: skip
    assert _verdict(first, other)[0] == "different"
    # the same author: one copy's volume mistyped
    assert _verdict(first, {**other, "authors": first["authors"]}) == (
        "same",
        "title_authors_no_year",
    )


def test_a_meeting_name_in_iso_4_abbreviations_is_a_meeting():
    # one export writes the meeting in full, the other abbreviates it and drops the word
    # "Conference": both are the same meeting abstract, not an abstract and its article
    full = {"record_id": "n1", "search_id": "s", "year": "2011", "volume": "26",
            "title": "The treatment of atypical haemolytic uraemic syndrome in children",
            "authors": "Loirat, C",
            "journal": "Pediatric Nephrology.Conference: 44th Annual Scientific Meeting of "
                       "the European Society for Paediatric Nephrology"}  # fmt: skip
    meeting = "Pediatr Nephrol 44th Annu Sci Meet Eur Soc Paediatr Nephrol"
    abbreviated = {**full, "record_id": "n2", "journal": meeting}
    assert form_of("", "pediatr nephrol 44th annu sci meet eur soc", "", "") == "conference"
    assert form_of("", "ann symp comput appl med care", "", "") == "conference"
    assert _verdict(full, abbreviated) == ("same", "title_authors_year")
    # "proc" opens journals' names too: not a meeting by itself
    assert form_of("", "proc natl acad sci u s a", "", "") == "journal"


def test_a_meeting_named_after_its_journal_agrees_with_the_journal():
    # a meeting abstract printed in the journal's supplement (volume 15) and the journal's own
    # record of it, paged another way: every word of the meeting abbreviated
    meeting = {"record_id": "p1", "search_id": "s", "year": "2011", "volume": "15",
               "title": "Maintenance of renal function under eculizumab despite discontinuation",
               "authors": "Davin, J C; Groothoff, J W; Bemelman, F J",
               "journal": "Pedi Tran 6th Congr Inte Pedi Tran Asso IPTA 2011 Montreal",
               "pages": "22"}  # fmt: skip
    journal = {**meeting, "record_id": "p2", "journal": "Pediatric Transplantation",
               "pages": "52"}  # fmt: skip
    table, _ = prepare_table(pd.DataFrame([meeting, journal, {**journal, "record_id": "p3",
                             "journal": "Pediatric Nephrology"}]).astype(str))  # fmt: skip
    keys = prepare(table)
    assert journal_forms_similarity(keys, 0, 1) == 0.8  # ratio alone: 0.44
    assert journal_forms_similarity(keys, 0, 2) < 0.8  # named after another journal
    # the whole citation but the pages agrees: the pages are written another way
    assert _verdict(meeting, journal) == ("same", "title_authors_year")
    assert _verdict(meeting, {**journal, "journal": "Pediatric Nephrology"})[0] == "different"


def test_the_volume_in_the_issue_field_of_both_exports_is_one_place():
    # neither export gives a volume and both give 15 as the issue: the whole citation but the
    # pages agrees (as with the volume), so the pages are written another way
    first = {"record_id": "v1", "search_id": "s", "year": "2011", "issue": "15",
             "title": "Maintenance of renal function under eculizumab despite discontinuation",
             "authors": "Davin, J C; Groothoff, J W; Bemelman, F J",
             "journal": "Pediatric Transplantation", "pages": "22"}  # fmt: skip
    second = {**first, "record_id": "v2", "pages": "52"}
    assert _verdict(first, second) == ("same", "title_authors_year")
    # a volume on one side only: the issue is not the whole place, the pages still tell
    assert _verdict({**first, "volume": "15"}, second)[0] == "different"
    # with a volume given and the issues differing, the pages still tell them apart
    assert _verdict({**first, "volume": "15", "issue": "1"},
                    {**second, "volume": "15", "issue": "2"})[0] == "different"  # fmt: skip


def test_abstracts_on_one_supplement_page_are_not_one_translated_work():
    # two abstracts of one first author on the same page of a journal's supplement, one
    # indexed under the meeting: other titles, so not one work under a translated title
    article = {"record_id": "s1", "search_id": "s", "year": "2011", "volume": "26",
               "issue": "9", "pages": "1676-1677", "journal": "Pediatric Nephrology",
               "title": "Eculizumab pharmacokinetics and efficacy in a newborn with aHUS",
               "authors": "Aguirre, M; Arrizabalaga, B; Abarrategui, C"}  # fmt: skip
    other = {**article, "record_id": "s2", "pages": "1676",
             "journal": "Pediatric Nephrology.Conference: 44th Annual Scientific Meeting",
             "title": "Early diagnosis of DEAP-HUS followed by complete renal recovery",
             "authors": "Aguirre, M; Mateos, J; Abarrategui, C"}  # fmt: skip
    assert _verdict(article, other)[0] == "different"
    # two journal records at one place under another title: the translated-title rule
    assert _verdict(article, {**other, "journal": "Pediatric Nephrology"}) == (
        "same",
        "source_locator",
    )


def test_pages_written_another_way_need_the_author_list_in_its_order():
    # one volume, no issue, other first pages: with the same authors in the same order the
    # pages are written another way; with another first author (most names shared: a case
    # report and its companion) they are two texts
    first = {"record_id": "w1", "search_id": "s", "year": "2011", "volume": "26",
             "title": "Successful combined liver and kidney transplantation in a child",
             "authors": "Melgar, A; Melgosa, M; Alonso, A; Frauca, E; Jara, P",
             "journal": "Pediatric Nephrology", "pages": "1355-1356"}  # fmt: skip
    second = {**first, "record_id": "w2", "pages": "1598"}
    assert _verdict(first, second) == ("same", "title_authors_year")
    reordered = {**second, "authors": "Alonso, A; Melgosa, M; Melgar, A; Frauca, E; Jara, P"}
    assert _verdict(first, reordered)[0] == "different"


def test_a_less_close_title_needs_the_authors_in_their_order():
    # the same authors and year, a title with words changed, one journal and volume: one
    # work; with the names of the research group in another order (another first author) it
    # is a companion paper
    first = {"record_id": "g1", "search_id": "s", "year": "2009", "volume": "24",
             "title": "Genetic aberrations in complement regulating genes in patients with "
                      "atypical HUS",
             "authors": "Westra, D; van de Kar, N; Volokhina, E",
             "journal": "Pediatric Nephrology"}  # fmt: skip
    second = {**first, "record_id": "g2",
              "title": "Molecular genetic aberrations in complement regulating genes in "
                       "atypical HUS"}  # fmt: skip
    assert _verdict(first, second) == ("same", "close_title_full_source")
    companion = {**second, "authors": "van de Kar, N; Westra, D; Volokhina, E"}
    assert _verdict(first, companion)[0] != "same"


def test_two_comments_on_one_paper_by_other_authors_are_two_notices():
    # the same title, journal, year, volume and issue; one record has no pages: the authors
    # tell the two commentaries apart
    first = {"record_id": "k1", "search_id": "s", "year": "2006", "volume": "15",
             "issue": "5", "pages": "470-472", "authors": "Galliers, Robert D",
             "title": "Commentary on Wanda Orlikowski's Material knowing: the scaffolding of "
                      "human knowledgeability",
             "journal": "European Journal of Information Systems"}  # fmt: skip
    second = {**first, "record_id": "k2", "pages": "", "authors": "Swan, Jacky"}
    assert _verdict(first, second) == ("different", "notice")
    # the same commentary exported twice (one without pages) is one notice
    assert _verdict(first, {**second, "authors": "Galliers, R D"}) == ("same", "notice_same")
    assert _verdict(first, {**second, "authors": ""}) == ("same", "notice_same")


def test_a_supplement_page_is_another_place_than_a_printed_page():
    # a meeting abstract (supplement page S500, 2011) and the article a year later (742-747):
    # the rules read the pages as disagreeing; the similarity itself says nothing (S500 could
    # be an article number), so the weights learned from it do not move
    abstract = {"record_id": "q1", "search_id": "s", "year": "2011", "pages": "S500",
                "title": "Role of chromosome 3q26 gain in predicting progression of cervical "
                         "intraepithelial neoplasia",
                "authors": "Rodolakis, A; Biliatis, I; Symiakaki, H",
                "journal": "International Journal of Gynecological Cancer"}  # fmt: skip
    article = {**abstract, "record_id": "q2", "year": "2012", "pages": "742-747"}
    table, _ = prepare_table(pd.DataFrame([abstract, article]).astype(str))
    assert similarities(prepare(table), 0, 1)["pages"] is None
    assert _verdict(abstract, article)[0] == "different"
    # the same first page in both (S500 and 500) is one place
    assert _verdict(abstract, {**article, "year": "2011", "pages": "500"})[0] == "same"


def test_another_issue_of_one_journal_in_one_year_without_a_volume_to_compare():
    # an editor's column of every issue: one record has lost its volume, so "another issue
    # of one volume" cannot be asked; another issue of the same journal in the same year is
    # another place all the same
    column = {"record_id": "e1", "search_id": "s", "year": "2000", "volume": "24",
              "issue": "1", "title": "Remarks from the MIS Quarterly editor: editor's comments",
              "authors": "Lee, Allen S", "journal": "MIS Quarterly"}  # fmt: skip
    next_issue = {**column, "record_id": "e2", "volume": "", "issue": "2"}
    assert _verdict(column, next_issue)[0] == "different"
    assert _verdict(column, {**next_issue, "issue": "1"})[0] == "same"
    # a year apart nothing is said: issues restart with each volume
    assert _verdict(column, {**next_issue, "year": "2001"})[0] != "different"


def test_a_reply_that_names_the_letter_is_not_the_letter():
    # the letter and its authors' reply, on the same page range of one issue, the reply's
    # authors missing (a scrambled or empty column): "reply to" marks a reply anywhere
    letter = {"record_id": "l1", "search_id": "s", "year": "2000", "volume": "66",
              "issue": "5", "pages": "1721-1722", "journal": "American Journal of Human Genetics",
              "authors": "Buddles, M R; Donne, R L; Richards, A",
              "title": "Complement factor H gene mutation associated with autosomal recessive "
                       "atypical hemolytic uremic syndrome"}  # fmt: skip
    reply = {**letter, "record_id": "l2", "pages": "1722", "authors": "",
             "title": letter["title"] + " - Reply to Buddles et al"}  # fmt: skip
    assert notice_kind(title_words(reply["title"])) == "reply"
    assert notice_kind(title_words("A reply to critics of the design")) == "reply"
    assert _verdict(letter, reply) == ("different", "notice")
