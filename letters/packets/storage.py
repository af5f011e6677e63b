"""Where a job's files live, and how they are written so that a crash never leaves a file
that looks complete but is not: write to a temporary name, fsync, rename, fsync the folder.
Only then is the row that points at the file marked done."""

from __future__ import annotations

import hashlib
import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import BinaryIO

from django.conf import settings


def job_dir(job_id: int) -> Path:
    return Path(settings.PACKETS_DIR) / f"job-{job_id}"


def parts_dir(job_id: int) -> Path:
    return job_dir(job_id) / "parts"


def packets_dir(job_id: int) -> Path:
    return job_dir(job_id) / "packets"


def write_atomic(path: Path, data: bytes, *, mode: int = 0o644) -> str:
    """Write `data` to `path` durably and return its SHA-256."""
    with atomic_file(path, mode=mode) as handle:
        handle.write(data)
    return hashlib.sha256(data).hexdigest()


@contextmanager
def atomic_file(path: Path, *, mode: int = 0o644) -> Iterator[BinaryIO]:
    """A file to write `path` through: it appears under its name only once complete and
    on disk."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        os.fchmod(fd, mode)
        with os.fdopen(fd, "w+b") as handle:
            yield handle
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    fsync_dir(path.parent)


def fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1024 * 1024), b""):
            digest.update(block)
    return digest.hexdigest()
