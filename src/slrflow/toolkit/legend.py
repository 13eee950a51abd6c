"""Codebook labels for the toolkits: code ids shown as labels, and the codebook legend sheet."""

from __future__ import annotations

import pandas as pd

from slrflow.coding.codebook import Codebook
from slrflow.records import LIST_SEPARATOR


def labels(codebook: Codebook, dimension: str, values: list[str]) -> str:
    """The codes of one dimension as their labels (texts of text dimensions as they are)."""
    dim = codebook.dimension(dimension)
    if dim is None or not dim.coded:
        return LIST_SEPARATOR.join(values)
    shown = []
    for value in values:
        code = dim.code(value)
        shown.append(code.label if code else value)
    return LIST_SEPARATOR.join(shown)


def legend(codebook: Codebook) -> pd.DataFrame:
    """One row per dimension and code: what every column and label of a toolkit means."""
    rows = []
    for dim in codebook.dimensions:
        base = {
            "group": dim.group,
            "dimension": dim.id,
            "dimension_label": dim.label,
            "dimension_label_nl": dim.label_nl,
            "type": dim.type,
        }
        if not dim.codes:
            rows.append(
                {
                    **base,
                    "code": "",
                    "code_label": "",
                    "definition": dim.definition,
                    "terms_en": "",
                    "terms_nl": "",
                }
            )
        for code in dim.codes:
            rows.append(
                {
                    **base,
                    "code": code.id,
                    "code_label": code.label,
                    "definition": code.definition,
                    "terms_en": LIST_SEPARATOR.join(code.terms_en),
                    "terms_nl": LIST_SEPARATOR.join(code.terms_nl),
                }
            )
    return pd.DataFrame(rows)
