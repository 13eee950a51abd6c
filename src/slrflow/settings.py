"""The review's settings (config.yaml): one closed schema that defines every option once.

Each option is written once, in ``schemas/config.schema.json``: its name, type, default and
description (``description`` is its help). From there:

- :func:`check` validates a whole config and fills in the defaults. The schema is closed: a key
  it does not know (a misspelt ``screenig:``) is an error naming the key and the nearest known
  one, never silently ignored. Every problem of the file is listed at once.
- :func:`section` does the same for one section (``dedup``, ``screening``, ``toolkit`` ...): a
  stage's command reads its settings this way, whether the workflow passed the validated section
  (``--settings JSON``) or a person named a config file (``--config FILE``).
- :func:`add_flags` turns a section's simple options (numbers, words, lists of words) into
  command-line flags with the schema's type, choices and help; :func:`section_from_arguments`
  reads them back over ``--settings`` / ``--config``.

A new option is one edit of the schema (and the code that uses it): the rules pass whole sections,
so no ``.smk`` file changes.
"""

from __future__ import annotations

import copy
import difflib
import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from slrflow.errors import ConfigError
from slrflow.messages import problem_list
from slrflow.sheets import load_schema

_TYPES = {"number": float, "integer": int, "string": str}


def schema() -> dict[str, Any]:
    """The config schema (``schemas/config.schema.json``)."""
    return load_schema("config")


def _subschema(name: str) -> dict[str, Any]:
    full = schema()
    if name not in full["properties"]:
        raise ConfigError(f"no config section {name!r}; known: {', '.join(full['properties'])}")
    sub = dict(full["properties"][name])
    sub["$defs"] = full.get("$defs", {})
    return sub


def _resolve(node: dict[str, Any], root: dict[str, Any]) -> dict[str, Any]:
    """``node`` with a local ``$ref`` (``#/$defs/x``) followed."""
    while "$ref" in node:
        target: Any = root
        for part in node["$ref"].removeprefix("#/").split("/"):
            target = target[part]
        node = target
    return node


def nearest(key: str, known: list[str]) -> str | None:
    """The known key closest to a misspelt one (``screenig`` -> ``screening``), if any is close."""
    close = difflib.get_close_matches(key, known, n=1, cutoff=0.6)
    if not close:  # a known key written in other case or with - for _
        folded = {k.casefold().replace("-", "_"): k for k in known}
        return folded.get(key.casefold().replace("-", "_"))
    return close[0]


def _place(path, key: str | None = None) -> str:
    parts = [str(p) for p in path] + ([key] if key is not None else [])
    return ".".join(parts) or "(top level)"


def problems(config: Any, node: dict[str, Any], *, prefix: tuple = ()) -> list[str]:
    """Every way ``config`` breaks the schema ``node``, one sentence each, naming the setting
    (``screening.stages.full_text``) and, for an unknown key, the nearest known one."""
    import jsonschema  # only when there is something to check: a command starts quicker

    validator = jsonschema.Draft202012Validator(node)
    found = []
    for error in sorted(validator.iter_errors(config), key=lambda e: [str(p) for p in e.path]):
        path = prefix + tuple(error.path)
        if error.validator == "additionalProperties" and isinstance(error.instance, dict):
            sub = _resolve(error.schema, node)
            known = sorted(sub.get("properties", {}))
            for key in sorted(set(error.instance) - set(known), key=str):
                guess = nearest(str(key), known)
                hint = f"; did you mean {_place(path, guess)}?" if guess else ""
                found.append(
                    f"unknown key {_place(path, str(key))}{hint} "
                    f"(known here: {', '.join(known) or 'none'})"
                )
        else:
            found.append(f"{_place(path)}: {error.message}")
    return found


def _fill(value: Any, node: dict[str, Any], root: dict[str, Any]) -> Any:
    """``value`` with the schema's defaults filled in, at every level the value has (and for
    each absent section or option that has a default)."""
    node = _resolve(node, root)
    if not isinstance(value, dict) or "properties" not in node:
        return value
    out = dict(value)
    for key, given in node["properties"].items():
        sub = _resolve(given, root)
        default = given.get("default", sub.get("default"))  # a default beside a $ref counts
        if key not in out and ("default" in given or "default" in sub):
            out[key] = copy.deepcopy(default)
        if key in out:
            out[key] = _fill(out[key], sub, root)
    return out


def _stop(found: list[str], file: str) -> None:
    """Raise :class:`ConfigError` listing every problem found in ``file``, if any."""
    if found:
        error = ConfigError(problem_list(file, found, limit=50), problems=found)
        error.file = file
        raise error


