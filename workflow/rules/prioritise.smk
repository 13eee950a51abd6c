# Prioritised screening, measured: replay labelled reviews with the ranker and the stopping rule.
# Not part of the default target; run `snakemake simulations --cores all` (or with an executor
# plugin: every dataset x seed is its own job). Config (all optional):
#   simulation:
#     datasets: [path/to/set.csv, ...]   # or {name: path}; default: ../shared/data/screening
#     seeds: [0, 1, 2, 3, 4]
#     n_prior_included: 1
#     n_prior_excluded: 1
from slrflow.screening.datasets import find_datasets

SIMULATION = config["simulation"]
SIMULATION_DATASETS = find_datasets(
    SIMULATION.get("datasets"),
    Path(workflow.basedir).parent / "shared" / "data" / "screening",
)
SIMULATION_SEEDS = SIMULATION["seeds"]
SIMULATION_DIR = RESULTS / "simulation"
# The stopping rule the review chose (screening.stopping) is the one simulations test.
SIMULATION_STOPPING = (config.get("screening") or {}).get("stopping") or {}


wildcard_constraints:
    seed=r"\d+",


rule simulate:
    input:
        lambda wildcards: SIMULATION_DATASETS[wildcards.dataset],
    output:
        order=SIMULATION_DIR / "{dataset}" / "seed{seed}.csv",
        metrics=SIMULATION_DIR / "{dataset}" / "seed{seed}.metrics.csv",
    log:
        RESULTS / "logs" / "simulation" / "{dataset}" / "seed{seed}.log",
    conda:
        "../envs/slrflow.yaml"
    threads: 1
    resources:
        mem_mb=2000,
        runtime=30,
    params:
        included=SIMULATION["n_prior_included"],
        excluded=SIMULATION["n_prior_excluded"],
        method=SIMULATION_STOPPING.get("method", "counting"),
        recall=SIMULATION_STOPPING.get("recall", 0.95),
        confidence=SIMULATION_STOPPING.get("confidence", 0.95),
    shell:
        "slrflow simulate {input:q} --seed {wildcards.seed:q} "
        "--n-prior-included {params.included:q} --n-prior-excluded {params.excluded:q} "
        "--stopping-method {params.method:q} --recall-target {params.recall:q} "
        "--confidence {params.confidence:q} "
        "-o {output.order:q} --metrics {output.metrics:q} > {log:q} 2>&1"


rule simulation_report:
    input:
        orders=expand(
            SIMULATION_DIR / "{dataset}" / "seed{seed}.csv",
            dataset=SIMULATION_DATASETS,
            seed=SIMULATION_SEEDS,
        ),
        metrics=expand(
            SIMULATION_DIR / "{dataset}" / "seed{seed}.metrics.csv",
            dataset=SIMULATION_DATASETS,
            seed=SIMULATION_SEEDS,
        ),
    output:
        svg=SIMULATION_DIR / "recall_curves.svg",
        png=SIMULATION_DIR / "recall_curves.png",
        summary=SIMULATION_DIR / "summary.csv",
    log:
        RESULTS / "logs" / "simulation" / "report.log",
    conda:
        "../envs/slrflow.yaml"
    threads: 1
    resources:
        mem_mb=grows_with_input(1000, 2),
        runtime=grows_with_input(10, 0.01),
    shell:
        "slrflow simulation-report --orders {input.orders:q} --metrics {input.metrics:q} "
        "--svg {output.svg:q} --png {output.png:q} --summary {output.summary:q} 2> {log:q}"


rule simulations:
    input:
        rules.simulation_report.output,
