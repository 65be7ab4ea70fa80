"""``sim._folder.move_into``: an output folder changes whole or not at all, and what a
killed command left behind is finished or removed by the next one."""

from __future__ import annotations

import fcntl
import os
import time
from pathlib import Path

import pytest

from sim._folder import SCRATCH_PREFIX, move_into


def _writer(**files: str):  # type: ignore[no-untyped-def]
    def write(scratch: Path) -> None:
        for name, text in files.items():
            (scratch / name).write_text(text)
    return write


def _old(path: Path) -> None:
    past = time.time() - 60
    os.utime(path, (past, past))


def test_files_are_moved_in_and_nothing_else_is_left(tmp_path: Path) -> None:
    out = tmp_path / "a" / "b"
    written = move_into(out, _writer(**{"x.csv": "1", "y.csv": "2"}))
    assert written == [out / "x.csv", out / "y.csv"]
    assert sorted(p.name for p in out.iterdir()) == ["x.csv", "y.csv"]


def test_a_failed_write_leaves_the_folder_as_it_was(tmp_path: Path) -> None:
    (tmp_path / "x.csv").write_text("old")

    def fail(scratch: Path) -> None:
        (scratch / "x.csv").write_text("new")
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        move_into(tmp_path, fail)
    assert [(p.name, p.read_text()) for p in tmp_path.iterdir()] == [("x.csv", "old")]


def test_a_failed_write_into_a_new_folder_removes_the_folders_it_made(tmp_path: Path) -> None:
    def fail(scratch: Path) -> None:
        raise OSError("disk full")

    with pytest.raises(OSError):
        move_into(tmp_path / "new" / "deeper", fail)
    assert list(tmp_path.iterdir()) == []


def test_a_dead_commands_committed_scratch_is_finished(tmp_path: Path) -> None:
    """Killed while moving: y.csv was moved, x.csv not yet; the next call finishes the
    move before its own, and removes the scratch folder."""
    (tmp_path / "x.csv").write_text("old x")
    scratch = tmp_path / f"{SCRATCH_PREFIX}dead1"
    scratch.mkdir()
    (scratch / "x.csv").write_text("new x")
    (tmp_path / "y.csv").write_text("new y")
    (scratch / ".commit").write_text("x.csv\ny.csv\n")
    move_into(tmp_path, _writer(**{"z.csv": "z"}))
    assert {p.name: p.read_text() for p in tmp_path.iterdir()} == {
        "x.csv": "new x", "y.csv": "new y", "z.csv": "z"}


def test_a_dead_commands_uncommitted_scratch_is_removed(tmp_path: Path) -> None:
    scratch = tmp_path / f"{SCRATCH_PREFIX}dead2"
    scratch.mkdir()
    (scratch / "x.csv").write_text("half")
    _old(scratch)
    move_into(tmp_path, _writer(**{"z.csv": "z"}))
    assert [p.name for p in tmp_path.iterdir()] == ["z.csv"]


def test_a_live_commands_scratch_is_left_alone(tmp_path: Path) -> None:
    """Held (locked) by a command still writing, or just made and not yet locked."""
    held, fresh = tmp_path / f"{SCRATCH_PREFIX}live", tmp_path / f"{SCRATCH_PREFIX}fresh"
    for folder in (held, fresh):
        folder.mkdir()
        (folder / "x.csv").write_text("busy")
    _old(held)
    fd = os.open(held, os.O_RDONLY)
    fcntl.flock(fd, fcntl.LOCK_EX)
    try:
        move_into(tmp_path, _writer(**{"z.csv": "z"}))
    finally:
        os.close(fd)
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted([held.name, fresh.name, "z.csv"])
    assert (held / "x.csv").read_text() == "busy"
