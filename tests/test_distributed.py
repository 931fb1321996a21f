"""Two gloo processes on CPU make the same update as one process on the same global batch (with and without GS, with and
without `max_tokens` slicing, with SST's teacher run on each process's rows),
and `torchrun -m minibert_nb.train` runs end to end with rank 0 writing the results once, and resumes after a SIGKILL."""
import gc, json, os, signal, subprocess, sys, time
import pytest
import torch
import torch.distributed as dist
import torch.multiprocessing as mp
from torch.nn.parallel import DistributedDataParallel as DDP
from minibert_nb.bert import BertConfig, BertModel
from minibert_nb.data import encode_split, load_tasks
from minibert_nb.schedule import schedule
from minibert_nb.model import MultitaskBert, parse_method
from minibert_nb.pcgrad import PCGrad
from minibert_nb.tokenizer import BertTokenizer
from minibert_nb.distributed import shard
from minibert_nb.checkpoint import STATE_FILE
from minibert_nb.train import split_by_tokens, train_step, with_teacher_targets

STEPS = 3


def small_model(method):
    "A small random encoder with `method`'s heads and no dropout (masks would differ between 1 and 2 processes)."
    no_dropout = dict(hidden_dropout_prob=0.0, attention_probs_dropout_prob=0.0)
    bert = BertModel(BertConfig(hidden_size=32, num_hidden_layers=2, num_attention_heads=2, intermediate_size=64, **no_dropout))
    model = MultitaskBert(bert, parse_method(method))
    for mod in model.modules():
        if isinstance(mod, torch.nn.Dropout): mod.p = 0.0                           # the MLP heads' own dropout
    return model


def teaching(seen: list):
    "SST's targets from a small frozen teacher (half its probabilities, half the gold class); each batch's rows go into `seen`."
    torch.manual_seed(1)
    teacher = small_model("RSS_MP").eval().requires_grad_(False)
    def teach(batch):
        seen.append(len(batch["labels"]))
        return with_teacher_targets(teacher, batch, 0.5, "cpu", "fp32")
    return teach


def setup(method, data_path, model_path):
    "A small random encoder with its heads, an optimizer, and three real RSS steps of odd batch sizes (uneven slices)."
    torch.manual_seed(0)
    tok = BertTokenizer.from_pretrained(model_path)
    tasks = load_tasks(data_path)
    small = {t: encode_split(tasks[t]["train"].subset(range(40)), tok, 32) for t in tasks}
    model = small_model(method)
    # plain SGD: Adam's m/√v turns a float-rounding-sized gradient into a full-sized step, which would hide the comparison
    opt = torch.optim.SGD(model.parameters(), lr=0.01)
    pcgrad = PCGrad(opt, model.bert.parameters(), seed=0) if parse_method(method).pcgrad else None
    steps = list(schedule("rss", small, epoch=0, seed=3, batch_size=5, para_batch=7, rss_size=7 * STEPS))
    return model, opt, pcgrad, steps


def worker(rank, world_size, init_file, method, max_tokens, data_path, model_path, out, taught=False):
    torch.set_num_threads(1)
    dist.init_process_group("gloo", init_method=f"file://{init_file}", rank=rank, world_size=world_size)
    model, opt, pcgrad, steps = setup(method, data_path, model_path)
    seen = []
    teach = teaching(seen) if taught else None
    ddp = DDP(model, find_unused_parameters=True)
    losses = [train_step(ddp, b, opt, pcgrad, "cpu", "test", max_tokens=max_tokens, teach=teach) for b in steps]
    if rank == 0: torch.save({"params": {k: v.detach() for k, v in model.state_dict().items()}, "losses": losses,
                              "teacher_rows": seen}, out)
    dist.barrier()
    del ddp; gc.collect()          # as train.run does: DDP freed before its process group, not at interpreter exit (SIGABRT)
    dist.destroy_process_group()


@pytest.mark.parametrize("max_tokens", [None, 40])
@pytest.mark.parametrize("method", ["RSS_MP", "RSS_MP_GS_CNN_Res_MLP1"])
def test_two_processes_match_one(method, max_tokens, data_path, model_path, tmp_path):
    mp.spawn(worker, args=(2, str(tmp_path/"init"), method, max_tokens, str(data_path), str(model_path), str(tmp_path/"ddp.pt")), nprocs=2)
    model, opt, pcgrad, steps = setup(method, data_path, model_path)
    if max_tokens:                                   # the two ranks cut some shard into different numbers of slices
        n_slices = lambda b, r: len(split_by_tokens(shard(b, r, 2)[0], max_tokens))
        assert any(n_slices(b[t], 0) != n_slices(b[t], 1) for b in steps for t in b)
        assert any(n_slices(b[t], 0) > 1 for b in steps for t in b)
    start = {k: v.detach().clone() for k, v in model.state_dict().items()}
    losses = [train_step(model, b, opt, pcgrad, "cpu", "test", max_tokens=max_tokens) for b in steps]
    got = torch.load(tmp_path/"ddp.pt")
    for k, v in model.state_dict().items():
        torch.testing.assert_close(got["params"][k], v, atol=2e-5, rtol=1e-4, msg=lambda m: f"{method}, max_tokens {max_tokens}, {k}: {m}")
    moved = sum((v - start[k]).abs().sum().item() for k, v in model.state_dict().items())
    assert moved > 1.0                               # the steps really changed the weights
    for a, b in zip(got["losses"], losses):
        assert a.keys() == b.keys() and all(abs(a[t] - b[t]) < 1e-5 for t in a)


