"""Send everything a rule's process prints, TensorFlow's C++ messages included, to its log."""

from __future__ import annotations

import logging
import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"


@contextmanager
def logging_to(path: str | Path) -> Iterator[None]:
    """Redirect file descriptors 1 and 2 to `path` and log at INFO there, restoring both after."""
    sys.stdout.flush()
    sys.stderr.flush()
    saved = os.dup(1), os.dup(2)
    with open(path, "a", buffering=1) as log_file:
        os.dup2(log_file.fileno(), 1)
        os.dup2(log_file.fileno(), 2)
        logging.basicConfig(level=logging.INFO, format=FORMAT, stream=sys.stderr, force=True)
        try:
            yield
        except BaseException:
            logging.getLogger("cnn_lesson").exception("failed")
            raise
        finally:
            sys.stdout.flush()
            sys.stderr.flush()
            os.dup2(saved[0], 1)
            os.dup2(saved[1], 2)
            for fd in saved:
                os.close(fd)
