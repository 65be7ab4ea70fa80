"""The notebooks in ``notebooks/`` are products: each runs top to bottom without an error
within its time budget, and each is stored executed, with its outputs (plots included), so
a reader on a code host sees the results without running anything.

A notebook is run in a fresh kernel (this interpreter's, so the editable install) whose
working directory is a temporary folder, so a relative path never lands in the
repository; the notebooks themselves write only under ``OUT``, a ``tempfile.mkdtemp()``
folder made in their first cell.
"""

from __future__ import annotations

import time
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

NOTEBOOK_DIR = Path(__file__).resolve().parents[1] / "notebooks"
NOTEBOOKS = sorted(NOTEBOOK_DIR.glob("*.ipynb"))

#: Wall time a notebook may take (seconds). Each is built to take under a minute on the
#: project's 2-core machine with small populations; the budget leaves room for the other
#: tests running beside it under ``make test``.
BUDGET_S = 120
#: Stored size (bytes): figures at ~90 dpi keep a notebook well below this.
MAX_BYTES = 1_500_000


def _code_cells(nb: nbformat.NotebookNode) -> list[nbformat.NotebookNode]:
    return [c for c in nb.cells if c.cell_type == "code"]


def _errors(nb: nbformat.NotebookNode) -> list[str]:
    return [f"cell {i}: {o.get('ename')}: {o.get('evalue')}"
            for i, c in enumerate(nb.cells) if c.cell_type == "code"
            for o in c.get("outputs", []) if o.get("output_type") == "error"]


def test_there_are_notebooks() -> None:
    assert len(NOTEBOOKS) >= 4, [p.name for p in NOTEBOOKS]


@pytest.mark.slow
@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_notebook_runs_top_to_bottom_in_time(path: Path, tmp_path: Path) -> None:
    nb = nbformat.read(path, as_version=4)
    for cell in _code_cells(nb):  # run from scratch, not on top of the stored outputs
        cell.outputs, cell.execution_count = [], None
    client = NotebookClient(nb, timeout=BUDGET_S, kernel_name="python3",
                            resources={"metadata": {"path": str(tmp_path)}})
    start = time.perf_counter()
    client.execute()  # raises CellExecutionError (with the cell's traceback) on an error
    elapsed = time.perf_counter() - start
    assert not _errors(nb), _errors(nb)
    assert elapsed < BUDGET_S, f"{path.name} took {elapsed:.0f} s (budget {BUDGET_S} s)"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_notebook_is_stored_executed_with_its_plots(path: Path) -> None:
    nb = nbformat.read(path, as_version=4)
    code = _code_cells(nb)
    counts = [c.execution_count for c in code]
    assert counts == list(range(1, len(code) + 1)), \
        f"{path.name}: store it run top to bottom in one kernel (execution counts {counts})"
    assert not _errors(nb), _errors(nb)
    images = sum("image/png" in o.get("data", {}) for c in code for o in c.outputs)
    assert images >= 2, f"{path.name}: stored without its plots"
    assert path.stat().st_size < MAX_BYTES, f"{path.name}: {path.stat().st_size:,} bytes"
    text = [c.source for c in nb.cells if c.cell_type == "markdown"]
    assert text[0].startswith("# "), f"{path.name}: start with a title and who it is for"
    assert "## Assumptions and limits" in text[-1], \
        f"{path.name}: end with an 'Assumptions and limits' cell"
