"""Comparing two records: field similarities and the rules that turn them into a verdict.

Similarities are between 0 and 1, or ``None`` when a field is missing on either side:

``title``     rapidfuzz ``ratio`` of the comparable titles (:func:`prepare.title_words`)
``authors``   best of: share of the shorter surname list found in the longer one, share of the
              shorter set of name words found in the other (survives swapped names) and
              rapidfuzz ``token_set_ratio`` of the name words (survives typos); a truncated
              list (``et al.``) therefore still scores 1
``journal``   1 for equal names, 0.95 when one is an abbreviation of the other (every word a
              prefix of the matching word or its letters in order: ``J Am Soc Nephrol``,
              ``Proc Natl Acad Sci``), else rapidfuzz ``ratio``; the best over the names each
              cell gives (parallel titles, subtitle, place in parentheses, leading acronym);
              at least 0.8 for a meeting named after the journal that printed its abstracts
              (``Pedi Tran 6th Congr ...`` / ``Pediatric Transplantation``)
``year``      1 when equal, 0.5 one year apart (online vs print), 0 otherwise
``volume``, ``issue``, ``doi``   1 equal, 0 different; volume and issue swapped in one record,
              or shifted up one field when its volume is missing, count as equal
``pages``     1 for the same first page (``c37`` = ``37``), 0.5 when the ranges overlap or only
              the last pages agree (a typo), ``None`` for an article number against printed
              pages (``e12724`` / ``1-6``), 0 otherwise
``abstract``  rapidfuzz ``ratio`` of the first 1000 letters

The verdict is ``same``, ``maybe`` (the review queue), ``link`` (related versions under the
``link`` policy) or ``different``; ``rule`` names the rule that decided.

What a corroborating field (authors, year, journal, volume, issue, pages) may do depends on its
role in this review, learned from the review's own records (:mod:`weights`): a field
``ignored`` here is treated as missing; only a ``veto`` field contradicts a match on its own
("nothing contradicting" below). A match that a ``weighed`` or ``unproven`` field disagrees with
becomes ``<rule>_doubted`` (review) unless its match odds reach ``match_odds`` or, for one
``unproven`` field, the pair is certain on its other fields (near-identical title, three
other fields agreeing and author lists that share something). An undecided pair
(``title_no_authors``, ``title_authors``, ``similar_title``) whose match odds reach
``match_odds`` is the same work
(``<rule>_weighed``), unless its titles differ in a real word or one has a word of meaning put
inside the other (``congenital``): the weights count journal, year, volume and issue as
independent, and every work of one issue shares them. A field ignored here (a column the
exports scrambled) or given in one record only is asked as if it agreed where the fields this
review trusts imply it (a volume of a journal is one year; one volume and first page are one
issue; the same journal, year and page range are one volume; the same first author, year,
volume and page range are one journal; never the authors or the pages, which nothing else
tells), if the match odds with its prior weight standing in reach ``match_odds``:
``<rule>_without_<field>``. Venue names that cannot be trusted neither tell a conference paper
from a journal article nor say that one title at meetings a year apart is two works
(``title_authors_year_apart_venue_unknown``, for review). The special cases (notices, Cochrane
versions, identifiers, preprints, conference abstracts) are decided as before. The rules, in
order:

1. ``notice``: an erratum, retraction, reply or comment is never the article it is about; two
   notices are the same only with near-equal titles, the same DOI or volume and page, and
   authors that do not disagree (two comments on one paper by others are two notices). An
   erratum at the very place of the article (same authors, volume, issue and first page) is
   the article mistitled: ``notice_same_place``.
2. ``cochrane_version``: two versions of one Cochrane review follow their policy.
3. ``doi`` / ``pmid``: the same identifier and a similar title (or the same authors and place in
   the journal; a title-less record matched by identifier alone). The same DOI under clearly
   different titles is a shared (supplement) DOI: ``doi_shared``, different.
4. ``doi_differs``: two different DOIs are two works, except a preprint and its publication
   (``preprint`` policy) and one text published twice (``same_text_other_doi``: the same
   title, authors and a long abstract all but equal).
5. ``conference_abstract`` / ``preprint``: a conference paper and a journal article, or a preprint
   and a published version, with matching title and authors, follow their policy; not when
   they are one publication indexed twice (the same volume and pages, or a meeting named
   after the journal whose supplement printed it: ``J Thromb Haemost.Conference: ...``).
   Titles that differ in a real word (``pediatric`` / ``adult``) or in a series number
   (``part 1`` / ``part 2``) are ``title_word_differs`` (review, or different when anything else
   contradicts) unless journal or volume, page, year and authors all agree (authors that
   cannot be compared, missing or ignored here: the same page range of several pages, one
   text's place, stands in for them).
6. ``title_authors_year``: title >= ``title_same``, authors >= ``authors_same``, the same year,
   nothing contradicting (volume, first page, issue within one volume or, with no volume to
   compare, one journal and year, or a clearly different journal; not the first page when
   all the rest of the citation agrees (the authors in their order) and no issue is given,
   or the volume is given only in the issue field of both: pages written another way; a
   supplement's page, ``S500``, against a printed page disagrees); one year apart
   (``..._year_apart``) or one year missing needs the journal, volume or page to agree as
   well, or title and authors all but equal. A generic title (``Editorial``) needs volume
   and page to agree. Years further apart with all else agreeing:
   ``title_authors_year_differs``, for review.
7. ``title_source_locator``: the same title at the same year, volume and first page of the same
   journal, whatever the authors look like (a group name, names swapped); one year apart
   (online and print) only with the same issue and page range.
   ``title_source``: no authors to compare (missing on one side, or ignored here): title,
   year, journal and volume or page agree. With a long title (six words or more) all but
   equal: ``long_title_source`` (the same year and journal), ``long_title_volume_issue`` (the
   same year, volume and issue of a journal named another way, e.g. translated) and
   ``long_title_venue_year_apart`` (two names of one conference series a year apart, by venue
   names this review trusts: proceedings listed under two years).
8. ``close_title_full_source``: a less close title (subtitle dropped, words changed), the same
   authors in their order (the same first author) and year, and journal, volume, issue or
   page agreeing at least twice over.
9. ``source_locator``: first author, year, journal, volume and first page agree though the titles
   do not (a translated title); not for supplements or meetings (either record), where many
   abstracts share a page.
10. otherwise ``maybe`` (``similar_title``) when title >= ``title_review`` with nothing
    contradicting, else ``different``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from rapidfuzz import fuzz

from slrflow.dedup.options import Options
from slrflow.dedup.prepare import Keys
from slrflow.dedup.weights import CORROBORATING, FieldWeights, level, prior_weights

FIELDS = ("title", "authors", "year", "journal", "volume", "issue", "pages", "doi", "abstract")
#: how much each similarity counts in a pair's score (a summary for ordering and review)
WEIGHTS = {
    "title": 4.0,
    "authors": 2.0,
    "year": 1.0,
    "journal": 1.0,
    "volume": 0.5,
    "issue": 0.25,
    "pages": 0.75,
    "doi": 2.0,
    "abstract": 1.0,
}

_STOP = frozenset(
    ["of", "the", "and", "for", "in", "on", "de", "la", "le", "les", "des", "du", "der", "die"]
    + ["und", "fur", "et", "y", "a", "an"]
)


@dataclass
class Comparison:
    """The result of comparing records ``i`` and ``j`` (positions in the record table)."""

    i: int
    j: int
    verdict: str
    rule: str
    score: float
    sims: dict[str, float | None]
    #: the match weight in bits: the sum of each field's weight in this review
    weight: float = 0.0


def title_similarity(a: str, b: str) -> float | None:
    if not a or not b:
        return None
    return fuzz.ratio(a, b) / 100


#: a title this long (words) that begins another may have lost the space before the other's
#: subtitle (``... inflammatory statesthe examples of ...``): it is still the other's beginning
GLUED_SUBTITLE_WORDS = 8


def title_is_prefix(a: str, b: str, *, words: int = 4) -> bool:
    """One title is the other without its subtitle or its leading label (``Hyred: ...``),
    with at least ``words`` words kept."""
    short, long = (a, b) if len(a) <= len(b) else (b, a)
    kept = len(short.split())
    return (
        bool(short)
        and (
            long.startswith(short + " ")
            or long.endswith(" " + short)
            or (kept >= GLUED_SUBTITLE_WORDS and long.startswith(short) and long != short)
        )
        and kept >= words
    )


def author_similarity(keys: Keys, i: int, j: int) -> float | None:
    tokens_a, tokens_b = keys.name_tokens[i], keys.name_tokens[j]
    if not tokens_a or not tokens_b:
        return None
    if tokens_a == tokens_b:  # the same names (most duplicates): every measure below is 1
        return 1.0
    best = len(tokens_a & tokens_b) / min(len(tokens_a), len(tokens_b))
    sa, sb = set(keys.surnames[i]) - {""}, set(keys.surnames[j]) - {""}
    if sa and sb:
        best = max(best, len(sa & sb) / min(len(sa), len(sb)))
    if best < 1:
        # below 0.5 the exact value decides nothing: let rapidfuzz stop early
        ratio = fuzz.token_set_ratio(keys.authors_text[i], keys.authors_text[j], score_cutoff=50)
        best = max(best, ratio / 100)
    return best


def first_author_match(keys: Keys, i: int, j: int) -> bool:
    sa, sb = keys.surnames[i], keys.surnames[j]
    if not sa or not sb or not sa[0] or not sb[0]:
        return False
    return sa[0] == sb[0] or fuzz.ratio(sa[0], sb[0]) >= 85


def _abbreviates(short: str, long: str) -> bool:
    """``short`` is ``long`` abbreviated: a prefix (``clin``), or its letters in order from the
    same first letter (``natl`` for ``national``, ``j`` for ``journal``)."""
    if long.startswith(short) or short.startswith(long):
        return True
    if short[0] != long[0] or len(short) > len(long):
        return False
    rest = iter(long)
    return all(c in rest for c in short)


def is_abbreviation(a: str, b: str) -> bool:
    """One name abbreviates the other word by word, stop words out (ISO 4 / NLM forms:
    ``proc natl acad sci u s a``); from three words on, the longer name may keep one word
    the abbreviation drops."""
    wa = [w for w in a.split() if w not in _STOP]
    wb = [w for w in b.split() if w not in _STOP]
    if not wa or not wb:
        return False
    short, long = (wa, wb) if len(wa) <= len(wb) else (wb, wa)
    skips = len(long) - len(short)
    if skips > (1 if len(short) >= 3 else 0):
        return False
    k = 0
    for word in long:
        if k < len(short) and _abbreviates(short[k], word):
            k += 1
        elif skips:
            skips -= 1
        else:
            return False
    return k == len(short)


def journal_similarity(a: str, b: str) -> float | None:
    if not a or not b:
        return None
    if a == b:
        return 1.0
    if is_abbreviation(a, b):
        return 0.95
    ratio = fuzz.ratio(a, b) / 100
    if ratio < 0.7 and title_is_prefix(a, b, words=1):
        return 0.7  # "Nephron" / "Nephron Clinical Practice": neither the same nor a conflict
    return ratio


#: the journal similarity of a meeting named after a journal and that journal: they agree
MEETING_OF_JOURNAL = 0.8


def journal_forms_similarity(keys: Keys, i: int, j: int) -> float | None:
    """The best :func:`journal_similarity` over the names each record's journal goes by."""
    fa, fb = keys.journal_forms[i], keys.journal_forms[j]
    if not fa or not fb:
        return None
    best = journal_similarity(keys.journal[i], keys.journal[j]) or 0.0
    if best < 1.0 and (len(fa) > 1 or len(fb) > 1):
        for x in fa:
            for y in fb:
                best = max(best, journal_similarity(x, y) or 0.0)
    if best < MEETING_OF_JOURNAL:
        ja, jb = keys.journal[i], keys.journal[j]
        if _meeting_of(ja, jb) or _meeting_of(jb, ja):
            # a meeting's abstracts printed in the journal it is named after, whatever the
            # abbreviations (``pedi tran 6th congr ...`` / ``pediatric transplantation``)
            best = MEETING_OF_JOURNAL
    return best


