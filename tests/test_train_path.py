"""Our CPU training path (attention written out, 16-bit dropout masks) against transformers, and under torch.compile.

With every dropout mask made all-ones, a training-mode forward and backward of ours must give transformers' outputs and
gradients in eval mode (no dropout) on the same weights and padded batches: the only differences left are the paths."""
import pytest
import torch

transformers = pytest.importorskip("transformers")

import minibert_nb.bert as bert
from minibert_nb.bert import BertModel, BertConfig, to_hf_state_dict
from minibert_nb.tokenizer import BertTokenizer

SENTENCES = ["The Rock is destined to be the 21st Century's new Conan.", "A man is playing a guitar.",
             "What can you get as a customer of Star Alliance?", "Hi"]
PAIRS = ["A man plays the guitar.", "Is it worth it?", "", "Hello there, how are you today my friend?"]


def test_cpu_training_path_matches_transformers(model_path, monkeypatch):
    tok = BertTokenizer.from_pretrained(model_path)
    ours = BertModel.from_pretrained(model_path).train()
    ref = transformers.BertModel.from_pretrained(str(model_path), attn_implementation="sdpa").float().eval()
    batch = tok(SENTENCES, PAIRS)
    assert not batch["attention_mask"].bool().all()                     # padding: the mask is used, not dropped
    monkeypatch.setattr(bert, "keep_mask", lambda shape, p, dtype=torch.float32: torch.ones(shape, dtype=dtype))
    a = ours(batch["input_ids"], batch["attention_mask"], batch["token_type_ids"])
    b = ref(input_ids=batch["input_ids"], attention_mask=batch["attention_mask"], token_type_ids=batch["token_type_ids"])
    real = batch["attention_mask"].bool()
    assert (a.last_hidden_state - b.last_hidden_state)[real].abs().max().item() <= 1e-5
    loss = lambda o: (o.last_hidden_state * real[..., None]).pow(2).sum() + o.pooler_output.pow(2).sum()
    loss(a).backward(); loss(b).backward()
    ref_grads = {k: p.grad for k, p in ref.named_parameters()}
    ours_grads = to_hf_state_dict({k: p.grad for k, p in ours.named_parameters()}, ours.config.num_hidden_layers)
    top = max(g.abs().max().item() for g in ref_grads.values())
    for k, g in ours_grads.items():                        # the key bias's gradient is zero in exact arithmetic (softmax
        scale = max(ref_grads[k].abs().max().item(), 1e-3 * top)   # ignores a shift of all scores): compare it to the largest
        assert (g - ref_grads[k]).abs().max().item() / scale <= 1e-4, k


def test_training_path_really_drops():
    "Without the patch, training mode differs from eval mode and two training forwards differ (dropout is on)."
    torch.manual_seed(0)
    m = BertModel(BertConfig(vocab_size=100, hidden_size=32, num_hidden_layers=2, num_attention_heads=4, intermediate_size=64))
    ids = torch.randint(1, 100, (3, 9))
    y1, y2 = m.train()(ids).last_hidden_state, m(ids).last_hidden_state
    assert not torch.allclose(y1, y2) and not torch.allclose(y1, m.eval()(ids).last_hidden_state)


def test_compiled_model_matches_eager():
    "torch.compile takes torch's dropout and attention kernels (`is_compiling`): same outputs in eval, a clean graph in training."
    import torch._dynamo as dynamo
    dynamo.reset(); dynamo.utils.counters.clear()
    torch.manual_seed(0)
    m = BertModel(BertConfig(vocab_size=100, hidden_size=32, num_hidden_layers=2, num_attention_heads=4, intermediate_size=64))
    ids = torch.randint(1, 100, (3, 9)); am = torch.ones_like(ids); am[1, 6:] = 0
    c = torch.compile(m)
    m.eval()
    torch.testing.assert_close(c(ids, am).last_hidden_state, m(ids, am).last_hidden_state, atol=1e-5, rtol=1e-5)
    m.train()
    c(ids, am).last_hidden_state.pow(2).sum().backward()
    assert m.layers[0].attention.qkv.weight.grad.abs().sum() > 0
    assert not dynamo.utils.counters["graph_break"]


def test_compiled_run_with_length_buckets(tmp_path, data_path, monkeypatch):
    """A smoke run with `compile` and `pad_multiple`: it trains, every encoder call sees a bucket's length (the
    compiled encoder's few shapes), and its checkpoint holds the same weight names as an eager run's."""
    import math
    from safetensors import safe_open
    from minibert_nb.model import MultitaskBert, pad_length
    from minibert_nb.train import run
    lengths = set()
    original = MultitaskBert.sentence_vectors
    def spy(self, task, x):
        lengths.add(pad_length(x, self.length_multiple)["input_ids"].shape[1])
        return original(self, task, x)
    monkeypatch.setattr(MultitaskBert, "sentence_vectors", spy)
    runs = {c: run("RSS_MP", "smoke", data_dir=str(data_path), out_dir=str(tmp_path / str(c)), precision="fp32",
                   compile=c, pad_multiple=16, progress=False) for c in (True, False)}
    assert lengths <= {16, 32} and lengths                      # max_length 32: two shapes, whatever the sentences
    assert all(math.isfinite(v) for v in runs[True]["history"][0]["train_loss"].values())
    names = {}
    for c in runs:
        with safe_open(str(tmp_path / str(c) / "best.safetensors"), "pt") as f: names[c] = set(f.keys())
    assert names[True] == names[False] and not any("_orig_mod" in n for n in names[True])
