import json
import math
import os
import sys
from pathlib import Path

from slrflow import reviewfolder, settings, versions, yamlfiles
from slrflow.errors import SlrflowError
from slrflow.searchlog import read_search_log


def person_input(read, *args, **kwargs):
    """``read(*args, **kwargs)``; a fault in the person's files (an slrflow error, which names
    file, row and field) stops the run with that message alone, without a traceback."""
    try:
        return read(*args, **kwargs)
    except SlrflowError as error:
        sys.exit(f"slrflow: error: {error}")


# Which review this run works on: --config review=DIR, the folder Snakemake runs in when it holds
# a config.yaml (`slrflow run DIR`, `snakemake -d DIR`), or the bundled example from the project
# folder. Its config.yaml is read here; values given with --config still win.
LOCATION = person_input(
    reviewfolder.locate,
    config.get("review"),
    config.get("results"),
    here=Path.cwd(),
    project=Path(workflow.basedir),
)


configfile: LOCATION.review / reviewfolder.CONFIG


# Anchors and aliases could make a short config expand to billions of values once validated.
for path in workflow.configfiles:
    person_input(yamlfiles.load, path)
config["review"] = str(LOCATION.review)
config["results"] = str(LOCATION.results)
# The closed config schema (workflow/schemas/config.schema.json): an unknown key stops the run
# naming it and the nearest known one; every option the config leaves out gets its default here,
# so no rule repeats a default.
config.update(
    person_input(
        settings.check,
        config,
        file=" + ".join(str(f) for f in workflow.configfiles) or "config",
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
SEARCHES = {
    s.search_id: s for s in person_input(read_search_log, SEARCH_LOG, review=REVIEW)
}
if not SEARCHES:
    sys.exit(
        f"slrflow: error: {SEARCH_LOG} lists no search yet: put each export in "
        f"{REVIEW / 'exports'} and describe its search on a row of the search log"
    )
#: The frozen version this run compares with (`slrflow freeze`): config `compare_to`, else the
#: latest; None when the review has none. Its files are inputs of the rules that read it.
SNAPSHOT = person_input(versions.chosen, REVIEW, config.get("compare_to"))
SNAPSHOT_FILES = (
    [SNAPSHOT.path / name for name in sorted(SNAPSHOT.files)]
    if SNAPSHOT is not None
    else []
)
#: The option that names it to a command (a list: `{params.previous:q}` quotes each item).
PREVIOUS_VERSION = ["--previous-version", SNAPSHOT.path] if SNAPSHOT is not None else []
#: The codebook the coding stage, the toolkits and the charts share (relative to the review).
CODEBOOK = REVIEW / config["coding"]["codebook"]


wildcard_constraints:
    search="[A-Za-z0-9][A-Za-z0-9_.]*",


def search_export(wildcards):
    """The export file of one search, as the search log names it."""
    return REVIEW / SEARCHES[wildcards.search].file


def search_params(wildcards):
    """The search-log row's settings for reading its export (a change reruns that search), one
    list item per argument: `{params.options:q}` quotes each, so each reaches the command whole.
    """
    search = SEARCHES[wildcards.search]
    options = ["--search-id", search.search_id, "--name", search.file]
    if search.format:
        options += ["--format", search.format]
    if search.mapping:
        options += ["--mapping", search.mapping]
    if search.hits_reported is not None:
        options += ["--hits-reported", str(search.hits_reported)]
    return options


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


def grows_with_input(base, per_input_mb):
    """A resource that grows with what the job reads: ``base`` plus ``per_input_mb`` for every MB
    of input, doubled on each retry. Used for ``mem_mb`` (MB) and ``runtime`` (minutes), so a job
    on a cluster asks for what this review's size needs (README: "Running on a cluster").
    """

    def resource(wildcards, input, attempt):
        return math.ceil((base + per_input_mb * input.size_mb) * attempt)

    return resource
