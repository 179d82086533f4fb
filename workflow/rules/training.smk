# A training's folder of outputs: results/train/MODEL/dropout-RATE/seed-SEED
TRAINED = f"{RESULTS}/{layout.TRAINED}/{TRAINING}"


rule train:
    input:
        data=rules.prepare_data.output.npz,
        # what the data was made from and checked against, for the training's provenance
        record=rules.prepare_data.output.record,
    output:
        model=f"{TRAINED}/{layout.MODEL}",
        history=f"{TRAINED}/{layout.HISTORY}",
        summary=f"{TRAINED}/{layout.SUMMARY}",
        # its record: what made it (its settings, environment, code)
        provenance=f"{TRAINED}/{layout.PROVENANCE}",
        # when its process started, each epoch began and ended, it saved its results
        timings=f"{TRAINED}/{layout.TIMINGS}",
        # the size and SHA-256 of the five above, checked before anything reads them again
        checksums=f"{TRAINED}/{layout.CHECKSUMS}",
    log:
        f"{LOGS}/train/{TRAINING}.log",
    benchmark:
        f"{BENCHMARKS}/train/{TRAINING}.tsv"
    # Trainings before every other job, the longest first: the short jobs (plots, evaluations,
    # the episode's tables) then fill a core while the last training runs alone.
    priority: epochs_of
    conda:
        ENVIRONMENT
    # A laptop's: as many 1-thread trainings side by side as there are cores (profiles/slurm
    # gives a cluster job 4).
    threads: 1
    resources:
        # What a training needs wherever it runs: a laptop schedules by mem_mb, Slurm is asked
        # for all of it; a job killed at its limits is retried (profiles/slurm) with more.
        mem_mb=times_attempt(2000),
        runtime=times_attempt(60),
        # One GPU, as a generic resource, so that trainings packed into one job share it
        # (profiles/README.md); a laptop schedules no GPUs, and trains on one if it has one.
        gres="gpu:1",
        # With --set-resources train:gres=shard:1 and a partition config: a GPU partition.
        slurm_partition=train_partition,
    params:
        **code_of("train.py", ("MODELS",)),
        settings=settings_of,
        # Per-epoch state, deliberately not an output: Snakemake deletes the outputs of a
        # killed job, and a rerun (--rerun-incomplete) continues from this.
        checkpoint=f"{CHECKPOINTS}/train/{TRAINING}",
    script:
        "../scripts/train.py"


rule evaluate:
    input:
        model=rules.train.output.model,
        history=rules.train.output.history,
        data=rules.prepare_data.output.npz,
        # a training that lost its record cannot be checked: it is made again
        checksums=rules.train.output.checksums,
    output:
        metrics=f"{RESULTS}/{layout.EVALUATED}/{TRAINING}/{layout.METRICS}",
    log:
        f"{LOGS}/evaluate/{TRAINING}.log",
    benchmark:
        f"{BENCHMARKS}/evaluate/{TRAINING}.tsv"
    conda:
        ENVIRONMENT
    threads: 1
    resources:
        mem_mb=2000,
        runtime=times_attempt(15),
    params:
        **code_of("evaluate.py"),
        settings=settings_of,
    script:
        "../scripts/evaluate.py"
