"""Writing an output folder whole: a reader, a crash or a Ctrl-C sees the old files or the
new ones, never a mix or a half.

:func:`move_into` lets a command fill a hidden scratch folder inside ``--out``
(``.growthsim-*``), marks it committed (``.commit``, the list of its files, written
atomically), then renames each file into ``--out``. A command killed before the mark
leaves ``--out`` as it was; killed after it, the next command that writes to the folder
finishes the move (rolls forward). Either way that next command removes the scratch
folder: a scratch folder's owner holds a lock on it (``flock`` on the folder) while it
lives, so a folder nobody holds is a dead command's.

A Ctrl-C during the renames waits for them to end, and then raises
:class:`InterruptedAfterWriting`: the files are in ``--out``, and the command says so.
"""

from __future__ import annotations

import fcntl
import os
import shutil
import signal
import tempfile
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

__all__ = ["SCRATCH_PREFIX", "InterruptedAfterWriting", "atomic_write_text", "move_into"]

SCRATCH_PREFIX = ".growthsim-"
_COMMIT = ".commit"
# an unlocked scratch folder younger than this may be one whose owner has just made it
# and not yet locked it (microseconds later); older, it is a dead command's
_SETTLE_SECONDS = 1.0


class InterruptedAfterWriting(KeyboardInterrupt):
    """A Ctrl-C that came once ``folder``'s new files were in place."""

    def __init__(self, folder: Path) -> None:
        super().__init__(str(folder))
        self.folder = folder


def atomic_write_text(path: str | Path, text: str) -> None:
    """Write a file so that readers see the old or the new content, never a half."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.parent / f".{path.name}.{uuid.uuid4().hex[:12]}.tmp"
    # os.open with 0o666 honours the umask: the file gets the permissions of any other
    # output (mkstemp would make it readable by its owner only)
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(text)
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def move_into(out: str | Path, write: Callable[[Path], None]) -> list[Path]:
    """Let ``write`` fill a scratch folder inside ``out``, then move each file into ``out``
    whole (a rename within one folder): a reader sees the old file or the new one, and a
    ``write`` that fails (or a Ctrl-C before the move) leaves ``out`` as it was, a folder
    this call made removed again. Returns the files written."""
    out = Path(out)
    made = _make_folders(out)
    try:
        _recover(out)
        scratch = Path(tempfile.mkdtemp(dir=out, prefix=SCRATCH_PREFIX))
    except BaseException:
        _remove_empty(made)
        raise
    lock = _lock(scratch, wait=True)
    assert lock is not None
    try:
        try:
            write(scratch)
            names = sorted(p.name for p in scratch.iterdir() if p.name != _COMMIT)
            with _sigint_deferred() as interrupted:
                atomic_write_text(scratch / _COMMIT, "".join(f"{n}\n" for n in names))
                _roll_forward(scratch, out, names)
        except BaseException:
            if not (scratch / _COMMIT).exists():  # committed: the next command finishes it
                shutil.rmtree(scratch, ignore_errors=True)
                _remove_empty(made)
            raise
    finally:
        os.close(lock)
    if interrupted:
        raise InterruptedAfterWriting(out)
    return [out / n for n in names]


def _make_folders(out: Path) -> list[Path]:
    """Make ``out`` and its missing parents; the ones made, deepest first."""
    made = []
    folder = out
    while not folder.exists():
        made.append(folder)
        folder = folder.parent
    out.mkdir(parents=True, exist_ok=True)
    return made


def _remove_empty(folders: list[Path]) -> None:
    """Remove the folders a failed call made, deepest first, while they are empty."""
    for folder in folders:
        try:
            folder.rmdir()
        except OSError:
            return


def _lock(folder: Path, *, wait: bool) -> int | None:
    """An open descriptor holding an exclusive ``flock`` on ``folder`` (None: another
    process holds it, or the folder is gone)."""
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return None
    try:
        fcntl.flock(fd, fcntl.LOCK_EX if wait else fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        os.close(fd)
        return None
    return fd


def _recover(out: Path) -> None:
    """Finish or remove the scratch folders dead commands left in ``out``: a committed one
    is moved into place, any other removed. Folders a live command holds are left."""
    for scratch in sorted(out.glob(f"{SCRATCH_PREFIX}*")):
        if not scratch.is_dir() or scratch.is_symlink():
            continue
        fd = _lock(scratch, wait=False)
        if fd is None:
            continue
        try:
            commit = scratch / _COMMIT
            if commit.exists():
                names = commit.read_text(encoding="utf-8").split()
                _roll_forward(scratch, out, names)
            elif time.time() - scratch.stat().st_mtime > _SETTLE_SECONDS:
                shutil.rmtree(scratch, ignore_errors=True)
        except OSError:
            pass
        finally:
            os.close(fd)


def _roll_forward(scratch: Path, out: Path, names: list[str]) -> None:
    """Move the committed files of ``scratch`` into ``out`` (those still there: a roll
    forward may finish an earlier one), then remove ``scratch``."""
    for name in names:
        source, target = scratch / name, out / name
        if not source.exists():
            continue
        if source.is_dir() and target.is_dir() and not target.is_symlink():
            shutil.rmtree(target)
        os.replace(source, target)
    shutil.rmtree(scratch, ignore_errors=True)


@contextmanager
def _sigint_deferred() -> Iterator[list[Any]]:
    """Hold a Ctrl-C until the block ends; the yielded list is non-empty if one came
    (outside the main thread signals cannot be handled and nothing is held)."""
    seen: list[Any] = []
    if threading.current_thread() is not threading.main_thread():
        yield seen
        return

    def hold(signum: int, frame: Any) -> None:
        seen.append(signum)

    before = signal.signal(signal.SIGINT, hold)
    try:
        yield seen
    finally:
        signal.signal(signal.SIGINT, before)
