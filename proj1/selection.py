"""Project 1: the candidates for `best`, measured on seeds 1000 and up (never on the test
pairs of seeds 0-9 that test.py reports), with the baseline for the cost ratio.

    python selection.py --candidates baseline deep lite lite_affine narrow   # selection_1.txt
    python selection.py --candidates baseline single aux1 aux10 lr1e-3 epochs15 epochs35 epochs50   # selection_2.txt

The round lines also give the error without test-time averaging of the candidates that use it.
"""
from comparison.experiment import run_experiment
from comparison.options import main_or_exit, option_parser
from comparison.variants import CANDIDATES


def main():
    parser = option_parser(__doc__, rounds=5, seed=1000)
    parser.add_argument('--candidates', nargs='+', choices=list(CANDIDATES), default=list(CANDIDATES),
                        help='candidates to run (default: all)')
    options = parser.parse_args()
    run_experiment({name: CANDIDATES[name] for name in options.candidates}, options)


if __name__ == '__main__':
    main_or_exit(main)
