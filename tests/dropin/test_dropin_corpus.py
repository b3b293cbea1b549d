"""The drop-in corpus (see tests/dropin/manifest.toml): every script run with real torch and
with ``torch`` aliased to minigrad, printed numbers and final parameters compared.

The scripts are other people's code and are not in the repository: collect them with
tests/dropin/collect.py and point ``MINIGRAD_DROPIN_CORPUS`` at the directory. Without it
(as in CI) this test is skipped. It takes minutes: each script runs at least twice.
"""
import os
from pathlib import Path

import pytest

from corpus_manifest import ENV_VAR, corpus_dir

pytestmark = pytest.mark.skipif(
    corpus_dir() is None or not Path(corpus_dir()).is_dir(),
    reason=f"drop-in corpus not collected: set {ENV_VAR} to the directory filled by "
           "tests/dropin/collect.py (the scripts are third-party code, kept out of the repo)")


def test_corpus_scripts_match_pytorch_or_fail_clearly():
    pytest.importorskip("torch")
    from dropin_runner import run_corpus, summary, table
    only = [s for s in os.environ.get("MINIGRAD_DROPIN_ONLY", "").split(",") if s]
    verdicts = run_corpus(only, log=lambda line: None)
    print(table(verdicts))
    differing = [f"{v.id}: {v.detail}" for v in verdicts if v.verdict == "differs"]
    # a script that runs but gives other numbers is a silent wrong answer: never allowed
    assert not differing, "scripts whose results differ from PyTorch:\n" + "\n".join(differing)
    # a script that stops must stop with an exception that says what is missing
    unclear = [f"{v.id}: {v.detail}" for v in verdicts if v.verdict == "fails"
               and not any(k in v.detail for k in ("Error", "error", "not supported",
                                                   "not implemented", "not available"))]
    assert not unclear, "scripts that stop without a clear error:\n" + "\n".join(unclear)
    assert summary(verdicts)["counted"] > 0
