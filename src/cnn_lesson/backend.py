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
    elif keras.backend.backend() == "torch":
        _configure_torch(threads)
    found = devices()
    log.info("backend %s, %d thread(s), seed %d, devices: %s", keras.backend.backend(),
             threads, seed, ", ".join(found) or "CPU")
    visible = os.environ.get("CUDA_VISIBLE_DEVICES", "")
    if "SLURM_JOB_ID" in os.environ:  # which job, and which GPU it was given, whole or shared
        log.info("Slurm job %s, CUDA_VISIBLE_DEVICES=%s", os.environ["SLURM_JOB_ID"],
                 visible or "(unset)")
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
    log.info("TensorFlow uses %d intra-op and %d inter-op thread(s), op determinism on",
             tf.config.threading.get_intra_op_parallelism_threads(),
             tf.config.threading.get_inter_op_parallelism_threads())


def _configure_torch(threads: int) -> None:
    import torch

    torch.set_num_threads(threads)
    try:
        torch.set_num_interop_threads(threads)
    except RuntimeError as error:  # only before the first parallel work
        log.warning("could not set PyTorch's inter-op threads (%s)", error)
    log.info("PyTorch uses %d intra-op and %d inter-op thread(s)", torch.get_num_threads(),
             torch.get_num_interop_threads())


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


class Batches:
    """Images and labels handed to `fit` or `evaluate` `size` at a time, in order or in a
    given order.

    On TensorFlow the arrays become tensors once, and each pass reads its batches from them
    through a lean tf.data pipeline: no autotuning, a one-thread pool. Keras' own pipeline for
    arrays copies them into a new dataset on every call (0.2 s per epoch for the test split) and
    keeps background threads busy that, with one core per job, took up to half of it (an
    epoch's training steps in 5.2 s instead of 2.7 s; docs/benchmarks.md). The batches, and so
    the numbers, are the same. Other backends take the arrays as they are.
    """

    def __init__(self, images, labels, size: int):
        self.images, self.labels, self.size = images, labels, size
        self.tensors = None
        if keras.backend.backend() == "tensorflow":
            import tensorflow as tf

            with tf.device("CPU:0"):  # the input pipeline's place, as in Keras' own, GPU or not
                self.tensors = (tf.constant(images), tf.constant(labels))

    def arguments(self, order=None) -> dict:
        """Keyword arguments for `fit` or `evaluate`: every image once, in `order` if given."""
        if self.tensors is None:
            chosen = slice(None) if order is None else order
            return {"x": self.images[chosen], "y": self.labels[chosen], "batch_size": self.size}
        return {"x": self._dataset(order)}

    def validation(self) -> dict:
        """Keyword arguments for `fit`'s validation, in order."""
        if self.tensors is None:
            return {"validation_data": (self.images, self.labels),
                    "validation_batch_size": self.size}
        return {"validation_data": self._dataset(None)}

    def _dataset(self, order):
        import tensorflow as tf

        images, labels = self.tensors
        if order is not None:
            with tf.device("CPU:0"):
                images, labels = tf.gather(images, order), tf.gather(labels, order)
        options = tf.data.Options()
        options.autotune.enabled = False
        options.threading.private_threadpool_size = 1
        options.experimental_optimization.apply_default_optimizations = False
        dataset = tf.data.Dataset.from_tensor_slices((images, labels))
        return dataset.batch(self.size).with_options(options)
