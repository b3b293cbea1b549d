"""minigrad.data.text: tokenizer, (context, next-token) blocks, corpora, entropy."""
import math

import numpy as np
import pytest

from minigrad.data.text import (STDLIB_CORPUS_FILES, CharTokenizer, TextBlocks, corpus_info,
                                load_corpus, split_text, stdlib_corpus, stdlib_names,
                                unigram_entropy)


def test_tokenizer_round_trip_and_sorted_vocabulary():
    tok = CharTokenizer.from_text("hello world")
    assert tok.chars == " dehlorw" and tok.vocab_size == 8
    ids = tok.encode("hello")
    assert ids.dtype == np.int64 and ids.tolist() == [3, 2, 4, 4, 5]
    assert tok.decode(ids) == "hello" and tok.decode([]) == ""
    assert CharTokenizer(tok.chars).encode("world").tolist() == tok.encode("world").tolist()


def test_tokenizer_errors_name_the_problem():
    tok = CharTokenizer("ab")
    with pytest.raises(ValueError, match="'z' is not in the vocabulary"):
        tok.encode("abz")
    with pytest.raises(ValueError, match=r"ids must be in \[0, 2\)"):
        tok.decode([0, 2])
    with pytest.raises(ValueError, match="non-empty"):
        CharTokenizer("")


def test_blocks_are_context_and_next_token():
    tokens = np.arange(10) * 3
    blocks = TextBlocks(tokens, 4)
    assert len(blocks) == 6
    x, y = blocks[2]
    assert x.tolist() == [6, 9, 12, 15] and y.tolist() == [9, 12, 15, 18]
    xb, yb = blocks.get_batch(np.array([0, 5]))
    assert xb.tolist() == [[0, 3, 6, 9], [15, 18, 21, 24]]
    assert yb.tolist() == [[3, 6, 9, 12], [18, 21, 24, 27]]
    a = blocks.random_batch(3, np.random.default_rng(1))[0].numpy()
    b = blocks.random_batch(3, np.random.default_rng(1))[0].numpy()
    np.testing.assert_array_equal(a, b)
    assert blocks[-1][1].tolist()[-1] == 27
    with pytest.raises(IndexError):
        blocks[6]


def test_get_batch_takes_negative_indices_as_ds_i_does():
    # the same blocks as indexing one at a time, not windows wrapped across the array's end
    tokens = np.arange(10) * 3
    blocks = TextBlocks(tokens, 4)
    xb, yb = blocks.get_batch(np.array([-1, -6]))
    assert xb.tolist() == [tokens[5:9].tolist(), tokens[0:4].tolist()]
    assert yb.tolist() == [tokens[6:10].tolist(), tokens[1:5].tolist()]
    for bad in (-7, 6):
        with pytest.raises(IndexError, match=f"index {bad} out of range for 6"):
            blocks.get_batch(np.array([0, bad]))


def test_blocks_errors():
    with pytest.raises(ValueError, match="too few"):
        TextBlocks(np.arange(4), 4)
    with pytest.raises(ValueError, match="1-d integer"):
        TextBlocks(np.zeros(10), 2)
    with pytest.raises(ValueError, match="block_size"):
        TextBlocks(np.arange(10), 0)


def test_split_and_unigram_entropy():
    train, val = split_text("abcdefghij", 0.2)
    assert (train, val) == ("abcdefgh", "ij")
    assert unigram_entropy("abab") == pytest.approx(math.log(2))
    assert unigram_entropy(np.array([0, 0, 0, 1])) == pytest.approx(
        -(0.75 * math.log(0.75) + 0.25 * math.log(0.25)))
    with pytest.raises(ValueError):
        split_text("abc", 1.5)


def test_stdlib_corpus_is_the_fixed_file_list_and_reproducible():
    import sysconfig
    text = stdlib_corpus()
    assert text == load_corpus("stdlib")
    root = sysconfig.get_paths()["stdlib"]
    with open(f"{root}/{STDLIB_CORPUS_FILES[0]}", encoding="utf-8") as f:
        assert text.startswith(f.read())
    info = corpus_info(text)
    assert info["characters"] > 1_000_000 and len(info["sha256"]) == 16
    assert "def " in text and "class " in text
    assert unigram_entropy(text) > 2.5  # code is far from a few repeated characters


def test_names_list_is_stdlib_definitions():
    names = stdlib_names()
    assert names == sorted(set(names)) and len(names) > 1000
    assert {"namedtuple", "ArgumentParser", "dumps"} <= set(names)
    assert all(n.isidentifier() for n in names)
    lines = load_corpus("names").splitlines()
    assert sorted(lines) == names and lines != names  # shuffled with a fixed seed
    assert load_corpus("names").splitlines() == lines


def test_load_corpus_from_a_file(tmp_path):
    path = tmp_path / "t.txt"
    path.write_text("tiny text\n", encoding="utf-8")
    assert load_corpus(str(path)) == "tiny text\n"
    with pytest.raises(FileNotFoundError, match="stdlib, names"):
        load_corpus(str(tmp_path / "missing.txt"))
    (tmp_path / "empty.txt").write_text("")
    with pytest.raises(ValueError, match="empty"):
        load_corpus(str(tmp_path / "empty.txt"))
