"""What a plain `pip install` gives: the core runs without the report extra, and the modules that need it say how to get it."""
import configparser, re, subprocess, sys
from pathlib import Path
import pytest
from packaging.requirements import Requirement

REPO = Path(__file__).resolve().parents[1]

WITHOUT = "import sys; [sys.modules.__setitem__(m, None) for m in ('pandas', 'matplotlib', 'seaborn', 'papermill')]; "


def python(code):
    return subprocess.run([sys.executable, "-c", WITHOUT + code], capture_output=True, text=True)


def test_core_needs_no_report_extra():
    r = python("import minibert_nb.train, minibert_nb.predict, minibert_nb.precision, minibert_nb.mlm; print('ok')")
    assert r.returncode == 0 and r.stdout.strip() == "ok", r.stderr[-2000:]


@pytest.mark.parametrize("module", ["minibert_nb.report", "minibert_nb.ablate"])
def test_missing_report_extra_is_named(module):
    r = python(f"import {module}")
    assert r.returncode != 0 and "pip install 'minibert-nb[report]'" in r.stderr, r.stderr[-2000:]


def test_readme_torch_pin_is_in_the_declared_range():
    "The torch the README's commands pin must satisfy the range the package declares, or pip would refuse the install."
    reqs = configparser.ConfigParser(); reqs.read(REPO/"settings.ini")
    torch_req = next(Requirement(r) for r in reqs["DEFAULT"]["requirements"].split() if r.startswith("torch"))
    pins = set(re.findall(r"torch==([0-9][0-9.]*)", (REPO/"README.md").read_text()))
    assert pins and all(torch_req.specifier.contains(p) for p in pins), (pins, str(torch_req.specifier))