def check(config: Mapping[str, Any], *, file: str = "config.yaml") -> dict[str, Any]:
    """The whole config, validated against the closed schema and with its defaults filled in.

    Raises :class:`ConfigError` listing every problem (unknown keys with the nearest known one,
    wrong types, values out of range), naming ``file``."""
    full = schema()
    given = dict(config)
    _stop(problems(given, full), file)
    return _fill(given, full, full)


def section_problems(name: str, given: Mapping[str, Any] | None) -> list[str]:
    """Every way one section breaks the schema (as :func:`problems`)."""
    return problems(dict(given or {}), _subschema(name), prefix=(name,))


def with_defaults(name: str, given: Mapping[str, Any] | None) -> dict[str, Any]:
    """One section with its defaults filled in (not validated: see :func:`section`)."""
    sub = _subschema(name)
    return _fill(dict(given or {}), sub, sub)


def section(name: str, given: Mapping[str, Any] | None, *, file: str = "config.yaml") -> dict:
    """One section of the config (``dedup``, ``screening`` ...), validated and with its
    defaults; ``None`` is the empty section (all defaults)."""
    if given or "required" in _subschema(name):
        _stop(section_problems(name, given), file)
    return with_defaults(name, given)


def defaults(name: str) -> dict[str, Any]:
    """The defaults of one section: what an empty section means."""
    return section(name, {}, file="defaults")


def read_section(
    name: str, *, settings: str | None = None, config: str | Path | None = None
) -> dict[str, Any]:
    """A command's section: ``settings`` (the section as JSON, as the workflow passes it) or the
    section of the config file ``config``; all defaults when neither is given."""
    if settings is not None:
        try:
            value = json.loads(settings)
        except json.JSONDecodeError as exc:
            raise ConfigError(f"not valid JSON: {exc}", field="--settings") from exc
        if not isinstance(value, dict):
            raise ConfigError(f"the {name} section must be an object", field="--settings")
        return section(name, value, file="--settings")
    if config is not None:
        import yaml

        from slrflow import yamlfiles

        path = Path(config)
        try:
            data = yamlfiles.load(path) or {}
        except yaml.YAMLError as exc:
            raise ConfigError(f"not valid YAML: {exc}", file=str(path)) from exc
        if not isinstance(data, dict):
            raise ConfigError("a config file holds named sections", file=str(path))
        return section(name, data.get(name), file=str(path))
    return defaults(name)


def flag_options(name: str) -> dict[str, dict[str, Any]]:
    """The options of a section that a flag can give: numbers, integers, words and lists of
    words (setting -> its schema)."""
    sub = _subschema(name)
    simple = {}
    for key, node in sub.get("properties", {}).items():
        node = _resolve(node, sub)
        kind = node.get("type")
        if (
            kind in _TYPES
            or "enum" in node
            or kind == "array"
            and node.get("items", {}).get("type") in _TYPES
        ):
            simple[key] = node
    return simple


def add_flags(parser: Any, name: str) -> None:
    """``--settings``, ``--config`` and one flag per simple option of section ``name``
    (``title_same`` -> ``--title-same``), typed and described as the schema says. A flag given
    overrides the section."""
    parser.add_argument(
        "--settings", metavar="JSON", help=f"the config's {name} section as JSON (the workflow's)"
    )
    parser.add_argument("--config", type=Path, help=f"a config file; its {name} section is used")
    for key, node in flag_options(name).items():
        help_text = node.get("description", "")
        if "default" in node:
            help_text += f" (default: {node['default']})"
        options: dict[str, Any] = {"dest": f"setting_{key}", "default": None, "help": help_text}
        if node.get("type") == "array":
            options |= {"nargs": "+", "type": _TYPES[node["items"]["type"]]}
        elif "enum" in node:
            options["choices"] = node["enum"]
            if node.get("type") in _TYPES:
                options["type"] = _TYPES[node["type"]]
        else:
            options["type"] = _TYPES[node["type"]]
        parser.add_argument(f"--{key.replace('_', '-')}", **options)


def section_from_arguments(name: str, args: Any) -> dict[str, Any]:
    """The section the options of :func:`add_flags` give: ``--settings`` or ``--config``, with
    each flag given laid over it; validated and with defaults."""
    value = read_section(name, settings=args.settings, config=args.config)
    given = {
        key: getattr(args, f"setting_{key}")
        for key in flag_options(name)
        if getattr(args, f"setting_{key}", None) is not None
    }
    return section(name, value | given, file="the command line") if given else value
