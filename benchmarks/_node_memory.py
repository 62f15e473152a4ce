"""Peak resident memory of a server's process tree, read from /proc (Linux, no dependency).

A background thread polls every ``interval`` seconds: it finds the master's
descendants (gunicorn workers) in /proc/*/stat and keeps, per pid, the
largest ``VmHWM`` (the kernel's own high-water mark of resident memory), plus
the largest sum of ``VmRSS`` seen at one instant. :meth:`peak_mb` is the sum
of the per-process high-water marks: an upper bound on the tree's peak.
"""

from __future__ import annotations

import threading
from pathlib import Path

PROC = Path("/proc")


def _parent_of(pid: int) -> int | None:
    try:
        stat = (PROC / str(pid) / "stat").read_text()
    except OSError:
        return None
    # The command name (field 2) is in parentheses and may contain spaces.
    fields = stat[stat.rfind(")") + 2 :].split()
    return int(fields[1])


def process_tree(root: int) -> list[int]:
    """``root`` and all its living descendants."""
    parents: dict[int, int] = {}
    for entry in PROC.iterdir():
        if entry.name.isdigit():
            parent = _parent_of(int(entry.name))
            if parent is not None:
                parents[int(entry.name)] = parent
    tree, frontier = [root], [root]
    while frontier:
        frontier = [pid for pid, parent in parents.items() if parent in frontier]
        tree.extend(frontier)
    return tree


def _status_kb(pid: int) -> dict[str, int]:
    values: dict[str, int] = {}
    try:
        text = (PROC / str(pid) / "status").read_text()
    except OSError:
        return values
    for line in text.splitlines():
        key, _, rest = line.partition(":")
        if key in ("VmHWM", "VmRSS"):
            values[key] = int(rest.split()[0])
    return values


class MemorySampler:
    """Polls the memory of the process tree rooted at ``root`` until stopped."""

    def __init__(self, root: int, interval: float = 0.25) -> None:
        self.root = root
        self.interval = interval
        self.hwm_kb: dict[int, int] = {}
        self.max_rss_sum_kb = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="memory-sampler", daemon=True)
        self._lock = threading.Lock()

    def sample(self) -> None:
        """Read every process of the tree once."""
        rss_sum = 0
        with self._lock:
            for pid in process_tree(self.root):
                status = _status_kb(pid)
                if not status:
                    continue
                rss_sum += status.get("VmRSS", 0)
                self.hwm_kb[pid] = max(self.hwm_kb.get(pid, 0), status.get("VmHWM", 0))
            self.max_rss_sum_kb = max(self.max_rss_sum_kb, rss_sum)

    def current_rss_mb(self) -> float:
        """The tree's resident memory now."""
        return sum(_status_kb(pid).get("VmRSS", 0) for pid in process_tree(self.root)) / 1024

    def peak_mb(self) -> float:
        """Sum over the tree's processes of their high-water marks, in MiB."""
        self.sample()
        with self._lock:
            return sum(self.hwm_kb.values()) / 1024

    def start(self) -> None:
        self.sample()
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join(timeout=5)

    def _run(self) -> None:
        while not self._stop.wait(self.interval):
            self.sample()
