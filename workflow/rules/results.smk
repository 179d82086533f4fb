rule plot_history:
    input:
        history=rules.train.output.history,
    output:
        accuracy=report(
            "results/plots/{model}/dropout-{dropout}/seed-{seed}/accuracy.png",
            caption="../report/accuracy.rst",
            category="2. Training history",
            subcategory="{model}",
            labels={"model": "{model}", "dropout": "{dropout}", "seed": "{seed}", "plot": "accuracy"},
        ),
        loss=report(
            "results/plots/{model}/dropout-{dropout}/seed-{seed}/loss.png",
            caption="../report/loss.rst",
            category="2. Training history",
            subcategory="{model}",
            labels={"model": "{model}", "dropout": "{dropout}", "seed": "{seed}", "plot": "loss"},
        ),
    params:
        **code_of("plot_history.py"),
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
        provenances=run_files("results/train/{run}/provenance.json"),
    output:
        runs=report("results/tables/runs.tsv", caption="../report/runs.rst", category=TABLES),
        environments=report("results/tables/environments.tsv",
                            caption="../report/environments.rst", category=TABLES),
        summary=report("results/tables/runs_summary.tsv", caption="../report/runs_summary.rst",
                       category=TABLES),
        dropout=report("results/tables/dropout_vs_test_loss.tsv",
                       caption="../report/dropout_table.rst", category=DROPOUT),
        chosen=report("results/tables/chosen_dropout.tsv", caption="../report/chosen_dropout.rst",
                      category=DROPOUT),
        plot=report("results/plots/dropout_vs_test_loss.png",
                    caption="../report/dropout_vs_test_loss.rst", category=DROPOUT),
    params:
        runs=[vars(run) for run in RUNS],
        validation_split=config["training"]["validation_split"],
        **code_of("aggregate.py"),
    log:
        "logs/aggregate.log",
    localrule: True
    conda:
        ENVIRONMENT
    script:
        "../scripts/aggregate.py"