_ARTICLE_NUMBER = re.compile(r"^[a-z]{1,2}\d{3,}$")


def _page_number(page: str) -> int | None:
    digits = page.strip("abcdefghijklmnopqrstuvwxyz")
    return int(digits) if digits.isdigit() else None


def page_similarity(keys: Keys, i: int, j: int) -> float | None:
    """1 for the same first page (``c37`` and ``37`` alike); 0.5 when the page ranges overlap
    (a typo, or a single page that ends the other's range); ``None`` when one side is an
    article number (``e12724``) and the other printed pages; else 0."""
    a, b = keys.page[i], keys.page[j]
    if not a or not b:
        return None
    if a == b:
        return 1.0
    start_a, start_b = _page_number(a), _page_number(b)
    if start_a is None or start_b is None:
        return 0.0
    if start_a == start_b:
        return 1.0
    if bool(_ARTICLE_NUMBER.match(a)) != bool(_ARTICLE_NUMBER.match(b)):
        return None
    end_a = _page_number(keys.page_end[i]) or start_a
    end_b = _page_number(keys.page_end[j]) or start_b
    if keys.page_end[i] and keys.page_end[i] == keys.page_end[j]:
        return 0.5  # "2297-2108" / "2097-2108": a typo in the first page
    if start_a <= end_b and start_b <= end_a and max(end_a - start_a, end_b - start_b) < 500:
        return 0.5
    return 0.0


