"""``slrflow init DIR``: a new review folder, ready to fill in.

It holds the commented ``config.yaml``, editable copies of the default ``criteria.yaml`` and
``codebook.yaml`` (from the project's ``config/``), a ``searches.csv`` with the search log's
header, an empty ``exports/`` and a README of what to fill in next. An existing review is never
overwritten.
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import shutil
import sys
from importlib import resources
from pathlib import Path

import yaml

from slrflow import reviewfolder
from slrflow.errors import ConfigError

#: The files ``init`` writes; any of them already present stops it.
WRITES = (
    reviewfolder.CONFIG,
    reviewfolder.CRITERIA,
    reviewfolder.CODEBOOK,
    "searches.csv",
    "README.md",
)

README = """\
# {title}

A review folder made by `slrflow init`. Fill in, from top to bottom:

1. `config.yaml`: the title, your reviewers' and coders' short names, how many reviewers each
   reference needs, the automation rules (years, languages, document types).
2. `criteria.yaml`: your eligibility criteria (ids such as C1 are what reviewers write in the
   `criteria` column) and the key terms highlighted in the screening sheets.
3. `codebook.yaml`: what you code for each included study.
4. `exports/`: the files your databases exported (RIS, BibTeX, MEDLINE/nbib, Web of Science,
   Scopus/Lens CSV, EndNote XML ...), one per search.
5. `searches.csv`: one row per search: `search_id` (short name), `database`, `date_searched`
   (YYYY-MM-DD), `query`, `file` (e.g. `exports/scopus.ris`), and `update` (0; 1 for the first
   update round). The other columns are optional.

Then run the workflow on this folder:

```
slrflow run {folder}
```

Everything it builds goes to `results/` here: the PRISMA diagram in `results/figures/`, the audit
report `results/report/index.html`, and a screening sheet per reviewer in
`results/screening/sheets/<stage>/<reviewer>.xlsx`. A reviewer fills in that sheet and saves it
as `screening/<stage>/<reviewer>.xlsx` in this folder (a later batch as
`<reviewer>-2.xlsx`, never over an earlier one); run again for conflicts, agreement and the next
step. The workflow writes only under `results/`, which can be deleted and rebuilt.
"""


def search_log_header() -> list[str]:
    """The search log's columns, in the order of its schema."""
    schema = resources.files("slrflow").joinpath("schemas", "search_log.schema.json")
    return list(json.loads(schema.read_text("utf-8"))["properties"])


def config_text(template: str, title: str | None) -> str:
    """The default config with ``title`` set (quoted as YAML), keeping its comments."""
    if title is None:
        return template
    lines = template.splitlines(keepends=True)
    for index, line in enumerate(lines):
        if line.startswith("title:"):
            quoted = yaml.safe_dump(title, default_style='"', width=10**6).strip()
            lines[index] = f"title: {quoted}\n"
            return "".join(lines)
    raise ConfigError("config/config.yaml has no title: line to fill in")


def init_review(folder: Path, *, title: str | None = None) -> list[Path]:
    """Make the review folder ``folder``; returns the files written."""
    defaults = reviewfolder.project_folder() / "config"
    present = [name for name in WRITES if (folder / name).exists()]
    if present:
        raise ConfigError(
            f"{folder} already holds {', '.join(present)}; init never overwrites a review "
            "(choose a new folder)"
        )
    if title is not None and not title.strip():
        raise ConfigError("--title: give the review's title as text")
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "exports").mkdir(exist_ok=True)
    config = (defaults / reviewfolder.CONFIG).read_text("utf-8")
    (folder / reviewfolder.CONFIG).write_text(config_text(config, title), encoding="utf-8")
    for name in (reviewfolder.CRITERIA, reviewfolder.CODEBOOK):
        shutil.copyfile(defaults / name, folder / name)
    header = io.StringIO()
    csv.writer(header, lineterminator="\n").writerow(search_log_header())
    (folder / "searches.csv").write_text(header.getvalue(), encoding="utf-8")
    shown_title = title or yaml.safe_load(config).get("title", "My systematic review")
    (folder / "README.md").write_text(
        README.format(title=shown_title, folder=folder), encoding="utf-8"
    )
    written = [folder / name for name in WRITES] + [folder / "exports"]
    ignore = folder / ".gitignore"
    if not ignore.exists():
        # what the workflow rebuilds and Snakemake's bookkeeping stay out of version control
        ignore.write_text("results/\n.snakemake/\n", encoding="utf-8")
        written.append(ignore)
    return written


def add_arguments_init(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("folder", type=Path, help="the new review folder (made if absent)")
    parser.add_argument("--title", help="the review's title (config.yaml title:)")


def init(args: argparse.Namespace) -> int:
    """``slrflow init``: make a new review folder."""
    written = init_review(args.folder, title=args.title)
    print(f"init: new review in {args.folder}:", file=sys.stderr)
    for path in written:
        print(f"  {path}", file=sys.stderr)
    print(
        f"Fill in config.yaml, criteria.yaml, exports/ and searches.csv (see {args.folder}/"
        f"README.md), then run: slrflow run {args.folder}",
        file=sys.stderr,
    )
    return 0
