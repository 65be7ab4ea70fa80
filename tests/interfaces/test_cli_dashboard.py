"""`growthsim dashboard`: optuna-dashboard serves the study an optimize run left in --out."""

from __future__ import annotations

import json
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from interfaces import cli


def _main(args: list[str], capsys, monkeypatch) -> tuple[int, str, str]:
    monkeypatch.setattr(sys, "argv", ["growthsim", *args])
    try:
        cli.main()
    except SystemExit as exc:
        code = exc.code if isinstance(exc.code, int) else 1
    else:
        code = 0
    out, err = capsys.readouterr()
    return code, out, err


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _get(port: int, path: str, proc: subprocess.Popen[bytes], timeout: float = 60) -> dict:
    """The dashboard's JSON answer at ``path``, once it answers."""
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        assert proc.poll() is None, proc.communicate()[1].decode()
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}{path}", timeout=5) as r:
                return dict(json.load(r))
        except OSError:
            time.sleep(0.3)
    raise AssertionError("optuna-dashboard did not answer")


@pytest.mark.slow
def test_dashboard_lists_the_study_of_an_optimize_folder(tmp_path: Path, capsys,
                                                         monkeypatch) -> None:
    out = tmp_path / "opt"
    code, _, err = _main(["optimize", "double11", "--population", "2000", "--seeds", "1",
                          "--trials", "3", "--check-seeds", "1", "--out", str(out)],
                         capsys, monkeypatch)
    assert code == 0, err
    port = _free_port()
    proc = subprocess.Popen([sys.executable, "-m", "interfaces.cli", "dashboard", str(out),
                             "--port", str(port)],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        studies = _get(port, "/api/studies", proc)["study_summaries"]
        detail = _get(port, f"/api/studies/{studies[0]['study_id']}", proc)
    finally:
        proc.terminate()
        proc.wait(timeout=10)
    assert [s["study_name"] for s in studies] == ["double11-gmv"]
    assert studies[0]["directions"] == ["maximize"]
    assert len(detail["trials"]) == 3
    assert {t["state"] for t in detail["trials"]} <= {"Complete", "Pruned"}


def test_a_port_in_use_is_exit_2_before_the_server_starts(tmp_path, capsys,
                                                          monkeypatch) -> None:
    (tmp_path / "study.journal").touch()
    with socket.create_server(("127.0.0.1", 0)) as taken:
        port = taken.getsockname()[1]
        code, out, err = _main(["dashboard", str(tmp_path), "--port", str(port)],
                               capsys, monkeypatch)
    assert code == 2 and out == ""
    assert f"--port {port}: cannot listen there" in err and err.count("\n") == 1


@pytest.mark.parametrize(("args", "says"), [
    (["nowhere"], "nowhere: no such folder or file"),
    (["."], ".: no study.journal in this folder"),
    ([".", "--port", "70000"], "--port must be a whole number from 1 to 65535 (got 70000)"),
])
def test_bad_arguments_are_exit_2_with_one_sentence(args, says, tmp_path, capsys,
                                                    monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    code, _, err = _main(["dashboard", *args], capsys, monkeypatch)
    assert code == 2
    assert err.startswith("error: ") and says in err
    assert err.count("\n") == 1 and "Traceback" not in err
    assert list(tmp_path.iterdir()) == []
