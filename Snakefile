# Episode 4 of the Carpentries "Introduction to deep learning", as a workflow: its CIFAR-10
# edition (config/config.yaml, the default) or its Dollar Street 10 edition
# (--configfile config/dollar_street_10.yaml). Read it as a table of contents: each stage lives
# in workflow/rules/, each edition in src/cnn_lesson/editions/.
from snakemake.utils import min_version

from cnn_lesson.workflow.config import base_config, text_file

min_version("9.0")


# The edition's own config, complete; what --configfile and --config give is laid on top.
configfile: text_file(base_config(config))


report: "workflow/report/workflow.rst"


include: "workflow/rules/common.smk"
include: "workflow/rules/data.smk"
include: "workflow/rules/training.smk"
include: "workflow/rules/results.smk"
include: "workflow/rules/lesson.smk"


# A damaged archive, .npz or training output stops the run here, before any job is planned.
check_before_planning()


rule all:
    default_target: True
    input:
        final_targets(),


onstart:
    before_any_job()


onsuccess:
    finish()
