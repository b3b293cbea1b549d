"""Text for language models: a character tokenizer, (context, next-token) blocks, and two
corpora that need no download because every machine running minigrad has them.

* ``stdlib``: the source of a fixed list of modules of Python's standard library
  (:data:`STDLIB_CORPUS_FILES`, about 3 MB of code, comments and docstrings), read from the
  running interpreter's ``Lib`` folder. Why this rather than a public-domain book shipped in
  the package: it costs the package nothing, it is present wherever minigrad runs, and it
  is real text with long-range structure (indentation, brackets, names used again far
  below their definition). The text depends on the Python version, so splits and figures
  are reproducible between machines with the same Python (``corpus_info`` gives a
  fingerprint to compare).
* ``names``: the function and class names defined across the whole standard library
  (about 10,000 distinct names on CPython 3.11), one per line: the names list of a
  makemore-style model. No installed package ships a list of people's names (checked:
  numpy, scikit-learn, matplotlib, the standard library), so the identifiers stand in.

Any UTF-8 text file can be used instead (:func:`load_corpus` with a path).
"""
import hashlib
import os
import re
import sysconfig
from collections import Counter

import numpy as np

from ..tensor import Tensor
from .dataset import Dataset

__all__ = ["CharTokenizer", "TextBlocks", "STDLIB_CORPUS_FILES", "stdlib_corpus",
           "stdlib_names", "load_corpus", "corpus_info", "split_text", "unigram_entropy",
           "TEXT_CORPORA"]

#: The standard-library modules of the ``stdlib`` corpus, concatenated in this order. Chosen
#: as large pure-Python modules present from Python 3.9 to 3.14 (a missing one is skipped).
STDLIB_CORPUS_FILES = (
    "argparse.py", "ast.py", "base64.py", "bisect.py", "calendar.py", "cmd.py", "code.py",
    "codecs.py", "collections/__init__.py", "colorsys.py", "configparser.py", "contextlib.py",
    "copy.py", "csv.py", "dataclasses.py", "difflib.py", "dis.py", "doctest.py", "enum.py",
    "filecmp.py", "fileinput.py", "fnmatch.py", "fractions.py", "ftplib.py", "functools.py",
    "getopt.py", "gettext.py", "glob.py", "gzip.py", "heapq.py", "hmac.py", "html/parser.py",
    "http/client.py", "imaplib.py", "inspect.py", "ipaddress.py", "json/decoder.py",
    "json/encoder.py", "locale.py", "logging/__init__.py", "mailbox.py", "netrc.py",
    "numbers.py", "operator.py", "optparse.py", "os.py", "pdb.py", "pickle.py", "platform.py",
    "plistlib.py", "pprint.py", "queue.py", "random.py", "sched.py", "selectors.py",
    "shlex.py", "shutil.py", "smtplib.py", "socket.py", "statistics.py", "string.py",
    "subprocess.py", "tarfile.py", "tempfile.py", "textwrap.py", "threading.py", "timeit.py",
    "tokenize.py", "trace.py", "traceback.py", "typing.py", "urllib/parse.py",
    "urllib/request.py", "uuid.py", "wave.py", "weakref.py",
)

#: Corpus names :func:`load_corpus` knows (anything else is taken as a file path).
TEXT_CORPORA = ("stdlib", "names")

_SKIP_DIRS = {"test", "tests", "idle_test", "site-packages", "dist-packages", "__pycache__"}
_DEFINITION = re.compile(r"^[ \t]*(?:async[ \t]+)?(?:def|class)[ \t]+([A-Za-z_][A-Za-z0-9_]*)",
                         re.MULTILINE)


def _stdlib_dir():
    return sysconfig.get_paths()["stdlib"]


def stdlib_corpus(files=STDLIB_CORPUS_FILES):
    """The ``stdlib`` corpus: the listed standard-library files (paths relative to the
    ``Lib`` folder), each followed by a blank line. Files missing from this Python are
    skipped; a FileNotFoundError names the folder if none is found (some distributions
    ship the standard library as bytecode only)."""
    root = _stdlib_dir()
    parts = []
    for name in files:
        try:
            with open(os.path.join(root, name), encoding="utf-8") as f:
                parts.append(f.read())
        except (FileNotFoundError, UnicodeDecodeError):
            continue
    if not parts:
        raise FileNotFoundError(f"no standard-library source files found in {root}: this "
                                "Python ships no .py sources; pass a text file instead")
    return "\n\n".join(parts) + "\n"


def stdlib_names():
    """The ``names`` list: every distinct function and class name defined in the standard
    library's source (test folders excluded), sorted. Found with a regular expression on
    ``def``/``class`` lines: a second, not the minute that parsing every module takes."""
    root = _stdlib_dir()
    names = set()
    for folder, dirs, files in os.walk(root):
        dirs[:] = sorted(d for d in dirs if d not in _SKIP_DIRS)
        for name in sorted(files):
            if name.endswith(".py"):
                try:
                    with open(os.path.join(folder, name), encoding="utf-8") as f:
                        names.update(_DEFINITION.findall(f.read()))
                except (OSError, UnicodeDecodeError):
                    continue
    if not names:
        raise FileNotFoundError(f"no standard-library source files found in {root}")
    return sorted(names)


def load_corpus(name):
    """The text of a corpus: ``'stdlib'``, ``'names'`` (one name per line, in an order
    shuffled with a fixed seed so that a split holds names of every letter) or the path
    of a UTF-8 text file."""
    if name == "stdlib":
        return stdlib_corpus()
    if name == "names":
        names = stdlib_names()
        order = np.random.default_rng(0).permutation(len(names))
        return "\n".join(names[i] for i in order) + "\n"
    if not os.path.isfile(name):
        raise FileNotFoundError(f"no corpus {name!r}: use one of {', '.join(TEXT_CORPORA)} or "
                                "the path of a UTF-8 text file")
    with open(name, encoding="utf-8") as f:
        text = f.read()
    if not text:
        raise ValueError(f"corpus file {name} is empty")
    return text


