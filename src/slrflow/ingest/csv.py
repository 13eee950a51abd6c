"""Tables of records: CSV/TSV exports, and the column logic shared with :mod:`.xlsx`.

A table export has one header row and one record per row. Which column holds which field is
recognised from the header (:data:`KNOWN_COLUMNS`, compared case-insensitively), which covers
the exports of Scopus, Lens, PubMed (current and legacy CSV), Publish or Perish (Google
Scholar, Crossref...), IEEE Xplore, SpringerLink, Web of Science and tables whose headers are
RIS tags. A few vendors need more than a column name (how authors are joined, a journal name
with a year appended); :data:`PROFILES` recognises those by a set of headers they always have.

Any other table is read through a *mapping* (record field -> column name, from the search
log's ``mapping`` column): mapped fields use exactly the named column, the others still come
from the known names. A mapping naming a column the table does not have, and a table with no
column recognisable as the title, are errors that say what to write in the search log.

Positions: ``Entry.line`` is the *row* of the table, the header being row 1 (the row number a
spreadsheet shows), not the physical line: a quoted cell may span several lines.
"""

from __future__ import annotations

import csv
import itertools
import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field

from slrflow import limits
from slrflow.ingest.source import IngestError, Source
from slrflow.records import ENTRY_FIELDS, Entry

#: Header names (lower case, spaces folded) that hold each record field, best first. Per row
#: the first non-empty one wins; for ``keywords`` all of them are kept (author keywords and
#: index terms are both wanted).
KNOWN_COLUMNS: dict[str, tuple[str, ...]] = {
    "title": (
        "title",
        "document title",  # IEEE
        "item title",  # Springer
        "article title",  # WoS
        "primary title",
        "ti",
        "t1",
    ),
    "authors": (
        "authors",
        "author/s",  # Lens
        "author",
        "author full names",
        "author names",
        "creators",
        "au",
        "a1",
        "af",
    ),
    "year": (
        "year",
        "publication year",
        "py",
        "year published",
        "pubyear",
        "date published",
        "publication date",
        "date",
        "y1",
        "da",
    ),
    "journal": (
        "source title",  # Scopus (its "Source" column names the database)
        "publication title",  # IEEE, Springer
        "journal",
        "journal/book",  # PubMed
        "journal title",
        "source",  # Publish or Perish
        "publication",
        "secondary title",
        "so",
        "jo",
        "jf",
        "t2",
    ),
    "journal_abbrev": ("abbreviated source title", "journal abbreviation", "ja", "j2", "j9", "ji"),
    "volume": ("volume", "journal volume", "vl", "vol"),
    "issue": ("issue", "issue number", "journal issue", "number", "is", "no"),
    "start_page": ("page start", "start page", "startpage", "first page", "sp", "bp"),
    "end_page": ("page end", "end page", "endpage", "last page", "ep"),
    "pages": ("pages", "page range", "pg"),
    "doi": ("doi", "item doi", "di", "do"),
    "pmid": ("pubmed id", "pmid", "pm"),
    "issn": ("issn", "issns", "eissn", "sn"),
    "isbn": ("isbn", "isbns", "bn"),
    "abstract": ("abstract", "ab", "n2"),
    "keywords": (
        "author keywords",
        "keywords",
        "index keywords",
        "mesh terms",
        "ieee terms",
        "inspec controlled terms",
        "inspec non-controlled terms",
        "mesh_terms",
        "kw",
        "de",
    ),
    "doc_type": (
        "document type",
        "publication type",
        "content type",  # Springer
        "type",
        "dt",
        "ty",
        "pt",
    ),
    "language": ("language of original document", "language", "la"),
    "publisher": ("publisher", "pb", "pu"),
    "url": ("link", "url", "articleurl", "external url", "source urls", "pdf link", "ur", "l1"),
}


def _fold(name: str) -> str:
    """Header name as compared: lower case, inner whitespace folded, BOM and quotes dropped."""
    return " ".join(name.replace("\ufeff", "").strip().strip('"').lower().split())


# --- how some vendors join authors ------------------------------------------------------------

_HONORIFIC = re.compile(r"^(?:(?:Prof|Dr|Prof\. Dr|Assoc\. Prof|Mr|Mrs|Ms)\.?\s+)+")
# A lower-case letter glued to the capital that starts the next name ("AlievNigar T.").
_GLUED_NAME = re.compile(r"(?<=[a-z\u00df-\u00ff])(?=[A-Z\u00c0-\u00de][\w'\u2019-]*\.?\s)")


