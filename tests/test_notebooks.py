"""The notebooks run from top to bottom, and are committed without outputs so they never rot."""

import nbformat
import pytest
from nbclient import NotebookClient

from tests.conftest import REPO

NOTEBOOKS = sorted((REPO / "notebooks").glob("*.ipynb"))


def execute(path):
    notebook = nbformat.read(path, as_version=4)
    client = NotebookClient(
        notebook, timeout=300, kernel_name="python3",
        resources={"metadata": {"path": str(path.parent)}},
    )  # fmt: skip
    client.execute()
    return notebook


def printed(notebook) -> str:
    return "".join(
        output.get("text", "")
        for cell in notebook.cells
        if cell.cell_type == "code"
        for output in cell.get("outputs", [])
        if output.get("output_type") == "stream"
    )


def test_there_are_the_quickstart_and_the_batch_notebooks():
    assert [p.name for p in NOTEBOOKS] == ["batch_briefs.ipynb", "quickstart.ipynb"]


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_notebooks_are_committed_without_outputs(path):
    notebook = nbformat.read(path, as_version=4)
    code = [cell for cell in notebook.cells if cell.cell_type == "code"]
    assert code and all(not c.outputs and c.execution_count is None for c in code)


def test_the_quickstart_runs_the_loop_and_draws_its_chart():
    notebook = execute(REPO / "notebooks" / "quickstart.ipynb")
    text = printed(notebook)
    assert "ko-KR: avoid ['" in text  # the tuning step learned words to avoid
    assert "beyond chance" in text
    rounds = [line for line in text.splitlines() if line.startswith("round ")]
    rates = [float(line.split()[3].rstrip("%,")) for line in rounds]
    assert len(rates) == 3 and rates[-1] > rates[0]
    images = [
        output for cell in notebook.cells for output in cell.get("outputs", [])
        if "image/png" in output.get("data", {})
    ]  # fmt: skip
    assert len(images) == 1


def test_the_batch_notebook_exports_google_ads_rows():
    notebook = execute(REPO / "notebooks" / "batch_briefs.ipynb")
    assert "Campaign,Ad group,Ad type,Final URL,Labels,Headline 1,Headline 1 position" in printed(
        notebook
    )
