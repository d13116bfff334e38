"""Project 1: the candidates for `best`, measured on seeds 1000 and up (never on the test
pairs of seeds 0-9 that test.py reports), with the baseline for the cost ratio.

    python selection.py --candidates baseline deep lite lite_affine narrow   # selection_1.txt
    python selection.py --candidates baseline single aux1 aux10 lr1e-3 epochs15 epochs35 epochs50   # selection_2.txt

The round lines also give the error without test-time averaging of the candidates that use it.
"""
import dataclasses
from functools import partial

from models import Comparator
from test import option_parser, parsed, run_experiment
from train import ARCHS, distorted

import course_data  # noqa: E402  (train puts the repository root on sys.path)

AFFINE = partial(distorted, shift=1.0, degrees=10.0, scale=0.1)
LITE = ARCHS['best']  # the tower without a second 14 x 14 convolution, the candidate that became `best`


def candidate(**changes):
    """`lite` with some fields changed."""
    return dataclasses.replace(LITE, **changes)


CANDIDATES = {
    'baseline': ARCHS['baseline'],
    'deep': candidate(make=lambda: Comparator(deep=True)),  # the previous `best`, named so in selection_1.txt
    'lite': candidate(test_shifts=1),
    'lite_affine': candidate(distort=AFFINE, test_shifts=1),
    'narrow': candidate(make=lambda: Comparator(channels=16, deep=True), distort=AFFINE, test_shifts=1),
    'single': LITE,
    'aux1': candidate(aux_weight=1.0),
    'aux10': candidate(aux_weight=10.0),
    'lr1e-3': candidate(lr=1e-3),
    'epochs15': candidate(epochs=15),
    'epochs35': candidate(epochs=35),
    'epochs50': candidate(epochs=50),
}


def main():
    parser = option_parser(__doc__, rounds=5, seed=1000)
    parser.add_argument('--candidates', nargs='+', choices=list(CANDIDATES), default=list(CANDIDATES))
    options = parsed(parser)
    run_experiment({name: CANDIDATES[name] for name in options.candidates}, options)


if __name__ == '__main__':
    course_data.main_or_exit(main)
