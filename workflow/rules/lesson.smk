# The episode's own figures and numbers, under its own file names, for the lesson's maintainers.
FIG = "results/lesson/fig"


rule lesson_sample_images:
    input:
        data=rules.prepare_data.output.npz,
    output:
        figure=report(f"{FIG}/04_cifar10.png", caption="../report/04_cifar10.rst",
                      category=LESSON_CATEGORY),
        table=report(f"{FIG}/04_cifar10.tsv", caption="../report/04_cifar10_table.rst",
                     category=LESSON_CATEGORY),
    params:
        **code_of("lesson_sample_images.py"),
    log:
        "logs/lesson_sample_images.log",
    localrule: True
    conda:
        ENVIRONMENT
    script:
        "../scripts/lesson_sample_images.py"


rule lesson_convolution:
    output:
        matrix=report(f"{FIG}/04_conv_matrix.png", caption="../report/04_conv_matrix.rst",
                      category=LESSON_CATEGORY),
        matrix_table=f"{FIG}/04_conv_matrix.tsv",
        image=report(f"{FIG}/04_conv_image.png", caption="../report/04_conv_image.rst",
                     category=LESSON_CATEGORY),
        image_table=f"{FIG}/04_conv_image.tsv",
    params:
        **code_of("lesson_convolution.py"),
    log:
        "logs/lesson_convolution.log",
    localrule: True
    conda:
        ENVIRONMENT
    script:
        "../scripts/lesson_convolution.py"


rule lesson_history:
    input:
        histories=lambda wildcards: figure_files(f"04_training_history_{wildcards.n}",
                                                 "results/train/{run}/history.tsv"),
    output:
        accuracy=report(f"{FIG}/04_training_history_{{n}}.png",
                        caption="../report/04_training_history.rst", category=LESSON_CATEGORY),
        loss=report(f"{FIG}/04_training_history_loss_{{n}}.png",
                    caption="../report/04_training_history_loss.rst", category=LESSON_CATEGORY),
        table=f"{FIG}/04_training_history_{{n}}.tsv",
    params:
        seeds=lambda wildcards: figure_seeds(f"04_training_history_{wildcards.n}"),
        **code_of("lesson_history.py"),
    log:
        "logs/lesson_history/{n}.log",
    localrule: True
    conda:
        ENVIRONMENT
    script:
        "../scripts/lesson_history.py"


rule lesson_dropout:
    input:
        histories=figure_files(SWEEP_FIGURE, "results/train/{run}/history.tsv"),
        metrics=figure_files(SWEEP_FIGURE, "results/evaluate/{run}/metrics.json"),
        provenances=figure_files(SWEEP_FIGURE, "results/train/{run}/provenance.json"),
    output:
        figure=report(f"{FIG}/{SWEEP_FIGURE}.png", caption="../report/04_vary_dropout_rate.rst",
                      category=LESSON_CATEGORY),
        table=f"{FIG}/{SWEEP_FIGURE}.tsv",
    params:
        runs=[vars(run) for run in FIGURE_RUNS.get(SWEEP_FIGURE, [])],
        **code_of("lesson_dropout.py"),
    log:
        "logs/lesson_dropout.log",
    localrule: True
    conda:
        ENVIRONMENT
    script:
        "../scripts/lesson_dropout.py"


rule lesson_numbers:
    output:
        parameters=report("results/lesson/parameters.tsv", caption="../report/parameters.rst",
                          category=LESSON_CATEGORY),
        markdown="results/lesson/parameters.md",
        summaries=expand("results/lesson/summaries/{name}.txt", name=EPISODE_SUMMARIES),
    params:
        **code_of("lesson_numbers.py"),
    log:
        "logs/lesson_numbers.log",
    localrule: True
    conda:
        ENVIRONMENT
    script:
        "../scripts/lesson_numbers.py"


rule lesson_evaluate_line:
    input:
        metrics=figure_files(EVALUATED_FIGURE, "results/evaluate/{run}/metrics.json"),
    output:
        line="results/lesson/evaluate_dropout_model.txt",
    params:
        **code_of("lesson_evaluate_line.py"),
    log:
        "logs/lesson_evaluate_line.log",
    localrule: True
    conda:
        ENVIRONMENT
    script:
        "../scripts/lesson_evaluate_line.py"


rule lesson:
    input:
        lesson_targets(),
