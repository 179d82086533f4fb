rule plot_history:
    input:
        history=rules.train.output.history,
    output:
        accuracy="results/plots/{model}/dropout-{dropout}/seed-{seed}/accuracy.png",
        loss="results/plots/{model}/dropout-{dropout}/seed-{seed}/loss.png",
    log:
        "logs/plot_history/{model}/dropout-{dropout}/seed-{seed}.log",
    localrule: True
    conda:
        ENVIRONMENT
    script:
        "../scripts/plot_history.py"


rule aggregate:
    input:
        histories=run_files("results/train/{run}/history.tsv"),
        metrics=run_files("results/evaluate/{run}/metrics.json"),
    output:
        runs="results/tables/runs.tsv",
        dropout="results/tables/dropout_vs_test_loss.tsv",
        plot="results/plots/dropout_vs_test_loss.png",
    params:
        runs=[vars(run) for run in RUNS],
    log:
        "logs/aggregate.log",
    localrule: True
    conda:
        ENVIRONMENT
    script:
        "../scripts/aggregate.py"
