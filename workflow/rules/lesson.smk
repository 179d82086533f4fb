# The episode's own figures and numbers, under its own file names, for the lesson's maintainers:
# the edition's (cnn_lesson/editions/), under its results' lesson/ folder.
LESSON = f"{RESULTS}/lesson"


rule lesson_sample_images:
    input:
        data=rules.prepare_data.output.npz,
    output:
        figure=report(
            f"{FIG}/{EDITION.SAMPLE_FIGURE}.png",
            caption="../report/sample_images.rst",
            category=REPORT["lesson"],
        ),
        table=report(
            f"{FIG}/{EDITION.SAMPLE_FIGURE}.tsv",
            caption="../report/sample_images_table.rst",
            category=REPORT["lesson"],
        ),
    log:
        f"{LOGS}/lesson_sample_images.log",
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
        f"{LOGS}/lesson_convolution.log",
    localrule: True
    conda:
        ENVIRONMENT
    params:
        **code_of("lesson_convolution.py"),
    script:
        "../scripts/lesson_convolution.py"


rule lesson_history:
    input:
        # the records of its trainings, beside their histories
        records=history_records,
    output:
        # the accuracy figure, named as the config's `figure`; its table holds every curve
        accuracy=report(
            f"{FIG}/{{figure}}.png",
            caption="../report/04_training_history.rst",
            category=REPORT["lesson"],
        ),
        table=f"{FIG}/{{figure}}.tsv",
    log:
        f"{LOGS}/lesson_history/{{figure}}.log",
    wildcard_constraints:
        figure=one_of(HISTORIES),
    localrule: True
    conda:
        ENVIRONMENT
    params:
        **code_of("lesson_history.py"),
    script:
        "../scripts/lesson_history.py"


rule lesson_history_loss:
    input:
        table=loss_table,
    output:
        loss=report(
            f"{FIG}/{{loss_figure}}.png",
            caption="../report/04_training_history_loss.rst",
            category=REPORT["lesson"],
        ),
    log:
        f"{LOGS}/lesson_history/{{loss_figure}}.log",
    wildcard_constraints:
        loss_figure=one_of(LOSS_FIGURES),
    localrule: True
    conda:
        ENVIRONMENT
    params:
        **code_of("lesson_history_loss.py"),
    script:
        "../scripts/lesson_history_loss.py"


# The dropout curve, where the edition has one
if SWEEP_FIGURE:

    rule lesson_dropout:
        input:
            records=figure_files([SWEEP_FIGURE], rules.train.output.provenance),
            metrics=figure_files([SWEEP_FIGURE], rules.evaluate.output.metrics),
        output:
            figure=report(
                f"{FIG}/{SWEEP_FIGURE}.png",
                caption="../report/04_vary_dropout_rate.rst",
                category=REPORT["lesson"],
            ),
            table=f"{FIG}/{SWEEP_FIGURE}.tsv",
        log:
            f"{LOGS}/lesson_dropout.log",
        localrule: True
        conda:
            ENVIRONMENT
        params:
            **code_of("lesson_dropout.py"),
            # the y axis's label in the episode's words
            label=EDITION.FIGURES[SWEEP_FIGURE].label,
        script:
            "../scripts/lesson_dropout.py"


rule lesson_grid:
    input:
        records=figure_files(GRIDS, rules.train.output.provenance),
    output:
        table=report(
            f"{LESSON}/grid_search.tsv",
            caption="../report/grid_search.rst",
            category=REPORT["lesson"],
        ),
        markdown=f"{LESSON}/grid_search.md",
    log:
        f"{LOGS}/lesson_grid.log",
    localrule: True
    conda:
        ENVIRONMENT
    params:
        **code_of("lesson_grid.py"),
        labels={
            model: label for grid in GRIDS for model, label in EDITION.FIGURES[grid].labels.items()
        },
    script:
        "../scripts/lesson_grid.py"


rule lesson_numbers:
    output:
        parameters=report(
            f"{LESSON}/parameters.tsv",
            caption="../report/parameters.rst",
            category=REPORT["lesson"],
        ),
        markdown=f"{LESSON}/parameters.md",
        summaries=expand(f"{LESSON}/summaries/{{name}}.txt", name=SUMMARY_NAMES),
    log:
        f"{LOGS}/lesson_numbers.log",
    localrule: True
    conda:
        ENVIRONMENT
    params:
        **code_of("lesson_numbers.py", "all"),
        edition=config["edition"],
    script:
        "../scripts/lesson_numbers.py"


rule lesson_evaluate_line:
    input:
        records=figure_files([EDITION.EVALUATED_FIGURE], rules.train.output.provenance),
        metrics=figure_files([EDITION.EVALUATED_FIGURE], rules.evaluate.output.metrics),
    output:
        line=f"{LESSON}/evaluate_dropout_model.txt",
    log:
        f"{LOGS}/lesson_evaluate_line.log",
    localrule: True
    conda:
        ENVIRONMENT
    params:
        **code_of("lesson_evaluate_line.py"),
    script:
        "../scripts/lesson_evaluate_line.py"


# Its inputs: the tables the figures are drawn from, each history figure's by the figure's name
rule lesson_figures:
    input:
        **{name: rules.lesson_history.output.table.format(figure=name) for name in HISTORIES},
        sample=rules.lesson_sample_images.output.table,
        matrix=rules.lesson_convolution.output.matrix_table,
        image=rules.lesson_convolution.output.image_table,
        sweep=[rules.lesson_dropout.output.table] if SWEEP_MADE else [],
    output:
        markdown=f"{LESSON}/figures.md",
    log:
        f"{LOGS}/lesson_figures.log",
    localrule: True
    conda:
        ENVIRONMENT
    params:
        **code_of("lesson_figures.py"),
        sample=EDITION.SAMPLE_FIGURE,
        sweep=SWEEP_FIGURE,
        data_set=EDITION.DATA_SET,
        classes=DATA.classes,
        histories=history_shown(),
    script:
        "../scripts/lesson_figures.py"


rule lesson_claims:
    input:
        data=rules.prepare_data.output.npz,
        parameters=rules.lesson_numbers.output.parameters,
        # each training's record, beside its history; its timings (the claim about speed)
        records=training_files(rules.train.output.provenance, CLAIM_TRAININGS),
        timings=training_files(rules.train.output.timings, CLAIM_TRAININGS),
        metrics=training_files(rules.evaluate.output.metrics, CLAIM_TRAININGS),
    output:
        table=report(
            f"{RESULTS}/{layout.CLAIMS_TABLE}",
            caption="../report/claims.rst",
            category=REPORT["claims"],
        ),
        markdown=f"{LESSON}/claims.md",
    log:
        f"{LOGS}/lesson_claims.log",
    localrule: True
    conda:
        ENVIRONMENT
    params:
        **code_of("lesson_claims.py", "all"),
        edition=config["edition"],
        # the points (model, rate) behind each figure
        figures={name: points(group) for name, group in FIGURE_TRAININGS.items()},
    script:
        "../scripts/lesson_claims.py"


rule lesson:
    input:
        lesson_targets(),
