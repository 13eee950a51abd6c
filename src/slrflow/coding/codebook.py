"""The codebook: what is coded for each included study (``config/codebook.yaml``).

A codebook is a list of *dimensions* (e.g. ``we_cognitive``, ``design``). Each dimension has a
type: ``single`` (one code), ``multi`` (any number of codes, each answered yes/no), ``text`` (free
text such as a TIDieR description) or ``number`` (e.g. sample size). Coded dimensions list their
*codes*, each with an id, label, definition and key terms in English and Dutch.

:func:`load` reads and validates the YAML against ``schemas/codebook.schema.json`` and checks
what a schema cannot: unique dimension ids, unique code ids within a dimension, codes present
exactly for single/multi dimensions. Problems raise :class:`CodebookError` naming the file and
line.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import jsonschema
import yaml

from slrflow import yamlfiles
from slrflow.errors import InputError
from slrflow.messages import problem_list
from slrflow.sheets import load_schema

TYPES = ("single", "multi", "text", "number")
CODED = ("single", "multi")
_PROBLEMS = "problem(s) in the codebook"


class CodebookError(InputError):
    """A codebook that cannot be used; the message names the file, line and what to fix."""


@dataclass(frozen=True)
class Code:
    """One code of a dimension: ``id`` (unique in its dimension), ``label``, ``definition``,
    and key terms (``terms_en``, ``terms_nl``) used to suggest it."""

    id: str
    label: str
    definition: str
    terms_en: tuple[str, ...] = ()
    terms_nl: tuple[str, ...] = ()
    label_nl: str = ""

    @property
    def terms(self) -> tuple[str, ...]:
        """English then Dutch key terms."""
        return self.terms_en + self.terms_nl


@dataclass(frozen=True)
class Dimension:
    """One thing coded per intervention: ``type`` is single, multi, text or number; ``group``
    is the heading it belongs under (working_elements, barriers, theory, evaluation, ...)."""

    id: str
    label: str
    type: str
    group: str = ""
    definition: str = ""
    codes: tuple[Code, ...] = ()
    label_nl: str = ""

    @property
    def coded(self) -> bool:
        """True for single/multi dimensions (answered with codes)."""
        return self.type in CODED

    @property
    def code_ids(self) -> tuple[str, ...]:
        return tuple(c.id for c in self.codes)

    def code(self, code_id: str) -> Code | None:
        """The code with this id, or None."""
        return next((c for c in self.codes if c.id == code_id), None)


@dataclass(frozen=True)
class Codebook:
    """The whole codebook: ``dimensions`` in the order of the file."""

    name: str
    version: str
    dimensions: tuple[Dimension, ...]
    path: str = ""
    _index: dict[str, Dimension] = field(default_factory=dict, compare=False, repr=False)

    def __post_init__(self) -> None:
        self._index.update({d.id: d for d in self.dimensions})

    def dimension(self, dimension_id: str) -> Dimension | None:
        """The dimension with this id, or None."""
        return self._index.get(dimension_id)


def _item_lines(text: str) -> dict[tuple[int, ...], int]:
    """1-based line of each dimension ``(d,)`` and code ``(d, c)`` mapping in the YAML text."""
    lines: dict[tuple[int, ...], int] = {}
    try:
        root = yaml.compose(text)
    except yaml.YAMLError:
        return lines
    if not isinstance(root, yaml.MappingNode):
        return lines
    for key, value in root.value:
        if key.value != "dimensions" or not isinstance(value, yaml.SequenceNode):
            continue
        for d, dim in enumerate(value.value):
            lines[(d,)] = dim.start_mark.line + 1
            if not isinstance(dim, yaml.MappingNode):
                continue
            for dkey, dvalue in dim.value:
                if dkey.value == "codes" and isinstance(dvalue, yaml.SequenceNode):
                    for c, code in enumerate(dvalue.value):
                        lines[(d, c)] = code.start_mark.line + 1
    return lines


def _where(error: jsonschema.ValidationError, data: dict) -> str:
    """``dimensions[3] (design), codes[1] (rct), field label``-style location of a schema error."""
    parts = []
    node: object = data
    for step in error.absolute_path:
        if isinstance(step, int) and isinstance(node, list):
            node = node[step]
            ident = node.get("id") if isinstance(node, dict) else None
            parts[-1] = f"{parts[-1]}[{step + 1}]" + (f" ({ident})" if ident else "")
        else:
            node = node.get(step) if isinstance(node, dict) else None
            parts.append(str(step))
    return ", ".join(parts) or "top level"


def loads(text: str, *, name: str = "<codebook>") -> Codebook:
    """Parse and validate a codebook from YAML text; ``name`` is used in messages."""
    try:
        data = yamlfiles.safe_load(text, name=name)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f", line {mark.line + 1}" if mark else ""
        raise CodebookError(f"{name}{where}: not valid YAML: {exc}") from exc
    if not isinstance(data, dict):
        raise CodebookError(f"{name}: expected a mapping with 'dimensions:', found {type(data)}")
    validator = jsonschema.Draft202012Validator(load_schema("codebook"))
    problems = []
    for error in sorted(validator.iter_errors(data), key=lambda e: list(map(str, e.path))):
        problems.append(f"{_where(error, data)}: {error.message}")
    if problems:
        raise CodebookError(problem_list(name, problems, limit=60, noun=_PROBLEMS))

    problems = []
    lines = _item_lines(text)
    seen_dims: dict[str, int] = {}
    dimensions = []
    for number, raw in enumerate(data["dimensions"], start=1):
        dim_id = raw["id"]
        line = lines.get((number - 1,), "?")
        if dim_id in seen_dims:
            first = lines.get((seen_dims[dim_id] - 1,), "?")
            problems.append(
                f"line {line}: duplicate dimension id {dim_id!r} (first used on line {first}); "
                "give each dimension its own id"
            )
        seen_dims.setdefault(dim_id, number)
        raw_codes = raw.get("codes") or []
        if raw["type"] in CODED and not raw_codes:
            problems.append(
                f"line {line}: dimension {dim_id!r} is {raw['type']}-choice but has no codes; "
                "add codes or make it text/number"
            )
        if raw["type"] not in CODED and raw_codes:
            problems.append(
                f"line {line}: dimension {dim_id!r} is of type {raw['type']} and cannot have "
                "codes; make it single or multi"
            )
        seen_codes: dict[str, int] = {}
        codes = []
        for code_number, rc in enumerate(raw_codes, start=1):
            if rc["id"] in seen_codes:
                first = lines.get((number - 1, seen_codes[rc["id"]] - 1), "?")
                problems.append(
                    f"line {lines.get((number - 1, code_number - 1), '?')}: duplicate code id "
                    f"{rc['id']!r} in dimension {dim_id!r} (first used on line {first}); code "
                    "ids must be unique within a dimension"
                )
            seen_codes.setdefault(rc["id"], code_number)
            codes.append(
                Code(
                    id=rc["id"],
                    label=rc["label"],
                    definition=rc["definition"],
                    terms_en=tuple(rc["terms"]["en"]),
                    terms_nl=tuple(rc["terms"]["nl"]),
                    label_nl=rc.get("label_nl", ""),
                )
            )
        dimensions.append(
            Dimension(
                id=dim_id,
                label=raw["label"],
                type=raw["type"],
                group=raw.get("group", ""),
                definition=raw.get("definition", ""),
                codes=tuple(codes),
                label_nl=raw.get("label_nl", ""),
            )
        )
    if problems:
        raise CodebookError(problem_list(name, problems, limit=60, noun=_PROBLEMS))
    return Codebook(
        name=str(data.get("codebook", "")),
        version=str(data.get("version", "")),
        dimensions=tuple(dimensions),
        path=name,
    )


def load(path: str | Path) -> Codebook:
    """Read and validate ``config/codebook.yaml`` (or any codebook file)."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError as exc:
        raise CodebookError(f"{path}: codebook not found") from exc
    return loads(text, name=str(path))
