"""Write README.md from nbs/index.ipynb (nbdev's own README step needs quarto, which cannot be installed offline).

Markdown cells are copied, code cells become ```python blocks with their text outputs (Markdown outputs are copied as
Markdown); `#| hide` cells are left out, and so is the code of `#| echo: false` cells.
`python tools/readme.py --check` exits 1 when README.md is not what the notebook says.
"""
import sys
from pathlib import Path
import nbformat

ROOT = Path(__file__).resolve().parents[1]


def render(nb_path=ROOT / "nbs" / "index.ipynb") -> str:
    nb = nbformat.read(nb_path, as_version=4)
    parts = ["<!-- generated from nbs/index.ipynb by tools/readme.py: edit the notebook, not this file -->"]
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
    text, readme = render(), ROOT / "README.md"
    if "--check" in sys.argv:
        if not readme.exists() or readme.read_text() != text:
            sys.exit("README.md is out of date with nbs/index.ipynb: run `python tools/readme.py`.")
    else:
        readme.write_text(text)
