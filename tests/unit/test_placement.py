"""Where a training asking for GPU shards is submitted: the first GPU partition of the Slurm
plugin's partition config (the plugin alone scores a shard as no GPU)."""

import yaml
from hypothesis import given
from hypothesis import strategies as st

from cnn_lesson.workflow.placement import asks_for_shards, gpu_partitions, shard_partition

NAMES = st.text("abcdefghijklmnopqrstuvwxyz_", min_size=1, max_size=8)


def partition_file(path, partitions: dict) -> str:
    path.write_text(yaml.safe_dump({"partitions": partitions}, sort_keys=False))
    return str(path)


@given(gpus=st.lists(st.integers(0, 4), min_size=1, max_size=6))
def test_the_gpu_partitions_are_those_declaring_gpus_in_the_files_order(tmp_path_factory, gpus):
    names = [f"p{index}" for index in range(len(gpus))]
    file = partition_file(tmp_path_factory.mktemp("config") / "partitions.yaml",
                          {name: {"max_gpu": count, "max_threads": 8}
                           for name, count in zip(names, gpus)})
    assert gpu_partitions(file) == [name for name, count in zip(names, gpus) if count > 0]
    shards = shard_partition("shard:1", file)
    assert shards == next((name for name, count in zip(names, gpus) if count > 0), None)


@given(kind=NAMES, count=st.integers(1, 8))
def test_only_a_gres_of_shards_and_no_whole_gpu_is_placed(kind, count):
    assert asks_for_shards(f"{kind}:{count}") == (kind == "shard")
    assert asks_for_shards(f"shard:{count}")
    assert not asks_for_shards(f"gpu:{count},shard:{count}")  # a whole GPU: the plugin sees it


def test_nothing_is_placed_without_a_partition_config_or_with_an_unreadable_one(tmp_path):
    assert shard_partition("shard:1", None) is None
    assert shard_partition("gpu:1", partition_file(tmp_path / "p.yaml", {"g": {"max_gpu": 1}}))\
        is None
    for text in ("", "partitions: [1, 2]", "{{{", "partitions:\n  g: {max_gpu: many}"):
        (tmp_path / "bad.yaml").write_text(text)
        assert shard_partition("shard:1", str(tmp_path / "bad.yaml")) is None  # the plugin says
    assert shard_partition("shard:1", str(tmp_path / "missing.yaml")) is None
