import os
import sys

sys.path.insert(0, os.path.dirname(__file__))  # the tests import the shared `nets` module
