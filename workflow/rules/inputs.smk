# The functions the rules call: the files, params and resources of each job. No rules.
from cnn_lesson.workflow.integrity import archive_verified, recorded_checksums
from cnn_lesson.workflow.plan import planned_for, training_settings


def checksums_in_force():
    """The checksums the data is checked against: the config's, else those the download
    recorded beside it (None before it ran)."""
    return PINNED or (CHECKSUMS_FILE and recorded_checksums(CHECKSUMS_FILE))


def archive_in_place():
    """Whether the archive is here and has the config's checksums: then it is read as it is, and
    no rule makes it, so that no change of code or URL fetches it again (one that fails is
    fetched again, or refused by name where results were made from it). A job's own Snakemake
    (a cluster job's) takes the archive the main one planned with, as it is. Where the download
    records the checksums beside it, that record is part of it."""
    recorded = not CHECKSUMS_FILE or Path(CHECKSUMS_FILE).is_file()
    if not IN_CHARGE:
        return Path(ARCHIVE).is_file() and recorded
    return recorded and archive_verified(ARCHIVE, DATA_RECORD, DATA, checksums_in_force())


def archive_source():
    """The local copy the config names, or else the download URL."""
    return config["data"]["archive"] or config["data"]["url"]


def times_attempt(amount):
    """A resource that grows with each attempt of a job (a cluster retries killed jobs)."""
    return lambda wildcards, attempt: amount * attempt


def planned_of(wildcards):
    """The configured training that the wildcards of a train or evaluate job name."""
    try:
        return planned_for(TRAININGS, wildcards.model, wildcards.dropout, int(wildcards.seed))
    except InputError as error:
        raise WorkflowError(str(error)) from None


def epochs_of(wildcards):
    """The configured epochs of the training a train job trains."""
    return planned_of(wildcards).epochs


def settings_of(wildcards):
    """The settings of the training a train or evaluate job's wildcards name, as plain values
    (cnn_lesson.settings.Training)."""
    return training_settings(planned_of(wildcards), config, DATA_RECIPE).as_dict()


def training_files(pattern, trainings=None):
    """`pattern` (an output of a rule with {model}, {dropout} and {seed}) for every configured
    training, or every one of `trainings`, in config order."""
    chosen = TRAININGS if trainings is None else trainings
    return [pattern.format(**planned.wildcards) for planned in chosen]


def trainings_behind(figures):
    """The trainings, all seeds, behind the episode's `figures` (names), in config order."""
    return [planned for planned in TRAININGS if planned.figure in figures]


def figure_files(figures, pattern):
    """`pattern` for every training, all seeds, behind the episode's `figures` (names)."""
    return training_files(pattern, trainings_behind(figures))


def points(trainings):
    """The points (model, rate) of `trainings`, once each, in order."""
    return list(dict.fromkeys((planned.model, planned.dropout) for planned in trainings))


def history_records(wildcards):
    """The records of the trainings behind the episode's training-history figure {figure}."""
    return figure_files([wildcards.figure], rules.train.output.provenance)


def loss_table(wildcards):
    """The table of the training-history figure whose loss figure is {loss_figure}."""
    return rules.lesson_history.output.table.format(figure=LOSS_FIGURES[wildcards.loss_figure])


def history_shown():
    """What each history figure shows, in words ('extra_layer, dropout 0.8'), and the loss
    figure drawn from it, if any: {figure: [words, loss figure or None]}."""
    shown = {name: FIGURE_TRAININGS[name][0] for name in HISTORIES}
    return {
        name: [f"{planned.model}, dropout {planned.dropout:g}", EDITION.FIGURES[name].loss]
        for name, planned in shown.items()
    }


def lesson_targets():
    """The episode's figures the config names, their Markdown lines, its numbers, and its claims
    checked, under the edition's results/.../lesson/."""
    return [
        *rules.lesson_sample_images.output,
        *rules.lesson_convolution.output,
        *expand(rules.lesson_history.output, figure=HISTORIES),
        *expand(rules.lesson_history_loss.output, loss_figure=list(LOSS_FIGURES)),
        *(rules.lesson_dropout.output if SWEEP_MADE else []),
        *(rules.lesson_grid.output if GRIDS else []),
        *rules.lesson_numbers.output,
        *(
            rules.lesson_evaluate_line.output
            if EDITION.EVALUATED_FIGURE in FIGURE_TRAININGS
            else []
        ),
        *rules.lesson_figures.output,
        *rules.lesson_claims.output,
    ]


def final_targets():
    """Everything `snakemake --cores all` makes: every training's metrics and plots, the tables,
    and the episode's figures and numbers."""
    return [
        *training_files(rules.evaluate.output.metrics),
        *training_files(rules.plot_history.output.accuracy),
        *training_files(rules.plot_history.output.loss),
        *rules.aggregate.output,
        *lesson_targets(),
    ]