def split_comma_authors(value: str) -> list[str]:
    """``"C Kun-Rodrigues, J Salmona, ..."`` (Publish or Perish, PubMed) -> names."""
    names = [n.strip().rstrip(".").strip() for n in value.split(",")]
    return [n for n in names if n and n not in {"...", "\u2026", "et al"}]


def split_glued_authors(value: str) -> list[str]:
    """SpringerLink joins names with nothing: ``"Araz R. AlievNigar T. Ismayilova"``."""
    return [_HONORIFIC.sub("", n).strip() for n in _GLUED_NAME.split(value) if n.strip()]


_SURNAME_INITIALS = re.compile(r"(.+?)\s+((?:[A-Z][a-z]?\.[-\s]?)+)")


def split_scopus_authors(value: str) -> list[str]:
    """Scopus: ``"Phillips J.C., Braun R."`` (before 2023) or ``"Phillips, J.C.; Braun, R."``.

    Names come back as ``Surname, Initials``; Scopus's ``[No author name available]`` is none.
    """
    if value.startswith("[No author"):
        return []
    parts = value.split(";") if ";" in value else re.split(r"(?<=\.),\s*", value)
    names = []
    for part in (p.strip() for p in parts):
        match = None if "," in part else _SURNAME_INITIALS.fullmatch(part)
        names.append(f"{match.group(1)}, {match.group(2).strip()}" if match else part)
    return [n for n in names if n]


def _pubmed_legacy(fields: dict, cells: dict[str, str]) -> None:
    # ShortDetails is "Pediatr Allergy Immunol.  2019": the journal with its year appended.
    short = cells.get("ShortDetails", "")
    fields["journal"] = re.sub(r"\s+\d{4}\s*$", "", short).strip()
    if fields.get("url", "").startswith("/pubmed/"):
        fields["url"] = "https://pubmed.ncbi.nlm.nih.gov/" + fields["url"][len("/pubmed/") :]


@dataclass(frozen=True)
class Profile:
    """A vendor's column set: headers it always has, and what differs from :data:`KNOWN_COLUMNS`.

    ``columns`` replaces the known names for the fields it lists; ``authors`` splits the
    author cell; ``finish`` adjusts a row's fields (given the fields and the row's cells).
    """

    name: str
    signature: frozenset[str]
    columns: dict[str, tuple[str, ...]] = field(default_factory=dict)
    authors: Callable[[str], list[str]] | None = None
    finish: Callable[[dict, dict[str, str]], None] | None = None
    overflow_after: str = ""
    checks: dict[str, str] = field(default_factory=dict)

    def realign(self, cells: list[str], header: list[str]) -> tuple[list[str], list[str]] | None:
        """A row with more cells than the header, put right when that is certain: the vendor
        is known to add unnamed cells after ``overflow_after`` (Scopus: Funding Text 2, 3...
        under a header that names only Funding Text 1), and with the extra cells taken from
        there every column of ``checks`` (folded header -> regex) holds a value of its kind.
        Returns the cells (the extra ones moved to the end) and the names of the extra
        columns, or None when it is not certain."""
        folded = [_fold(h) for h in header]
        if not self.overflow_after or self.overflow_after not in folded:
            return None
        at = folded.index(self.overflow_after) + 1
        extra = len(cells) - len(header)
        moved = cells[:at] + cells[at + extra :] + cells[at : at + extra]
        for name, pattern in self.checks.items():
            if name in folded and not re.fullmatch(pattern, moved[folded.index(name)], re.I):
                return None
        base = re.sub(r"\s*\d+$", "", header[at - 1])
        return moved, [f"{base} {n}" for n in range(2, extra + 2)]


PROFILES: tuple[Profile, ...] = (
    Profile(
        "pubmed_legacy",
        frozenset({"entrezuid", "shortdetails", "description"}),
        columns={
            "authors": ("description",),
            "doi": ("details",),  # "... 2019 Jul 13. doi: 10.1111/pai.13110. [Epub ...]"
            "year": ("shortdetails",),
            "pmid": ("entrezuid",),
            "journal": (),
            "doc_type": (),
        },
        authors=split_comma_authors,
        finish=_pubmed_legacy,
    ),
    Profile(
        "pubmed",
        frozenset({"pmid", "citation", "first author"}),
        authors=split_comma_authors,
    ),
    Profile("publish_or_perish", frozenset({"gsrank", "citesurl"}), authors=split_comma_authors),
    Profile(
        "scopus",
        frozenset({"source title", "eid"}),
        authors=split_scopus_authors,
        overflow_after="funding text 1",
        checks={
            "eid": r"2-s2\.0-\d+",
            "source": r"scopus",
            "year": r"\d{4}",
            "doi": r"(10\.\S+)?",
            "pubmed id": r"\d*",
            "issn": r"[\dX; -]*",
            "language of original document": r"([^\W\d_]+(\s*[;,]\s*[^\W\d_]+)*)?",
            "publication stage": r"(final|article in press)?",
        },
    ),
    Profile("springer", frozenset({"item title", "content type"}), authors=split_glued_authors),
)


