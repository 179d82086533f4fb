# The archive is fetched only while it is not here with the config's checksums: once it is, no
# rule makes it, and no change to the code that fetches it, or to data.url, fetches it again.
if not archive_in_place():

    rule download_cifar10:
        output:
            archive=ARCHIVE,
        log:
            "logs/download_cifar10.log",
        localrule: True
        conda:
            ENVIRONMENT
        params:
            source=archive_source(),
            md5=config["data"]["md5"],
            sha256=config["data"]["sha256"],
        script:
            "../scripts/download_cifar10.py"


rule prepare_data:
    input:
        archive=ARCHIVE,
    output:
        npz="results/data/cifar10.npz",
        record=DATA_RECORD,
    log:
        "logs/prepare_data.log",
    benchmark:
        "benchmarks/prepare_data.tsv"
    conda:
        ENVIRONMENT
    resources:
        mem_mb=4000,
        runtime=30,
    params:
        **code_of("prepare_data.py"),
        n_train=config["data"]["n_train"],
        md5=config["data"]["md5"],
        sha256=config["data"]["sha256"],
        recipe=DATA_RECIPE,
    script:
        "../scripts/prepare_data.py"
