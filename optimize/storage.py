"""Where a study lives, and how its workers notice one of them is gone.

* Heartbeats. Every running trial records a heartbeat every ``HEARTBEAT_S`` seconds;
  a RUNNING trial whose last heartbeat is older than ``GRACE_S`` belongs to a worker that
  was killed (or lost its machine), and Optuna fails it the next time any worker starts a
  trial (``optuna.storages.fail_stale_trials``), then ``RetryFailedTrialCallback``
  enqueues its plan again. A live worker's trial is never failed by another: there is no
  clean-up at start-up that could not tell a live worker from a dead one. A database
  (``postgresql://``, ``sqlite:///``) uses Optuna's own ``RDBStorage`` heartbeat; a
  journal file uses the same protocol, implemented here (Optuna 5.1's journal storage has
  none): the heartbeat is a trial system attribute holding the time. Appends to the
  journal hold a kernel lock on it (``flock``), which dies with its process.
* Checks. :func:`check_storage` refuses, before any work, a storage that cannot hold a
  study: a folder, a file that is not an Optuna journal (a journal is only ever appended
  to, and a user's file must not be), an unsupported URL, a database that does not answer.

``GROWTHSIM_HEARTBEAT_S`` sets the heartbeat interval (default 10 s; the grace period is
three intervals), e.g. shorter in tests that kill workers.
"""

from __future__ import annotations

import fcntl
import json
import os
import time
import warnings
from collections.abc import Callable
from pathlib import Path
from typing import Any

import optuna
from optuna.storages import JournalStorage, RDBStorage, RetryHeartbeatStaleTrialCallback
from optuna.storages._heartbeat import BaseHeartbeat
from optuna.storages.journal import JournalFileBackend
from optuna.storages.journal._file import BaseJournalFileLock  # the base of its two locks
from optuna.trial import FrozenTrial, TrialState

__all__ = ["GRACE_S", "HEARTBEAT_S", "check_storage", "open_storage"]

HEARTBEAT_S = int(os.environ.get("GROWTHSIM_HEARTBEAT_S", "10"))
GRACE_S = 3 * HEARTBEAT_S
#: A trial whose worker died is run again at most this often.
MAX_RETRY = 3
_HEARTBEAT_ATTR = "growthsim:heartbeat"
_SCHEMES = ("postgresql", "postgresql+psycopg2", "sqlite")

Callback = Callable[[optuna.Study, FrozenTrial], None]


class _KernelLock(BaseJournalFileLock):
    """An exclusive ``flock`` on the journal itself while a record is appended. The
    kernel releases it when its process dies, so a killed worker leaves nothing behind
    (Optuna's default, a ``.lock`` file, is only broken after 30 s of waiting)."""

    def __init__(self, path: str) -> None:
        self._path, self._fd = path, -1

    def acquire(self) -> bool:
        fd = os.open(self._path, os.O_RDONLY)
        fcntl.flock(fd, fcntl.LOCK_EX)
        self._fd = fd
        return True

    def release(self) -> None:
        fd, self._fd = self._fd, -1
        if fd >= 0:
            fcntl.flock(fd, fcntl.LOCK_UN)
            os.close(fd)


class _JournalWithHeartbeat(JournalStorage, BaseHeartbeat):
    """A journal file storage whose running trials record heartbeats."""

    def __init__(self, path: str, interval: int, grace: int, callback: Callback) -> None:
        super().__init__(JournalFileBackend(path, lock_obj=_KernelLock(path)))
        self._interval, self._grace, self._callback = interval, grace, callback

    def record_heartbeat(self, trial_id: int) -> None:
        self.set_trial_system_attr(trial_id, _HEARTBEAT_ATTR, time.time())

    def _get_stale_trial_ids(self, study_id: int) -> list[int]:
        now = time.time()
        stale = []
        for t in self.get_all_trials(study_id, deepcopy=False, states=(TrialState.RUNNING,)):
            start = t.datetime_start.timestamp() if t.datetime_start else now
            beat = float(t.system_attrs.get(_HEARTBEAT_ATTR, start))
            if now - beat > self._grace:
                stale.append(t._trial_id)
        return stale

    def get_heartbeat_interval(self) -> int | None:
        return self._interval

    def get_heartbeat_stale_trial_callback(self) -> Callback | None:
        return self._callback


def open_storage(spec: str) -> optuna.storages.BaseStorage:
    """The storage of ``spec`` (a database URL or a journal file path), heartbeats on."""
    with warnings.catch_warnings():  # experimental in Optuna 5.1, and the way it is done
        warnings.simplefilter("ignore", optuna.exceptions.ExperimentalWarning)
        retry = RetryHeartbeatStaleTrialCallback(max_retry=MAX_RETRY)
        if "://" in spec:
            return _create_rdb(spec, retry)
    return _JournalWithHeartbeat(spec, HEARTBEAT_S, GRACE_S, retry)


