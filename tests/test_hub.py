"""A model_dir given as a Hugging Face hub id, read offline from a cache with the hub's layout, holding a checkpoint in the
original bert-base-uncased format (pytorch_model.bin only, `bert.` prefix, LayerNorm gamma/beta, `cls.*` pre-training heads)."""
import hashlib, json, os, subprocess, sys
import pytest
import torch

transformers = pytest.importorskip("transformers")
hub = pytest.importorskip("huggingface_hub")

from minibert_nb.bert import BertModel
from minibert_nb.paths import resolve_model_dir
from minibert_nb.tokenizer import BertTokenizer

REPO_ID, COMMIT = "google-bert/bert-base-uncased", "86b5e0934494bd15c9632b12f734a8a67f723594"
SENTENCES = ["The Rock is destined to be the 21st Century's new Conan.", "Is it worth it?"]


def original_layout(ref) -> dict:
    "`ref`'s weights named as in the original Google checkpoint, with its masked-LM and next-sentence heads."
    gamma_beta = lambda k: k.replace("LayerNorm.weight", "LayerNorm.gamma").replace("LayerNorm.bias", "LayerNorm.beta")
    sd = {gamma_beta(f"bert.{k}"): v for k, v in ref.state_dict().items()}
    h, V = ref.config.hidden_size, ref.config.vocab_size
    sd |= {"cls.predictions.bias": torch.zeros(V), "cls.predictions.transform.dense.weight": torch.randn(h, h),
           "cls.predictions.transform.dense.bias": torch.zeros(h), "cls.predictions.transform.LayerNorm.gamma": torch.ones(h),
           "cls.predictions.transform.LayerNorm.beta": torch.zeros(h), "cls.predictions.decoder.weight": torch.randn(V, h),
           "cls.seq_relationship.weight": torch.randn(2, h), "cls.seq_relationship.bias": torch.zeros(2)}
    return sd


def write_cache(cache, files: dict[str, bytes]):
    "The hub cache layout: blobs named by git sha1 (small files) or sha256 (large ones), a snapshot of symlinks, refs/main."
    repo = cache / f"models--{REPO_ID.replace('/', '--')}"
    snap = repo / "snapshots" / COMMIT
    for d in (repo / "blobs", repo / "refs", snap): d.mkdir(parents=True, exist_ok=True)
    for name, data in files.items():
        blob = hashlib.sha256(data).hexdigest() if name.endswith(".bin") else hashlib.sha1(b"blob %d\0" % len(data) + data).hexdigest()
        (repo / "blobs" / blob).write_bytes(data)
        (snap / name).symlink_to(os.path.relpath(repo / "blobs" / blob, snap))
    (repo / "refs" / "main").write_text(COMMIT)
    return snap


@pytest.fixture(scope="module")
def cached(tmp_path_factory, model_path):
    "A small random BERT with the bundled vocabulary, in a temporary Hugging Face cache; the reference model too."
    torch.manual_seed(0)
    cfg = transformers.BertConfig(hidden_size=64, num_hidden_layers=2, num_attention_heads=4, intermediate_size=128)
    ref = transformers.BertModel(cfg).eval()
    config = {k: v for k, v in json.loads(cfg.to_json_string()).items() if k != "transformers_version"}
    config["architectures"] = ["BertForMaskedLM"]
    bin_path = tmp_path_factory.mktemp("sd") / "pytorch_model.bin"
    torch.save(original_layout(ref), bin_path)
    cache = tmp_path_factory.mktemp("hf") / "hub"
    snap = write_cache(cache, {"config.json": json.dumps(config).encode(), "vocab.txt": (model_path / "vocab.txt").read_bytes(),
                               "tokenizer_config.json": b'{"do_lower_case": true}', "pytorch_model.bin": bin_path.read_bytes()})
    return cache, snap, ref


@pytest.fixture
def offline(cached, monkeypatch):
    "What HF_HUB_CACHE=<cache> HF_HUB_OFFLINE=1 give a process that imports huggingface_hub afterwards."
    monkeypatch.setattr(hub.constants, "HF_HUB_CACHE", str(cached[0]))
    monkeypatch.setattr(hub.constants, "HF_HUB_OFFLINE", True)
    return cached


def test_hub_id_resolves_to_the_cached_snapshot(offline):
    cache, snap, _ = offline
    assert resolve_model_dir(REPO_ID) == snap


def test_original_layout_loads_and_matches_transformers(offline):
    "gamma/beta renamed, the `bert.` prefix dropped, the cls.* heads set aside: outputs equal transformers' on every real token."
    _, _, ref = offline
    ours, tok = BertModel.from_pretrained(REPO_ID).eval(), BertTokenizer.from_pretrained(REPO_ID)
    b = tok(SENTENCES, SENTENCES[::-1])
    with torch.no_grad():
        a = ours(b["input_ids"], b["attention_mask"], b["token_type_ids"])
        r = ref(**b)
    real = b["attention_mask"].bool()
    assert (a.last_hidden_state - r.last_hidden_state)[real].abs().max() <= 1e-5
    assert (a.pooler_output - r.pooler_output).abs().max() <= 1e-5


def test_not_cached_offline_is_a_clear_error(tmp_path, monkeypatch):
    monkeypatch.setattr(hub.constants, "HF_HUB_CACHE", str(tmp_path))
    monkeypatch.setattr(hub.constants, "HF_HUB_OFFLINE", True)
    with pytest.raises(FileNotFoundError, match="HF_HUB_OFFLINE is set"):
        resolve_model_dir("google-bert/bert-large-cased")


def test_corrupt_cached_weights_are_refused(tmp_path, monkeypatch, model_path):
    snap = write_cache(tmp_path, {"config.json": b'{"model_type": "bert"}', "vocab.txt": (model_path / "vocab.txt").read_bytes(),
                                  "pytorch_model.bin": b"weights"})
    (snap / "pytorch_model.bin").resolve().write_bytes(b"weightz")          # the blob's bytes no longer match its name
    monkeypatch.setattr(hub.constants, "HF_HUB_CACHE", str(tmp_path))
    monkeypatch.setattr(hub.constants, "HF_HUB_OFFLINE", True)
    with pytest.raises(ValueError, match="sha256"):
        resolve_model_dir(REPO_ID)


def test_without_huggingface_hub_the_error_says_what_to_install():
    code = "import sys; sys.modules['huggingface_hub'] = None; from minibert_nb.paths import resolve_model_dir; resolve_model_dir('org/model')"
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert r.returncode != 0 and "pip install huggingface_hub" in r.stderr, r.stderr[-2000:]


def test_a_run_trains_from_a_hub_id(cached, tmp_path, data_path):
    "The command-line run with the hub's own environment variables: nothing downloaded, the cached model trained and saved."
    cache, snap, _ = cached
    env = {**os.environ, "HF_HUB_CACHE": str(cache), "HF_HUB_OFFLINE": "1", "MINIBERT_DATA": str(data_path)}
    out = tmp_path / "run"
    r = subprocess.run([sys.executable, "-m", "minibert_nb.train", "RSS_MP", "--preset", "smoke", "--quiet",
                        "--set", f"model_dir={REPO_ID}", f"out_dir={out}"], capture_output=True, text=True, env=env, cwd=tmp_path)
    assert r.returncode == 0, r.stderr[-3000:]
    metrics = json.loads((out / "metrics.json").read_text())
    assert metrics["config"]["model_dir"] == REPO_ID and metrics["best"] is not None
    from minibert_nb.checkpoint import checkpoint_header
    assert json.loads(checkpoint_header(out / "best.safetensors")["bert_config"])["hidden_size"] == 64
