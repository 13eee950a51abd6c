"""RIS exports: Scopus, EBSCOhost (PsycINFO, EconLit, Criminal Justice Abstracts...), Ovid, Web
of Science, PubMed, Lens, Dimensions, IEEE Xplore, EndNote and reference managers.

The file is cut into entries here, by ``TY  - `` and ``ER  - `` lines, so that each entry keeps
the line it starts on; rispy's parser reads the tag lines of each entry. Everything outside an
entry is reported: text between entries (a warning naming its first line), an entry that never
ends (kept; the file may be truncated), tag lines with no ``TY`` before them (read as an entry).

Which tag holds what differs between databases; :func:`entry_fields` documents the choices.
Every tag, known or not, is kept in :attr:`Entry.original` under its own name.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

import rispy

from slrflow.ingest.fields import find_doi, find_pmid, first, split_standard_numbers, values
from slrflow.ingest.source import Source
from slrflow.records import Entry

_START = "TY  -"
_END = "ER  -"
_TAG_LINE = re.compile(r"^[A-Z][A-Z0-9]  -( |$)")
# What Ovid writes around each entry: a record number ("1.") before it and a link back to the
# database after it. Export decoration, not data, so no warning.
# Tags written with one space before the dash ("TY - JOUR"), as some hand-made or converted
# files have them; read as tags when the tag is one RIS defines, so that such a file is not one
# record holding every other's fields.
_KNOWN_TAGS = frozenset(rispy.TAG_KEY_MAPPING) | {"TY", "ER"}
_ONE_SPACE_TAG = re.compile(r"^([A-Z][A-Z0-9]) -(?= |$)")
_OVID_DECORATION = re.compile(r"^\s*\d+\.\s*$|^Link to the Ovid Full Text or citation: ")


class _SameName(dict):
    """A rispy tag mapping that maps every tag to itself, so entries keep the file's tags."""

    def __missing__(self, key: str) -> str:
        return key


class _TagParser(rispy.RisParser):
    """rispy's RIS line grammar; every tag becomes a list of its values, in file order.

    rispy would otherwise fold repeated non-list tags into one value, split ``UR`` at ``;``,
    and turn the continuation lines of list tags into separate values; a continuation line
    (no tag) here always extends the value it follows.
    """

    DEFAULT_MAPPING = _SameName()

    def parse_line(self, line: str) -> tuple[str | None, str]:
        tag, content = super().parse_line(line)
        if tag and line[5:6] not in ("", " "):  # "PY  -2020": rispy would drop the "2"
            content = line[5:].strip()
        return tag, content

    def _add_tag(self, record: dict, tag: str | None, content: str, extend_multiline=False):
        if not content and extend_multiline:
            return  # blank line inside an entry
        if tag is None:  # continuation right after the TY line
            tag = "TY"
        current = record.get(tag)
        if not isinstance(current, list):
            current = record[tag] = [] if current is None else [current]
        if extend_multiline and current:
            current[-1] = f"{current[-1]}\n{content}" if current[-1] else content
        else:
            current.append(content)


_PARSER = _TagParser()


def read(source: Source, *, mapping: dict[str, str] | None = None) -> Iterator[Entry]:
    """Yield one :class:`Entry` per RIS entry, ``line`` being the line of its ``TY`` tag."""
    start = 0  # line number of the open entry's first line; 0 when none is open
    tags: dict[str, list[str]] = {}  # the open entry's values per tag, in file order
    last = "TY"  # the tag a continuation line extends
    junk_start, junk_first, junk_count = 0, "", 0
    parse_line = _PARSER.parse_line
    one_space, one_space_first = 0, 0

    def report_junk() -> None:
        nonlocal junk_start, junk_count
        if junk_count:
            more = f" and {junk_count - 1} more line(s)" if junk_count > 1 else ""
            source.warn(
                junk_start,
                f"text outside any RIS entry ignored: {junk_first[:80]!r}{more}; "
                "check that no entry lost its 'TY  - ' line",
            )
        junk_start, junk_count = 0, 0

    # The tag lines are read here, as they come, with rispy's line grammar and the value rules
    # of _TagParser._add_tag: no list of lines per entry and no second pass over them.
    for number, raw in enumerate(source.iter_lines(), 1):
        line = raw.lstrip("\ufeff")  # files concatenated from several exports keep their BOMs
        if line[3:4] == "-" and line[2:3] == " " and line[1:2] != " ":
            loose = _ONE_SPACE_TAG.match(line)
            if loose and loose.group(1) in _KNOWN_TAGS:
                line = f"{line[:2]}  -{line[4:]}"
                one_space += 1
                one_space_first = one_space_first or number
        if start and not line.startswith(_START) and not line.startswith(_END):
            tag, content = parse_line(line)
            if tag is None:  # a continuation line extends the value before it
                if content:
                    current = tags[last]
                    current[-1] = f"{current[-1]}\n{content}" if current[-1] else content
            else:
                current = tags.get(tag)
                if current is None:
                    tags[tag] = [content]
                else:
                    current.append(content)
                last = tag
        elif line.startswith(_START):
            report_junk()
            if start:
                source.warn(
                    start,
                    f"entry has no end line ('ER  - ') before the next entry at line {number}; "
                    "read up to there",
                )
                yield _entry(start, tags)
            start, tags, last = number, {"TY": [parse_line(line)[1]]}, "TY"
        elif line.startswith(_END):
            report_junk()
            if start:
                yield _entry(start, tags)
                start, tags = 0, {}
            else:
                source.warn(number, "'ER  - ' with no entry open (no 'TY  - ' before it); ignored")
        elif not line.strip():
            report_junk()
        elif _TAG_LINE.match(line):
            report_junk()
            source.warn(
                number,
                "tag line outside any entry (no 'TY  - ' before it); read as the start of an "
                "entry with no type",
            )
            tag, content = parse_line(line)
            start, tags, last = number, {"TY": [""]}, tag
            tags.setdefault(tag, []).append(content)
        elif _OVID_DECORATION.match(line):
            continue
        else:
            if not junk_count:
                junk_start, junk_first = number, line.strip()
            junk_count += 1
    report_junk()
    if one_space:
        source.warn(
            one_space_first,
            f"{one_space} tag line(s) with one space before the dash ('TY - ' instead of "
            "'TY  - '), from here on; read as RIS tags",
        )
    if start:
        source.warn(
            start,
            "file ends inside this entry (no 'ER  - '): the export may be truncated; "
            "entry kept with the fields read",
        )
        yield _entry(start, tags)


