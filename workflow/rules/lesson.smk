# The episode's own figures and numbers, under its own file names, for the lesson's maintainers.
FIG = "results/lesson/fig"


rule lesson_sample_images:
    input:
        data=rules.prepare_data.output.npz,
    output:
        figure=report(
            f"{FIG}/04_cifar10.png", caption="../report/04_cifar10.rst", category=REPORT["lesson"]
        ),
        table=report(
            f"{FIG}/04_cifar10.tsv",
            caption="../report/04_cifar10_table.rst",
            category=REPORT["lesson"],
        ),
    log:
        "logs/lesson_sample_images.log",
    localrule: True
    conda:
        ENVIRONMENT
    params:
        **code_of("lesson_sample_images.py"),
    script:
        "../scripts/lesson_sample_images.py"


rule lesson_convolution:
    output:
        matrix=report(
            f"{FIG}/04_conv_matrix.png",
            caption="../report/04_conv_matrix.rst",
            category=REPORT["lesson"],
        ),
        matrix_table=f"{FIG}/04_conv_matrix.tsv",
        image=report(
            f"{FIG}/04_conv_image.png",
            caption="../report/04_conv_image.rst",
            category=REPORT["lesson"],
        ),
        image_table=f"{FIG}/04_conv_image.tsv",
    log:
        "logs/lesson_convolution.log",
    localrule: True
    conda:
        ENVIRONMENT
    params:
        **code_of("lesson_convolution.py"),
    script:
        "../scripts/lesson_convolution.py"


rule lesson_history:
    input:
        histories=history_files,
    output:
        # HISTORY_FIGURE and HISTORY_LOSS_FIGURE hold the wildcard {n}
        accuracy=report(
            f"{FIG}/{HISTORY_FIGURE}.png",
            caption="../report/04_training_history.rst",
            category=REPORT["lesson"],
        ),
        loss=report(
            f"{FIG}/{HISTORY_LOSS_FIGURE}.png",
            caption="../report/04_training_history_loss.rst",
            category=REPORT["lesson"],
        ),
        table=f"{FIG}/{HISTORY_FIGURE}.tsv",
    log:
        "logs/lesson_history/{n}.log",
    localrule: True
    conda:
        ENVIRONMENT
    params:
        **code_of("lesson_history.py"),
        seeds=history_seeds,
    script:
        "../scripts/lesson_history.py"


rule lesson_dropout:
    input:
        histories=figure_files(SWEEP_FIGURE, rules.train.output.history),
        metrics=figure_files(SWEEP_FIGURE, rules.evaluate.output.metrics),
        provenances=figure_files(SWEEP_FIGURE, rules.train.output.provenance),
    output:
        figure=report(
            f"{FIG}/{SWEEP_FIGURE}.png",
            caption="../report/04_vary_dropout_rate.rst",
            category=REPORT["lesson"],
        ),
        table=f"{FIG}/{SWEEP_FIGURE}.tsv",
    log:
        "logs/lesson_dropout.log",
    localrule: True
    conda:
        ENVIRONMENT
    params:
        **code_of("lesson_dropout.py"),
        runs=[vars(run) for run in FIGURE_RUNS.get(SWEEP_FIGURE, [])],
    script:
        "../scripts/lesson_dropout.py"


rule lesson_numbers:
    output:
        parameters=report(
            "results/lesson/parameters.tsv",
            caption="../report/parameters.rst",
            category=REPORT["lesson"],
        ),
        markdown="results/lesson/parameters.md",
        summaries=expand("results/lesson/summaries/{name}.txt", name=EPISODE_SUMMARIES),
    log:
        "logs/lesson_numbers.log",
    localrule: True
    conda:
        ENVIRONMENT
    params:
        **code_of("lesson_numbers.py"),
    script:
        "../scripts/lesson_numbers.py"


rule lesson_evaluate_line:
    input:
        metrics=figure_files(EVALUATED_FIGURE, rules.evaluate.output.metrics),
    output:
        line="results/lesson/evaluate_dropout_model.txt",
    log:
        "logs/lesson_evaluate_line.log",
    localrule: True
    conda:
        ENVIRONMENT
    params:
        **code_of("lesson_evaluate_line.py"),
    script:
        "../scripts/lesson_evaluate_line.py"


rule lesson_figures:
    input:
        sample=rules.lesson_sample_images.output.table,
        matrix=rules.lesson_convolution.output.matrix_table,
        image=rules.lesson_convolution.output.image_table,
        histories=expand(rules.lesson_history.output.table, n=configured_histories()),
        sweep=[rules.lesson_dropout.output.table] if SWEEP_FIGURE in FIGURE_RUNS else [],
    output:
        markdown="results/lesson/figures.md",
    log:
        "logs/lesson_figures.log",
    localrule: True
    conda:
        ENVIRONMENT
    params:
        **code_of("lesson_figures.py"),
        histories=history_runs(),
    script:
        "../scripts/lesson_figures.py"


rule lesson_claims:
    input:
        data=rules.prepare_data.output.npz,
        parameters=rules.lesson_numbers.output.parameters,
        histories=run_files(rules.train.output.history, CLAIM_RUNS),
        metrics=run_files(rules.evaluate.output.metrics, CLAIM_RUNS),
        # the trainings' logs hold the seconds of each epoch
        logs=run_files(rules.train.log[0], CLAIM_RUNS),
    output:
        table=report(
            "results/lesson/claims.tsv",
            caption="../report/claims.rst",
            category=REPORT["claims"],
        ),
        markdown="results/lesson/claims.md",
    log:
        "logs/lesson_claims.log",
    localrule: True
    conda:
        ENVIRONMENT
    params:
        **code_of("lesson_claims.py"),
        runs=[
            {"figure": run.figure, "dropout": run.dropout, "seed": run.seed} for run in CLAIM_RUNS
        ],
    script:
        "../scripts/lesson_claims.py"


rule lesson:
    input:
        lesson_targets(),
