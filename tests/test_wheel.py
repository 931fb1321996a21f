"""The package as a user gets it from a wheel: built from this checkout, installed in a fresh virtualenv, run from outside the repository."""
import importlib.util, json, os, shutil, site, subprocess, sys
from pathlib import Path
import pytest

REPO = Path(__file__).resolve().parents[1]


def sh(*cmd, cwd, env=None):
    r = subprocess.run([str(c) for c in cmd], cwd=cwd, env=env, capture_output=True, text=True)
    assert r.returncode == 0, f"{' '.join(map(str, cmd))} failed:\n{r.stdout[-3000:]}\n{r.stderr[-3000:]}"
    return r.stdout


def build_sources(dest: Path) -> Path:
    "The files `setup.py` builds from (MANIFEST.in's and the package), copied out so the build leaves no build/ or egg-info here."
    manifest = (REPO/"MANIFEST.in").read_text().splitlines()
    included = [name for line in manifest if line.startswith("include ") for name in line.split()[1:]]
    for name in ("setup.py", "MANIFEST.in", *included):
        (dest/name).parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(REPO/name, dest/name)
    shutil.copytree(REPO/"minibert_nb", dest/"minibert_nb", ignore=shutil.ignore_patterns("__pycache__"))
    return dest


def site_dirs() -> list[str]:
    """The site-packages folders this interpreter imports from, however it was set up: a virtualenv's own, a base
    Python's, a user install's. (`venv --system-site-packages` would give a new virtualenv the *base* interpreter's,
    which inside a virtualenv are not the ones the README's install filled.)"""
    dirs = site.getsitepackages() + ([site.getusersitepackages()] if site.ENABLE_USER_SITE else [])
    return [d for d in dirs if Path(d).is_dir()]


@pytest.fixture(scope="module")
def venv(tmp_path_factory):
    """A virtualenv holding the wheel of this checkout. Its dependencies are this interpreter's, reached through a
    .pth file of its site-packages folders (not the network); those folders' own .pth files are not run, so an
    editable install of this checkout stays out of sight."""
    tmp = tmp_path_factory.mktemp("wheel")
    offline = ["--no-build-isolation"] if importlib.util.find_spec("setuptools") else []    # else pip fetches setuptools itself
    sh(sys.executable, "-m", "pip", "wheel", "--no-deps", *offline, "-q", "-w", tmp/"dist", build_sources(tmp/"src"), cwd=tmp)
    wheel, = (tmp/"dist").glob("minibert_nb-*.whl")
    sh(sys.executable, "-m", "venv", tmp/"venv", cwd=tmp)
    bin_ = tmp/"venv"/"bin"
    own = Path(sh(bin_/"python", "-c", "import sysconfig; print(sysconfig.get_path('purelib'))", cwd=tmp).strip())
    (own/"_minibert_test_parent.pth").write_text("".join(f"{d}\n" for d in site_dirs()))
    sh(bin_/"python", "-m", "pip", "install", "-q", "--no-deps", "--no-index", "--ignore-installed", wheel, cwd=tmp)
    env = {**os.environ, "PATH": f"{bin_}{os.pathsep}{os.environ['PATH']}"}    # `python` (and so the Jupyter kernel) is the venv's
    work = tmp/"work"; work.mkdir()
    return bin_, env, work


def test_wheel_is_the_package_imported(venv):
    bin_, env, work = venv
    where = sh(bin_/"python", "-c", "import minibert_nb.ablate as a; print(a.__file__); print(a.find_run_notebook())", cwd=work, env=env)
    module, notebook = map(Path, where.split())
    assert bin_.parent in module.parents and REPO not in module.parents
    assert notebook == module.parent/"run.ipynb"                     # the notebook shipped inside the package
    assert json.loads(notebook.read_text()) == json.loads((REPO/"nbs"/"run.ipynb").read_text())


@pytest.mark.parametrize("cmd", [("python", "-m", "minibert_nb.ablate"), ("python", "-m", "minibert_nb.train"), ("minibert-predict",)])
def test_commands_answer_help(venv, cmd):
    bin_, env, work = venv
    assert "usage:" in sh(bin_/cmd[0], *cmd[1:], "--help", cwd=work, env=env)


def test_smoke_ablation_from_the_wheel(venv, data_path):
    "`python -m minibert_nb.ablate` from a folder outside the repository: the packaged notebook runs under papermill."
    bin_, env, work = venv
    sh(bin_/"python", "-m", "minibert_nb.ablate", "--preset", "smoke", "--methods", "RSS_MP", "--data-dir", data_path, cwd=work, env=env)
    metrics = json.loads((work/"results"/"smoke"/"RSS_MP"/"metrics.json").read_text())
    assert metrics["method"] == "RSS_MP" and 0 <= metrics["best"]["overall"] <= 1
    report = json.loads((work/"runs"/"ablate-smoke"/"RSS_MP.ipynb").read_text())
    assert Path(report["metadata"]["papermill"]["input_path"]).parent == bin_.parent.glob("lib/python*/site-packages/minibert_nb").__next__()
    assert (work/"results"/"smoke"/"table.md").exists()