def parent_journal(journal: str) -> str:
    """The journal a meeting's abstracts appeared in: ``j thromb haemost conference 23rd...``
    -> ``j thromb haemost`` (``""`` when the name does not say so)."""
    head, found, _ = journal.partition(" conference ")
    return head if found else ""


def venues_agree(keys: Keys, i: int, j: int) -> bool:
    """Two conference names that may be one conference: ``ICIS: Transforming...`` and
    ``International Conference on Information Systems`` (acronym of one among the other's words)."""
    ja, jb = keys.journal[i], keys.journal[j]
    aa, ab = keys.venue_acronym[i], keys.venue_acronym[j]
    if not ja or not jb:
        return True
    if fuzz.ratio(ja, jb) >= 80 or (len(aa) >= 3 and aa == ab):
        return True
    words_a, words_b = set(ja.split()), set(jb.split())
    return (
        (len(aa) >= 3 and aa in words_b)
        or (len(ab) >= 3 and ab in words_a)
        or (
            len(aa) >= 3
            and len(ab) >= 3
            and any(fuzz.ratio(aa, w) >= 85 for w in words_b if len(w) >= 3)
            or any(fuzz.ratio(ab, w) >= 85 for w in words_a if len(w) >= 3)
        )
    )


_SERIES = frozenset(
    [
        "part",
        "pt",
        "study",
        "paper",
        "chapter",
        "volume",
        "vol",
        "section",
        "wave",
        "phase",
        "series",
        "no",
        "number",
        "issue",
        "report",
    ]
)
_ROMAN = frozenset(["i", "ii", "iii", "iv", "v", "vi", "vii", "viii", "ix", "x"])
_TYPO = 75  # two words this alike (rapidfuzz ratio) are one word misspelt


