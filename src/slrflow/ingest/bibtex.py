"""BibTeX exports (Scopus, Web of Science, Google Scholar, reference managers).

Parsed with bibtexparser 2: its splitter finds the blocks (and their lines), its middlewares
resolve ``@string`` references, remove the enclosing braces, split the author list at ``and``
and split each name into its parts, and decode LaTeX (``{\\"u}`` -> ``ü``, ``\\&`` -> ``&``).

Export quirks handled here:

- Scopus and Google Scholar write ``%`` and ``&`` unescaped ("50% of", "Taylor & Francis");
  to LaTeX ``%`` starts a comment, so they are escaped before decoding.
- ``url``, ``doi`` and similar fields are not LaTeX: only their escapes and braces are removed.
- Field names are compared in lower case (WoS writes ``Author``, ``Title``).
- Scopus repeats some fields (``funding_details``) and Google Scholar repeats keys; both are
  kept (repeated fields as a list in ``original``), with no loss of the record.
- A block that cannot be parsed (an unclosed brace...) is reported as a warning with its line.

``Entry.line`` is the line of the entry's ``@type{``.
"""

from __future__ import annotations

import itertools
import logging
import re
from collections.abc import Iterable, Iterator

from bibtexparser import model
from bibtexparser import splitter as _splitter
from bibtexparser.library import Library
from bibtexparser.middlewares import (
    LatexDecodingMiddleware,
    RemoveEnclosingMiddleware,
    ResolveStringReferencesMiddleware,
    SeparateCoAuthors,
    SplitNameParts,
)
from bibtexparser.middlewares.names import NameParts
from bibtexparser.model import Field
from bibtexparser.splitter import Splitter

from slrflow.ingest.source import Source
from slrflow.records import Entry

#: Fields holding identifiers or links, never LaTeX.
VERBATIM_FIELDS = frozenset({"url", "doi", "eprint", "file", "pdf", "link", "issn", "isbn"})

#: BibTeX field names (lower case) for each record field, best first.
FIELDS: dict[str, tuple[str, ...]] = {
    "title": ("title",),
    "year": ("year", "date"),
    "journal": ("journal", "journaltitle", "booktitle", "series"),
    "journal_abbrev": (
        "journal-iso",
        "abbrev_source_title",
        "shortjournal",
        "iso-source-abbreviation",
    ),
    "volume": ("volume",),
    "issue": ("number", "issue"),
    "pages": ("pages",),
    "doi": ("doi",),
    "pmid": ("pmid", "pubmed-id", "pubmed_id"),
    "issn": ("issn", "eissn"),
    "isbn": ("isbn",),
    "abstract": ("abstract",),
    "doc_type": ("type", "document_type"),
    "language": ("language", "langid"),
    "publisher": ("publisher", "organization", "institution", "school"),
    "url": ("url",),
}
#: Keyword fields, all kept: author keywords and index terms.
KEYWORD_FIELDS = ("keywords", "author_keywords", "keywords-plus", "mesh")
USED_FIELDS = frozenset({"author", *KEYWORD_FIELDS}.union(*FIELDS.values()))

_LATEX_MARK = re.compile(r"[\\{}$~]|--|``|''")
_UNESCAPED = re.compile(r"(?<!\\)[%&#]")
_SIMPLE_ESCAPE = re.compile(r"\\([%&_#])")
_DASHES_QUOTES = (("---", "\u2014"), ("--", "\u2013"), ("``", "\u201c"), ("''", "\u201d"))


def _simple_latex(value: str) -> str | None:
    """Decode the LaTeX exports mostly use (``\\%``, ``\\&``, braces, dashes) without a parser.

    Returns None when the value holds anything else (accents, macros, math): those go to
    pylatexenc, which is exact but about a thousand times slower.
    """
    if "$" in value:
        return None
    text = _SIMPLE_ESCAPE.sub(r"\1", value)
    if "\\" in text:
        return None
    text = text.replace("{", "").replace("}", "").replace("~", "\u00a0")
    for latex, char in _DASHES_QUOTES:
        text = text.replace(latex, char)
    return text


