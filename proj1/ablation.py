"""Project 1: what each ingredient of `best` is worth, 10 rounds each.

    python ablation.py                      # every variant, 10 rounds each
    python ablation.py --rounds 1 --epochs 1

Rows: the baseline (for the cost ratio); the path from `shared_aux` to `best`, adding one
ingredient at a time (`+name`; `best` is the last step, `+shifts`); `best` with each
ingredient removed in turn (`-name`; `best` without the shifts is the path's `+repairing`,
not trained twice); `best` with two unshared towers of about the same number of parameters
(`unshared`) and without the auxiliary digit losses (`no_aux`); and the previous best, whose
tower has a second convolution at 14 x 14 (`deep`).
"""
from comparison.experiment import run_experiment
from comparison.options import add_out_options, main_or_exit, option_parser, parse_options
from comparison.variants import VARIANTS


def main():
    parser = option_parser(__doc__)
    add_out_options(parser)
    run_experiment(VARIANTS, parse_options(parser))


if __name__ == '__main__':
    main_or_exit(main)
