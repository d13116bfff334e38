"""Project 1: the candidates for `best`, measured on seeds 1000 and up (never on the test
pairs of seeds 0-9 that test.py reports), with the baseline for the cost ratio.

    python selection.py --candidates baseline best lite --rounds 5

The round lines also give each candidate's error without test-time averaging.
"""
from functools import partial

from models import Comparator
from test import option_parser, parsed, run_experiment
from train import ARCHS, AUX_WEIGHT, Arch, distorted, translated

AFFINE = partial(distorted, shift=1.0, degrees=10.0, scale=0.1)

CANDIDATES = {
    'baseline': ARCHS['baseline'],
    'best': ARCHS['best'],
    'lite': Arch(lambda: Comparator(deep=False), aux_weight=AUX_WEIGHT, lr=3e-3, repair=True, distort=translated,
                 test_shifts=1),
    'lite_affine': Arch(lambda: Comparator(deep=False), aux_weight=AUX_WEIGHT, lr=3e-3, repair=True, distort=AFFINE,
                        test_shifts=1),
    'narrow': Arch(lambda: Comparator(channels=16), aux_weight=AUX_WEIGHT, lr=3e-3, repair=True,
                          distort=AFFINE, test_shifts=1),
}


def main():
    parser = option_parser(__doc__, rounds=5, seed=1000)
    parser.add_argument('--candidates', nargs='+', choices=list(CANDIDATES), default=list(CANDIDATES))
    options = parsed(parser)
    run_experiment({name: CANDIDATES[name] for name in options.candidates}, options)


if __name__ == '__main__':
    main()
