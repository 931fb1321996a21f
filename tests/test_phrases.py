"""PHR end to end on a tiny data folder with its own treebank file: phrases train beside SST's sentences, a wrong
treebank file is refused before training, and without PHR the `sst_trees` setting changes nothing."""
import pytest
from minibert_nb.data import DataError
from minibert_nb.train import run
from helpers import write_folder

SENTENCES = [("a very good film", 4), ("dull and slow", 1), ("it is fine", 2)]
TREES = ["(4 (2 a) (4 (2 very) (3 good)) (2 film))", "(1 (1 dull) (1 (2 and) (1 slow)))", "(2 (2 it) (2 (2 is) (3 fine)))"]


def tiny_sst(d, trees=TREES):
    "A data folder whose SST training file holds SENTENCES, and a treebank file of `trees` beside it."
    write_folder(d)
    rows = [f"{i}\ts{i}\t{s}\t{y}" for i, (s, y) in enumerate(SENTENCES)]
    (d / "ids-sst-train.csv").write_text("\n".join(["\tid\tsentence\tsentiment", *rows]) + "\n")
    (d / "train.txt").write_text("\n".join(trees) + "\n")
    return d


def smoke(d, out, method, **settings):
    return run(method, "smoke", data_dir=str(d), out_dir=str(out), precision="fp32", progress=False, **settings)


def test_phrases_train_beside_the_sentences(tmp_path):
    "Phrases of 2+ words that are not sentences: 'very good', 'and slow', 'is fine'."
    d = tiny_sst(tmp_path / "data")
    m = smoke(d, tmp_path / "run", "RSS_MP_PHR", sst_trees=str(d / "train.txt"))
    assert m["data"]["sst"]["phrases"] == 3 and m["history"][0]["steps"] > 0
    assert 0 < m["history"][0]["train_loss"]["sst"] < 10
    assert (tmp_path / "run" / "metrics.json").exists()


def test_a_wrong_treebank_file_is_refused_before_training(tmp_path):
    d = tiny_sst(tmp_path / "data", trees=[TREES[1], TREES[0], TREES[2]])
    with pytest.raises(DataError, match=r"train\.txt, line 1: this tree"):
        smoke(d, tmp_path / "run", "RSS_MP_PHR", sst_trees=str(d / "train.txt"))
    assert not (tmp_path / "run").exists()                                  # nothing written, nothing trained
    with pytest.raises(ValueError, match="sst_trees=PATH"): smoke(d, tmp_path / "run", "RSS_MP_PHR")


def test_without_phr_the_trees_change_nothing(tmp_path):
    d = tiny_sst(tmp_path / "data")
    plain = smoke(d, tmp_path / "a", "RSS_MP")
    given = smoke(d, tmp_path / "b", "RSS_MP", sst_trees=str(d / "train.txt"))
    untimed = lambda m: [{k: v for k, v in e.items() if k != "epoch_time_s"} for e in m["history"]]
    assert untimed(plain) == untimed(given) and "phrases" not in given["data"]["sst"]
