# The edition's data is fetched only while it is not here with its checksums: once it is, no
# rule makes it, and no change to the code that fetches it, or to data.url, fetches it again.
if not archive_in_place():

    rule download_data:
        # the data, and for an edition whose config may pin no checksums, those it verified
        output:
            **({"checksums": CHECKSUMS_FILE} if CHECKSUMS_FILE else {}),
            archive=ARCHIVE,
        log:
            f"{LOGS}/download_data.log",
        localrule: True
        conda:
            ENVIRONMENT
        params:
            source=archive_source(),
            edition=config["edition"],
            checksums=PINNED,
            record=config["data"].get("record"),
        script:
            "../scripts/download_data.py"


rule prepare_data:
    input:
        **({"checksums": CHECKSUMS_FILE} if CHECKSUMS_FILE else {}),
        archive=ARCHIVE,
    output:
        npz=f"{RESULTS}/data/{EDITION.NAME}.npz",
        record=DATA_RECORD,
    log:
        f"{LOGS}/prepare_data.log",
    benchmark:
        f"{BENCHMARKS}/prepare_data.tsv"
    conda:
        ENVIRONMENT
    resources:
        mem_mb=4000,
        runtime=30,
    params:
        **code_of("prepare_data.py", ("DATA",)),
        edition=config["edition"],
        n_train=config["data"]["n_train"],
        # the checksums the config pins (beside the archive where it pins none)
        checksums=None if CHECKSUMS_FILE else PINNED,
        recipe=DATA_RECIPE,
    script:
        "../scripts/prepare_data.py"
