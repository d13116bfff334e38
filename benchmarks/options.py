"""The benchmarks' own option type. It imports no module that seeds the random generators (references.py
imports hw3_trainer, which does), so that a benchmark importing it draws what it drew without it."""
import argparse
import os

from proj1.comparison.options import positive_int


def threads_option(text):
    """argparse type of --threads: from 1 to the number of CPUs here."""
    value, cpus = positive_int(text), os.cpu_count() or 1
    if value > cpus:
        raise argparse.ArgumentTypeError(f'{text} threads: at most {cpus}, the CPUs here')
    return value
