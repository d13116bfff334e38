"""Project 1: the candidates for `best`, measured on seeds 1000 and up (never on the test
pairs of seeds 0-9 that test.py reports), with the baseline for the cost ratio.

    python selection.py --candidates baseline deep lite lite_affine narrow --out results/selection_1.json
    python selection.py --candidates baseline single aux1 aux10 lr1e-3 epochs15 epochs35 epochs50 \
        --out results/selection_2.json

The round lines also give the error without test-time averaging of the candidates that use it.
"""
from comparison.experiment import run_experiment
from comparison.options import add_out_options, main_or_exit, option_parser, parse_options
from comparison.variants import CANDIDATES


def main():
    parser = option_parser(__doc__, rounds=5, seed=1000)
    parser.add_argument('--candidates', nargs='+', choices=list(CANDIDATES), default=list(CANDIDATES),
                        help='candidates to run (default: all)')
    add_out_options(parser)
    options = parse_options(parser)
    run_experiment({name: CANDIDATES[name] for name in options.candidates}, options)


if __name__ == '__main__':
    main_or_exit(main)
