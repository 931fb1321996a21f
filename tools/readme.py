"""Write README.md from nbs/index.ipynb, and results/README.md and results/BENCHMARKS.md from nbs/results.ipynb and
nbs/benchmarks.ipynb (nbdev's own README step needs quarto, which cannot be installed offline).

Markdown cells are copied, code cells become ```python blocks with their text outputs (Markdown outputs are copied as
Markdown); `#| hide` cells are left out, and so is the code of `#| echo: false` cells.
`python tools/readme.py --check` exits 1 when a page is not what its notebook says.
"""
import sys
from pathlib import Path
import nbformat

ROOT = Path(__file__).resolve().parents[1]


PAGES = {"index.ipynb": "README.md", "results.ipynb": "results/README.md", "benchmarks.ipynb": "results/BENCHMARKS.md"}


def render(nb_path=ROOT / "nbs" / "index.ipynb") -> str:
    nb = nbformat.read(nb_path, as_version=4)
    parts = [f"<!-- generated from nbs/{Path(nb_path).name} by tools/readme.py: edit the notebook, not this file -->"]
    for cell in nb.cells:
        src = cell.source.strip()
        lines = src.splitlines()
        if any(l.strip().replace(" ", "") in ("#|hide", "#|export") for l in lines[:3]): continue
        if cell.cell_type == "markdown":
            parts.append(src)
        elif cell.cell_type == "code":
            code = "\n".join(l for l in lines if not l.startswith("#|")).strip()
            echo = not any(l.replace(" ", "") == "#|echo:false" for l in lines[:3])
            if code and echo: parts.append(f"```python\n{code}\n```")
            for o in cell.get("outputs", []):
                data = o.get("data", {})
                if "text/markdown" in data: parts.append(data["text/markdown"].strip())      # displayed Markdown: as is
                elif (text := (o.get("text", "") or data.get("text/plain", "")).strip()): parts.append(f"```\n{text}\n```")
    return "\n\n".join(parts) + "\n"


if __name__ == "__main__":
    stale = []
    for notebook, page in PAGES.items():
        text, path = render(ROOT / "nbs" / notebook), ROOT / page
        if "--check" in sys.argv:
            if not path.exists() or path.read_text() != text: stale.append(f"{page} (from nbs/{notebook})")
        else: path.write_text(text)
    if stale: sys.exit(f"out of date with their notebooks: {', '.join(stale)}; run `python tools/readme.py`.")
