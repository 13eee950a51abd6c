"""Blocking: which pairs of records are compared at all."""

from __future__ import annotations

import pandas as pd

from slrflow.dedup import deduplicate
from slrflow.dedup.block import candidate_pairs
from slrflow.dedup.load import prepare_table
from slrflow.dedup.prepare import prepare

#: words that make every title differ in its first and its last 24 letters
WORDS = [
    "alpha",
    "bravo",
    "charlie",
    "delta",
    "echo",
    "foxtrot",
    "golf",
    "hotel",
    "india",
    "juliet",
    "kilo",
    "lima",
    "mike",
    "november",
    "oscar",
]


def keys_of(rows: list[dict]):
    frame = pd.DataFrame(
        [{"record_id": f"r{n}", "search_id": "s", **row} for n, row in enumerate(rows)]
    ).fillna("")
    table, _ = prepare_table(frame.astype(str))
    return prepare(table)


def same_author_and_year(count: int) -> list[dict]:
    """``count`` records of one first author and year, titles alike in no blocking key."""
    return [
        {
            "title": f"{WORDS[k % 15]} {k} study of mentoring programmes in schools "
            f"{WORDS[-1 - k % 15]} {k}",
            "authors": "Jansen, Pieter; Bakker, Lotte",
            "year": "2020",
        }
        for k in range(count)
    ]


def pairs(keys, **limits) -> set[tuple[int, int]]:
    return {(int(i), int(j)) for i, j in candidate_pairs(keys, **limits)}


def test_small_author_block_is_compared_all_with_all():
    keys = keys_of(same_author_and_year(12))
    assert len(pairs(keys)) == 12 * 11 // 2


def test_large_author_block_compares_each_record_with_its_neighbours_in_title_order():
    keys = keys_of(same_author_and_year(13))
    found = pairs(keys)
    # 13 records in title order, each with the next 4: 12 + 11 + 10 + 9 pairs, not 78
    assert len(found) == 12 + 11 + 10 + 9
    by_title = sorted(range(13), key=lambda m: keys.title_key[m])
    first, fifth, sixth = by_title[0], by_title[4], by_title[5]
    assert tuple(sorted((first, fifth))) in found
    assert tuple(sorted((first, sixth))) not in found


def test_the_author_limits_are_options():
    keys = keys_of(same_author_and_year(13))
    assert len(pairs(keys, max_author_block=13)) == 13 * 12 // 2
    assert len(pairs(keys, author_window=1)) == 12


def test_other_keys_keep_the_larger_block_limit():
    # 13 records sharing the beginning of their titles (and nothing else): one title block
    rows = [
        {
            "title": f"mentoring young people at risk of violent extremism {WORDS[k]} {k}",
            "authors": f"{WORDS[k].title()}, Anna",
            "year": str(2000 + k),
        }
        for k in range(13)
    ]
    assert len(pairs(keys_of(rows))) == 13 * 12 // 2


def test_near_identical_titles_far_apart_in_the_table_meet_in_a_large_block():
    rows = same_author_and_year(30)
    # a typo near its beginning and words added at its end: no title key in common
    twin = dict(rows[3], title=rows[3]["title"].replace("study", "stduy") + " a trial")
    keys = keys_of([*rows, twin])
    assert (3, 30) in pairs(keys, author_window=1)
    assert (3, 30) not in pairs(keys, max_author_block=0, author_window=0)


def test_a_proceedings_paper_without_authors_meets_its_title_with_a_subtitle():
    # no volume, no common first author, and titles that differ at both ends (the short one is
    # under 24 letters, the long one has a subtitle): only the year and first page pair them
    paper = {"title": "Infrastructure in the wild", "year": "2016", "pages": "2796-2807",
             "journal": "Proceedings of the 2016 CHI Conference"}  # fmt: skip
    extended = {**paper, "authors": "Soden, R; Palen, L",
                "title": "Infrastructure in the wild: what mapping in Nepal reveals"}  # fmt: skip
    assert pairs(keys_of([paper, extended])) == {(0, 1)}
    # another year or another first page: not paired
    assert pairs(keys_of([paper, {**extended, "year": "2017"}])) == set()
    assert pairs(keys_of([paper, {**extended, "pages": "2808-2819"}])) == set()


#: a German article and its English title, at one place in one journal
PLACE = {"authors": "Heiland, Heiner", "journal": "Industrielle Beziehungen", "volume": "25",
         "issue": "1", "pages": "128-139"}  # fmt: skip
ORIGINAL = {**PLACE, "title": "Zum aktuellen Stand des Plattformkapitalismus"}
TRANSLATED = {**PLACE, "title": "The current situation of platform capitalism", "year": "2018"}


def test_an_undated_record_meets_its_translated_twin_at_the_same_volume_and_first_page():
    # titles alike in no blocking key, and every other key holds the year: only the place
    # without the year pairs them
    assert pairs(keys_of([ORIGINAL, TRANSLATED])) == {(0, 1)}
    assert pairs(keys_of([{**ORIGINAL, "pages": "140-151"}, TRANSLATED])) == set()


def test_the_place_without_the_year_is_kept_only_where_an_undated_record_is():
    # dated 2015 and 2018 (not a year apart): two works at one place in different years
    assert pairs(keys_of([{**ORIGINAL, "year": "2015"}, TRANSLATED])) == set()


def test_an_undated_translated_article_is_merged_with_its_original():
    frame = pd.DataFrame(
        [
            {"record_id": f"r{n}", "search_id": "s", **row}
            for n, row in enumerate([ORIGINAL, TRANSLATED])
        ]
    ).fillna("")
    table, _ = prepare_table(frame.astype(str))
    result = deduplicate(table, quiet=True)
    assert result.label == [0, 0]
    assert [c.rule for c in result.evidence] == ["source_locator"]
