"""`tools/gpu_checks.sh`, what a session with a borrowed GPU runs, works end to end on a CPU (its plumbing check), and
writes what the results page reads. A GPU is lent rarely and briefly; a script broken in between would spend that time
on a traceback."""
import json, os, subprocess, tarfile
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def test_gpu_checks_run_on_cpu(data_path, tmp_path):
    work, out = tmp_path / "work", tmp_path / "out"
    work.mkdir()
    (work / "minibert_nb").symlink_to(REPO / "minibert_nb")        # the script runs the checkout's package
    script = str(REPO / "tools" / "gpu_checks.sh")
    env = {**os.environ, "MINIBERT_DATA": str(data_path)}
    subprocess.run(["bash", script, "pack"], cwd=work, env=env, check=True, capture_output=True)
    assert (work / "gpu-kit" / "weights" / "model.safetensors").stat().st_size > 40e6         # the fp16 copy
    env.update(OUT=str(out), RESULTS=str(tmp_path / "table2"), RUNS=str(tmp_path / "runs"), DEVICE="cpu",
               PRESET="smoke", REPEATS="1", JOBS="2", TABLE_S="400", METHODS="RSS_MP")
    r = subprocess.run(["bash", script, "run"], cwd=work, env=env, capture_output=True, text=True)
    assert r.returncode == 0, r.stdout[-3000:] + r.stderr[-3000:]
    assert (out / "gpu_checks.log").read_text().rstrip().splitlines()[-1].startswith("== done")

    # the two RSS_MP_GS runs, eager and compiled with padded lengths: the fields the results page's table reads
    runs = {c: json.loads((out / f"gs-compile-{c}.json").read_text()) for c in ("false", "true")}
    for c, m in runs.items():
        assert (m["method"], m["preset"], m["config"]["compile"]) == ("RSS_MP_GS", "smoke", c == "true")
        assert m["config"]["pad_multiple"] == (32 if c == "true" else 1)
        assert m["time_s"] > 0 and m["history"] and all(h["epoch_time_s"] > 0 for h in m["history"])
        assert {"sst_acc", "para_acc", "sts_corr", "overall"} <= set(m["best"]) and m["machine"]["precision"]

    # bench's compile part: our compiled step against transformers' eager one, in bf16 at 32×64
    bench = json.loads((out / "bench-compile.json").read_text())
    part = next(v for k, v in bench.items() if k.startswith("compile_"))
    assert (part["precision"], part["batch"], part["length"]) == ("bf16", 32, 64)
    train = part["train"]
    assert {"ours", "ours_compiled", "transformers"} <= set(train["s"]) and train["ours_compiled_vs_transformers"] > 0
    assert train["first_call_s"]["ours_compiled"] > 0

    # Table 2 over seeds 1 2 3: every run's metrics.json in the archive that comes back
    with tarfile.open(out / "gpu-table2.tar.gz") as t:
        names = set(t.getnames())
    assert {f"table2/RSS_MP/seed{s}/metrics.json" for s in (1, 2, 3)} <= names, sorted(names)