class _RDBWithHeartbeat(RDBStorage):
    """Optuna's ``RDBStorage`` with heartbeats, where a running trial that never sent one
    is stale too once this process has seen it without one for the grace period. Optuna
    skips such a trial (its worker was killed between asking for it and its first beat,
    a few milliseconds), and it would stay RUNNING for ever, holding the study's count.
    The time is this process's own clock, so machines need not agree on theirs."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._unbeaten: dict[int, float] = {}  # trial id -> when first seen without a beat

    def _get_stale_trial_ids(self, study_id: int) -> list[int]:
        from optuna.storages._rdb import models

        stale = super()._get_stale_trial_ids(study_id)
        session = self.scoped_session()
        try:
            ids = [row[0] for row in session.query(models.TrialModel.trial_id).filter(
                models.TrialModel.study_id == study_id,
                models.TrialModel.state == TrialState.RUNNING,
                ~models.TrialModel.heartbeats.any())]
        finally:
            session.close()
        now = time.monotonic()
        self._unbeaten = {i: self._unbeaten.get(i, now) for i in ids}
        return stale + [i for i, seen in self._unbeaten.items() if now - seen > self._grace()]

    def _grace(self) -> float:
        return float(self.grace_period or 2 * (self.heartbeat_interval or 0))

    def __getstate__(self) -> dict[str, Any]:
        return super().__getstate__() | {"_unbeaten": {}}


def _create_rdb(url: str, retry: Callback, attempts: int = 5) -> RDBStorage:
    """``RDBStorage`` with heartbeats. Workers starting together on a new database race
    to create its tables: the loser sees a unique-key error and tries again (the tables
    are there by then)."""
    import sqlalchemy.exc

    for attempt in range(attempts):
        try:
            return _RDBWithHeartbeat(url, heartbeat_interval=HEARTBEAT_S,
                                     grace_period=GRACE_S,
                                     heartbeat_stale_trial_callback=retry)
        except sqlalchemy.exc.IntegrityError:
            if attempt == attempts - 1:
                raise
            time.sleep(0.2 * (attempt + 1))
    raise AssertionError("unreachable")


def check_storage(storage: str) -> None:
    """Raise ``ValueError`` (a sentence saying what is allowed) unless ``storage`` can
    hold a study: a journal file that is absent (in a folder that can be made and
    written), empty, or an Optuna journal; or a ``postgresql://`` or ``sqlite:///`` URL
    whose database answers."""
    if "://" in storage:
        _check_url(storage)
        return
    path = Path(storage)
    if path.is_dir():
        raise ValueError(f"{storage} is a folder; give a journal file, e.g. "
                         f"{path / 'study.journal'}, or a database URL")
    if path.exists():
        if not _is_journal(path):
            raise ValueError(f"{storage} is not an Optuna journal (a study's file); give a "
                             "new file name, an existing study.journal, or a database URL")
        if not os.access(path, os.W_OK):
            raise ValueError(f"{storage} cannot be written by this user")
        return
    parent = path.resolve().parent
    while not parent.exists():
        parent = parent.parent
    if not parent.is_dir() or not os.access(parent, os.W_OK | os.X_OK):
        raise ValueError(f"{storage} cannot be made: {parent} is not a folder this user may "
                         "write in")


def _is_journal(path: Path) -> bool:
    """An empty file, or one whose first line is an Optuna journal record."""
    try:
        with path.open("rb") as fh:
            first = fh.readline(1 << 20)
    except OSError:
        return False
    if not first.strip():
        return path.stat().st_size == 0
    try:
        record = json.loads(first)
    except ValueError:
        return False
    return isinstance(record, dict) and "op_code" in record


def _check_url(url: str) -> None:
    scheme = url.split("://", 1)[0].lower()
    if scheme not in _SCHEMES:
        raise ValueError(f"'{scheme}://' is not a supported database; use postgresql://... "
                         "(many machines) or sqlite:///FILE, or a journal file path")
    import sqlalchemy

    args = {"connect_timeout": 5} if scheme.startswith("postgresql") else {}
    try:
        engine = sqlalchemy.create_engine(url, connect_args=args)
        with engine.connect():
            pass
        engine.dispose()
    except Exception as exc:  # the driver's own errors differ: any failure to connect
        reason = str(getattr(exc, "orig", None) or exc).strip().splitlines()[0]
        raise ValueError(f"the database does not answer ({reason}); start it, or check "
                         "the URL's host, port, user and database") from None
