"""The code in README.md and docs/*.md runs as written.

* Every ```python block runs; the blocks of one file run in order in one namespace (a later
  block may use what an earlier one defined, as a reader following the page would), in an empty
  working directory. A block that is not meant to run alone says so on its first line, visibly:
  ``# fragment: ...`` (why); it is only compiled. A block whose first line says it needs
  Graphviz's dot program runs only where ``dot`` is installed (.ci/run installs it); one whose
  first line says ``# needs torch and safetensors: ...`` runs only where those optional
  packages import (it is still compiled everywhere).
* Every ``minigrad ...`` command in a ```bash block parses with the real command-line parser,
  so a renamed or removed option cannot linger in the docs.
* The README's test command is the one .ci/run runs.
"""
import importlib.util
import json
import os
import re
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PAGES = [ROOT / "README.md"] + sorted((ROOT / "docs").glob("*.md"))
FENCE = re.compile(r"^```([\w-]*)[^\n]*\n(.*?)^```", re.S | re.M)
FRAGMENT = "# fragment"
NEEDS_DOT = "# needs Graphviz's dot"
NEEDS_PACKAGES = re.compile(r"# needs ([\w ,]+?):")


def _missing_packages(first_line):
    """The optional packages a ``# needs a and b: ...`` block names that do not import."""
    m = NEEDS_PACKAGES.match(first_line)
    if not m:
        return []
    names = [n.strip() for n in re.split(r",| and ", m.group(1)) if n.strip()]
    return [n for n in names if importlib.util.find_spec(n) is None]


def blocks(page, language):
    """``(line number, code)`` of every fenced block in ``language``."""
    text = page.read_text(encoding="utf-8")
    return [(text[:m.start()].count("\n") + 1, m.group(2)) for m in FENCE.finditer(text)
            if m.group(1) == language]


# Runs the blocks of one page in order in one namespace; names the block that fails.
RUNNER = """
import json, sys, traceback
namespace = {"__name__": "__docs__"}
for where, code in json.load(open(sys.argv[1])):
    try:
        exec(compile(code, where, "exec"), namespace)
    except Exception as e:
        traceback.print_exc()
        sys.exit(f"the python block at {where} fails as written: {type(e).__name__}: {e}")
"""


@pytest.mark.parametrize("page", PAGES, ids=lambda p: p.name)
def test_python_blocks_run(page, tmp_path):
    """In a fresh process (a block may change global state, such as registering a surface),
    from an empty working directory, importing this checkout's minigrad."""
    code_blocks = blocks(page, "python")
    if not code_blocks:
        pytest.skip("no python block")
    if any("load_digits" in code for _, code in code_blocks):
        pytest.importorskip("sklearn")
    if any("minigrad.viz" in code or "from minigrad import viz" in code for _, code in code_blocks):
        pytest.importorskip("matplotlib")  # the viz extra draws the pictures
    runnable = []
    for line, code in code_blocks:
        where = f"{page.name}:{line}"
        compile(code, where, "exec")  # fragments too must be valid Python
        first = code.lstrip()
        if first.startswith(FRAGMENT):
            continue
        if first.startswith(NEEDS_DOT):
            if shutil.which("dot") is None:
                continue  # the page says so; .ci/run installs Graphviz
        elif _missing_packages(first.splitlines()[0]):
            continue  # the page says which optional packages the block needs
        runnable.append((where, code))
    script = tmp_path / "blocks.json"
    script.write_text(json.dumps(runnable))
    env = dict(os.environ, MPLBACKEND="Agg",
               PYTHONPATH=os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")]))
    work = tmp_path / "work"
    work.mkdir()
    out = subprocess.run([sys.executable, "-c", RUNNER, str(script)], cwd=work, env=env,
                         capture_output=True, text=True, timeout=600)
    assert out.returncode == 0, out.stderr[-3000:]


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
