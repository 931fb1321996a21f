"""What a plain `pip install` gives: the core runs without the report extra, and the modules that need it say how to get it."""
import subprocess, sys
import pytest

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
