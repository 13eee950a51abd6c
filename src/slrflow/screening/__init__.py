"""Screening: decision files, dual screening, conflicts, agreement, automation and PRISMA counts.

Stages, as PRISMA 2020 counts them (:data:`STAGES`):

``title_abstract``
    Records screened on title and abstract: include, exclude (naming the failed criteria) or maybe.
``retrieval``
    Reports sought for retrieval: retrieved, or not_retrieved with a named reason.
``full_text``
    Reports assessed for eligibility: include, or exclude with the failed criteria.

A decision names a record; it applies to whichever reference holds that record in the current
run (results/dedup/clusters.csv), so new searches or a better deduplication never orphan it.
Modules: :mod:`.criteria` (criteria.yaml), :mod:`.policy` (config), :mod:`.attach` (record ->
reference), :mod:`.decisions` (decision and resolution files), :mod:`.automation`,
:mod:`.status`, :mod:`.counts`, :mod:`.sheets`, :mod:`.worklists` (each reviewer's sheet of
references still owed); prioritisation: :mod:`.rank` (the ranker), :mod:`.stopping` (the
stopping rules), :mod:`.counting` (the counting-process estimate), :mod:`.progress` (the
stopping estimate after every run), :mod:`.simulate`, :mod:`.metrics` and :mod:`.curves`
(replaying labelled sets). :mod:`.command` parses the arguments of every screening command
(``slrflow screen``, ``screening-sheets``, ``stopping``, ``simulate``, ``simulation-report``)
and calls these.
"""

from __future__ import annotations

from slrflow.errors import ProblemsError

#: The screening stages in the order a reference passes them.
STAGES = ("title_abstract", "retrieval", "full_text")

#: Decisions a reviewer may give at each stage.
DECISIONS = {
    "title_abstract": ("include", "exclude", "maybe"),
    "retrieval": ("retrieved", "not_retrieved"),
    "full_text": ("include", "exclude", "maybe"),
}

#: The stopping rules (config ``screening.stopping.method``) and how reports name them; the
#: rules themselves are in :mod:`.stopping`.
STOPPING_METHODS = {
    "counting": "counting-process estimate",
    "buscar": "buscar hypergeometric test",
}

#: Decisions that must name a criterion or reason.
NEEDS_REASON = ("exclude", "not_retrieved")


class ScreeningError(ProblemsError):
    """Bad screening input; the message names file, row and field and says what to do."""

    def __init__(self, problems: list[str], *, heading: str = "screening input"):
        super().__init__(heading, problems, limit=60)
