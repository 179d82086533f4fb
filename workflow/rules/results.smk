rule plot_history:
    input:
        history=rules.train.output.history,
    output:
        accuracy=report(
            f"{RESULTS}/plots/{RUN}/accuracy.png",
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
            f"{RESULTS}/plots/{RUN}/loss.png",
            caption="../report/loss.rst",
            category=REPORT["history"],
            subcategory="{model}",
            labels={"model": "{model}", "dropout": "{dropout}", "seed": "{seed}", "plot": "loss"},
        ),
    log:
        f"{LOGS}/plot_history/{RUN}.log",
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
            f"{RESULTS}/tables/runs.tsv", caption="../report/runs.rst", category=REPORT["runs"]
        ),
        environments=report(
            f"{RESULTS}/tables/environments.tsv",
            caption="../report/environments.rst",
            category=REPORT["runs"],
        ),
        summary=report(
            f"{RESULTS}/tables/runs_summary.tsv",
            caption="../report/runs_summary.rst",
            category=REPORT["runs"],
        ),
        dropout=report(
            f"{RESULTS}/tables/dropout_vs_test_loss.tsv",
            caption="../report/dropout_table.rst",
            category=REPORT["dropout"],
        ),
        chosen=report(
            f"{RESULTS}/tables/chosen_dropout.tsv",
            caption="../report/chosen_dropout.rst",
            category=REPORT["dropout"],
        ),
        plot=report(
            f"{RESULTS}/plots/dropout_vs_test_loss.png",
            caption="../report/dropout_vs_test_loss.rst",
            category=REPORT["dropout"],
        ),
    log:
        f"{LOGS}/aggregate.log",
    localrule: True
    conda:
        ENVIRONMENT
    params:
        **code_of("aggregate.py"),
        runs=[vars(run) for run in RUNS],
        validation_split=config["training"]["validation_split"],
    script:
        "../scripts/aggregate.py"
