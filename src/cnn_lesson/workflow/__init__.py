"""The workflow's plumbing: what the Snakefiles and the rules' scripts need around the lesson's
science (cnn_lesson): fetching the archive, code digests, checks of stored files, provenance,
logs, the terminal's lines, and every reliance on Snakemake's internals (internals.py)."""
