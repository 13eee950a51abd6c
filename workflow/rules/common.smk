import json
import os
import sys
from pathlib import Path

from slrflow import settings
from slrflow.searchlog import read_search_log

# The closed config schema (workflow/schemas/config.schema.json): an unknown key stops the run
# naming it and the nearest known one; every option the config leaves out gets its default here,
# so no rule repeats a default.
config.update(
    settings.check(
        config, file=" + ".join(str(f) for f in workflow.configfiles) or "config"
    )
)

# Rules call the `slrflow` command of the Python that runs Snakemake, even when that
# environment is not activated (e.g. `.venv/bin/snakemake`).
os.environ["PATH"] = os.pathsep.join(
    [str(Path(sys.executable).parent), os.environ["PATH"]]
)

REVIEW = Path(config["review"])
RESULTS = Path(config["results"])
SEARCH_LOG = REVIEW / config["search_log"]
SEARCHES = {s.search_id: s for s in read_search_log(SEARCH_LOG, review=REVIEW)}
#: The codebook the coding stage, the toolkits and the charts share.
CODEBOOK = config["coding"]["codebook"]


wildcard_constraints:
    search="[A-Za-z0-9][A-Za-z0-9_.]*",


def search_export(wildcards):
    """The export file of one search, as the search log names it."""
    return REVIEW / SEARCHES[wildcards.search].file


def search_params(wildcards):
    """The search-log row's settings for reading its export (a change reruns that search)."""
    search = SEARCHES[wildcards.search]
    options = [f"--search-id {search.search_id}", f"--name {search.file!r}"]
    if search.format:
        options.append(f"--format {search.format}")
    if search.mapping:
        options.append(f"--mapping {search.mapping!r}")
    if search.hits_reported is not None:
        options.append(f"--hits-reported {search.hits_reported}")
    return " ".join(options)


def section_json(name):
    """A config section, validated and with its defaults, as JSON for a command's --settings:
    every option reaches the command without a rule naming it (a change reruns the rule).
    """
    return json.dumps(config.get(name) or {}, sort_keys=True)


#: Everything the stages build by default; each stage's .smk file adds its final outputs. The
#: audit report reads them all (report.smk), the default target adds the report's own.
STAGE_OUTPUTS = []


def stage_outputs(wildcards):
    """Every stage's final outputs, as an input function: read when the jobs are planned, after
    every .smk file has added its outputs, whatever the order of the includes."""
    return STAGE_OUTPUTS
