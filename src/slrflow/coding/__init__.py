"""Coding the included studies against the codebook, with coder agreement and evidence quotes.

Modules (flat, one job each):

:mod:`.codebook`
    ``config/codebook.yaml``: dimensions (single, multi, text, number) and their codes.
:mod:`.studies`
    Included reports and the studies/interventions they describe (``coding/studies.csv``).
:mod:`.suggest`
    Codebook key terms found in titles, abstracts and full texts: suggestions, never decisions.
:mod:`.sheets`
    The coding sheet (.xlsx) per coder, with dropdowns from the codebook.
:mod:`.read`
    Filled coding files and the consensus file, read back and validated against the codebook.
:mod:`.agreement`
    Coder agreement per dimension, the disagreement list and the final coding.
:mod:`.command`
    The ``slrflow code-suggest``, ``code-sheets`` and ``code`` subcommands.
"""

from __future__ import annotations

#: The review folder's sub-folder holding coding files, the consensus and the studies table.
CODING_DIR = "coding"
#: File stems in the coding folder that are not a coder's file.
RESERVED_STEMS = ("studies", "consensus", "readme")
#: The name under which the consensus file's rows appear in the outputs.
CONSENSUS = "consensus"
#: The name under which the final coding appears in ``coded_long.csv``.
FINAL = "final"