def _entry(line: int, tags: dict[str, list[str]]) -> Entry:
    original = {tag: vals[0] if len(vals) == 1 else vals for tag, vals in tags.items()}
    return Entry(line=line, fields=entry_fields(tags), original=original)


_PUBMED_DATABASE = re.compile(r"(?i)pubmed|medline|\bnlm\b")
_PUBMED_LINK = re.compile(
    r"(?:ncbi\.nlm\.nih\.gov/pubmed/|pubmed\.ncbi\.nlm\.nih\.gov/)(\d{1,9})\b"
)


def entry_fields(tags: dict[str, list[str]]) -> dict[str, object]:
    """Record fields from RIS tags, by the tags each database uses for them.

    - title: ``TI``, else ``T1`` (EBSCO, Ovid), ``CT``, ``BT`` (a whole book), ``ST``.
    - authors: ``AU``, else ``A1`` (Ovid, older RIS); ``A2``/``A3`` are editors and series
      editors, not authors.
    - year: ``PY``, else ``Y1`` (EBSCO, Ovid, IEEE ``1 Jan.-Feb. 2019``), else ``DA``.
    - journal: ``JF``, ``T2`` (Scopus, PubMed, WoS, PsycINFO), ``JO`` (Dimensions), ``BT`` (the
      book of a chapter); abbreviation ``J2``/``JA``/``J9``/``JI``.
    - volume ``VL`` (``VO`` in IEEE), issue ``IS`` (``CP``), pages ``SP``/``EP``, else the
      article number ``C7`` (Scopus, EndNote).
    - doi: ``DO``; when missing, a DOI in ``L3`` (EBSCO), ``DI``, ``M3``, ``N1``, or a doi.org
      link in ``UR``/``L1``/``L2``/``L4``.
    - pmid: ``AN`` when ``DB``/``DP`` names PubMed/MEDLINE/NLM; else ``123 [PMID]`` or
      ``PMID: 123`` in ``U1``-``U5``, ``C1``-``C8``, ``N1`` or ``M1``; else a PubMed link in
      ``L2``/``UR`` (Lens).
    - issn/isbn: ``SN`` (either; told apart by length), ``BN`` (ISBN).
    - abstract: ``AB`` (EBSCO's trailing ``Copyright of ...`` paragraph dropped), else ``N2``.
    - keywords ``KW``; doc_type ``TY``; language ``LA``; publisher ``PB``; url the first web
      address in ``UR``, else ``L2``.
    """
    authors = values(tags, "AU") or values(tags, "A1")
    title = first(tags, "TI", "T1", "CT", "BT", "ST")
    journal = first(tags, "JF", "T2", "JO")
    if not journal and title != first(tags, "BT"):
        journal = first(tags, "BT")
    abstracts = values(tags, "AB")
    if len(abstracts) > 1:
        abstracts = [a for a in abstracts if not a.startswith("Copyright of ")] or abstracts
    doi = first(tags, "DO") or find_doi(values(tags, "L3", "DI", "M3", "N1"))
    if not doi:
        doi = find_doi(u for u in values(tags, "UR", "L1", "L2", "L4") if "doi.org/" in u)
    pmid = ""
    if _PUBMED_DATABASE.search(" ".join(values(tags, "DB", "DP"))) and re.fullmatch(
        r"\d{1,9}", first(tags, "AN").strip()
    ):
        pmid = first(tags, "AN").strip()
    if not pmid:
        notes = [f"U{i}" for i in range(1, 6)] + [f"C{i}" for i in range(1, 9)] + ["N1", "M1"]
        pmid = find_pmid(values(tags, *notes))
    if not pmid:  # Lens links each record to PubMed in L2
        for link in values(tags, "L2", "UR"):
            match = _PUBMED_LINK.search(link)
            if match:
                pmid = match.group(1)
                break
    issns, isbns = split_standard_numbers(values(tags, "SN"))
    isbns += values(tags, "BN")
    url = ""
    for text in values(tags, "UR", "L2"):
        match = re.search(r"https?://\S+", text)
        if match:
            url = match.group(0).rstrip(",;")
            break
    return {
        "title": title,
        "authors": authors,
        "year": first(tags, "PY", "Y1", "DA"),
        "journal": journal,
        "journal_abbrev": first(tags, "J2", "JA", "J9", "JI"),
        "volume": first(tags, "VL", "VO"),
        "issue": first(tags, "IS", "CP"),
        "start_page": first(tags, "SP") or first(tags, "C7"),
        "end_page": first(tags, "EP"),
        "doi": doi,
        "pmid": pmid,
        "issn": issns,
        "isbn": isbns,
        "abstract": "\n".join(abstracts) or first(tags, "N2"),
        "keywords": values(tags, "KW"),
        "doc_type": first(tags, "TY"),
        "language": first(tags, "LA"),
        "publisher": first(tags, "PB"),
        "url": url,
    }