def test_two_processes_match_one_taught(data_path, model_path, tmp_path):
    "With SST's teacher: the same update as one process, the teacher run on each process's own rows alone."
    method = "RSS_MP"
    args = (2, str(tmp_path/"init"), method, None, str(data_path), str(model_path), str(tmp_path/"ddp.pt"), True)
    mp.spawn(worker, args=args, nprocs=2)
    got = torch.load(tmp_path/"ddp.pt")
    model, opt, pcgrad, steps = setup(method, data_path, model_path)
    plain, _, _, _ = setup(method, data_path, model_path)
    plain_opt = torch.optim.SGD(plain.parameters(), lr=0.01)
    seen = []
    teach = teaching(seen)
    for b in steps:
        train_step(model, b, opt, pcgrad, "cpu", "test", teach=teach)
        train_step(plain, b, plain_opt, None, "cpu", "test")
    assert got["teacher_rows"] == [len(shard(b["sst"], 0, 2)[0]["labels"]) for b in steps]       # rank 0's half
    assert seen == [len(b["sst"]["labels"]) for b in steps] and sum(got["teacher_rows"]) < sum(seen)
    for k, v in model.state_dict().items():
        torch.testing.assert_close(got["params"][k], v, atol=2e-5, rtol=1e-4, msg=lambda m: f"{k}: {m}")
    apart = max((v - plain.state_dict()[k]).abs().max().item() for k, v in model.state_dict().items())
    assert apart > 1e-4                              # the teacher's targets reached the step


def torchrun(*settings, method="RSS_MP_GS", **popen):
    "`torchrun --nproc_per_node 2 -m minibert_nb.train METHOD --preset smoke` on CPU in fp32 with `settings`."
    cmd = [sys.executable, "-m", "torch.distributed.run", "--standalone", "--nproc_per_node", "2", "-m", "minibert_nb.train",
           method, "--preset", "smoke", "--quiet", "--set", "device=cpu", "epochs=3", "max_steps=6", "seed=5",
           "precision=fp32", *settings]               # not auto: on a bf16 CPU two runs' probes may choose differently
    env = {**os.environ, "OMP_NUM_THREADS": "1"}
    if popen: return subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    r = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=600)
    assert r.returncode == 0, r.stderr[-3000:]
    return r


def test_torchrun_end_to_end_and_resume(data_path, tmp_path):
    os.environ.setdefault("MINIBERT_DATA", str(data_path))
    full = tmp_path/"full"
    r = torchrun(f"out_dir={full}")
    metrics = json.loads((full/"metrics.json").read_text())
    assert metrics["machine"]["processes"] == 2 and len(metrics["history"]) == 3
    assert sorted(p.name for p in (full/"predictions").iterdir()) == [
        "para-dev-output.csv", "sst-dev-output.csv", "sst-test-output.csv", "sts-dev-output.csv", "sts-test-output.csv"]
    assert not (full/STATE_FILE).exists() and (full/"best.safetensors").exists()
    assert sum(1 for line in r.stdout.splitlines() if line.startswith('{"method"')) == 1      # rank 0 alone reports

    killed = tmp_path/"killed"                                       # SIGKILL every process after the first epoch
    proc = torchrun(f"out_dir={killed}", popen=True)
    deadline = time.time() + 300
    while not (killed/STATE_FILE).exists():
        assert proc.poll() is None, "the run ended before it could be killed"
        assert time.time() < deadline
        time.sleep(0.02)
    os.killpg(proc.pid, signal.SIGKILL); proc.wait()
    assert len(json.loads((killed/"metrics.json").read_text())["history"]) < 3
    torchrun(f"out_dir={killed}", "resume=true")
    resumed = json.loads((killed/"metrics.json").read_text())
    assert resumed["resumed_after_epoch"] >= 1
    strip = lambda h: [{k: v for k, v in e.items() if k != "epoch_time_s"} for e in h]
    assert strip(resumed["history"]) == strip(metrics["history"]) and resumed["best"] == metrics["best"]


def test_torchrun_sst_finish(data_path, tmp_path):
    "SST's finishing epochs under DDP: the model is wrapped anew over SST's own parameters, and Para and STS stay put."
    os.environ.setdefault("MINIBERT_DATA", str(data_path))
    torchrun(f"out_dir={tmp_path}", "sst_finish_epochs=2", method="RSS_MP_GS_OWN1")
    metrics = json.loads((tmp_path/"metrics.json").read_text())
    history, start = metrics["history"], metrics["sst_finish"]["from_epoch"]
    assert len(history) == 5 and metrics["sst_finish"]["steps"] == 12
    assert all(list(h["train_loss"]) == ["sst"] for h in history[3:])
    for h in history[3:]:
        assert (h["para_acc"], h["sts_corr"]) == (history[start - 1]["para_acc"], history[start - 1]["sts_corr"])
