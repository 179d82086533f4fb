"""What this machine has: its CPU's model and vector instructions, and the memory free now."""

from __future__ import annotations

import platform
from pathlib import Path


def cpu() -> dict[str, str]:
    """The CPU's model and the widest vector instructions it has, which decide oneDNN's kernels."""
    fields = _cpuinfo()
    flags = set(fields.get("flags", "").split())
    if "avx512f" in flags:
        isa = "AVX-512"
    elif "avx2" in flags:
        isa = "AVX2"
    elif "avx" in flags:
        isa = "AVX"
    else:
        isa = platform.machine() or "unknown"
    return {"cpu": fields.get("model name") or platform.processor() or platform.machine(),
            "isa": isa}


def _cpuinfo() -> dict[str, str]:
    """The first processor's fields in /proc/cpuinfo (empty where there is none, e.g. macOS)."""
    try:
        text = Path("/proc/cpuinfo").read_text()
    except OSError:
        return {}
    fields = {}
    for line in text.split("\n\n")[0].splitlines():
        key, _, value = line.partition(":")
        fields[key.strip()] = value.strip()
    return fields


def available_memory_mb() -> int:
    """The memory available for new processes now, in MB: the system's, or what is left under
    this process's control-group limit where that is lower (a container, a batch job)."""
    import psutil

    available = psutil.virtual_memory().available
    limit = _cgroup_memory_left()
    return int(min(available, limit) // 1_000_000) if limit else int(available // 1_000_000)


def _cgroup_memory_left(root: Path = Path("/sys/fs/cgroup")) -> int | None:
    """Bytes left under this process's control-group memory limit (cgroup v2, or v1's memory
    controller), or None without one."""
    try:
        groups = dict(line.split(":", 2)[1:] for line in _cgroup_lines())
    except (OSError, ValueError):
        return None
    files = []
    if "memory" in groups:  # v1
        folder = root / "memory" / groups["memory"].lstrip("/")
        files.append((folder / "memory.limit_in_bytes", folder / "memory.usage_in_bytes"))
    if "" in groups:  # v2
        folder = root / groups[""].lstrip("/")
        files.append((folder / "memory.max", folder / "memory.current"))
    for limit, used in files:
        try:
            maximum, current = limit.read_text().strip(), int(used.read_text())
        except (OSError, ValueError):
            continue
        if maximum.isdigit() and int(maximum) < 1 << 60:  # v1 writes ~2**63 for no limit
            return max(int(maximum) - current, 0)
    return None


def _cgroup_lines() -> list[str]:
    """This process's control groups, 'hierarchy:controllers:path' each."""
    return Path("/proc/self/cgroup").read_text().splitlines()