def title_word_conflict(a: str, b: str) -> bool:
    """Near-identical titles that differ in a real word (``Pediatric`` / ``Adult``) or number
    (``Part 1`` / ``Part 2``): often two works of a series, not one work misspelt."""
    if a.replace(" ", "") == b.replace(" ", ""):  # "p16INK4a" / "p16(INK4a)"
        return False
    wa, wb = set(a.split()), set(b.split())
    # numbers and roman numerals mark parts of a series ("part 2", "study ii"); a lone number
    # on one side only is as often a footnote mark, so it counts after a series word only
    marks_a = {w for w in wa if w.isdigit() or w in _ROMAN}
    marks_b = {w for w in wb if w.isdigit() or w in _ROMAN}
    if marks_a and marks_b and marks_a != marks_b:
        return True
    for words, other in ((a.split(), wb), (b.split(), wa)):
        for before, word in zip(words, words[1:], strict=False):
            if before in _SERIES and (word.isdigit() or word in _ROMAN) and word not in other:
                return True
    only_a, only_b = wa - wb, wb - wa
    if not only_a or not only_b:
        return False
    joined_a, joined_b = "".join(sorted(only_a)), "".join(sorted(only_b))
    if joined_a == joined_b:  # a word split in two ("health care" / "healthcare")
        return False
    # the other side's own words in their order (a set's order changes from run to run)
    run_together_b = "".join(w for w in b.split() if w in only_b)
    for word in only_a:
        if any(c.isdigit() for c in word) and any(c.isdigit() for c in run_together_b):
            return True
        if len(word) >= 3 and not any(fuzz.ratio(word, other) >= _TYPO for other in only_b):
            if run_together_b in "".join(a.split()) or word in "".join(b.split()):
                continue  # the word run together with its neighbour on the other side
            return True
    return False


def word_inserted(a: str, b: str) -> bool:
    """One title is the other with a word of meaning put inside it (``eculizumab for
    congenital atypical ...`` / ``eculizumab for atypical ...``): a narrower subject, often
    another work, not a misspelling; a subtitle added at an end is not inside."""
    wa, wb = a.split(), b.split()
    short, long = (wa, wb) if len(wa) <= len(wb) else (wb, wa)
    extra = set(long) - set(short)
    if not extra or set(short) - set(long) or title_is_prefix(a, b, words=1):
        return False
    inside = long[1:-1]
    return any(len(w) >= 4 and w not in _STOP and w in inside for w in extra)


def _equal(a: str, b: str) -> float | None:
    if not a or not b:
        return None
    return 1.0 if a == b else 0.0


def _shifted(keys: Keys, i: int, j: int) -> bool:
    """Record ``i`` lost its volume and the export shifted the rest one field up: its issue
    is ``j``'s volume and its page ``j``'s issue (``-, 26, 9`` against ``26, 9, 1746``)."""
    return (
        not keys.volume[i]
        and bool(keys.issue[i])
        and keys.issue[i] == keys.volume[j]
        and bool(keys.issue[j])
        and keys.page[i] == keys.issue[j]
    )


def _in_issue(keys: Keys, i: int, j: int) -> bool:
    """Record ``i`` holds ``j``'s volume in its issue field and nothing else of the two is
    given (the export put the volume in the wrong field)."""
    return (
        not keys.volume[i]
        and not keys.issue[j]
        and bool(keys.issue[i])
        and keys.issue[i] == keys.volume[j]
    )


def similarities(keys: Keys, i: int, j: int, title: float | None = None) -> dict:
    """Every field similarity of records ``i`` and ``j`` (see the module docstring)."""
    ya, yb = keys.year[i], keys.year[j]
    year = None if ya is None or yb is None else {0: 1.0, 1: 0.5}.get(abs(ya - yb), 0.0)
    aa, ab = keys.abstract[i], keys.abstract[j]
    volume, issue = _equal(keys.volume[i], keys.volume[j]), _equal(keys.issue[i], keys.issue[j])
    pages = page_similarity(keys, i, j)
    if volume == 0.0 and keys.volume[i] == keys.issue[j] and keys.issue[i] == keys.volume[j]:
        volume = issue = 1.0  # volume and issue swapped in one export
    elif volume is None and issue is None and (_in_issue(keys, i, j) or _in_issue(keys, j, i)):
        volume = 1.0
    elif _shifted(keys, i, j) or _shifted(keys, j, i):
        volume, issue, pages = 1.0, 1.0, None
    return {
        "title": title_similarity(keys.title[i], keys.title[j]) if title is None else title,
        "authors": author_similarity(keys, i, j),
        "year": year,
        "journal": journal_forms_similarity(keys, i, j),
        "volume": volume,
        "issue": issue,
        "pages": pages,
        "doi": _equal(keys.doi[i], keys.doi[j]),
        "abstract": fuzz.ratio(aa, ab) / 100 if aa and ab else None,
    }


def score_of(sims: dict[str, float | None]) -> float:
    """Weighted mean of the available similarities (0-1)."""
    total = weight = 0.0
    for name, value in sims.items():
        if value is not None:
            total += WEIGHTS[name] * value
            weight += WEIGHTS[name]
    return round(total / weight, 4) if weight else 0.0


def _policy(policy: str, relation: str, looks_same: bool) -> tuple[str, str]:
    if not looks_same or policy == "keep":
        return "different", relation
    return ("same" if policy == "merge" else "link"), relation


def classify(
    keys: Keys,
    i: int,
    j: int,
    options: Options,
    title: float | None = None,
    weights: FieldWeights | None = None,
    sims: dict[str, float | None] | None = None,
) -> Comparison:
    """Compare records ``i`` and ``j`` and decide (see the module docstring for the rules).
    ``weights`` are the field weights of this review (:mod:`weights`); without them every
    field is ``unproven``."""
    if sims is None:
        sims = similarities(keys, i, j, title)
    weights = weights or prior_weights()
    verdict, rule = _decide(keys, i, j, sims, options, weights)
    # the weight is shown with links and pairs to review; a pair kept apart needs none
    weight = weights.match_weight(sims) if verdict != "different" else 0.0
    return Comparison(i, j, verdict, rule, score_of(sims), sims, weight=weight)


