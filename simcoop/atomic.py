"""Atomic files and folders: write under a private temporary name, then rename into place.

Every temporary name carries the host and process that made it (``.NAME.tmp-HOST-PID-TOKEN``),
so a process never touches another's temporary files, and what a killed process left
behind can be recognised and removed later (`remove_stale`) without guessing.
"""

from __future__ import annotations

import errno
import hashlib
import os
import re
import secrets
import shutil
import socket
from pathlib import Path

_HOST = re.sub(r"[^A-Za-z0-9]", "", socket.gethostname())[:32] or "host"
_TEMP = re.compile(r"^\..+\.tmp-(?P<host>[A-Za-z0-9]+)-(?P<pid>\d+)-[0-9a-f]+$")


def temp_path(target: Path) -> Path:
    """A private temporary name beside `target`, in the same folder (so a rename is atomic)."""
    return target.with_name(f".{target.name}.tmp-{_HOST}-{os.getpid()}-{secrets.token_hex(4)}")


def publish(staging: Path, target: Path) -> bool:
    """Rename a finished file or folder into place, atomically: True if it landed, False if
    `target` already holds something (a folder that is not empty). An empty folder at
    `target` (as Hydra creates before a job) is replaced; a second writer can never
    interleave with the first, it finds the target taken."""
    try:
        os.replace(staging, target)
    except OSError as exc:
        if exc.errno in (errno.ENOTEMPTY, errno.EEXIST) or (exc.errno == errno.EISDIR and staging.is_file()):
            return False
        raise
    return True


def remove(path: Path) -> None:
    """Remove a file or a folder tree, if it is there."""
    if path.is_dir() and not path.is_symlink():
        shutil.rmtree(path, ignore_errors=True)
    else:
        path.unlink(missing_ok=True)


def discard(path: Path) -> None:
    """Take a folder out of the way at once (a rename), then remove it: readers never see it half gone."""
    if not path.exists():
        return
    aside = temp_path(path)
    try:
        os.replace(path, aside)
    except OSError:
        aside = path
    remove(aside)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def remove_stale(folder: Path) -> list[Path]:
    """Remove the temporary files and folders in `folder` whose process (on this host) is gone."""
    removed = []
    try:
        entries = list(folder.iterdir())
    except OSError:
        return removed
    for path in entries:
        m = _TEMP.match(path.name)
        if m and m["host"] == _HOST and not _alive(int(m["pid"])):
            remove(path)
            removed.append(path)
    return removed


def file_digest(path: Path) -> str:
    """sha256 of a file, read in blocks."""
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()
