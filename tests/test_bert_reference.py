"""Our encoder against transformers' BertModel on the same weights: max |diff| <= 1e-5 on every real token, every layer."""
import pytest
import torch

transformers = pytest.importorskip("transformers")

from minibert_nb.bert import BertModel
from minibert_nb.tokenizer import BertTokenizer

SENTENCES = ["The Rock is destined to be the 21st Century's new Conan.", "A man is playing a guitar.",
             "What can you get as a customer of Star Alliance?", "Hi", "naïve café, 東京 and ¿qué?" * 3]
PAIRS = ["A man plays the guitar.", "Is it worth it?", "", "Hello there, how are you today my friend?", "No."]


def max_diff(ours, ref, batch):
    ours.eval(); ref.eval()
    with torch.no_grad():
        a = ours(batch["input_ids"], batch["attention_mask"], batch["token_type_ids"], output_hidden_states=True)
        b = ref(input_ids=batch["input_ids"], attention_mask=batch["attention_mask"], token_type_ids=batch["token_type_ids"],
                output_hidden_states=True)
    real = batch["attention_mask"].bool()
    assert len(a.hidden_states) == len(b.hidden_states)
    layers = [(x - y)[real].abs().max().item() for x, y in zip(a.hidden_states, b.hidden_states)]
    return max(*layers, (a.last_hidden_state - b.last_hidden_state)[real].abs().max().item(),
               (a.pooler_output - b.pooler_output).abs().max().item())


def batches(tok):
    "Padded batches of sentences and pairs, one truncated; every batch but the truncated one has padding."
    return [tok(SENTENCES), tok(SENTENCES, PAIRS), tok(SENTENCES, PAIRS, max_length=12)]


def test_bundled_minilm_matches(model_path):
    tok = BertTokenizer.from_pretrained(model_path)
    ours = BertModel.from_pretrained(model_path)
    ref = transformers.BertModel.from_pretrained(str(model_path))
    for b in batches(tok):
        assert max_diff(ours, ref, b) <= 1e-5


@pytest.mark.parametrize("fmt", ["safetensors", "bin-with-bert-prefix"])
def test_random_bert_base_matches(model_path, tmp_path, fmt):
    torch.manual_seed(0)
    ref = transformers.BertModel(transformers.BertConfig())          # bert-base shape, random weights
    if fmt == "safetensors":
        ref.save_pretrained(tmp_path)
    else:                                                           # the original Google layout: bert. prefix, MLM head, .bin
        ref.config.save_pretrained(tmp_path)
        sd = {f"bert.{k}": v for k, v in ref.state_dict().items()}
        sd["cls.predictions.bias"] = torch.zeros(ref.config.vocab_size)
        torch.save(sd, tmp_path / "pytorch_model.bin")
    ours = BertModel.from_pretrained(tmp_path)
    assert ours.config.hidden_size == 768 and len(ours.layers) == 12
    tok = BertTokenizer.from_pretrained(model_path)
    for b in batches(tok):
        assert max_diff(ours, ref, b) <= 1e-5


def test_save_pretrained_loads_in_transformers(model_path, tmp_path):
    ours = BertModel.from_pretrained(model_path)
    with torch.no_grad():
        ours.layers[0].ffn.up.bias.add_(0.5)                       # a change the reference must see
    ours.save_pretrained(tmp_path)
    ref = transformers.BertModel.from_pretrained(str(tmp_path))
    assert max_diff(ours, ref, BertTokenizer.from_pretrained(model_path)(SENTENCES)) <= 1e-5


def test_bf16_autocast_matches_fp32_and_transformers(model_path):
    "Under bf16 autocast (CPU) ours stays within bf16's accuracy of fp32 and of transformers under the same autocast."
    tok = BertTokenizer.from_pretrained(model_path)
    ours = BertModel.from_pretrained(model_path).eval()
    ref = transformers.BertModel.from_pretrained(str(model_path), attn_implementation="sdpa").eval()
    for b in batches(tok):
        real = b["attention_mask"].bool()
        with torch.no_grad():
            fp32 = ours(b["input_ids"], b["attention_mask"], b["token_type_ids"]).last_hidden_state[real]
            with torch.autocast("cpu", dtype=torch.bfloat16):
                a = ours(b["input_ids"], b["attention_mask"], b["token_type_ids"]).last_hidden_state[real]
                r = ref(**b).last_hidden_state[real]
        assert (a - fp32).abs().max() > 1e-4                              # autocast really ran the matmuls in bf16
        rel = lambda x, y: ((x.float() - y.float()).norm() / y.float().norm()).item()
        assert rel(a, fp32) < 3e-2 and rel(a, r) < 3e-2
        assert rel(a, r) < 2 * rel(a, fp32) + 1e-3                      # no further from transformers than bf16 itself moves us


def test_output_reads_as_transformers_output(model_path):
    "Code written for transformers' BertModel output (the CS224N starter's sanity_check.py) reads ours the same ways."
    tok = BertTokenizer.from_pretrained(model_path)
    ours, ref = BertModel.from_pretrained(model_path).eval(), transformers.BertModel.from_pretrained(str(model_path)).eval()
    b = tok(SENTENCES[:2])
    with torch.no_grad():
        for hidden in (False, True):
            a = ours(b["input_ids"], b["attention_mask"], output_hidden_states=hidden)
            r = ref(input_ids=b["input_ids"], attention_mask=b["attention_mask"], output_hidden_states=hidden)
            assert list(a.keys()) == list(r.keys()) == list(a) == list(r) and len(a) == len(r)
            for i, name in enumerate(r.keys()):
                assert name in a
                x, y = a[name], r[name]
                for u, v in ([(x, y)] if torch.is_tensor(x) else zip(x, y)):
                    torch.testing.assert_close(u, v, atol=1e-5, rtol=0)
                assert a[i] is a[name] and getattr(a, name) is a[name]
            assert len(a.to_tuple()) == len(r.to_tuple())
            torch.testing.assert_close(a["last_hidden_state"], r["last_hidden_state"], atol=1e-5, rtol=0)
            assert "hidden_states" in a if hidden else "hidden_states" not in a and "hidden_states" not in r
