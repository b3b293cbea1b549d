"""docs/viz.md and its pictures stay in step with the code."""
import os
import re

from minigrad.cli import race as race_cli
from minigrad.viz import DEFAULT_LINEUP, SURFACES

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
DOC = os.path.join(ROOT, "docs", "viz.md")


def test_every_picture_in_the_doc_exists():
    text = open(DOC, encoding="utf-8").read()
    pictures = re.findall(r"!\[[^\]]*\]\((images/[^)]+)\)", text)
    assert {"images/race_saddle.gif", "images/race_rosenbrock.png",
            "images/graph.svg"} <= set(pictures)
    for rel in pictures:
        assert os.path.getsize(os.path.join(ROOT, "docs", rel)) > 0, rel
    assert os.path.getsize(os.path.join(ROOT, "docs", "images", "race_saddle.gif")) < 2 << 20


def test_doc_table_lists_every_surface():
    text = open(DOC, encoding="utf-8").read()
    for name in SURFACES:
        assert f"| `{name}` |" in text


def test_cli_default_lineup_is_the_seed_figure():
    # The CLI keeps its own copy so that `minigrad --help` does not import minigrad.viz.
    assert tuple(race_cli._DEFAULT_LINEUP.split(",")) == DEFAULT_LINEUP
