"""A real run killed with SIGKILL mid-epoch resumes from its last complete epoch and ends exactly where an
uninterrupted run with the same seed ends (CPU), in fp32 and in bf16 (there with EMA, whose average must resume too)."""
import json, os, signal, subprocess, sys, time
import pytest

from minibert_nb.bert import BertModel
from minibert_nb.model import MultitaskBert, parse_method
from minibert_nb.paths import default_model_dir
from minibert_nb.checkpoint import STATE_FILE, save_train_state, train_state_info
from minibert_nb.config import make_config
from minibert_nb.train import build_optimizer, run

SETTINGS = dict(epochs=3, seed=5, device="cpu")


def strip_times(history):
    return [{k: v for k, v in h.items() if k != "epoch_time_s"} for h in history]


# bf16 takes 3 steps an epoch, not 8: a CPU without bf16 units emulates bf16, a training step at about a sixteenth
# of fp32's speed (results/bench-nobf16.json)
@pytest.mark.parametrize("method, precision, steps", [("RSS_MP_GS_CNN_Res_MLP1", "fp32", 8), ("Baseline", "fp32", 8),
                                                      ("RSS_MP_GS_CNN_Res_MLP1_EMA", "bf16", 3)])
def test_sigkill_then_resume_matches_uninterrupted(tmp_path, method, precision, steps):
    settings = {**SETTINGS, "precision": precision, "max_steps": steps}
    full = run(method, "smoke", out_dir=str(tmp_path / "full"), progress=False, **settings)
    assert full["machine"]["precision"] == precision
    assert not (tmp_path / "full" / STATE_FILE).exists()          # a finished run leaves nothing to resume

    out = tmp_path / "killed"
    code = f"from minibert_nb.train import run; run({method!r}, 'smoke', out_dir={str(out)!r}, progress=False, **{settings!r})"
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
        run(method, "smoke", out_dir=str(out), progress=False, **settings)
    resumed = run(method, "smoke", out_dir=str(out), progress=False, resume=True, **settings)
    assert resumed["resumed_after_epoch"] >= 1
    assert strip_times(resumed["history"]) == strip_times(full["history"])
    assert resumed["best"] == full["best"] and resumed["machine"]["precision"] == precision
    assert (out / "predictions" / "sts-dev-output.csv").read_text() == (tmp_path / "full" / "predictions" / "sts-dev-output.csv").read_text()


def test_resume_without_state_is_a_clear_error(tmp_path):
    with pytest.raises(FileNotFoundError, match="nothing to resume"):
        run("RSS_MP", "smoke", out_dir=str(tmp_path), progress=False, resume=True)


def test_resume_keeps_the_precision_auto_chose(tmp_path):
    "`auto` is decided once: a resumed run takes its precision from the training state instead of measuring again."
    settings = dict(epochs=2, max_steps=2, device="cpu")
    first = run("RSS_MP", "smoke", out_dir=str(tmp_path), progress=False, **settings)
    other = "fp32" if first["machine"]["precision"] == "bf16" else "bf16"
    cfg = make_config("RSS_MP", "smoke", **settings)                  # a state as a run leaves it after epoch 1, recording the other choice
    model = MultitaskBert(BertModel.from_pretrained(default_model_dir()), parse_method("RSS_MP"))
    scores = {k: first["history"][0][k] for k in ("sst_acc", "para_acc", "sts_corr", "overall")}
    save_train_state(tmp_path / STATE_FILE, model, build_optimizer(model, cfg), None, epoch=1, step=2, history=first["history"][:1],
                     best={"epoch": 1, **scores}, mlm=None, precision=other, bf16_speedup=1.0)
    assert train_state_info(tmp_path / STATE_FILE)["precision"] == other
    resumed = run("RSS_MP", "smoke", out_dir=str(tmp_path), progress=False, resume=True, **settings)
    assert (resumed["machine"]["precision"], resumed["machine"]["bf16_speedup"]) == (other, 1.0)


def test_resume_inside_sst_finish_matches_uninterrupted(tmp_path):
    """A run stopped after the first of SST's finishing epochs (`sst_finish_epochs`, 09_train) resumes with the same
    parameters frozen and PCGrad off, and ends exactly where the uninterrupted run ends."""
    from minibert_nb.train import run_epoch, set_up
    settings = dict(epochs=2, max_steps=3, sst_finish_epochs=2, seed=5, device="cpu", precision="fp32")
    full = run("RSS_MP_GS_OWN1", "smoke", out_dir=str(tmp_path / "full"), progress=False, **settings)
    assert [h["epoch"] for h in full["history"]] == [1, 2, 3, 4] and full["sst_finish"]["steps"] == 6

    s = set_up(make_config("RSS_MP_GS_OWN1", "smoke", out_dir=str(tmp_path / "cut"), **settings), progress=False)
    for epoch in range(3): run_epoch(s, epoch)             # the plan's two epochs and the first finishing one, then stop
    assert train_state_info(tmp_path / "cut" / STATE_FILE)["epoch"] == 3
    del s
    resumed = run("RSS_MP_GS_OWN1", "smoke", out_dir=str(tmp_path / "cut"), progress=False, resume=True, **settings)
    assert resumed["resumed_after_epoch"] == 3 and resumed["sst_finish"] == full["sst_finish"]
    assert strip_times(resumed["history"]) == strip_times(full["history"]) and resumed["best"] == full["best"]
    assert (tmp_path / "cut" / "predictions" / "sst-test-output.csv").read_text() == \
        (tmp_path / "full" / "predictions" / "sst-test-output.csv").read_text()
