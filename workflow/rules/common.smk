import math
import os
import sys
from pathlib import Path

from snakemake.utils import validate

from slrflow.searchlog import read_search_log

validate(config, "../schemas/config.schema.json")

# Rules call the `slrflow` command of the Python that runs Snakemake, even when that
# environment is not activated (e.g. `.venv/bin/snakemake`).
os.environ["PATH"] = os.pathsep.join(
    [str(Path(sys.executable).parent), os.environ["PATH"]]
)

REVIEW = Path(config["review"])
RESULTS = Path(config.get("results", "results"))
SEARCH_LOG = REVIEW / config.get("search_log", "searches.csv")
SEARCHES = {s.search_id: s for s in read_search_log(SEARCH_LOG, review=REVIEW)}
#: The codebook the coding stage, the toolkits and the charts share.
CODEBOOK = config.get("coding", {}).get("codebook", "config/codebook.yaml")


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


#: Everything `snakemake` builds by default; each stage's .smk file adds its final outputs.
ALL_OUTPUTS = []


def grows_with_input(base, per_input_mb):
    """A resource that grows with what the job reads: ``base`` plus ``per_input_mb`` for every MB
    of input, doubled on each retry. Used for ``mem_mb`` (MB) and ``runtime`` (minutes), so a job
    on a cluster asks for what this review's size needs (README: "Running on a cluster").
    """

    def resource(wildcards, input, attempt):
        return math.ceil((base + per_input_mb * input.size_mb) * attempt)

    return resource
