"""Seconds per epoch of one CPU training with the workflow's code, to compare settings side by side.

    python bench/epoch.py                          # extra_layer, 1 thread, pinned to CPU 0
    python bench/epoch.py --threads 2              # one training on CPUs 0-1
    python bench/epoch.py --side-by-side 2         # two 1-thread trainings at once, one per CPU
    TF_ENABLE_ONEDNN_OPTS=0 python bench/epoch.py  # TensorFlow without oneDNN
    KERAS_BACKEND=jax python bench/epoch.py        # Keras on JAX (pip install jax first)

Random data as large as the lesson's (5,000 training, 10,000 validation images, batch 32) and
`cnn_lesson.training.fit`, the function the `train` job runs. Prints one JSON line per training:
the CPU, the backend, the import of Keras (and its backend), the first epoch (tracing included),
the median of the later ones, and one validation pass (the validation images) timed alone.
"""

import argparse
import json
import os
import subprocess
import sys
import time


def measure(model: str, threads: int, epochs: int, images: int) -> dict:
    """One training in this process, which runs on the CPUs it was pinned to."""
    start = time.perf_counter()
    import keras

    imported = time.perf_counter() - start
    from timing import dataset, epoch_seconds, evaluate_seconds, timed_fit

    from cnn_lesson import backend
    from cnn_lesson.workflow.machine import cpu

    data = dataset(images, 2 * images)
    trained, _, times = timed_fit(data, model, 0.5, threads, epochs)
    validation = evaluate_seconds(trained.model,
                                  **backend.Batches(data.x_test, data.y_test, 32).arguments())
    found = cpu()
    return {"cpu": found["cpu"], "isa": found["isa"], "backend": keras.backend.backend(),
            "onednn": os.environ.get("TF_ENABLE_ONEDNN_OPTS", "default"), "model": model,
            "threads": threads, "images": images, "cpus": sorted(os.sched_getaffinity(0)),
            "import_s": round(imported, 2), **epoch_seconds(times, 2),
            "validation_pass_s": round(validation, 2)}


def side_by_side(args) -> list:
    """`args.side_by_side` trainings at once, each in its own process on its own CPUs."""
    workers = []
    for index in range(args.side_by_side):
        cpus = range(index * args.threads, (index + 1) * args.threads)
        workers.append(subprocess.Popen(
            [sys.executable, __file__, "--model", args.model, "--threads", str(args.threads),
             "--epochs", str(args.epochs), "--images", str(args.images), "--cpus", ",".join(map(str, cpus))],
            stdout=subprocess.PIPE, text=True))
    return [json.loads(worker.communicate()[0].strip().splitlines()[-1]) for worker in workers]


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--model", default="extra_layer", choices=["base", "extra_layer"])
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--epochs", type=int, default=4)
    parser.add_argument("--images", type=int, default=5000,
                        help="training images; twice as many validate (default: the lesson's)")
    parser.add_argument("--side-by-side", type=int, default=1, metavar="N")
    parser.add_argument("--cpus", help="CPUs to pin to (default: the first THREADS)")
    args = parser.parse_args()
    needed = args.side_by_side * args.threads
    if needed > os.cpu_count():
        parser.error(f"{needed} threads in all, but this machine has {os.cpu_count()} CPUs")
    if args.side_by_side > 1:
        results = side_by_side(args)
    else:
        cpus = args.cpus.split(",") if args.cpus else range(args.threads)
        os.sched_setaffinity(0, {int(c) for c in cpus})
        results = [measure(args.model, args.threads, args.epochs, args.images)]
    for result in results:
        print(json.dumps({**result, "side_by_side": args.side_by_side}), flush=True)


if __name__ == "__main__":
    main()
