# slrflow: a systematic review from search exports to toolkits, PRISMA and an audit report.
# The logic lives in the `slrflow` package; every rule calls it through the `slrflow` command.
# The review's settings are its own config.yaml, read in workflow/rules/common.smk: run
# `slrflow run DIR`, `snakemake -d DIR`, or (from here) `snakemake` for the bundled example.


from snakemake.utils import min_version

# The workflow needs Snakemake 9 (as pyproject.toml says): stop early with a clear message.
min_version("9.0")


envvars:
    "PATH",


include: "workflow/rules/common.smk"
include: "workflow/rules/check.smk"
include: "workflow/rules/ingest.smk"
include: "workflow/rules/dedup.smk"
include: "workflow/rules/screen.smk"
include: "workflow/rules/prioritise.smk"
include: "workflow/rules/code.smk"
include: "workflow/rules/toolkit.smk"
include: "workflow/rules/figures.smk"
include: "workflow/rules/changes.smk"
include: "workflow/rules/report.smk"


rule all:
    default_target: True
    input:
        stage_outputs,
        REPORT_OUTPUTS,
