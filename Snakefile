# Episode 4 of the Carpentries "Introduction to deep learning", as a workflow: its CIFAR-10
# edition (config/config.yaml, the default) or its Dollar Street 10 edition
# (--configfile config/dollar_street_10.yaml). Read it as a table of contents: each edition lives
# in src/cnn_lesson/editions/, each concern below in a file of workflow/rules/.
import sys

from snakemake.utils import min_version

from cnn_lesson.workflow.command import CommandLine
from cnn_lesson.workflow.config import base_config, text_file

min_version("9.0")

# The commands messages print, for the command line the user ran (read when one needs them):
# each safe to paste where the run was started, acting on this run alone
REMEDIES = CommandLine(sys.argv[1:])


# The edition's own config, complete; what --configfile and --config give is laid on top.
configfile: text_file(base_config(config), workflow.basedir, REMEDIES)


report: "workflow/report/workflow.rst"


# What this run is: its config, checked, its edition, the trainings it asks for.
include: "workflow/rules/config.smk"
# The functions the rules call: each job's files, params and resources.
include: "workflow/rules/inputs.smk"
# The cluster: where trainings are submitted, and the ways of submitting that are refused.
include: "workflow/rules/cluster.smk"
# The stages: the data, the trainings, their tables and plots, the episode's own files.
include: "workflow/rules/data.smk"
include: "workflow/rules/training.smk"
include: "workflow/rules/results.smk"
include: "workflow/rules/lesson.smk"
# The checks before any job, and what a successful run says last.
include: "workflow/rules/checks.smk"
include: "workflow/rules/end.smk"


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
