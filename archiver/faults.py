"""Fault-injection points: the test suite kills the process at each step that writes evidence.

``ARCHIVER_FAULT_AT=<step>`` makes the process SIGKILL itself when it reaches that step, so a
test can check what every crash leaves behind; ``ARCHIVER_FAULT_LOG=<file>`` appends the name
of every step reached, so the test can enumerate them. Both are read once; unset, each point
costs one comparison.
"""

from __future__ import annotations

import os
import signal

FAULT_ENV = "ARCHIVER_FAULT_AT"
LOG_ENV = "ARCHIVER_FAULT_LOG"
_KILL_AT = os.environ.get(FAULT_ENV)
_LOG = os.environ.get(LOG_ENV)


def reach(step: str) -> None:
    if _LOG:
        with open(_LOG, "a", encoding="utf-8") as log:
            log.write(step + "\n")
    if step == _KILL_AT:
        os.kill(os.getpid(), signal.SIGKILL)