class _ExportLatexDecoding(LatexDecodingMiddleware):
    """LaTeX decoding of the fields a record uses, tolerant of what exports write (module doc).

    Fields outside ``fields`` are left alone: they only go to ``original``, which keeps the
    file's text anyway, and decoding long affiliation or funding fields costs time.
    """

    def __init__(self, fields: frozenset[str], **kwargs):
        super().__init__(**kwargs)
        self._fields = fields

    def _transform_python_value_string(self, python_string: str) -> tuple[str, str]:
        if not _LATEX_MARK.search(python_string):
            return python_string, ""
        simple = _simple_latex(python_string)
        if simple is not None:
            return simple, ""
        return super()._transform_python_value_string(_UNESCAPED.sub(r"\\\g<0>", python_string))

    def transform_entry(self, entry: model.Entry, library: Library) -> model.Block:
        all_fields = entry.fields
        entry.fields = [f for f in all_fields if f.key in self._fields]
        verbatim = {
            id(f): f.value
            for f in entry.fields
            if f.key in VERBATIM_FIELDS and isinstance(f.value, str)
        }
        result = super().transform_entry(entry, library)
        errors: list[str] = []
        for f in entry.fields:
            # The parent class decodes a single NameParts, not the list SplitNameParts makes.
            if isinstance(f.value, list):
                for name in f.value:
                    if isinstance(name, NameParts):
                        for part in ("first", "von", "last", "jr"):
                            setattr(
                                name, part, self._transform_all_strings(getattr(name, part), errors)
                            )
        for f in entry.fields:
            if id(f) in verbatim:
                f.value = _plain(verbatim[id(f)])
        entry.fields = all_fields  # the Field objects were changed in place
        return result


def _plain(value: str) -> str:
    """An identifier without LaTeX escapes or braces: ``10.1000/a\\_b`` -> ``10.1000/a_b``."""
    return re.sub(r"\\([_%&#$])", r"\1", value).replace("{", "").replace("}", "")


def _stack():
    return [
        RemoveEnclosingMiddleware(allow_inplace_modification=True),
    ], [
        SeparateCoAuthors(allow_inplace_modification=True),
        SplitNameParts(allow_inplace_modification=True),
        _ExportLatexDecoding(USED_FIELDS, allow_inplace_modification=True),
    ]


def _name(parts: NameParts | str) -> str:
    if isinstance(parts, NameParts):
        return parts.merge_last_name_first
    return str(parts)


# One field of an entry as exports mostly write it: a key, "=", a value in braces (with at most
# one more level of braces inside), then the "," or "}" after it. A backslash may escape any
# character but a brace, a backslash or a line end, which would change what the splitter sees.
_BRACED_TEXT = r"[^{}\\]*(?:\\[^{}\n\\][^{}\\]*)*"
_PLAIN_FIELD = re.compile(
    rf'([^{{}}",=@\\]*)=(\s*\{{{_BRACED_TEXT}(?:\{{{_BRACED_TEXT}\}}{_BRACED_TEXT})*\}})\s*([,}}])'
)
# What bibtexparser takes for the start of a block (an "@" in an e-mail address is not).
_BLOCK_START = re.compile(r"@\w*[ \t]*[{(]")


