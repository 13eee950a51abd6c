"""Check that every ``shell:`` command of the workflow passes each value as one quoted argument.

A value from the search log, a sheet or the config may hold ``'``, ``$(...)``, backticks, ``;``
or a newline; Snakemake's ``:q`` quotes it with :func:`shlex.quote` (each item of a list on its
own), so the shell never reads it as code. This check fails on a ``{field}`` without ``:q``, on
an f-string command and on ``!r`` (Python's ``repr`` is no shell quoting) anywhere in a rule
file. Run as ``python tests/hostile/shell_quoting.py Snakefile workflow/rules``; ``make lint``
and the test suite both run it.
"""

from __future__ import annotations

import ast
import io
import string
import sys
import tokenize
from pathlib import Path

_SKIP = {tokenize.NEWLINE, tokenize.NL, tokenize.INDENT, tokenize.DEDENT, tokenize.COMMENT}


def _shell_commands(text: str) -> list[tuple[int, list[tokenize.TokenInfo]]]:
    """``(line, string tokens)`` of each ``shell:`` directive in a rule file."""
    tokens = list(tokenize.generate_tokens(io.StringIO(text).readline))
    commands = []
    for i, token in enumerate(tokens[:-1]):
        if token.type == tokenize.NAME and token.string == "shell" and tokens[i + 1].string == ":":
            parts = []
            for following in tokens[i + 2 :]:
                if following.type in _SKIP:
                    continue
                if following.type != tokenize.STRING:
                    break
                parts.append(following)
            commands.append((token.start[0], parts))
    return commands


def problems_in(path: Path) -> list[str]:
    """What is unquoted in one rule file, as ``file:line: message``."""
    text = path.read_text("utf-8")
    problems = [
        f"{path}:{number}: '!r' builds shell text with repr(); pass the value as a param and "
        "write {params.x:q}"
        for number, line in enumerate(text.splitlines(), start=1)
        if "!r}" in line
    ]
    for line, parts in _shell_commands(text):
        if not parts:
            problems.append(f"{path}:{line}: shell: is not a plain string literal")
            continue
        pieces = []
        for part in parts:
            prefix = part.string[: len(part.string) - len(part.string.lstrip("rRbBuUfF"))]
            if "f" in prefix.lower():
                problems.append(
                    f"{path}:{part.start[0]}: f-string in a shell command; use {{params.x:q}}"
                )
                continue
            pieces.append(ast.literal_eval(part.string))
        for _, field, spec, conversion in string.Formatter().parse("".join(pieces)):
            if field is None:
                continue
            if conversion or not (spec or "").endswith("q"):
                shown = (
                    field + (f"!{conversion}" if conversion else "") + (f":{spec}" if spec else "")
                )
                problems.append(
                    f"{path}:{line}: {{{shown}}} reaches the shell unquoted; write "
                    f"{{{field}:q}} (a list of arguments is quoted item by item)"
                )
    return problems


def rule_files(paths: list[str]) -> list[Path]:
    """``Snakefile`` and ``*.smk`` files among ``paths`` (folders searched)."""
    found = []
    for name in paths:
        path = Path(name)
        found += sorted(path.rglob("*.smk")) if path.is_dir() else [path]
    return found


def main(argv: list[str]) -> int:
    problems = [
        p for path in rule_files(argv or ["Snakefile", "workflow/rules"]) for p in problems_in(path)
    ]
    for problem in problems:
        print(problem, file=sys.stderr)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
