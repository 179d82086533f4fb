"""What bench/epoch.py and bench/gpu.py share: the lesson's data size, a timed training and a
timed validation pass."""

import time

import numpy as np

from cnn_lesson import claims


def dataset(n_train: int = 5000, n_test: int = 10000):
    """Random images in the lesson's shapes, by default as many as the lesson's."""
    from cnn_lesson import archive, synthetic

    rng = np.random.default_rng(0)
    x_train, y_train = synthetic.random_images(n_train, rng)
    x_test, y_test = synthetic.random_images(n_test, rng)
    return archive.Dataset(archive.scale(x_train), y_train, archive.scale(x_test), y_test,
                           synthetic.CLASS_NAMES)


def timed_fit(data, model: str, dropout: float, threads: int, epochs: int, **options):
    """One training as the `train` job runs it (`cnn_lesson.training.fit`, batch 32, seed 1):
    the result, the seconds of the whole fit, and the seconds of each epoch (its timings)."""
    from cnn_lesson import training
    from cnn_lesson.settings import Training

    start = time.perf_counter()
    settings = Training(model, dropout, seed=1, epochs=epochs, batch_size=32)
    trained = training.fit(settings, data, threads=threads, **options)
    return trained, time.perf_counter() - start, [epoch["seconds"] for epoch in trained.epochs]


def epoch_seconds(times: list, digits: int) -> dict:
    """The first epoch (tracing included) and the median of the later ones, rounded."""
    return {"first_epoch_s": round(times[0], digits),
            "median_epoch_s": round(claims.epoch_seconds(times), digits)}


def evaluate_seconds(model, **arguments) -> float:
    """Seconds of one `model.evaluate(**arguments)`, after an untimed one that traces it."""
    model.evaluate(**arguments, verbose=0)
    begin = time.perf_counter()
    model.evaluate(**arguments, verbose=0)
    return time.perf_counter() - begin
