"""Make a Keras backend reproducible and polite: seeded, thread-limited, GPU memory on demand."""

from __future__ import annotations

import logging
import os

import keras

log = logging.getLogger(__name__)


def configure(threads: int, seed: int) -> None:
    """Seed every generator and limit the backend's thread pools to `threads` (before any op)."""
    keras.utils.set_random_seed(seed)
    if keras.backend.backend() == "tensorflow":
        _configure_tensorflow(threads)
    found = devices()
    log.info("backend %s, %d thread(s), seed %d, devices: %s", keras.backend.backend(),
             threads, seed, ", ".join(found) or "CPU")
    visible = os.environ.get("CUDA_VISIBLE_DEVICES", "")
    if visible not in ("", "-1") and not found:
        log.warning("CUDA_VISIBLE_DEVICES=%s names GPU(s), but the backend sees none: "
                    "running on the CPU", visible)


def _configure_tensorflow(threads: int) -> None:
    import tensorflow as tf

    try:
        tf.config.threading.set_intra_op_parallelism_threads(threads)
        tf.config.threading.set_inter_op_parallelism_threads(threads)
        for gpu in tf.config.list_physical_devices("GPU"):
            tf.config.experimental.set_memory_growth(gpu, True)
    except RuntimeError as error:  # the runtime already started: keep what it has
        log.warning("could not configure TensorFlow (%s)", error)
    tf.config.experimental.enable_op_determinism()


def devices() -> list[str]:
    """The accelerators the backend sees, e.g. ['GPU:0']; empty on the CPU."""
    backend = keras.backend.backend()
    if backend == "tensorflow":
        import tensorflow as tf

        return [d.name.split("physical_device:")[-1] for d in tf.config.list_physical_devices("GPU")]
    if backend == "jax":
        import jax

        return [str(d) for d in jax.devices() if d.platform != "cpu"]
    if backend == "torch":
        import torch

        return [f"cuda:{i}" for i in range(torch.cuda.device_count())]
    return []
