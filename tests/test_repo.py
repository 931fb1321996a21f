"""The repository is consistent: the package is what the notebooks export and its lines fit, notebooks are clean,
README is current, a cell that prints keeps its output, and the pages show what their code computes from results/
now."""
import shutil, subprocess, sys
from pathlib import Path
import pytest

REPO = Path(__file__).resolve().parents[1]
pytestmark = pytest.mark.skipif(not (REPO / ".git").exists() or shutil.which("git") is None,
                                reason="needs a git checkout")


def changed(*paths):
    out = subprocess.run(["git", "status", "--porcelain", "--", *paths], cwd=REPO, capture_output=True, text=True,
                         check=True)
    return out.stdout.strip()


def test_exported_package_in_sync():
    before = changed("minibert_nb")
    subprocess.run(["nbdev_export"], cwd=REPO, check=True)
    assert changed("minibert_nb") == before, "nbdev_export changed minibert_nb/: export the notebooks and commit"


LINE = 120


def test_package_lines_fit():
    "The exported package reads without scrolling: no line over 120 characters (nbdev's own `__all__` lists aside)."
    long = []
    for f in sorted((REPO / "minibert_nb").glob("*.py")):
        if f.name == "_modidx.py": continue
        in_all = False
        for i, line in enumerate(f.read_text().splitlines(), 1):
            in_all = line.startswith("__all__") or (in_all and line.startswith(" "))
            if len(line) > LINE and not in_all: long.append(f"{f.name}:{i} ({len(line)})")
    assert not long, f"lines over {LINE} characters, to wrap in their notebooks: {', '.join(long)}"


def test_notebooks_clean():
    before = changed("nbs")
    subprocess.run(["nbdev_clean"], cwd=REPO, check=True)
    assert changed("nbs") == before, "nbdev_clean changed nbs/: clean the notebooks and commit"


def test_readme_current():
    subprocess.run([sys.executable, "tools/readme.py", "--check"], cwd=REPO, check=True)


@pytest.mark.parametrize("script", sorted(p.name for p in (REPO / "tools").glob("*.sh")))
def test_tool_scripts_parse(script):
    "Each committed shell script parses (a quote left open once made one unrunnable as committed)."
    subprocess.run(["bash", "-n", str(REPO / "tools" / script)], check=True)


NOTEBOOKS = sorted(p.name for p in (REPO / "nbs").glob("*.ipynb"))
SHOWS = ("print(", "display(", "Markdown(", "plt.show(", ".plot(", "plot_")


@pytest.mark.parametrize("nb", NOTEBOOKS)
def test_cells_that_show_keep_their_outputs(nb):
    """A cell written to show the reader something (it prints, displays or draws) has its output committed, so a
    reader on a code host sees it, unless it says it is "not shown" (made-up numbers, live widgets); every notebook
    shows a result. Plumbing (`#| export`, `#| hide`) is not shown to readers and is left out."""
    import nbformat
    cells = [c for c in nbformat.read(REPO / "nbs" / nb, as_version=4).cells if c.cell_type == "code"]
    src = lambda c: c.source
    shows = lambda c: any(k in src(c) for k in SHOWS) and "not shown" not in src(c)
    meant = [c for c in cells if not src(c).lstrip().startswith(("#| export", "#| hide")) and shows(c)]
    assert [c["id"] for c in meant if not c.get("outputs")] == [], f"{nb}: run it and commit these cells' outputs"
    assert any(c.get("outputs") for c in cells), f"{nb} shows no result at all"


def shown(cell) -> list[str]:
    "What a code cell shows a reader: its printed text and displayed Markdown."
    out = []
    for o in cell.get("outputs", []):
        data = o.get("data", {})
        text = data.get("text/markdown") or o.get("text") or data.get("text/plain") or ""
        out.append("".join(text) if isinstance(text, list) else text)
    return out


@pytest.mark.parametrize("page", ["index.ipynb", "results.ipynb", "benchmarks.ipynb"])
def test_pages_show_what_their_code_computes(page, data_path, tmp_path, monkeypatch):
    """The README, results and benchmarks pages compute their numbers from the committed results/; run anew, each shows
    what its committed outputs show (once a new run made a computed sentence stale that no test saw)."""
    import nbformat, papermill
    monkeypatch.setenv("MINIBERT_DATA", str(data_path))
    ran = papermill.execute_notebook(str(REPO / "nbs" / page), str(tmp_path / page), cwd=str(REPO / "nbs"),
                                     progress_bar=False, log_output=False)
    committed = nbformat.read(REPO / "nbs" / page, as_version=4)
    now = {c["id"]: shown(c) for c in ran["cells"] if c["cell_type"] == "code"}
    stale = [c["id"] for c in committed.cells if c.cell_type == "code" and shown(c) != now[c["id"]]]
    assert not stale, f"nbs/{page}: cells {stale} show other outputs than their code computes now; run the notebook, " \
                      "copy those outputs in, nbdev_clean, python tools/readme.py"
