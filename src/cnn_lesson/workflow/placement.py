"""Where a training that asks for a share of a GPU is submitted on Slurm.

The Slurm plugin counts a job as a GPU job only when "gpu" is in its gres: a training asking
for `gres=shard:1` scores as a CPU job, and with a partition config (--slurm-partition-config)
the plugin places it on a partition without GPUs, where no shard exists. Such a training is
given the first partition of that config that declares GPUs; --set-resources
train:slurm_partition=NAME chooses another (and replaces this choice).
"""

from __future__ import annotations

from pathlib import Path


def gpu_partitions(partition_file: str | Path) -> list[str]:
    """The partitions of a partition config that declare GPUs (max_gpu above 0), in the file's
    order; none where the file cannot be read as one (the plugin then says why)."""
    import yaml

    try:
        partitions = yaml.safe_load(Path(partition_file).read_text())["partitions"]
        return [name for name, limits in partitions.items()
                if int((limits or {}).get("max_gpu", 0)) > 0]
    except (OSError, yaml.YAMLError, KeyError, TypeError, AttributeError, ValueError):
        return []


def asks_for_shards(gres) -> bool:
    """Whether `gres` asks for GPU shards and for no whole GPU ("shard:1", not "gpu:1")."""
    names = [part.split(":")[0].strip() for part in str(gres or "").split(",")]
    return "shard" in names and "gpu" not in names


def shard_partition(gres, partition_file: str | None) -> str | None:
    """The partition for a job asking `gres`: the first GPU partition of `partition_file` where
    `gres` asks for shards; None where the plugin's own choice stands."""
    if not partition_file or not asks_for_shards(gres):
        return None
    return next(iter(gpu_partitions(partition_file)), None)