# --- planning which column feeds which field ------------------------------------------------


@dataclass
class ColumnPlan:
    """Which columns (indices into a row) feed each record field, and the header itself."""

    header: list[str]
    columns: dict[str, list[int]]
    profile: Profile | None = None


def unique_header(cells: list[str]) -> list[str]:
    """Header names made usable as keys: blanks named ``column N``, repeats suffixed ``(2)``."""
    header: list[str] = []
    taken: set[str] = set()  # a set, not the list: linear for a header of any width
    for number, cell in enumerate(cells, start=1):
        name = cell.replace("\ufeff", "").strip() or f"column {number}"
        base, count = name, 2
        while name in taken:
            name = f"{base} ({count})"
            count += 1
        header.append(name)
        taken.add(name)
    return header


def plan_columns(
    header: list[str], mapping: dict[str, str] | None, *, source: Source, header_row: int
) -> ColumnPlan:
    """Match ``header`` to record fields (see the module docstring); IngestError when it can't."""
    folded = [_fold(h) for h in header]
    present = set(folded)
    profile = next((p for p in PROFILES if p.signature <= present), None)
    columns: dict[str, list[int]] = {}
    for name, known in KNOWN_COLUMNS.items():
        if profile and name in profile.columns:
            known = profile.columns[name]
        columns[name] = [folded.index(k) for k in known if k in present]
    for name, column in (mapping or {}).items():
        if not column:
            continue
        if name not in ENTRY_FIELDS:
            raise IngestError(
                source.name,
                None,
                f"the search log's mapping names an unknown record field {name!r}; "
                f"fields are: {', '.join(ENTRY_FIELDS)}",
                field=name,
            )
        if column in header:
            index = header.index(column)
        elif _fold(column) in present:
            index = folded.index(_fold(column))
        else:
            raise IngestError(
                source.name,
                header_row,
                f"the search log maps {name} to column {column!r}, which this table does not "
                f"have; columns found: {', '.join(header)}",
                field=name,
            )
        columns[name] = [index]
    if not columns["title"]:
        raise IngestError(
            source.name,
            header_row,
            "no column recognised as the title; columns found: "
            f"{', '.join(header)}. Add a mapping to this search's row in the search log, "
            "e.g. mapping = title=<title column>; authors=<author column>; year=<year column>",
            field="title",
        )
    return ColumnPlan(header=header, columns=columns, profile=profile)


def entries_from_rows(
    source: Source,
    rows: Iterable[tuple[int, list[str]]],
    *,
    mapping: dict[str, str] | None,
    delimited: bool = True,
) -> Iterator[Entry]:
    """Entries of a table given as ``(row number, cells)``; the first non-empty row is the header.

    Used by the CSV and XLSX readers alike (``delimited`` for CSV/TSV). Blank rows are skipped.
    A CSV row with more non-empty cells than the header is an error naming every such row: a
    cell split at an unquoted delimiter shifts every cell right of it, and a shifted cell read
    as a field (a PubMed id as the language) would turn into a wrong decision downstream. Only
    when the vendor's profile makes the alignment certain (:meth:`Profile.realign`) is the row
    read, with a warning. Empty trailing cells are harmless and ignored. In a workbook cells
    cannot shift, so a cell right of the header is kept (as ``column N``) with a warning. Rows
    with fewer cells are warned about in a CSV (truncation or a stray quote); a workbook simply
    leaves trailing empty cells out.
    """
    plan: ColumnPlan | None = None
    width = 0
    misaligned: list[tuple[int, int]] = []
    for number, cells in rows:
        if not any(c.strip() for c in cells):
            continue
        if len(cells) > limits.MAX_COLUMNS:
            raise IngestError(
                source.name,
                number,
                f"{len(cells):,} cells in this row, more than the {limits.MAX_COLUMNS:,} columns "
                "a table may have; delete the empty columns right of the data",
            )
        if plan is None:
            plan = plan_columns(unique_header(cells), mapping, source=source, header_row=number)
            width = len(plan.header)
            continue
        if delimited and len(cells) < width:
            source.warn(
                number,
                f"row has only {len(cells)} of the header's {width} cells; the missing cells "
                "are read as empty (a truncated file, or a stray quote joining rows?)",
            )
        long = len(cells) > width and any(c.strip() for c in cells[width:])
        fixed = plan.profile.realign(cells, plan.header) if long and plan.profile else None
        if fixed is not None:
            cells, names = fixed
            source.warn(
                number,
                f"row has {len(cells)} cells but the header has {width} columns; the extra "
                f"cells are {plan.profile.name}'s unnamed {', '.join(names)} (read as such: "
                "every column after them holds a value of its kind)",
            )
            yield _entry(number, cells, plan.header + names, plan)
            continue
        if long and delimited:
            misaligned.append((number, len(cells)))
            continue
        if long:
            source.warn(
                number,
                f"row has {len(cells)} cells but the header has {width} columns; extra cells "
                "kept in the original as 'column N', and cells right of the missing header "
                "may be in the wrong columns",
            )
            header = plan.header + [f"column {i}" for i in range(width + 1, len(cells) + 1)]
        else:
            header = plan.header
        yield _entry(number, cells, header, plan)
    if plan is None:
        raise IngestError(source.name, None, "table has no header row (no non-empty row)")
    if misaligned:
        raise misaligned_rows(source.name, misaligned, width)


