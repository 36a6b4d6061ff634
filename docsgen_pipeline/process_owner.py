"""Who executes a Dagster run in-process, and whether that process is still alive (pure).

A run the CLI executes in its own process (``execute_in_process``) is recorded as STARTED by
Dagster and only its own process can mark it finished.  If that process is killed (``kill -9``,
an out-of-memory kill, a reboot) the record stays STARTED forever.  So every such run carries
its owner's host, pid and process start time as tags; a run whose owner is gone on this host
(no such pid, or the pid was reused by a process started later) is dead, whatever its status.
"""

from __future__ import annotations

import os
import socket
from collections.abc import Mapping
from functools import lru_cache

OWNER_HOST_TAG = "docsgen/owner_host"
OWNER_PID_TAG = "docsgen/owner_pid"
OWNER_START_TAG = "docsgen/owner_start"


def hostname() -> str:
    return socket.gethostname()


def process_start(pid: int) -> str | None:
    """The process's start time in clock ticks since boot (Linux ``/proc``), or None if unknown."""
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii", errors="replace") as handle:
            stat = handle.read()
    except OSError:
        return None
    # The command name (field 2) is in parentheses and may contain spaces: split after it.
    fields = stat[stat.rfind(")") + 2 :].split()
    return fields[19] if len(fields) > 19 else None


def _boot_id() -> str:
    try:
        with open("/proc/sys/kernel/random/boot_id", encoding="ascii") as handle:
            return handle.read().strip()
    except OSError:
        return ""


@lru_cache(maxsize=1)
def owner_tags() -> dict[str, str]:
    """Tags naming this process as the owner of the runs it executes."""
    pid = os.getpid()
    start = process_start(pid) or ""
    boot = _boot_id()
    return {OWNER_HOST_TAG: hostname(), OWNER_PID_TAG: str(pid), OWNER_START_TAG: f"{boot}:{start}"}


def pid_alive(pid: int, start: str | None = None) -> bool:
    """Whether ``pid`` is a live process on this host (and the same one, when ``start`` is known)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        pass
    if start:
        boot, _, ticks = start.rpartition(":")
        if boot and boot != _boot_id():
            return False  # recorded before a reboot
        current = process_start(pid)
        if ticks and current is not None and current != ticks:
            return False  # the pid was reused by another process
        return _not_zombie(pid)
    return _not_zombie(pid)


def _not_zombie(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii", errors="replace") as handle:
            stat = handle.read()
    except OSError:
        return True
    fields = stat[stat.rfind(")") + 2 :].split()
    return not fields or fields[0] not in ("Z", "X")


def owner_alive(tags: Mapping[str, str]) -> bool | None:
    """True/False for a run owned by a process on this host; None when it cannot be told here."""
    pid = tags.get(OWNER_PID_TAG, "")
    if not pid.isdigit() or tags.get(OWNER_HOST_TAG) != hostname():
        return None
    return pid_alive(int(pid), tags.get(OWNER_START_TAG))


def describe_owner(tags: Mapping[str, str]) -> str:
    return f"pid {tags.get(OWNER_PID_TAG, '?')} on {tags.get(OWNER_HOST_TAG, '?')}"
