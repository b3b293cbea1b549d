"""minigrad train --model gpt and minigrad sample: progress and validation lines, checkpoint
content, exact resume, seeded samples, errors."""
import numpy as np
import pytest

import minigrad as mg
from minigrad.cli import main

TINY = ["--model", "gpt", "--layers", "1", "--heads", "2", "--width", "16", "--block-size", "8",
        "--batch-size", "4", "--eval-every", "3", "--eval-batches", "2", "--seed", "3"]


@pytest.fixture
def corpus(tmp_path):
    path = tmp_path / "corpus.txt"
    path.write_text("the cat sat on the mat. " * 40, encoding="utf-8")
    return str(path)


def run_cli(capsys, *argv):
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_train_reports_validation_and_saves_a_checkpoint(capsys, tmp_path, corpus):
    ckpt = tmp_path / "gpt.ckpt"
    code, out, err = run_cli(capsys, "train", "--dataset", corpus, "--steps", "6", "--save",
                             str(ckpt), *TINY)
    assert code == 0, err
    lines = out.splitlines()
    assert "vocabulary 11" in lines[0] and "unigram entropy" in lines[0]
    evals = [ln for ln in lines if ln.startswith("step ")]
    assert [ln.split()[1] for ln in evals] == ["0/6", "3/6", "6/6"]
    assert all(" val " in ln for ln in evals)
    assert lines[-2].startswith("final: val loss")
    saved = mg.load(str(ckpt))
    assert saved["format"] == "minigrad-gpt-1" and saved["step"] == 6
    assert saved["tokenizer"] == " .acehmnost"
    assert saved["config"]["n_layer"] == 1 and len(saved["history"]["val_loss"]) == 3


def test_plot_and_time_limit(capsys, tmp_path, corpus):
    pytest.importorskip("matplotlib")
    png = tmp_path / "loss.png"
    code, out, err = run_cli(capsys, "train", "--dataset", corpus, "--steps", "50", "--minutes",
                             "1e-9", "--plot", str(png), *TINY)
    assert code == 0, err
    assert "--minutes 1e-09 reached at step 0" in out
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_resume_continues_exactly(capsys, tmp_path, corpus, monkeypatch):
    import shutil

    from minigrad.cli import gpt
    straight, middle = tmp_path / "a.ckpt", tmp_path / "b.ckpt"
    save = gpt._save

    def save_and_keep_step_3(path, settings, step, *rest):
        save(path, settings, step, *rest)
        if step == 3:
            shutil.copy(path, middle)

    monkeypatch.setattr(gpt, "_save", save_and_keep_step_3)
    assert run_cli(capsys, "train", "--dataset", corpus, "--steps", "6", "--save", str(straight),
                   *TINY)[0] == 0
    assert mg.load(str(middle))["step"] == 3
    code, out, _ = run_cli(capsys, "train", "--dataset", corpus, "--steps", "6", "--save",
                           str(middle), "--resume", str(middle), *TINY)
    assert code == 0 and "resumed at step 3" in out
    a, b = mg.load(str(straight)), mg.load(str(middle))
    assert b["step"] == 6 and b["history"]["step"] == a["history"]["step"]
    for key in a["model"]:
        np.testing.assert_array_equal(a["model"][key], b["model"][key])


def test_sample_is_seeded(capsys, tmp_path, corpus):
    ckpt = tmp_path / "gpt.ckpt"
    run_cli(capsys, "train", "--dataset", corpus, "--steps", "3", "--save", str(ckpt), *TINY)
    outs = [run_cli(capsys, "sample", str(ckpt), "--tokens", "40", "--seed", str(s),
                    "--prompt", "the ", "--top-k", "5")[1] for s in (1, 1, 2)]
    assert outs[0] == outs[1] != outs[2]
    assert outs[0].startswith("the ") and len(outs[0]) == 4 + 40 + 1
    greedy = run_cli(capsys, "sample", str(ckpt), "--tokens", "10", "--temperature", "0")[1]
    assert greedy == run_cli(capsys, "sample", str(ckpt), "--tokens", "10", "--temperature", "0",
                             "--seed", "9")[1]


@pytest.mark.parametrize("extra, message", [
    (["--optimizer", "sgd"], "trains with AdamW"),
    (["--warmup", "10"], "--warmup"),
    (["--width", "15"], "divisible"),
    (["--dropout", "1.5"], "--dropout"),
])
def test_train_errors(capsys, corpus, extra, message):
    code, _, err = run_cli(capsys, "train", "--dataset", corpus, "--steps", "5", *TINY, *extra)
    assert code == 2 and message in err


def test_train_and_sample_input_errors(capsys, tmp_path, corpus):
    code, _, err = run_cli(capsys, "train", "--model", "gpt", "--dataset", str(tmp_path / "none"))
    assert code == 2 and "--dataset" in err and "stdlib, names" in err
    code, _, err = run_cli(capsys, "sample", str(tmp_path / "none.ckpt"))
    assert code == 2 and "no checkpoint" in err
    other = tmp_path / "other.ckpt"
    mg.save({"format": "something else"}, str(other))
    code, _, err = run_cli(capsys, "sample", str(other))
    assert code == 2 and "not a GPT checkpoint" in err
    ckpt = tmp_path / "gpt.ckpt"
    run_cli(capsys, "train", "--dataset", corpus, "--steps", "3", "--save", str(ckpt), *TINY)
    code, _, err = run_cli(capsys, "sample", str(ckpt), "--prompt", "xyz")
    assert code == 2 and "'x' is not in the vocabulary" in err
    code, _, err = run_cli(capsys, "train", "--dataset", corpus, "--steps", "4",
                           "--resume", str(ckpt), *TINY)
    assert code == 2 and "steps=3 (now 4)" in err


@pytest.mark.parametrize("argv", [["sample", "{dir}"],
                                  ["train", "--dataset", "{corpus}", "--resume", "{dir}", *TINY]])
def test_a_folder_as_checkpoint_is_one_line(capsys, tmp_path, corpus, argv):
    argv = [a.format(dir=tmp_path, corpus=corpus) for a in argv]
    code, out, err = run_cli(capsys, *argv)
    assert code == 2 and "is a folder, not a checkpoint" in err
    assert len(err.strip().splitlines()) == 1 and "step " not in out


@pytest.mark.parametrize("extra,message", [
    (["--epochs", "3"], "--epochs does not apply to --model gpt"),
    (["--hidden", "8", "--momentum", "0.5"], "--hidden, --momentum do not apply to --model gpt"),
])
def test_options_gpt_does_not_read_are_refused(capsys, corpus, extra, message):
    code, out, err = run_cli(capsys, "train", "--dataset", corpus, "--steps", "2", *TINY, *extra)
    assert code == 2 and message in err and out == ""
