"""A real run killed with SIGKILL mid-epoch resumes from its last complete epoch and ends exactly where an
uninterrupted run with the same seed ends (CPU)."""
import json, os, signal, subprocess, sys, time
import pytest

from minibert_nb.train import STATE_FILE, run

SETTINGS = dict(epochs=3, max_steps=8, seed=5, device="cpu")


def strip_times(history):
    return [{k: v for k, v in h.items() if k != "epoch_time_s"} for h in history]


@pytest.mark.parametrize("method", ["RSS_MP_GS_CNN_Res_MLP1", "Baseline"])
def test_sigkill_then_resume_matches_uninterrupted(tmp_path, method):
    full = run(method, "smoke", out_dir=str(tmp_path / "full"), progress=False, **SETTINGS)
    assert not (tmp_path / "full" / STATE_FILE).exists()          # a finished run leaves nothing to resume

    out = tmp_path / "killed"
    code = f"from minibert_nb.train import run; run({method!r}, 'smoke', out_dir={str(out)!r}, progress=False, **{SETTINGS!r})"
    proc = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.time() + 300
    while not (out / STATE_FILE).exists():                         # the first epoch is complete
        assert proc.poll() is None, "the run ended before it could be killed"
        assert time.time() < deadline
        time.sleep(0.02)
    assert proc.poll() is None
    os.kill(proc.pid, signal.SIGKILL); proc.wait()
    done = json.loads((out / "metrics.json").read_text())
    assert 1 <= len(done["history"]) < len(full["history"])       # killed part-way

    with pytest.raises(FileExistsError, match="resume=True"):
        run(method, "smoke", out_dir=str(out), progress=False, **SETTINGS)
    resumed = run(method, "smoke", out_dir=str(out), progress=False, resume=True, **SETTINGS)
    assert resumed["resumed_after_epoch"] >= 1
    assert strip_times(resumed["history"]) == strip_times(full["history"])
    assert resumed["best"] == full["best"]
    assert (out / "predictions" / "sts-dev-output.csv").read_text() == (tmp_path / "full" / "predictions" / "sts-dev-output.csv").read_text()


def test_resume_without_state_is_a_clear_error(tmp_path):
    with pytest.raises(FileNotFoundError, match="nothing to resume"):
        run("RSS_MP", "smoke", out_dir=str(tmp_path), progress=False, resume=True)