class _Splitter(Splitter):
    """bibtexparser's splitter, with a shortcut for the fields exports mostly write.

    The splitter steps in Python through every mark (``=``, braces, commas, quotes, line
    ends) of an entry, which is most of the time spent on a large export. A field matching
    :data:`_PLAIN_FIELD` holds no mark that could end it early, so it is taken in one step, with
    the same key, value and line as the splitter gives it; the first field that does not match,
    and everything after it, is left to the splitter itself.
    """

    def _move_to_end_of_entry(self, first_key_start: int) -> tuple[list[Field], int, set[str]]:
        text = self.bibstr
        fields: list[Field] = []
        keys: set[str] = set()
        duplicate_keys: set[str] = set()
        key_start = first_key_start
        while self._unaccepted_mark is None and self._closing_delimiter == "}":
            match = _PLAIN_FIELD.match(text, key_start)
            if not match or (
                "@" in match.group(2) and _BLOCK_START.search(text, match.start(2), match.end(2))
            ):
                break
            equals = match.end(1)
            self._current_line += text.count("\n", key_start, equals)
            key = match.group(1).strip()
            if key in keys:
                duplicate_keys.add(key)
            keys.add(key)
            fields.append(
                Field(
                    start_line=self._current_line,
                    key=key,
                    value=text[equals + 1 : match.start(3)].strip(),
                )
            )
            self._current_line += text.count("\n", equals, match.end())
            if match.group(3) == "}":
                # Where the splitter would be after reading the entry's closing brace.
                self._current_char_index = match.start(3)
                self._markiter = _splitter._MARK_PATTERN.finditer(text, match.end())
                return fields, match.end(), duplicate_keys
            key_start = match.end()
        if key_start != first_key_start:
            self._markiter = _splitter._MARK_PATTERN.finditer(text, key_start)
        rest, end, rest_duplicates = super()._move_to_end_of_entry(key_start)
        for field in rest:
            if field.key in keys:
                duplicate_keys.add(field.key)
            keys.add(field.key)
        return fields + rest, end, duplicate_keys | set(rest_duplicates)


#: The shortcut relies on the splitter's inner workings as of bibtexparser 2.1; any other
#: version is left to split as it does.
_QUICK_SPLITTER = hasattr(_splitter, "_MARK_PATTERN") and hasattr(Splitter, "_open_block")


#: A line where a file may be cut into pieces: one that starts a block, as bibtexparser sees one.
_PIECE_START = re.compile(r"@\w*[ \t]*[{(]")
#: Characters parsed at a time (a few thousand entries): the blocks of the whole file at once
#: would take several times the file's size in memory.
PIECE_CHARS = 1 << 22
_STRING_BLOCK = re.compile(r"@\s*string", re.IGNORECASE)
_STRING_WORD = re.compile(r"\s*string", re.IGNORECASE)


def _has_string_block(lines: Iterable[str]) -> bool:
    """An ``@string`` anywhere in the file (the ``@`` and the word may be lines apart)."""
    at = False  # an "@" ended the last line that had anything
    for line in lines:
        if at and _STRING_WORD.match(line):
            return True
        if _STRING_BLOCK.search(line):
            return True
        if line.strip():
            at = line.rstrip().endswith("@")
    return False


def _parse(text: str) -> Library:
    """What bibtexparser.parse_string does, with the quicker splitter."""
    library = (_Splitter if _QUICK_SPLITTER else Splitter)(text).split()
    return ResolveStringReferencesMiddleware(allow_inplace_modification=True).transform(library)


def _pieces(source: Source) -> Iterator[tuple[int, Library]]:
    """The file's blocks as ``bibtexparser.parse_string`` gives them, a piece at a time, each
    with the number of lines before its piece. The file's lines are read as they are needed.

    Pieces start at a line that starts a block. Outside a block that is exactly where
    bibtexparser starts one; inside a block (a damaged entry) the piece fails to parse, and
    the rest of the file is then parsed in one go, as it would have been. ``@string``
    definitions apply to the whole file, so a file that has them is parsed whole.
    """
    if _has_string_block(source.iter_lines()):
        yield 0, _parse(source.text)
        return
    lines = source.iter_lines()
    offset, piece, size = 0, [], 0
    for line in lines:
        if size >= PIECE_CHARS and _PIECE_START.match(line):
            library = _parse("\n".join(piece) + "\n")
            if any(type(b) is model.ParsingFailedBlock for b in library.blocks):
                # A block runs past the cut (or is damaged): parse the rest as one piece.
                yield offset, _parse("\n".join(itertools.chain(piece, [line], lines)))
                return
            yield offset, library
            offset, piece, size = offset + len(piece), [], 0
        piece.append(line)
        size += len(line) + 1
    text = "\n".join(piece)
    if text:
        yield offset, _parse(text)


