"""The repository is consistent: the package is what the notebooks export, notebooks are clean, README is current."""
import shutil, subprocess, sys
from pathlib import Path
import pytest

REPO = Path(__file__).resolve().parents[1]
pytestmark = pytest.mark.skipif(not (REPO / ".git").exists() or shutil.which("git") is None, reason="needs a git checkout")


def changed(*paths):
    out = subprocess.run(["git", "status", "--porcelain", "--", *paths], cwd=REPO, capture_output=True, text=True, check=True)
    return out.stdout.strip()


def test_exported_package_in_sync():
    before = changed("minibert_nb")
    subprocess.run(["nbdev_export"], cwd=REPO, check=True)
    assert changed("minibert_nb") == before, "nbdev_export changed minibert_nb/: export the notebooks and commit"


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
