# Episode 4 of the Carpentries "Introduction to deep learning" (CIFAR-10), as a workflow.
# Read it as a table of contents: each stage lives in workflow/rules/.
from snakemake.utils import min_version

from cnn_lesson.workflow.config import text_file

min_version("9.0")


configfile: text_file("config/config.yaml")


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


onerror:
    report_failure(log)