def corpus_info(text):
    """Size, distinct characters and a sha256 fingerprint (to compare corpora between
    machines) of ``text``."""
    return {"characters": len(text), "distinct": len(set(text)),
            "sha256": hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]}


def split_text(text, val_fraction=0.1):
    """``(train, val)``: the last ``val_fraction`` of the text is held out for validation
    (held out as one piece, so no validation block overlaps a training block)."""
    if not 0 < val_fraction < 1:
        raise ValueError(f"split_text: val_fraction must be in (0, 1), got {val_fraction!r}")
    cut = int(round(len(text) * (1 - val_fraction)))
    return text[:cut], text[cut:]


def unigram_entropy(tokens):
    """Entropy (nats per token) of the token frequencies of ``tokens`` (text or ids): the
    cross-entropy of the best model that ignores context, which a language model must beat."""
    counts = np.array(list(Counter(tokens.tolist() if isinstance(tokens, np.ndarray)
                                   else tokens).values()), dtype=np.float64)
    p = counts / counts.sum()
    return float(-(p * np.log(p)).sum())


class CharTokenizer:
    """Characters to integer ids and back. The vocabulary is ``chars`` (sorted, distinct),
    ids ``0 .. vocab_size - 1`` in that order; build it with :meth:`from_text`. The
    vocabulary string is all a checkpoint needs to rebuild the tokenizer."""

    def __init__(self, chars):
        if not isinstance(chars, str) or not chars:
            raise ValueError("CharTokenizer: chars must be a non-empty string")
        self.chars = "".join(sorted(set(chars)))
        self._ids = {c: i for i, c in enumerate(self.chars)}
        self._table = np.array(list(self.chars))

    @classmethod
    def from_text(cls, text):
        """The tokenizer whose vocabulary is every character of ``text``."""
        return cls(text)

    @property
    def vocab_size(self):
        """The number of distinct characters (ids run from 0 to ``vocab_size - 1``)."""
        return len(self.chars)

    def encode(self, text):
        """``text`` as an int64 array of ids; a character outside the vocabulary raises a
        ValueError naming it."""
        try:
            return np.fromiter((self._ids[c] for c in text), dtype=np.int64, count=len(text))
        except KeyError as e:
            raise ValueError(f"encode: character {e.args[0]!r} is not in the vocabulary of "
                             f"{self.vocab_size} characters") from None

    def decode(self, ids):
        """The text of ids (a Tensor, array or list of ints)."""
        ids = ids._data if isinstance(ids, Tensor) else np.asarray(ids)
        if ids.size == 0:
            return ""
        if ids.dtype.kind not in "iu":
            raise ValueError(f"decode: ids must be integers, got dtype {ids.dtype}")
        if ids.min() < 0 or ids.max() >= self.vocab_size:
            raise ValueError(f"decode: ids must be in [0, {self.vocab_size}), got values from "
                             f"{ids.min()} to {ids.max()}")
        return "".join(self._table[ids.reshape(-1)].tolist())

    def __repr__(self):
        return f"CharTokenizer(vocab_size={self.vocab_size})"


class TextBlocks(Dataset):
    """(context, next-token) blocks of a token sequence: sample ``i`` is
    ``(tokens[i : i + block_size], tokens[i + 1 : i + 1 + block_size])``, so position
    ``t`` of the target is the token that follows the context up to position ``t``. Every
    offset is a sample (``len = len(tokens) - block_size``); :meth:`get_batch` cuts a whole
    batch with one fancy index, and :meth:`random_batch` draws one, as language-model
    training loops do."""

    def __init__(self, tokens, block_size):
        tokens = tokens._data if isinstance(tokens, Tensor) else np.asarray(tokens)
        if tokens.ndim != 1 or tokens.dtype.kind not in "iu":
            raise ValueError(f"TextBlocks: tokens must be a 1-d integer array, got dtype "
                             f"{tokens.dtype} and shape {tokens.shape}")
        if isinstance(block_size, bool) or not isinstance(block_size, (int, np.integer)) \
                or block_size < 1:
            raise ValueError(f"TextBlocks: block_size must be a positive int, got {block_size!r}")
        if len(tokens) <= block_size:
            raise ValueError(f"TextBlocks: {len(tokens)} tokens are too few for one block of "
                             f"{block_size} plus its next token")
        self.tokens = tokens.astype(np.int64, copy=False)
        self.block_size = int(block_size)
        self._offsets = np.arange(self.block_size)

    def __len__(self):
        return len(self.tokens) - self.block_size

    def __getitem__(self, index):
        x, y = self.get_batch(np.array([index]))
        return x[0], y[0]

    def get_batch(self, indices):
        """``(x, y)`` int64 Tensors of shape (len(indices), block_size); negative indices
        count from the end, as for ``ds[i]``."""
        indices, n = np.asarray(indices, dtype=np.int64), len(self)
        if indices.size and not (-n <= indices.min() and indices.max() < n):
            bad = indices[(indices < -n) | (indices >= n)][0]
            raise IndexError(f"TextBlocks: index {bad} out of range for {n} blocks")
        # the rows are offsets added to the start: a negative start must wrap first
        rows = (indices % n)[:, None] + self._offsets
        return Tensor._wrap(self.tokens[rows]), Tensor._wrap(self.tokens[rows + 1])

    def random_batch(self, batch_size, rng):
        """A batch of ``batch_size`` blocks at offsets drawn uniformly by the numpy
        Generator ``rng``."""
        return self.get_batch(rng.integers(0, len(self), batch_size))

