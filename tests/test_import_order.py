"""The stages depend forward only: read from the package's source, no module imports a later
stage or the command line, and only ``command`` modules parse arguments.

The module map: each package's place in the order, and what it does. A module imports from its own
stage and the stages before it, never after; ``cli`` (the ``slrflow`` command) is on top and no
module imports it. A new top-level module or package needs a line here.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "src" / "slrflow"

#: The stages in order. Ground modules are the helpers every stage shares.
ORDER = (
    "ground", "ingest", "dedup", "screening", "coding", "toolkit", "figures", "changes", "report",
    "cli",
)  # fmt: skip

#: module or package (below ``slrflow``) -> stage. What each does:
STAGE_OF = {
    "": "ground",  # slrflow/__init__.py: the version
    "errors": "ground",  # SlrflowError and its kinds: every error a person can fix
    "messages": "ground",  # the wording of problem lists
    "tables": "ground",  # CSV in and out, same bytes every run
    "records": "ground",  # the record table's columns and normalisation
    "sheets": "ground",  # reading and validating a person's CSV/xlsx sheets; the JSON schemas
    "xlsx": "ground",  # the look of every workbook written
    "agreement": "ground",  # Cohen's kappa and friends, for screening and coding
    "prisma": "ground",  # the PRISMA 2020 accounting: nodes, equations, checks, counts table
    "searchlog": "ground",  # the PRISMA-S search log (searches.csv)
    "settings": "ground",  # the config: closed schema, defaults, nearest-key messages
    "reviewfolder": "ground",  # where a review's settings, inputs and results are
    "limits": "ground",  # how much a file may make the workflow read or allocate
    "workbooks": "ground",  # reading a person's xlsx whole, within the limits
    # frozen (published) versions of a review: store, manifest, table diff; read by the toolkits'
    # Changes sheet and the PRISMA previous-version box as well as by the changes stage
    "versions": "ground",
    "yamlfiles": "ground",  # YAML read within the limits (no alias bombs)
    "ingest": "ingest",  # search exports (RIS, BibTeX, CSV, ...) -> the record table
    "dedup": "dedup",  # records -> references, with the evidence and the review queue
    "screening": "screening",  # decisions, conflicts, automation, PRISMA counts, ranking, stopping
    "serve": "screening",  # `slrflow serve`: the local screening page
    "coding": "coding",  # codebook, coding sheets, agreement, coded tables
    "toolkit": "toolkit",  # the two toolkit workbooks from the coded studies and the inventory
    "figures": "figures",  # the PRISMA diagram and the toolkit charts
    "changes": "changes",  # what changed since a frozen version
    "report": "report",  # the static audit report over every stage's outputs
    "cli": "cli",  # the `slrflow` command: one subcommand per stage
    "newreview": "cli",  # `slrflow init DIR`: a new review folder to fill in
    "run": "cli",  # `slrflow run DIR`: the workflow on a review folder
}


def module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def stage(module: str) -> str | None:
    """The stage of ``slrflow.x.y`` (by its top-level name below ``slrflow``)."""
    parts = module.split(".")
    if parts[0] != "slrflow":
        return None  # not ours
    return STAGE_OF.get(parts[1] if len(parts) > 1 else "", "unmapped")


def imported(tree: ast.AST, module: str, *, is_package: bool) -> list[tuple[int, str]]:
    """(line, module) of every import of the tree, wherever it stands (top, in a function, under
    TYPE_CHECKING), relative imports resolved against ``module``."""
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = module.split(".")
                base = base[: len(base) - node.level + (1 if is_package else 0)]
                name = ".".join(base + ([node.module] if node.module else []))
            else:
                name = node.module or ""
            found.append((node.lineno, name))
            # `from slrflow import prisma` names a module in its alias
            if name == "slrflow":
                found += [
                    (node.lineno, f"slrflow.{alias.name}")
                    for alias in node.names
                    if not alias.name.startswith("__")  # __version__
                ]
    return found


def violations(sources: dict[str, str], packages: frozenset[str] = frozenset()) -> list[str]:
    """Every import against the order in ``sources`` (module name -> source text; ``packages``
    the modules that are a package's ``__init__``)."""
    problems = []
    for module, text in sorted(sources.items()):
        own = stage(module)
        if own == "unmapped":
            problems.append(f"{module}: not in the module map (STAGE_OF in this test)")
            continue
        tree = ast.parse(text)
        is_package = module in packages
        for line, name in imported(tree, module, is_package=is_package):
            target = stage(name)
            if target is None:
                continue
            if target == "unmapped":
                problems.append(f"{module}, line {line}: imports {name}, not in the module map")
            elif target == "cli" and own != "cli":
                problems.append(f"{module}, line {line}: imports the command line ({name})")
            elif ORDER.index(target) > ORDER.index(own):
                problems.append(
                    f"{module}, line {line}: {own} imports {name} of the later stage {target}"
                )
        # the command line's own modules (cli, init, run) stand on top and parse arguments
        if own != "cli" and not module.endswith(".command"):
            problems += [
                f"{module}, line {line}: parses arguments outside a command module"
                for line, name in imported(tree, module, is_package=is_package)
                if name == "argparse"
            ]
    return problems


def test_the_package_obeys_the_stage_order():
    paths = sorted(PACKAGE.rglob("*.py"))
    sources = {module_name(path): path.read_text(encoding="utf-8") for path in paths}
    packages = frozenset(module_name(path) for path in paths if path.name == "__init__.py")
    assert "slrflow.prisma" in sources and "slrflow.cli" in sources  # the walk found the package
    assert violations(sources, packages) == []


#: The knots the order forbids, as they once stood in the code: each must be caught.
KNOTS = {
    "screening takes its PRISMA counts model from figures": (
        "slrflow.screening.counts",
        "from slrflow.figures.prisma import EQUATIONS, NODES, Counts\n",
        "screening imports slrflow.figures.prisma of the later stage figures",
    ),
    "toolkit imports figures (half of a cycle)": (
        "slrflow.toolkit.slo",
        "from slrflow.figures import prisma\n",
        "toolkit imports slrflow.figures of the later stage figures",
    ),
    "a lower layer imports the command line's error": (
        "slrflow.screening.curves",
        "from slrflow.cli import UserError\n",
        "imports the command line (slrflow.cli)",
    ),
    "the same, inside a function": (
        "slrflow.dedup.command",
        "def dedup(args):\n    from slrflow.cli import UserError\n",
        "line 2: imports the command line (slrflow.cli)",
    ),
    "argument parsing in a domain module": (
        "slrflow.toolkit.slo",
        "import argparse\n",
        "parses arguments outside a command module",
    ),
    "a relative import of a later stage": (
        "slrflow.coding.read",
        "from ..report import render\n",
        "coding imports slrflow.report of the later stage report",
    ),
    "a module outside the map": (
        "slrflow.helpers",
        "import os\n",
        "not in the module map",
    ),
}


@pytest.mark.parametrize("knot", sorted(KNOTS))
def test_each_knot_is_caught(knot):
    module, text, expected = KNOTS[knot]
    found = violations({module: text})
    assert len(found) == 1 and expected in found[0], found


def test_forward_imports_pass():
    # ground <- ingest <- ... <- report: importing earlier stages is what the order allows
    sources = {
        "slrflow.figures.command": "from slrflow.prisma import Counts\nimport slrflow.toolkit\n",
        "slrflow.report.collect": "from slrflow.figures import charts\nimport pandas\n",
        "slrflow.cli": "import argparse\nfrom slrflow.report import command\n",
        "slrflow.screening.command": "import argparse\n",
    }
    assert violations(sources) == []
