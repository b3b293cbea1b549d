"""The optim tests import torch (optional comparisons) before minigrad starts OpenMP, so the
one-time warning about an OpenMP runtime minigrad could not configure is expected here."""
import os
import sys

sys.path.insert(0, os.path.dirname(__file__))  # tests import the shared `cases` module


def pytest_configure(config):
    config.addinivalue_line(
        "filterwarnings", "ignore:minigrad.optim. GNU OpenMP was loaded:RuntimeWarning")
