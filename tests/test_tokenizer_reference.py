"""Our WordPiece tokenizer against transformers' BertTokenizerFast on every sentence of the CS224N data."""
import pytest

transformers = pytest.importorskip("transformers")

from minibert_nb.tokenizer import BertTokenizer


def _columns(path):
    "Every text field of a CS224N file, read as raw tab-separated text (quoting off), and its sentence pairs."
    lines = path.read_text(encoding="utf-8").splitlines()
    header = lines[0].split("\t")
    rows = [line.split("\t") for line in lines[1:] if line]
    def col(name):
        k = len(header) - header.index(name)          # count from the right: test files have a shifted header
        return [r[-k] for r in rows if len(r) >= k]
    singles = [s for name in ("sentence", "sentence1", "sentence2") if name in header for s in col(name)]
    pairs = list(zip(col("sentence1"), col("sentence2"))) if "sentence2" in header else []
    return singles, pairs


@pytest.fixture(scope="module")
def toks(model_path):
    return BertTokenizer.from_pretrained(model_path), transformers.BertTokenizerFast.from_pretrained(str(model_path))


@pytest.fixture(scope="module")
def corpus(data_path):
    files = sorted(data_path.glob("*.csv"))
    assert len(files) >= 10, files
    return {f.name: _columns(f) for f in files}


@pytest.mark.parametrize("max_length", [512, 24])
def test_single_sentences_match(toks, corpus, max_length):
    ours, ref = toks
    n = 0
    for name, (singles, _) in corpus.items():
        expected = ref(singles, truncation=True, max_length=max_length)["input_ids"]
        for i, (s, e) in enumerate(zip(singles, expected)):
            assert ours.encode(s, max_length=max_length) == e, f"{name} sentence {i}: {s!r}"
        n += len(singles)
    assert n > 60_000


@pytest.mark.parametrize("max_length", [512, 40, 17])
def test_pairs_match(toks, corpus, max_length):
    ours, ref = toks
    n = 0
    for name, (_, pairs) in corpus.items():
        if not pairs: continue
        a, b = map(list, zip(*pairs))
        expected = ref(a, b, truncation="longest_first", max_length=max_length)
        for i, (x, y) in enumerate(pairs):
            ids, types = ours.encode_with_types(x, y, max_length=max_length)
            assert ids == expected["input_ids"][i], f"{name} pair {i}: {x!r} / {y!r}"
            assert types == expected["token_type_ids"][i], f"{name} pair {i} token types"
        n += len(pairs)
    assert n > 25_000


def test_batch_tensors_match(toks, corpus):
    ours, ref = toks
    a, b = map(list, zip(*corpus["sts-dev.csv"][1][:64]))
    got = ours(a, b, max_length=64)
    exp = ref(a, b, truncation=True, max_length=64, padding=True, return_tensors="pt")
    for k in ("input_ids", "token_type_ids", "attention_mask"):
        assert got[k].tolist() == exp[k].tolist(), k


@pytest.mark.parametrize("text", ["Héllo WÖRLD", "ΟΔΟΣ", "東京タワー", "naïve café", "a\u00a0b\u2028c\u200bd",
                                  "\x00\ufffd x", "İstanbul", "ﬁne", "①②", "emoji 😀 ok", "x" * 120, "tab\tnew\nline"])
def test_unicode_edge_cases(toks, text):
    ours, ref = toks
    assert ours.encode(text) == ref(text)["input_ids"]


@pytest.mark.parametrize("text, pair", [("hello there", ""), ("hello", "   "), ("", "world"), ("", ""), ("a b", "\t")])
def test_empty_and_blank_pairs_match_batches(toks, text, pair):
    "An empty or blank pair: ours equals transformers' batch call; its single call drops an empty pair, and we pin that difference."
    ours, ref = toks
    batch = ref([text], [pair])
    assert ours.encode_with_types(text, pair) == (batch["input_ids"][0], batch["token_type_ids"][0])
    if pair == "":
        assert ref(text, pair)["input_ids"] == ours.encode(text)       # transformers' single call: no second segment at all
