"""Time the sweep's trainings on a GPU with the backend the machine has (KERAS_BACKEND).

    KERAS_BACKEND=jax python bench/gpu.py [--out DIR]

Full-size random data in memory (5,000 training and 10,000 validation images, as the lesson).
Measures one 20-epoch extra_layer training with the workflow's settings (steps_per_execution 32)
and with one step per call (as plain `fit`), and the episode's five-rate sweep run as five
processes sharing the GPU at once. Prints one JSON line per measurement.
"""

import argparse
import json
import os
import subprocess
import sys
import time

from timing import dataset, epoch_seconds, evaluate_seconds, timed_fit


def one_training(dropout: float, epochs: int, steps_per_execution: int) -> dict:
    """One training in this process; its per-epoch times from its progress lines."""
    import keras

    from cnn_lesson import backend

    data = dataset()
    trained, wall, times = timed_fit(data, "extra_layer", dropout, threads=4, epochs=epochs,
                                     steps_per_execution=steps_per_execution)
    validation = {f"validate_batch_{size}_s": round(evaluate_seconds(
        trained.model, x=data.x_test, y=data.y_test, batch_size=size), 3) for size in (32, 1000)}
    return {**validation, "backend": keras.backend.backend(), "devices": backend.devices(),
            "dropout": dropout, "epochs": epochs, "steps_per_execution": steps_per_execution,
            "wall_s": round(wall, 2), **epoch_seconds(times, 3),
            "final_val_loss": round(float(trained.history["val_loss"].iloc[-1]), 4)}


def sweep_side_by_side(rates, epochs) -> dict:
    """The sweep as separate processes all at once on the one GPU."""
    start = time.perf_counter()
    workers = [subprocess.Popen([sys.executable, __file__, "--worker", str(rate), str(epochs)],
                                stdout=subprocess.PIPE, text=True) for rate in rates]
    results = [json.loads(w.communicate()[0].strip().splitlines()[-1]) for w in workers]
    wall = time.perf_counter() - start
    return {"measure": "sweep side by side", "processes": len(rates), "epochs": epochs,
            "wall_s": round(wall, 2), "per_training_wall_s": [r["wall_s"] for r in results],
            "median_epoch_s": [r["median_epoch_s"] for r in results]}


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--worker", nargs=2)
    parser.add_argument("--out")
    args = parser.parse_args()
    if args.worker:
        print(json.dumps(one_training(float(args.worker[0]), int(args.worker[1]), 32)))
        return
    results = [
        {"measure": "one training, steps_per_execution 32", **one_training(0.5, 20, 32)},
        {"measure": "one training, one step per call", **one_training(0.5, 5, 1)},
        sweep_side_by_side([0.15, 0.3, 0.45, 0.6, 0.75], 20),
    ]
    for result in results:
        print(json.dumps(result), flush=True)
    if args.out:
        with open(os.path.join(args.out, "gpu.jsonl"), "w") as out:
            out.writelines(json.dumps(r) + "\n" for r in results)


if __name__ == "__main__":
    main()
