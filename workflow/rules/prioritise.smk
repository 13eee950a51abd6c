# Prioritised screening, measured: replay labelled reviews with the ranker and the stopping rule.
# Not part of the default target; run `snakemake simulations --cores all` (or with an executor
# plugin: every dataset x seed is its own job). Config (all optional):
#   simulation:
#     datasets: [path/to/set.csv, ...]   # or {name: path}; default: ../shared/data/screening
#     seeds: [0, 1, 2, 3, 4]
#     n_prior_included: 1
#     n_prior_excluded: 1
SIMULATION = config.get("simulation") or {}
SIMULATION_FOLDER = Path("../shared/data/screening")


def simulation_datasets():
    """Dataset name -> labelled CSV, from the config or the shared folder (one CSV per set)."""
    listed = SIMULATION.get("datasets")
    if isinstance(listed, dict):
        return {str(name): Path(path) for name, path in sorted(listed.items())}
    if listed:
        return {Path(path).stem: Path(path) for path in listed}
    if not SIMULATION_FOLDER.is_dir():
        return {}
    found = {}
    for folder in sorted(p for p in SIMULATION_FOLDER.iterdir() if p.is_dir()):
        csvs = sorted(folder.glob("*.csv"))
        if csvs:
            found[folder.name] = csvs[0]
    return found


SIMULATION_DATASETS = simulation_datasets()
SIMULATION_SEEDS = [int(seed) for seed in SIMULATION.get("seeds", [0, 1, 2, 3, 4])]
SIMULATION_DIR = RESULTS / "simulation"


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
        included=SIMULATION.get("n_prior_included", 1),
        excluded=SIMULATION.get("n_prior_excluded", 1),
    shell:
        "slrflow simulate {input:q} --seed {wildcards.seed} "
        "--n-prior-included {params.included} --n-prior-excluded {params.excluded} "
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
    shell:
        "slrflow simulation-report --orders {input.orders:q} --metrics {input.metrics:q} "
        "--svg {output.svg:q} --png {output.png:q} --summary {output.summary:q} 2> {log:q}"


rule simulations:
    input:
        rules.simulation_report.output,
