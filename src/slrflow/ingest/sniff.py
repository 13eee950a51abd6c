"""Tell an export's format from its content.

File names lie (a WoS plain-text file saved as ``.ris`` is common), so only the first lines
count. Each test looks for what a format must have near its start.
"""

from __future__ import annotations

import re

from slrflow.ingest.source import IngestError, Source

#: Format names, each the name of its reader module in :mod:`slrflow.ingest`.
FORMATS = (
    "ris",
    "wos",
    "wos_tab",
    "medline",
    "proquest",
    "bibtex",
    "csv",
    "xlsx",
    "endnote_xml",
)

# RIS tags have two spaces before the dash; one space is read too (see ris._ONE_SPACE_TAG).
_RIS_TAG = re.compile(r"^[A-Z][A-Z0-9]  ?-(?: |$)", re.M)
_RIS_TY = re.compile(r"^\ufeff?TY  ?- ", re.M)
# Four-character MEDLINE tags that RIS (two characters) cannot have.
_MEDLINE_TAG = re.compile(r"^(?:PMID|OWN |STAT|FAU |DCOM|LR  |JID |EDAT|MHDA|CRDT|PMC )- ", re.M)
_WOS_START = re.compile(r"^(?:FN |VR |PT [A-Z]\s*$)", re.M)
_WOS_TAGS = re.compile(r"^(?:PT|AU|TI|SO|ER|UT) ", re.M)
_PROQUEST_DOC = re.compile(r"^Document 1 of \d+\s*$", re.M)
_BIBTEX = re.compile(r"^\s*@\s*[A-Za-z]+\s*[{(]", re.M)


def _first_line(text: str) -> str:
    """The first line with something on it."""
    for line in text.split("\n", 200):
        if line.strip():
            return line.lstrip("\ufeff")
    return ""


def _looks_binary(source: Source, head: str) -> bool:
    """Control characters or undecodable bytes all over the start: not a text export."""
    if source.data[:5] == b"%PDF-":
        return True
    sample = head[:4000]
    odd = sum(1 for c in sample if (c < " " and c not in "\t\n") or c == "\ufffd")
    return odd > max(8, len(sample) // 100)


def detect_format(source: Source) -> str:
    """The format name of ``source`` (one of :data:`FORMATS`), or :class:`IngestError`.

    The first line that has text decides when it is unmistakable (``TY  - ``, ``FN ``/``PT ``,
    ``PMID- ``, ``@article{``, ``<``, a WoS tab header); otherwise the first 20,000 characters
    are searched, so that junk or a header before the first record does not hide the format.
    """
    if source.is_zip:
        return "xlsx"
    head = source.head
    if not head.strip() and source.is_blank():
        raise IngestError(source.name, None, "file is empty (nothing but a byte-order mark)")
    if _looks_binary(source, head):
        kind = "a PDF" if source.data[:5] == b"%PDF-" else "a binary file"
        raise IngestError(
            source.name,
            None,
            f"looks like {kind}, not a search export; export the records as RIS, text, CSV, "
            "BibTeX, XML or XLSX",
        )
    stripped = head.lstrip()
    if stripped.startswith("<"):
        if re.search(r"<(?:xml|records?|RECORDS?)\b", head[:2000]):
            return "endnote_xml"
        raise IngestError(
            source.name, 1, "XML file that is not an EndNote XML export (<xml><records>)"
        )
    first_line = _first_line(head)
    if first_line.startswith("PT\t") or (
        "\t" in first_line and {"PT", "AU", "TI", "SO"} <= set(first_line.split("\t"))
    ):
        return "wos_tab"
    if first_line.startswith(("TY  -", "TY - ")):
        return "ris"
    if re.match(r"(?:FN|VR) |PT [A-Z]\s*$", first_line):
        return "wos"
    if first_line.startswith("PMID-"):
        return "medline"
    if _WOS_START.search(head[:2000]) and _WOS_TAGS.search(head) and not _RIS_TY.search(head):
        return "wos"
    if _RIS_TY.search(head):
        return "ris"
    if _MEDLINE_TAG.search(head):
        return "medline"
    if "Report Information from ProQuest" in head[:3000] or (
        _PROQUEST_DOC.search(head) and "ProQuest" in head
    ):
        return "proquest"
    if _BIBTEX.search(head):
        return "bibtex"
    # RIS whose first entry lost its TY line: tag lines, not a table header, at the start.
    lines = [line for line in head.split("\n", 60)[:60] if line.strip()][:30]
    if sum(1 for line in lines if _RIS_TAG.match(line)) >= 3 and _RIS_TAG.match(first_line):
        return "ris"
    if "," in first_line or "\t" in first_line or ";" in first_line:
        return "csv"
    if sum(1 for line in lines if _RIS_TAG.match(line)) >= 3:
        return "ris"
    raise IngestError(
        source.name,
        1,
        "format not recognised: expected RIS (TY  - ), Web of Science (FN/PT), PubMed MEDLINE "
        "(PMID- ), ProQuest text, BibTeX (@article{), a CSV/TSV table with a header row, "
        "EndNote XML or XLSX",
    )