#: rules that rest on a shared identifier or a special case, not on corroborating fields
_ANCHORED = (
    "notice",
    "cochrane_version",
    "doi",
    "pmid",
    "same_text_other_doi",
    "preprint",
    "conference_abstract",
)


#: undecided pairs that the learned weights may decide: a close title with something missing
#: (authors, a year) or a title just below ``title_same``; not a changed or inserted word or a
#: far year
_WEIGHABLE = ("title_no_authors", "title_authors", "similar_title")


def _decide(keys: Keys, i: int, j: int, sims: dict, o: Options, w: FieldWeights) -> tuple[str, str]:
    # A field that is no more telling among duplicates than among strangers in this review is
    # treated as missing; a field that disagrees without having proved reliable only doubts.
    ignored = w.ignored_corroborating
    s = {k: (None if k in ignored else v) for k, v in sims.items()} if ignored else sims
    if sims["pages"] is None and "pages" not in ignored and _supplement_page(keys, i, j):
        # to the rules (not to the weights, learned from pairs of which some are a meeting
        # abstract and its article) a supplement's page is another place than a printed page
        s = {**s, "pages": 0.0}
    verdict, rule = _rules(keys, i, j, s, o, w)
    if (
        verdict == "maybe"
        and rule in _WEIGHABLE
        and w.match_odds(sims) >= o.match_odds
        and not title_word_conflict(keys.title[i], keys.title[j])
        and not word_inserted(keys.title[i], keys.title[j])
    ):
        # the fields this review has shown to be telling outweigh what is missing
        return "same", rule + "_weighed"
    if verdict != "same" and verdict != "link":
        found = _as_if_agreeing(keys, i, j, sims, s, o, w)
        if found:
            return "same", found
    if verdict != "same" or rule.startswith(_ANCHORED):
        return verdict, rule
    doubting = [name for name in _disagreeing(keys, i, j, s) if not w.vetoes(name)]
    unproven = all(w.role(name) == "unproven" for name in doubting)
    if (
        doubting
        and not (unproven and _certain_without(keys, i, j, s, doubting))
        and w.match_odds(sims) < o.match_odds
    ):
        return "maybe", rule + "_doubted"
    return verdict, rule


_SUPPLEMENT_PAGE = re.compile(r"^s\d+$")


def _supplement_page(keys: Keys, i: int, j: int) -> bool:
    """One record's first page is a supplement's (``S500``: a meeting abstract) and the
    other's a printed page of a regular issue (``742``)."""
    a, b = keys.page[i], keys.page[j]
    return bool(a and b) and (
        (bool(_SUPPLEMENT_PAGE.match(a)) and b.isdigit())
        or (bool(_SUPPLEMENT_PAGE.match(b)) and a.isdigit())
    )


def _implied(keys: Keys, i: int, j: int, s: dict, name: str) -> bool:
    """The fields this review trusts say that the ignored field ``name`` must agree: a
    volume of a journal is one year; the same journal, year and page range (or issue and
    first page) is one volume; the same first author, year, volume and page range is one
    journal. Nothing else says who wrote a text (authors) or where it starts (pages)."""
    journal = level("journal", s["journal"]) == "agree"
    if name == "year":
        return journal and s["volume"] == 1.0
    if name == "volume":
        return (
            journal
            and s["year"] == 1.0
            and ((s["issue"] == 1.0 and s["pages"] == 1.0) or _same_page_range(keys, i, j))
        )
    if name == "journal":
        return (
            s["year"] == 1.0
            and s["volume"] == 1.0
            and _same_page_range(keys, i, j)
            and first_author_match(keys, i, j)
            and (s["authors"] or 0) >= 0.8
        )
    if name == "issue":
        return s["volume"] == 1.0 and s["pages"] == 1.0
    return False


_IMPLIED = ("year", "journal", "volume", "issue")


def _one_side(keys: Keys, i: int, j: int, name: str) -> bool:
    """Field ``name`` (year, journal, volume or issue) is given in one of the two records."""
    values = getattr(keys, name)
    return (values[i] is None or values[i] == "") != (values[j] is None or values[j] == "")


def _as_if_agreeing(
    keys: Keys, i: int, j: int, sims: dict, s: dict, o: Options, w: FieldWeights
) -> str:
    """The rule that makes the pair the same work once the fields that the trusted fields
    imply (:func:`_implied`) and that cannot speak for themselves (ignored in this review, or
    given in one record only) are taken as agreeing, when the pair's match odds with their
    stand-in weight reach ``match_odds``: ``<rule>_without_<field>``; else an empty string.
    A review whose exports scrambled or dropped a field loses only that field's evidence,
    not every rule that reads it."""
    unseen = tuple(
        name
        for name in _IMPLIED
        if s[name] is None
        and (sims[name] is not None and w.ignored(name) or _one_side(keys, i, j, name))
        and _implied(keys, i, j, s, name)
    )
    if not unseen or w.match_odds(sims) + w.stand_in(unseen) < o.match_odds:
        return ""
    verdict, rule = _rules(keys, i, j, {**s, **dict.fromkeys(unseen, 1.0)}, o, w)
    if verdict != "same":
        return ""
    return f"{rule}_without_{'_'.join(unseen)}"