def misaligned_rows(file: str, rows: list[tuple[int, int]], width: int) -> IngestError:
    """The error for CSV rows (row number, cells) holding more cells than the header's ``width``."""
    first, cells = rows[0]
    listed = ", ".join(f"row {n} ({k} cells)" for n, k in rows[:20])
    more = f" and {len(rows) - 20} more" if len(rows) > 20 else ""
    return IngestError(
        file,
        first,
        f"{len(rows)} row(s) have more cells than the header's {width} columns: {listed}{more}. "
        "A cell was split at an unquoted delimiter (or the header lost a column name), so every "
        "cell right of it would be read into the wrong field (e.g. a PubMed id as the language). "
        "Export the file again, or put quotes around the cell holding the delimiter in those "
        "rows; nothing of this export was read",
    )


def _entry(number: int, cells: list[str], header: list[str], plan: ColumnPlan) -> Entry:
    fields: dict = {}
    size = len(cells)
    for name, indices in plan.columns.items():
        if name == "keywords":
            values = [cells[i].strip() for i in indices if i < size and cells[i].strip()]
            if values:
                fields[name] = values
            continue
        for i in indices:
            if i < size:
                value = cells[i].strip()
                if value:
                    fields[name] = value
                    break
    profile = plan.profile
    if profile:
        if profile.authors and "authors" in fields:
            fields["authors"] = profile.authors(fields["authors"])
        if profile.finish:
            profile.finish(fields, {h: c for h, c in zip(header, cells, strict=False)})
    original = {h: c for h, c in zip(header, cells, strict=False) if c != ""}
    return Entry(line=number, fields=fields, original=original)


# --- the CSV/TSV reader -----------------------------------------------------------------------


def _delimiter(first_line: str) -> str:
    if "\t" in first_line:
        return "\t"
    return ";" if first_line.count(";") > first_line.count(",") else ","


def _lines_with_ends(lines: Iterator[str]) -> Iterator[str]:
    """The lines ``io.StringIO(text, newline="")`` would give, from the lines of ``text`` (which
    has only ``\\n`` line ends) as :meth:`Source.iter_lines` gives them: one at a time, never
    the whole text."""
    previous = None
    for line in lines:
        if previous is not None:
            yield previous + "\n"
        previous = line
    if previous:
        yield previous


def read(source: Source, *, mapping: dict[str, str] | None = None) -> Iterator[Entry]:
    """Records of a CSV or TSV export (comma, semicolon or tab, told from the header row)."""
    lines = source.iter_lines()
    blank = []  # the empty lines before the first that has anything
    first_line = ""
    for line in lines:
        if line:
            first_line = line
            break
        blank.append(line)
    skipped = 0
    if re.fullmatch(r"sep=.", first_line.strip()):
        # Excel's "sep=;" line names the delimiter; the header follows it.
        delimiter = first_line.strip()[-1]
        skipped = len(blank) + 1
        rows = lines
    else:
        delimiter = _delimiter(first_line)
        rows = itertools.chain(blank, [first_line], lines)
    # Exports put whole reference lists in one cell; the default limit (128 KiB) is too small.
    csv.field_size_limit(2**31 - 1)
    reader = csv.reader(_lines_with_ends(rows), delimiter=delimiter)
    try:
        yield from entries_from_rows(source, enumerate(reader, start=1 + skipped), mapping=mapping)
    except csv.Error as exc:
        raise IngestError(source.name, reader.line_num, f"not a readable CSV table: {exc}") from exc
