"""Send everything a rule's process prints, TensorFlow's C++ messages included, to its log (a
training's line per epoch too, which the terminal reads from there: cnn_lesson.workflow.terminal);
bad input as one line, never a traceback; an interrupted job's trace to its log, not the
terminal."""

from __future__ import annotations

import logging
import os
import signal
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from cnn_lesson.errors import InputError

FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"
# The signals that ask a job to end, which it logs and ends by, quietly
ENDING = (signal.SIGINT, signal.SIGTERM)


class Interrupted(BaseException):
    """The job was asked to end by a signal: SIGINT (Ctrl-C) or SIGTERM (`kill`, a cluster's
    time limit)."""

    def __init__(self, number: int):
        super().__init__(signal.Signals(number).name)
        self.number = number


def _interrupted(number, frame):
    raise Interrupted(number)


@contextmanager
def logging_to(path: str | Path) -> Iterator[None]:
    """Redirect file descriptors 1 and 2 to `path` and log at INFO there, restoring both after.

    Bad input (InputError) is logged as one line and ends the process with status 1 and no
    traceback: its message says what to do. A job interrupted (Ctrl-C's SIGINT, or SIGTERM)
    logs where it was and ends with the signal's status (128 + its number), printing nothing on
    the terminal. Any other error is logged with its traceback.
    """
    sys.stdout.flush()
    sys.stderr.flush()
    saved = os.dup(1), os.dup(2)
    ended = None
    # Handled whatever the process inherited: a job started from a shell in the background
    # inherits SIGINT ignored, and Python then never raises KeyboardInterrupt
    previous = {number: signal.signal(number, _interrupted) for number in ENDING}
    with open(path, "a", buffering=1) as log_file:
        os.dup2(log_file.fileno(), 1)
        os.dup2(log_file.fileno(), 2)
        logging.basicConfig(level=logging.INFO, format=FORMAT, stream=sys.stderr, force=True)
        try:
            yield
        except InputError as error:
            logging.getLogger("cnn_lesson").error("%s", error)
            ended = 1
        except (KeyboardInterrupt, Interrupted) as error:
            number = getattr(error, "number", signal.SIGINT)
            logging.getLogger("cnn_lesson").warning(
                "interrupted by %s", signal.Signals(number).name, exc_info=True)
            ended = 128 + number
        except BaseException:
            logging.getLogger("cnn_lesson").exception("failed")
            raise
        finally:
            for number, handler in previous.items():
                signal.signal(number, handler)
            sys.stdout.flush()
            sys.stderr.flush()
            os.dup2(saved[0], 1)
            os.dup2(saved[1], 2)
            for fd in saved:
                os.close(fd)
    if ended is not None:
        raise SystemExit(ended)


def process_seconds() -> float:
    """Seconds since this process started (its interpreter's start-up included). On Linux from
    the kernel's clock since boot, to 10 ms; psutil's start time counts from the boot's whole
    second and was 0.59 s off on the benchmark's machine."""
    try:
        after_name = Path("/proc/self/stat").read_text().rsplit(")", 1)[1].split()
        started = int(after_name[19]) / os.sysconf("SC_CLK_TCK")  # field 22, starttime
        return time.clock_gettime(time.CLOCK_BOOTTIME) - started
    except (OSError, ValueError, IndexError, AttributeError):  # not Linux
        import psutil

        return time.time() - psutil.Process().create_time()


def end_process() -> None:
    """End a finished job's process now, status 0, skipping Python's teardown: once TensorFlow
    is imported that takes ~1 s (`python -c 'import keras'`: 3.8-4.8 s, 2.9-3.4 s with this),
    and by then the job's files are written and closed."""
    logging.shutdown()
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(0)
