"""The notebooks run top to bottom against the session build, and are stored without outputs."""

from __future__ import annotations

from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

NOTEBOOKS = sorted((Path(__file__).resolve().parents[1] / "notebooks").glob("*.ipynb"))


def test_there_are_notebooks_to_start_from() -> None:
    assert len(NOTEBOOKS) >= 2


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_notebook_is_stored_without_outputs(path: Path) -> None:
    nb = nbformat.read(path, as_version=4)
    for cell in nb.cells:
        if cell.cell_type == "code":
            assert cell.outputs == [] and cell.execution_count is None, path.name


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_notebook_runs(path: Path, built: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # The kernel inherits the environment: it uses the session build instead of building.
    monkeypatch.setenv("LABOURGRAPH_OUT", str(built))
    nb = nbformat.read(path, as_version=4)
    client = NotebookClient(
        nb, timeout=120, kernel_name="python3", resources={"metadata": {"path": str(path.parent)}}
    )
    client.execute()  # raises CellExecutionError with the cell and traceback on any failure
    errors = [o for c in nb.cells for o in c.get("outputs", []) if o.output_type == "error"]
    assert errors == []
    if "matplotlib" in path.read_text(encoding="utf-8"):  # its plot is drawn (inline, as PNG)
        outputs = [o for c in nb.cells for o in c.get("outputs", [])]
        assert any("image/png" in o.get("data", {}) for o in outputs)
