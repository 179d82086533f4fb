rule plot_history:
    input:
        history=rules.train.output.history,
    output:
        accuracy=report(
            f"{RESULTS}/plots/{TRAINING}/accuracy.png",
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
            f"{RESULTS}/plots/{TRAINING}/loss.png",
            caption="../report/loss.rst",
            category=REPORT["history"],
            subcategory="{model}",
            labels={"model": "{model}", "dropout": "{dropout}", "seed": "{seed}", "plot": "loss"},
        ),
    log:
        f"{LOGS}/plot_history/{TRAINING}.log",
    localrule: True
    conda:
        ENVIRONMENT
    params:
        **code_of("plot_history.py"),
    script:
        "../scripts/plot_history.py"


rule aggregate:
    input:
        # each training's record, beside its history; the script reads them through it
        records=training_files(rules.train.output.provenance),
        metrics=training_files(rules.evaluate.output.metrics),
    output:
        runs=report(
            f"{RESULTS}/{layout.RUNS_TABLE}", caption="../report/runs.rst", category=REPORT["runs"]
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
            f"{RESULTS}/{layout.CHOSEN_TABLE}",
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
        # the points (model, rate) of the experiments of several rates
        sweeps=points(planned for planned in TRAININGS if planned.sweep),
        validation_split=config["training"]["validation_split"],
    script:
        "../scripts/aggregate.py"