def _pages_written_differently(keys: Keys, i: int, j: int, s: dict) -> bool:
    """The whole citation but the pages agrees and no issue tells the two apart: the pages
    are written another way (a page count, an article number, another pagination)."""
    rest = (s["year"], s["authors"], s["journal"])
    return (
        # one number for the place in the journal: the volume, or the issue when neither
        # record gives a volume (both exports put the volume in the issue field)
        (
            (s["issue"] is None and s["volume"] == 1.0)
            or (s["issue"] == 1.0 and not keys.volume[i] and not keys.volume[j])
        )
        and (s["title"] or 0) >= 0.97
        # year, authors (in their order: the same first author) and journal agree; one of
        # them may be missing
        and s["year"] in (1.0, None)
        and (s["authors"] is None or (s["authors"] >= 0.9 and first_author_match(keys, i, j)))
        and (s["journal"] is None or s["journal"] >= 0.8)
        and sum(value is None for value in rest) <= 1
        and not (keys.generic[i] or keys.generic[j])
    )


def _certain_without(keys: Keys, i: int, j: int, s: dict, doubting: list[str]) -> bool:
    """One field alone (not measured in this review) doubts a pair that is certain on its
    other fields: near-identical titles (not generic), at least three other corroborating
    fields agreeing and author lists that share something (one title by other authors at the
    same place of another volume is another work)."""
    t = s["title"]
    if len(doubting) > 1 or t is None or t < 0.97 or keys.generic[i] or keys.generic[j]:
        return False
    if "authors" not in doubting and level("authors", s["authors"]) == "disagree":
        return False
    others = [name for name in CORROBORATING if name not in doubting]
    return sum(level(name, s[name]) == "agree" for name in others) >= 3


def _overruled(keys: Keys, i: int, j: int, s: dict, disagreeing: list[str]) -> bool:
    """One reliable field disagrees with a pair that is certain without it and sits at the same
    place in the journal: two of volume, issue and first page (other than that field) agree.
    Works that recur in every issue (an editor's column) differ in their pages, so an issue
    alone against a missing page range still keeps them apart."""
    if len(disagreeing) != 1 or not _certain_without(keys, i, j, s, disagreeing):
        return False
    place = [name for name in ("volume", "issue", "pages") if name not in disagreeing]
    return sum(s[name] == 1.0 for name in place) >= 2


def _disagreeing(keys: Keys, i: int, j: int, s: dict) -> list[str]:
    """Corroborating fields that disagree on this pair (an issue only within one volume, a
    journal only when the two are not one publication indexed two ways)."""
    out = [name for name in ("year", "volume", "pages") if level(name, s[name]) == "disagree"]
    if "pages" in out and _pages_written_differently(keys, i, j, s):
        out.remove("pages")
    # another issue of one volume; or, with no volume to compare, of one journal in one year
    if s["issue"] == 0.0 and (
        s["volume"] == 1.0
        or (s["volume"] is None and s["year"] == 1.0 and level("journal", s["journal"]) == "agree")
    ):
        out.append("issue")
    j_sim = s["journal"]
    if j_sim is not None and j_sim < 0.5:
        forms = {keys.form[i], keys.form[j]}
        vol_eq, page_eq = s["volume"] == 1.0, s["pages"] == 1.0
        if (
            forms != {"conference"}
            and not _same_publication(keys, i, j, vol_eq and page_eq)
            and not (vol_eq and (page_eq or s["issue"] == 1.0))
            and not (_same_page_range(keys, i, j) and s["year"] == 1.0)
        ):
            out.append("journal")
    return out


def _same_page_range(keys: Keys, i: int, j: int) -> bool:
    """The same first and last page, several pages apart (``93-105`` in both): the place of
    one text, whatever the two exports call the book or series it is in."""
    first, last = keys.page[i], keys.page_end[i]
    return bool(first and last and first != last) and (first, last) == (
        keys.page[j],
        keys.page_end[j],
    )


def _same_publication(keys: Keys, i: int, j: int, locator: bool) -> bool:
    """The same volume and page range, or a conference named after the journal ("Transplant
    International.Conference: ...") is one publication indexed two ways, not two versions."""
    ja, jb = keys.journal[i], keys.journal[j]
    return locator or (
        bool(ja)
        and bool(jb)
        and (
            ja == jb
            or ja.startswith(jb + " ")
            or jb.startswith(ja + " ")
            or (journal_similarity(parent_journal(ja), jb) or 0) >= 0.9
            or (journal_similarity(parent_journal(jb), ja) or 0) >= 0.9
            or _meeting_of(ja, jb)
            or _meeting_of(jb, ja)
        )
    )


#: words (and their abbreviations) that name a meeting after its journal's name
_MEETING = re.compile(r"^(conf|cong|meet|symp|annu|abstr|proc|suppl)")


def _meeting_of(meeting: str, journal: str) -> bool:
    """``meeting`` is a meeting named after ``journal`` in any of their abbreviations: its
    first words abbreviate the journal's whole name and a later word names a meeting
    (``jour thro haem 23rd cong ...`` after ``j thromb haemost``)."""
    name = [w for w in journal.split() if w not in _STOP]
    words = [w for w in meeting.split() if w not in _STOP]
    if len(name) < 2 or len(words) <= len(name):
        return False
    rest = words[len(name) :]
    return any(_MEETING.match(w) for w in rest) and is_abbreviation(
        " ".join(words[: len(name)]), " ".join(name)
    )


