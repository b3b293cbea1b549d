"""Argument types shared by the examples: a bad value gets argparse's one-line error (exit 2)
instead of a traceback or a silent zero-epoch run."""
import argparse
import math


def parser(doc):
    """An ArgumentParser described by the first paragraph of ``doc`` that shows defaults in
    --help."""
    return argparse.ArgumentParser(description=" ".join(doc.split("\n\n")[0].split()),
                                   formatter_class=argparse.ArgumentDefaultsHelpFormatter)


def _number(text, cast, ok, what):
    try:
        value = cast(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected {what}, got {text!r}") from None
    if not (math.isfinite(value) and ok(value)):
        raise argparse.ArgumentTypeError(f"expected {what}, got {text}")
    return value


def positive_int(text):
    return _number(text, int, lambda v: v > 0, "an integer > 0")


def positive_float(text):
    return _number(text, float, lambda v: v > 0, "a finite number > 0")


def nonnegative_float(text):
    return _number(text, float, lambda v: v >= 0, "a finite number >= 0")
