"""Peak memory of preparing the data, on the full-size archive and on hostile ones.

    python bench/prepare_memory.py [--archive PATH] [--cases full,hostile]

Each case runs `cnn_lesson.data.prepare` (what the prepare_data job runs, without Snakemake) in a
fresh process and prints one JSON line: the case, what happened (the images read, or the first
words of the refusal), seconds and the process's peak resident memory in MB. The full-size cases
read the archive benchmark.py uses (the real one if the workflow has fetched it, else a generated
one) at data.n_train 5000 (the lesson's) and 50000 (all). The hostile ones are crafted here, under
bench/work/hostile/, each small on disk: a member whose header announces 2.2 GB, a GNU long name
of 1 TB, a batch of 11,000 valid-looking images, labels that are 10,000 references to one list.
"""

import argparse
import gzip
import json
import subprocess
import sys
import tarfile
import time
from pathlib import Path

import numpy as np

from cnn_lesson import synthetic
from cnn_lesson.archive import TRAIN_BATCHES

sys.path.insert(0, str(Path(__file__).resolve().parent))
from benchmark import WORK, archive  # noqa: E402 - the benchmark's own archive

# Run in a fresh process, which reports its own peak: VmHWM belongs to the process's memory since
# exec, whereas ru_maxrss would count the parent's memory at the fork too.
PREPARE = """
import re, sys
from pathlib import Path
from cnn_lesson import data
from cnn_lesson.errors import InputError
try:
    dataset = data.prepare(sys.argv[1], int(sys.argv[2]))
    print(f"read {len(dataset.x_train)} + {len(dataset.x_test)} images")
except InputError as error:
    print("refused: " + str(error).split(": ", 1)[1][:90])
print(re.search(r"VmHWM:\\s+(\\d+) kB", Path("/proc/self/status").read_text()).group(1))
"""


def measure(case: str, path: Path, n_train: int) -> dict:
    """Prepare `path` in a fresh process, and that process's own peak memory."""
    start = time.perf_counter()
    done = subprocess.run([sys.executable, "-c", PREPARE, str(path), str(n_train)],
                          capture_output=True, text=True, check=True)
    seconds = time.perf_counter() - start
    outcome, peak_kb = done.stdout.strip().splitlines()
    return {"case": case, "n_train": n_train, "outcome": outcome, "seconds": round(seconds, 2),
            "peak_mb": round(int(peak_kb) / 1024)}


def hostile_archives(folder: Path) -> dict[str, Path]:
    """Small archives that would take gigabytes to read naively."""
    folder.mkdir(parents=True, exist_ok=True)
    members = synthetic.members(60, 100)
    cases = {}
    huge = tarfile.TarInfo(TRAIN_BATCHES[0])
    huge.size = 2_200_000_000
    cases["header announces 2.2 GB"] = _headers(folder / "huge.tar.gz", huge)
    long_name = tarfile.TarInfo("././@LongLink")
    long_name.type, long_name.size = tarfile.GNUTYPE_LONGNAME, 1 << 40
    cases["GNU long name of 1 TB"] = _headers(folder / "long-name.tar.gz", long_name)
    many = {b"data": np.zeros((11_000, 3072), np.uint8), b"labels": [0] * 11_000}
    cases["11,000 images in a batch"] = synthetic.write_archive(
        folder / "many.tar.gz", {**members, TRAIN_BATCHES[0]: many})
    shared = {b"data": np.zeros((10_000, 3072), np.uint8), b"labels": [[0] * 10_000] * 10_000}
    cases["labels: shared references"] = synthetic.write_archive(
        folder / "shared.tar.gz", {**members, TRAIN_BATCHES[0]: shared})
    return cases


def _headers(path: Path, *entries: tarfile.TarInfo) -> Path:
    """An archive of tar headers whose data is never written: a reader that trusts them reads
    on past the end."""
    data = b"".join(entry.tobuf(tarfile.GNU_FORMAT) for entry in entries)
    path.write_bytes(gzip.compress(data, mtime=0))
    return path


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--archive", type=Path, help="a full-size archive (default: benchmark's)")
    parser.add_argument("--cases", default="full,hostile")
    args = parser.parse_args()
    cases = args.cases.split(",")
    if "full" in cases:
        full = args.archive or archive()
        for n_train in (5000, 50000):
            print(json.dumps(measure(f"full-size {full.name}", full, n_train)), flush=True)
    if "hostile" in cases:
        for case, path in hostile_archives(WORK / "hostile").items():
            print(json.dumps({**measure(case, path, 5000),
                              "archive_bytes": path.stat().st_size}), flush=True)


if __name__ == "__main__":
    main()