def _rules(keys: Keys, i: int, j: int, s: dict, o: Options, w: FieldWeights) -> tuple[str, str]:
    t, a, y = s["title"], s["authors"], s["year"]
    j_sim = s["journal"]
    prefix = title_is_prefix(keys.title[i], keys.title[j])
    close_title = t is not None and (t >= o.title_same or prefix)
    authors_ok = a is None or a >= o.authors_same
    vol_eq, page_eq, issue_eq = s["volume"] == 1.0, s["pages"] == 1.0, s["issue"] == 1.0
    journal_ok = j_sim is not None and j_sim >= 0.8
    supplement = keys.page[i].startswith("s") or keys.page[j].startswith("s")

    # 1. notices about an article are not the article; but an erratum at the very place of
    # the article it names (same authors, volume, issue and first page) is that article
    # mistitled: an erratum is printed on a page of its own (a reply may share the letter's)
    if keys.notice[i] != keys.notice[j]:
        if (
            {keys.notice[i], keys.notice[j]} & {"erratum", "retraction"}
            and prefix
            and vol_eq
            and page_eq
            and s["issue"] != 0.0
            and y == 1.0
            and a is not None
            and a >= o.authors_same
        ):
            return "same", "notice_same_place"
        return "different", "notice"
    if keys.notice[i]:
        # the same notice at the same place (volume and page; one of them may be missing)
        place = (vol_eq and page_eq) or (
            (vol_eq or page_eq)
            and s["volume"] in (1.0, None)
            and s["pages"] in (1.0, None)
            and s["issue"] != 0.0
            and y == 1.0
            and not (keys.generic[i] or keys.generic[j])
        )
        # by other authors (two replies to one letter) it is another notice
        other_authors = level("authors", a) == "disagree"
        if t is not None and t >= 0.97 and (s["doi"] == 1.0 or place) and not other_authors:
            return "same", "notice_same"
        return "different", "notice"

    # 2. versions of one Cochrane review
    fa, fb = keys.doi_family[i], keys.doi_family[j]
    if fa and fa == fb and keys.doi_version[i] != keys.doi_version[j]:
        return _policy(o.cochrane_versions, "cochrane_version", t is None or t >= 0.9)

    # 3. the same identifier
    same_pmid = keys.pmid[i] and keys.pmid[i] == keys.pmid[j]
    if s["doi"] == 1.0 or same_pmid:
        rule = "doi" if s["doi"] == 1.0 else "pmid"
        if t is None:
            return ("same", rule + "_only") if a is None or a >= 0.5 else ("maybe", rule + "_only")
        if t >= 0.8 or prefix:
            return "same", rule
        # the same identifier under another (translated) title: the authors and the place
        # agree (without a year, both volume and page)
        if (
            (a or 0) >= 0.8
            and (y == 1.0 and (page_eq or vol_eq) or y is None and page_eq and vol_eq)
            and not supplement
        ) or (a is None and y == 1.0 and vol_eq and page_eq and s["issue"] != 0.0):
            return "same", rule + "_translated_title"
        if t < 0.6:
            return "different", rule + "_shared"
        return "maybe", rule + "_title_differs"

    # a venue name that this review cannot trust does not tell a conference paper either
    form = keys.form_by_type if w.ignored("journal") else keys.form
    forms = {form[i], form[j]}
    looks_same = close_title and authors_ok and (y is None or y > 0 or t >= 0.97)
    same_publication = _same_publication(keys, i, j, vol_eq and page_eq)
    # 4. two different DOIs
    if s["doi"] == 0.0:
        if "preprint" in forms and len(forms - {""}) == 2:
            return _policy(o.preprint, "preprint", looks_same)
        if (
            t is not None
            and t >= 0.97
            and (a or 0) >= 0.9
            and (s["abstract"] or 0) >= 0.95
            and min(len(keys.abstract[i]), len(keys.abstract[j])) >= 300
            and len(forms - {""}) < 2
            and not (keys.generic[i] or keys.generic[j])
        ):
            return "same", "same_text_other_doi"  # one article published twice
        return "different", "doi_differs"
    # 5. a conference paper and a journal article; a preprint and its publication
    if len(forms - {""}) == 2 and not same_publication:
        relation = "preprint" if "preprint" in forms else "conference_abstract"
        if relation == "conference_abstract" and "conference" not in forms:
            pass  # e.g. a preprint server against a journal: handled above
        else:
            policy = o.preprint if relation == "preprint" else o.conference_abstract
            return _policy(policy, relation, looks_same)

    both_conference = forms == {"conference"}
    venue_known = not w.ignored("journal")
    # only a field that has proved reliable in this review contradicts a match on its own, and
    # not alone against a pair that is certain on its other fields (the review's own test of a
    # certain pair: a field mistyped in one export, an issue for a supplement number)
    disagreeing = _disagreeing(keys, i, j, s)
    contradiction = (
        any(w.vetoes(name) for name in disagreeing) and not _overruled(keys, i, j, s, disagreeing)
    ) or (
        # one paper at two meetings a year apart (by venue names this review trusts)
        both_conference and y == 0.5 and venue_known and not venues_agree(keys, i, j)
    )
    # two names of one conference ("ICIS: ..." / "International Conference on Information
    # Systems") agree as a journal does
    if both_conference and not journal_ok and j_sim is not None:
        journal_ok = venues_agree(keys, i, j)
    agreeing = sum([journal_ok, vol_eq, page_eq, issue_eq and vol_eq])
    generic = keys.generic[i] or keys.generic[j]
    # the whole place in the journal agrees: a missing author list or year takes nothing away
    locator = journal_ok and vol_eq and page_eq
    # the same page range (several pages) at the same source and year is one text's place:
    # it stands in for authors this review cannot compare (missing, or a scrambled column),
    # and with the same authors for a source it cannot compare
    same_range = _same_page_range(keys, i, j)
    full_source = (
        (vol_eq or journal_ok or (j_sim is None and same_range and a is not None))
        and page_eq
        and y == 1.0
        and ((a or 0) >= 0.9 or (a is None and same_range))
    ) or (locator and (a is None or a >= 0.9) and y in (1.0, None) and (a, y) != (None, None))
    # a word changed, not misspelt: only a full source match may still say "same"
    if (
        close_title
        and t < 1.0
        and not full_source
        and title_word_conflict(keys.title[i], keys.title[j])
    ):
        return (
            ("maybe", "title_word_differs")
            if not contradiction
            else ("different", "title_word_differs")
        )

    # 6. title, authors and year
    if close_title and a is not None and a >= o.authors_same and not contradiction:
        if generic:
            return (
                ("same", "generic_title_source")
                if vol_eq and page_eq and y == 1.0
                else ("different", "generic_title")
            )
        if y == 1.0 and (t >= 0.97 or agreeing >= 1 or not prefix):
            return "same", "title_authors_year"
        if y == 0.5 and (agreeing >= 1 or (t >= 0.97 and a >= 0.9)):
            if both_conference and not venue_known:
                # one meeting listed under two years, or one paper at two meetings: only the
                # venue names tell, and this review's cannot be trusted
                return "maybe", "title_authors_year_apart_venue_unknown"
            return "same", "title_authors_year_apart"
        if y is None and agreeing >= 1:
            return "same", "title_authors_no_year"
        return "maybe", "title_authors"
    # a far year alone (online-first, reprint, a wrong year) is for a person to judge
    if (
        close_title
        and t >= 0.97
        and (a is None or a >= 0.9)
        and y == 0.0
        and not generic
        and s["volume"] != 0.0
        and s["pages"] != 0.0
    ):
        return "maybe", "title_authors_year_differs"
    # 7. the same title at the same place in the same journal: authors written another way
    # (a group name, given and family names swapped) do not matter
    if (
        t is not None
        and t >= o.title_same
        # one year apart (online and print) only when the issue and page range agree too
        and (y == 1.0 or (y == 0.5 and issue_eq and same_range))
        and vol_eq
        and page_eq
        # 0.7: one name starts the other; the same page range: a book and its series
        and (j_sim is None or j_sim >= 0.7 or same_range)
        and not generic
        and not (vol_eq and s["issue"] == 0.0)
    ):
        return "same", "title_source_locator"
    # 7b. no authors on one side
    if close_title and a is None and not contradiction and not generic:
        if y == 1.0 and journal_ok and (vol_eq or page_eq):
            return "same", "title_source"
        long_title = t >= 0.97 and len(keys.title[i].split()) >= 6
        if y == 1.0 and journal_ok and long_title:
            return "same", "long_title_source"  # a long title in the same year and journal
        if y == 1.0 and long_title and vol_eq and issue_eq:
            # the same volume and issue of a journal named another way (a translated name)
            return "same", "long_title_volume_issue"
        if y == 0.5 and long_title and both_conference and venue_known and journal_ok:
            # one paper listed under the years of two meetings of one conference series
            return "same", "long_title_venue_year_apart"
        return "maybe", "title_no_authors"
    # 8. a less close title with the same authors, year and source
    if (
        t is not None
        and (t >= 0.8 or title_is_prefix(keys.title[i], keys.title[j], words=3))
        and not contradiction
        and not generic
        and (
            # the same authors in their order: a research group's companion papers share
            # most names under another first author
            ((a or 0) >= 0.9 and first_author_match(keys, i, j) and y == 1.0 and agreeing >= 2)
            # one of authors and year missing: the whole place in the journal must agree, to
            # the last page (several abstracts may share one page)
            or (full_source and locator and same_range)
        )
    ):
        return "same", "close_title_full_source"
    # 9. the same place in the same journal under another (translated) title
    if (
        t is not None
        and not contradiction
        # a meeting's abstracts share pages of the journal's supplement
        and "conference" not in forms
        and not re.search(r"[a-z]$", keys.page[i])  # "81A": meeting-abstract pages
        and journal_ok
        and vol_eq
        and page_eq
        and not supplement
        and (
            (y == 1.0 and first_author_match(keys, i, j) and (a or 0) >= 0.8)
            # no authors or no year to compare: the same issue and page range instead
            or (
                (a is None) != (y is None)
                and (a is None or (first_author_match(keys, i, j) and a >= 0.8))
                and (y is None or y == 1.0)
                and issue_eq
                and same_range
            )
        )
        and not generic
    ):
        return "same", "source_locator"
    # 10. the grey zone
    if t is not None and (t >= o.title_review or prefix) and not contradiction and (a or 1) >= 0.5:
        if generic:
            return "different", "generic_title"
        return "maybe", "similar_title"
    return "different", "dissimilar"
