# The end of a successful run: what it says last. No rules.
from cnn_lesson import results
from cnn_lesson.files import remove_empty_folders


def finish():
    """After a successful run: no empty checkpoint folders left, and the summary of what this
    run's targets hold: each training's test numbers, read from its own record and metrics."""
    remove_empty_folders(CHECKPOINTS)
    in_run = internals.dag_files(workflow)
    records = [
        path for path in training_files(rules.train.output.provenance) if Path(path).is_file()
    ]
    trainings = [results.trained(record) for record in records]
    made = summary.Made(
        trainings=[found for found in trainings if str(found.metrics_file) in in_run],
        chosen=made_here(rules.aggregate.output.chosen, in_run),
        claims=made_here(rules.lesson_claims.output.table, in_run),
        folders=summary.folders_of(in_run, [FIG, f"{RESULTS}/plots", f"{RESULTS}/tables"]),
    )
    figures = [path for path in lesson_targets() if path.startswith(f"{FIG}/")]
    report_line = REMEDIES.report(sorted(REMEDIES.targets))
    strays = summary.stray_figures(FIG, figures)
    logger.info(summary.finished(made, FIG, strays, report_line))


def made_here(path, in_run):
    """`path` as a Path where this run's targets make it, else None."""
    return Path(path) if path in in_run else None
