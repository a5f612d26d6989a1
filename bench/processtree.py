"""One timed run of a command as a whole process: wall time, and the memory of its process tree.

Two memory figures, because a capture is several processes (Python, Playwright's Node driver,
Chromium's browser, GPU, network and renderer processes):
  - the largest single process: its peak RSS as the kernel counted it (``wait4``), exact;
  - the whole tree: the peak of the processes' summed PSS (shared pages divided among the
    processes sharing them, so the libraries every Chromium process maps count once). Reading
    PSS costs Chromium's large address spaces about 15 ms a process, so it is sampled (a sweep
    every 0.1 s or so) and only when asked: it would slow a timed run.
"""

from __future__ import annotations

import os
import subprocess
import tempfile
import threading
import time
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

PROC = Path("/proc")


@dataclass(frozen=True)
class Run:
    seconds: float
    largest_mib: float  # peak RSS of the largest single process
    tree_pss_mib: float | None  # peak summed PSS of the whole tree; None when not sampled
    output: str


def run(args: list[str], env: dict[str, str] | None = None, sample_tree: bool = False) -> Run:
    """Run ``args`` to the end; it must succeed."""
    with tempfile.TemporaryFile() as out:
        start = time.perf_counter()
        process = subprocess.Popen(args, env=env, stdout=out, stderr=subprocess.STDOUT)
        sampler = TreeSampler(process.pid) if sample_tree else None
        _pid, status, usage = os.wait4(process.pid, 0)
        seconds = time.perf_counter() - start
        process.returncode = os.waitstatus_to_exitcode(status)
        peak = sampler.stop() if sampler else None
        out.seek(0)
        output = out.read().decode(errors="replace")
    if process.returncode != 0:
        raise SystemExit(f"{' '.join(map(str, args[:3]))}... failed ({process.returncode}): {output[-800:]}")
    return Run(seconds, usage.ru_maxrss / 1024, peak, output)


class TreeSampler:
    """Samples the summed PSS of a process and its descendants, in a thread, until stopped."""

    def __init__(self, root: int) -> None:
        self._root = root
        self._peak_kib = 0
        self._stopping = threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)
        self._thread.start()

    def stop(self) -> float:
        self._stopping.set()
        self._thread.join()
        return self._peak_kib / 1024

    def _sample(self) -> None:
        while not self._stopping.wait(0.02):
            total = sum(pss_kib(pid) for pid in descendants(self._root))
            self._peak_kib = max(self._peak_kib, total)


def descendants(root: int) -> list[int]:
    """``root`` and every process below it."""
    children: dict[int, list[int]] = defaultdict(list)
    for entry in PROC.iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue  # ended meanwhile
            children[int(stat.rsplit(")", 1)[1].split()[1])].append(int(entry.name))
    found = [root]
    for pid in found:
        found.extend(children.get(pid, ()))
    return found


def pss_kib(pid: int) -> int:
    try:
        for line in (PROC / str(pid) / "smaps_rollup").read_text().splitlines():
            if line.startswith("Pss:"):
                return int(line.split()[1])
    except OSError:
        pass  # ended meanwhile, or a zombie
    return 0
