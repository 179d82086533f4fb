rule plot_history:
    input:
        history=rules.train.output.history,
    output:
        accuracy=report(
            "results/plots/{model}/dropout-{dropout}/seed-{seed}/accuracy.png",
            caption="../report/accuracy.rst",
            category=REPORT["history"],
            subcategory="{model}",
            labels={
                "model": "{model}",
                "dropout": "{dropout}",
                "seed": "{seed}",
                "plot": "accuracy",
            },
        ),
        loss=report(
            "results/plots/{model}/dropout-{dropout}/seed-{seed}/loss.png",
            caption="../report/loss.rst",
            category=REPORT["history"],
            subcategory="{model}",
            labels={"model": "{model}", "dropout": "{dropout}", "seed": "{seed}", "plot": "loss"},
        ),
    log:
        "logs/plot_history/{model}/dropout-{dropout}/seed-{seed}.log",
    localrule: True
    conda:
        ENVIRONMENT
    params:
        **code_of("plot_history.py"),
    script:
        "../scripts/plot_history.py"


rule aggregate:
    input:
        histories=run_files(rules.train.output.history),
        metrics=run_files(rules.evaluate.output.metrics),
        provenances=run_files(rules.train.output.provenance),
    output:
        runs=report(
            "results/tables/runs.tsv", caption="../report/runs.rst", category=REPORT["runs"]
        ),
        environments=report(
            "results/tables/environments.tsv",
            caption="../report/environments.rst",
            category=REPORT["runs"],
        ),
        summary=report(
            "results/tables/runs_summary.tsv",
            caption="../report/runs_summary.rst",
            category=REPORT["runs"],
        ),
        dropout=report(
            "results/tables/dropout_vs_test_loss.tsv",
            caption="../report/dropout_table.rst",
            category=REPORT["dropout"],
        ),
        chosen=report(
            "results/tables/chosen_dropout.tsv",
            caption="../report/chosen_dropout.rst",
            category=REPORT["dropout"],
        ),
        plot=report(
            "results/plots/dropout_vs_test_loss.png",
            caption="../report/dropout_vs_test_loss.rst",
            category=REPORT["dropout"],
        ),
    log:
        "logs/aggregate.log",
    localrule: True
    conda:
        ENVIRONMENT
    params:
        **code_of("aggregate.py"),
        runs=[vars(run) for run in RUNS],
        validation_split=config["training"]["validation_split"],
    script:
        "../scripts/aggregate.py"
