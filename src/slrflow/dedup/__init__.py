"""Deduplication: group the records of all searches into references (deduplicated works).

Modules, one job each: :mod:`load` (read a record table), :mod:`prepare` (comparison keys),
:mod:`block` (which pairs to compare), :mod:`compare` (field similarities and rules),
:mod:`cluster` (complete-linkage clustering), :mod:`decisions` (a person's verdicts),
:mod:`run` (the stage in one call), :mod:`merge` (references with the best fields),
:mod:`outputs`, :mod:`counts` and :mod:`figure` (the stage's tables and figure),
:mod:`command` (``slrflow dedup``).
"""

from slrflow.dedup.load import DedupInputError, load
from slrflow.dedup.options import Options
from slrflow.dedup.run import Result, deduplicate

__all__ = ["DedupInputError", "Options", "Result", "deduplicate", "load"]
