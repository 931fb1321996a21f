"""Every command the README names answers a user's mistake with one line naming the problem, and no traceback
(`--debug` shows it); the data problem is found before any training, from the command line, papermill and `run()`."""
import json, os, subprocess, sys
import pytest

from helpers import write_folder


@pytest.fixture(scope="module")
def bad_data(tmp_path_factory):
    "A data folder whose SST dev file holds its header and no rows."
    return write_folder(tmp_path_factory.mktemp("data") / "cs224n", {"ids-sst-dev.csv": 0})


def command(*args, cwd, python=sys.executable):
    "Run a command as a user does; its exit status and what it wrote to stderr."
    exe = [python, "-m", *args] if args[0].startswith("minibert_nb.") else list(args)
    r = subprocess.run([str(a) for a in exe], cwd=cwd, capture_output=True, text=True,
                       env={**os.environ, "PYTHONWARNINGS": "ignore"})
    return r.returncode, r.stderr


def one_line(rc, err, prog, *says, kernel=False):
    """The command failed with one line, `prog: ...`, saying each of `says`, and no traceback. With `kernel` (papermill
    ran a Jupyter kernel, which shares the terminal and may log its own shutdown trouble, a ZMQ error, as it exits)
    no traceback passes through our code or papermill's."""
    assert rc == 1, err
    if kernel: assert not [l for l in err.splitlines() if 'File "' in l and ("minibert_nb" in l or "papermill" in l)], err
    else: assert "Traceback" not in err, err
    line = err.strip().splitlines()[-1]
    assert line.startswith(f"{prog}: ") and all(s in line for s in says), err
    return line


def test_train(bad_data, tmp_path):
    rc, err = command("minibert_nb.train", "RSS_MP", "--preset", "smoke", "--set", f"data_dir={bad_data}", cwd=tmp_path)
    one_line(rc, err, "python -m minibert_nb.train", f"{bad_data}/ids-sst-dev.csv: 0 usable row(s) for dev")
    rc, err = command("minibert_nb.train", "RSS_MP", "--preset", "smoke", "--debug", "--set", f"data_dir={bad_data}",
                      cwd=tmp_path)
    assert rc == 1 and "Traceback" in err and "DataError" in err              # --debug: the traceback itself
    assert not (tmp_path / "runs").exists()                                   # nothing written: refused before training


def test_run_refuses_before_training(bad_data, tmp_path):
    from minibert_nb.data import DataError
    from minibert_nb.train import run
    with pytest.raises(DataError, match="ids-sst-dev.csv: 0 usable row"):
        run("RSS_MP", "smoke", data_dir=str(bad_data), out_dir=str(tmp_path / "out"), progress=False)
    assert not (tmp_path / "out").exists()


def test_ablate_direct_and_through_papermill(bad_data, tmp_path):
    common = ("--preset", "smoke", "--methods", "RSS_MP", "--data-dir", bad_data, "--results-dir", tmp_path / "results")
    rc, err = command("minibert_nb.ablate", *common, "--direct", "--runs-dir", tmp_path / "direct", cwd=tmp_path)
    one_line(rc, err, "python -m minibert_nb.ablate", "ids-sst-dev.csv: 0 usable row(s)")
    rc, err = command("minibert_nb.ablate", *common, "--runs-dir", tmp_path / "runs", cwd=tmp_path)
    report = tmp_path / "runs" / "RSS_MP.ipynb"
    one_line(rc, err, "python -m minibert_nb.ablate", "RSS_MP failed: run.ipynb: ", "ids-sst-dev.csv: 0 usable row(s)",
             f"(report: {report})", kernel=True)
    errors = [o for c in json.loads(report.read_text())["cells"] for o in c.get("outputs", []) if o["output_type"] == "error"]
    assert len(errors) == 1 and len(errors[0]["traceback"]) == 1           # papermill's report: the same one line
    assert errors[0]["traceback"][0].startswith("run.ipynb: ") and "ids-sst-dev.csv: 0 usable row(s)" in errors[0]["traceback"][0]


def test_ensemble(tmp_path):
    rc, err = command("minibert_nb.ensemble", tmp_path / "nothing.safetensors", cwd=tmp_path)
    one_line(rc, err, "python -m minibert_nb.ensemble", f"checkpoint {tmp_path / 'nothing.safetensors'} does not exist")


def test_bench(bad_data, tmp_path):
    rc, err = command("minibert_nb.bench", "--only", "tokenizer", "--data-dir", bad_data, cwd=tmp_path)
    one_line(rc, err, "python -m minibert_nb.bench", "ids-sst-dev.csv: 0 usable row(s)")


@pytest.fixture(scope="module")
def small_checkpoint(tmp_path_factory, model_path):
    "A real checkpoint of a small random encoder with the bundled vocabulary."
    import torch
    from minibert_nb.bert import BertConfig, BertModel
    from minibert_nb.checkpoint import save_checkpoint
    from minibert_nb.model import MultitaskBert, parse_method
    from minibert_nb.tokenizer import BertTokenizer
    torch.manual_seed(0)
    tok = BertTokenizer.from_pretrained(model_path)
    bert = BertModel(BertConfig(vocab_size=len(tok), hidden_size=32, num_hidden_layers=1, num_attention_heads=2,
                                intermediate_size=64))
    path = tmp_path_factory.mktemp("ckpt") / "best.safetensors"
    save_checkpoint(MultitaskBert(bert, parse_method("RSS_MP")), path, tokenizer=tok)
    return path


def test_predict(small_checkpoint, tmp_path):
    empty = tmp_path / "input.csv"
    empty.write_text("id\tsentence\n")
    args = ("--task", "sst", "--input", empty, "--output", tmp_path / "out.csv", "--device", "cpu")
    rc, err = command("minibert-predict", small_checkpoint, *args, cwd=tmp_path)
    one_line(rc, err, "minibert-predict", f"{empty}: 0 usable row(s) for prediction")
    damaged = tmp_path / "damaged.safetensors"
    raw = bytearray(small_checkpoint.read_bytes())
    raw[-200:-136] = bytes(b ^ 0xFF for b in raw[-200:-136])       # 64 bytes of the last tensor's data flipped
    damaged.write_bytes(bytes(raw))
    empty.write_text("id\tsentence\na1\tFine .\n")
    rc, err = command("minibert-predict", damaged, *args, cwd=tmp_path)
    one_line(rc, err, "minibert-predict", f"{damaged} is damaged")
    assert not (tmp_path / "out.csv").exists()


def test_bench_prints_its_table(tmp_path):
    "The benchmark's command runs a part through to its table and JSON file."
    r = subprocess.run([sys.executable, "-m", "minibert_nb.bench", "--only", "checkpoint", "--repeats", "1", "--json",
                        tmp_path / "bench.json"], cwd=tmp_path, capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    assert "| checkpoint of " in r.stdout and "checksum" in json.loads((tmp_path / "bench.json").read_text())["checkpoint"]["ms"]
