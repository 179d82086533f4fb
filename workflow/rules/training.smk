rule train:
    input:
        data=rules.prepare_data.output.npz,
    output:
        model="results/train/{model}/dropout-{dropout}/seed-{seed}/model.keras",
        history="results/train/{model}/dropout-{dropout}/seed-{seed}/history.tsv",
        summary="results/train/{model}/dropout-{dropout}/seed-{seed}/summary.txt",
        provenance="results/train/{model}/dropout-{dropout}/seed-{seed}/provenance.json",
        # the size and SHA-256 of the four above, checked before anything reads them again
        checksums="results/train/{model}/dropout-{dropout}/seed-{seed}/checksums.json",
    log:
        "logs/train/{model}/dropout-{dropout}/seed-{seed}.log",
    benchmark:
        "benchmarks/train/{model}/dropout-{dropout}/seed-{seed}.tsv"
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
    params:
        **code_of("train.py"),
        settings=settings_of,
        # Per-epoch state, deliberately not an output: Snakemake deletes the outputs of a
        # killed job, and a rerun (--rerun-incomplete) continues from this.
        checkpoint=f"{CHECKPOINTS}/train/{{model}}/dropout-{{dropout}}/seed-{{seed}}",
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
        metrics="results/evaluate/{model}/dropout-{dropout}/seed-{seed}/metrics.json",
    log:
        "logs/evaluate/{model}/dropout-{dropout}/seed-{seed}.log",
    benchmark:
        "benchmarks/evaluate/{model}/dropout-{dropout}/seed-{seed}.tsv"
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
