"""The code in README.md and docs/*.md runs as written.

* Every ```python block runs; the blocks of one file run in order in one namespace (a later
  block may use what an earlier one defined, as a reader following the page would), in an empty
  working directory. A block that is not meant to run alone says so on its first line, visibly:
  ``# fragment: ...`` (why); it is only compiled. A block whose first line says it needs
  Graphviz's dot program runs only where ``dot`` is installed (.ci/run installs it).
* Every ``minigrad ...`` command in a ```bash block parses with the real command-line parser,
  so a renamed or removed option cannot linger in the docs.
* The README's test command is the one .ci/run runs.
"""
import re
import shlex
import shutil
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PAGES = [ROOT / "README.md"] + sorted((ROOT / "docs").glob("*.md"))
FENCE = re.compile(r"^```([\w-]*)[^\n]*\n(.*?)^```", re.S | re.M)
FRAGMENT = "# fragment"
NEEDS_DOT = "# needs Graphviz's dot"


def blocks(page, language):
    """``(line number, code)`` of every fenced block in ``language``."""
    text = page.read_text(encoding="utf-8")
    return [(text[:m.start()].count("\n") + 1, m.group(2)) for m in FENCE.finditer(text)
            if m.group(1) == language]


@pytest.mark.parametrize("page", PAGES, ids=lambda p: p.name)
def test_python_blocks_run(page, tmp_path, monkeypatch):
    code_blocks = blocks(page, "python")
    if not code_blocks:
        pytest.skip("no python block")
    if any("load_digits" in code for _, code in code_blocks):
        pytest.importorskip("sklearn")
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("MPLBACKEND", "Agg")
    namespace = {"__name__": "__docs__"}
    for line, code in code_blocks:
        where = f"{page.name}:{line}"
        compiled = compile(code, where, "exec")
        if code.lstrip().startswith(FRAGMENT):
            continue
        if code.lstrip().startswith(NEEDS_DOT) and shutil.which("dot") is None:
            continue  # the page says so; .ci/run installs Graphviz
        try:
            exec(compiled, namespace)
        except Exception as e:
            raise AssertionError(f"the python block at {where} fails as written: "
                                 f"{type(e).__name__}: {e}") from e


def _commands(page):
    for line, code in blocks(page, "bash"):
        pending, first = "", None
        for offset, text in enumerate(code.splitlines()):
            first = first if pending else line + 1 + offset
            text = pending + " " + text.split("  #")[0].strip()
            if text.endswith("\\"):  # continued on the next line
                pending = text[:-1]
                continue
            pending = ""
            text = text.split("&&")[-1].strip()
            for prefix in ("python -m minigrad ", "minigrad "):
                if text.startswith(prefix):
                    yield f"{page.name}:{first}", shlex.split(text[len(prefix):])


COMMANDS = [c for page in PAGES for c in _commands(page)]


@pytest.mark.parametrize("where, argv", COMMANDS, ids=[w for w, _ in COMMANDS])
def test_minigrad_commands_in_the_docs_parse(where, argv):
    from minigrad.cli import build_parser
    if {"--help", "-h", "--version"} & set(argv):
        with pytest.raises(SystemExit) as e:
            build_parser().parse_args(argv)
        assert e.value.code == 0, where
        return
    args = build_parser().parse_args(argv)  # an unknown option exits with status 2
    assert args.command is not None, where


def test_readme_test_command_is_what_ci_runs():
    readme = [code.strip() for _, code in blocks(ROOT / "README.md", "bash")]
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8").splitlines()
    command = 'pip install -e ".[test,viz,datasets]" && python -m pytest'
    assert command in readme and command in ci
