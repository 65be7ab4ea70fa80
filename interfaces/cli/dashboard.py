"""``growthsim dashboard``: open optuna-dashboard on a study that ``growthsim optimize``
ran, to browse its trials, the history, the Pareto front and the levers' importance."""

from __future__ import annotations

import socket
from pathlib import Path
from typing import Annotated

import typer

from interfaces.cli._common import console, fail

__all__ = ["dashboard_cmd"]

#: The journal file ``growthsim optimize`` keeps in its --out folder (without --storage).
JOURNAL = "study.journal"


def study_storage(where: str) -> str:
    """The storage that optuna-dashboard opens: a database URL as given, a journal file,
    or the ``study.journal`` in an optimize output folder; bad input is exit 2."""
    if "://" in where:
        return where
    path = Path(where)
    if path.is_dir():
        path = path / JOURNAL
        if not path.is_file():
            raise fail(f"{where}: no {JOURNAL} in this folder; give the --out folder of "
                       "growthsim optimize, a journal file or a database URL "
                       "(the --storage the study was run with)")
    elif not path.is_file():
        raise fail(f"{where}: no such folder or file; give the --out folder of growthsim "
                   "optimize, a journal file or a database URL")
    return str(path)


def check_listen(host: str, port: int) -> None:
    """Exit 2 before anything starts when the dashboard could not listen on host:port."""
    try:
        with socket.create_server((host, port)):
            pass
    except OSError as exc:  # the port is taken, or the address is not this machine's
        raise fail(f"command line: --host {host} --port {port}: cannot listen there "
                   f"({exc.strerror or exc})") from None


def dashboard_cmd(
    study: Annotated[str, typer.Argument(
        metavar="OUT_OR_STORAGE",
        help="The --out folder of growthsim optimize, its journal file, or the database "
             "URL given as --storage.")],
    host: Annotated[str, typer.Option(help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on (1-65535).")] = 8080,
) -> None:
    """Open optuna-dashboard on an optimize study (stop it with Ctrl-C)."""
    if not 1 <= port <= 65535:
        raise fail(f"command line: --port must be a whole number from 1 to 65535 (got {port})")
    storage = study_storage(study)
    check_listen(host, port)
    import optuna_dashboard

    console.print(f"optuna-dashboard on {storage}: http://{host}:{port}/ (Ctrl-C stops it)",
                  markup=False, highlight=False)
    try:
        optuna_dashboard.run_server(storage, host=host, port=port)
    except ValueError as exc:  # a file that is not a journal (e.g. SQLite without sqlite:///)
        raise fail(f"{study}: not a study storage optuna-dashboard can open ({exc})") from None