def read(source: Source, *, mapping: dict[str, str] | None = None) -> Iterator[Entry]:
    """Entries of a BibTeX file; blocks that fail to parse become warnings with their line."""
    # @string references are resolved over the whole file; the rest runs entry by entry,
    # so that entries bibtexparser flags (repeated fields or keys) get the same treatment.
    # bibtexparser also logs each failed block, counting lines from 0; the warnings below
    # say the same with the right line, so its log is silenced while parsing.
    logger = logging.getLogger("bibtexparser")
    level = logger.level
    cleaning, decoding = _stack()
    pieces = _pieces(source)
    while True:
        logger.setLevel(logging.ERROR)
        try:
            piece = next(pieces, None)
        finally:
            logger.setLevel(level)
        if piece is None:
            break
        offset, library = piece
        yield from _entries(source, offset, library, cleaning, decoding)


def _entries(source: Source, offset: int, library: Library, cleaning, decoding) -> Iterator[Entry]:
    for block in library.blocks:
        line = (block.start_line or 0) + 1 + offset  # bibtexparser counts lines from 0
        duplicate = model.DuplicateFieldKeyBlock | model.DuplicateBlockKeyBlock
        if isinstance(block, duplicate) and block.ignore_error_block is not None:
            # Repeated fields or keys are common in exports; the entry itself is fine.
            block = block.ignore_error_block
        if isinstance(block, model.ParsingFailedBlock):
            reason = getattr(block.error, "abort_reason", "") or str(block.error)
            source.warn(
                line,
                f"BibTeX entry could not be read and is not among the records: {reason}. "
                "Fix the entry in the file (often an unclosed brace or quote) and run again",
            )
            continue
        if isinstance(block, model.ImplicitComment):
            if "@" in block.comment or "=" in block.comment:
                source.warn(line, "text outside any entry ignored (a damaged entry?)")
            continue
        if not isinstance(block, model.Entry):
            continue  # @string, @preamble, @comment
        yield _entry(block, line, library, cleaning, decoding, source)


def _entry(block, line, library, cleaning, decoding, source: Source) -> Entry:
    for f in block.fields:
        f.key = f.key.strip().lower()
    for middleware in cleaning:
        block = middleware.transform_block(block, library)
    original: dict = {"ENTRYTYPE": block.entry_type, "ID": block.key}
    for f in block.fields:
        if f.key not in original:
            original[f.key] = f.value
        elif isinstance(original[f.key], list):
            original[f.key].append(f.value)
        else:
            original[f.key] = [original[f.key], f.value]
    for middleware in decoding:
        result = middleware.transform_block(block, library)
        if isinstance(result, model.MiddlewareErrorBlock):
            source.warn(line, f"entry {block.key!r}: {result.error}; kept as written")
            result = result.ignore_error_block
        block = result

    values: dict[str, list] = {}
    for f in block.fields:
        values.setdefault(f.key, []).append(f.value)

    def first(keys: tuple[str, ...]):
        for key in keys:
            for value in values.get(key, ()):
                if isinstance(value, str) and value.strip():
                    return value
        return None

    fields: dict = {}
    for name, keys in FIELDS.items():
        value = first(keys)
        if value is not None:
            fields[name] = value
    authors = [_name(n) for value in values.get("author", ()) for n in value]
    if authors:
        fields["authors"] = authors
    keywords = [v for key in KEYWORD_FIELDS for v in values.get(key, ()) if isinstance(v, str)]
    if keywords:
        fields["keywords"] = keywords
    fields.setdefault("doc_type", block.entry_type)
    return Entry(line=line, fields=fields, original=original)
