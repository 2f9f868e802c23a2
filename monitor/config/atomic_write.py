"""A config file rewritten by a command (``sources add``, ``watch add`` …): written whole to a
temporary file beside it, then moved over it, so a reader — the running service — sees the old
file or the new one, never half of one. The file keeps its permissions: the service may run as
another user (``monitor`` in the systemd units and the image) and must still read it."""

from __future__ import annotations

import contextlib
import os
import tempfile
from pathlib import Path

NEW_FILE_MODE = 0o644  # a file written for the first time: readable by the service's user


def write_atomically(file: Path, text: str) -> None:
    handle, temporary = tempfile.mkstemp(dir=file.parent, prefix=f".{file.stem}.", suffix=file.suffix)
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as out:
            out.write(text)
            out.flush()
            os.fsync(out.fileno())
        os.chmod(temporary, file.stat().st_mode & 0o777 if file.exists() else NEW_FILE_MODE)
        os.replace(temporary, file)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temporary)
        raise
