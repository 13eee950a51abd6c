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

_RIS_TAG = re.compile(r"^[A-Z][A-Z0-9]  - ?", re.M)
_RIS_TY = re.compile(r"^TY  - ", re.M)
_MEDLINE_TAG = re.compile(r"^(?:PMID|OWN|STAT|TI  |AB  |FAU |AU  )- ", re.M)
_WOS_START = re.compile(r"^(?:FN |VR |PT [A-Z]\s*$)", re.M)
_WOS_TAGS = re.compile(r"^(?:PT|AU|TI|SO|ER|UT) ", re.M)
_BIBTEX = re.compile(r"^\s*@\s*[A-Za-z]+\s*[{(]", re.M)


def detect_format(source: Source) -> str:
    """The format name of ``source`` (one of :data:`FORMATS`), or :class:`IngestError`."""
    if source.is_zip:
        return "xlsx"
    text = source.text
    head = text[:20000]
    stripped = head.lstrip()
    if stripped.startswith("<"):
        if re.search(r"<(?:xml|records?|RECORDS?)\b", head[:2000]):
            return "endnote_xml"
        raise IngestError(
            source.name, 1, "XML file that is not an EndNote XML export (<xml><records>)"
        )
    first_line = stripped.split("\n", 1)[0]
    if first_line.startswith("PT\t") or (
        "\t" in first_line and {"PT", "AU", "TI", "SO"} <= set(first_line.split("\t"))
    ):
        return "wos_tab"
    if _WOS_START.search(head[:2000]) and _WOS_TAGS.search(head) and not _RIS_TY.search(head):
        return "wos"
    if _RIS_TY.search(head):
        return "ris"
    if _MEDLINE_TAG.search(head):
        return "medline"
    if "Report Information from ProQuest" in head[:3000]:
        return "proquest"
    if _BIBTEX.search(head):
        return "bibtex"
    if "," in first_line or "\t" in first_line or ";" in first_line:
        return "csv"
    if _RIS_TAG.search(head):
        return "ris"
    raise IngestError(
        source.name,
        1,
        "format not recognised: expected RIS (TY  - ), Web of Science (FN/PT), PubMed MEDLINE "
        "(PMID- ), BibTeX (@article{), a CSV/TSV table with a header row, EndNote XML or XLSX",
    )
