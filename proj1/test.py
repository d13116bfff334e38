"""Project 1: is the first digit of a pair lesser or equal to the second?

    python test.py                          # every architecture, 10 rounds each
    python test.py --archs baseline best --rounds 3 --device cuda

Each round redraws the 1,000 training and 1,000 test pairs and the initialisation from
`--seed` + round; the architectures take turns round by round (all train on the same pairs
in a round), and the table gives the mean and standard deviation over the rounds.
"""
from comparison.experiment import run_experiment
from comparison.options import add_out_options, main_or_exit, option_parser, parse_options, positive_float
from comparison.training import ARCHS


def main():
    parser = option_parser(__doc__)
    parser.add_argument('--archs', nargs='+', choices=list(ARCHS), default=list(ARCHS),
                        help='architectures to run (default: all)')
    parser.add_argument('--aux-weight', type=positive_float, default=None,
                        help="weight of the auxiliary digit losses (default: each architecture's own)")
    parser.add_argument('--lr', type=positive_float, default=None,
                        help="Adam's learning rate (default: each architecture's own)")
    add_out_options(parser)
    options = parse_options(parser)
    run_experiment({name: ARCHS[name] for name in options.archs}, options)


if __name__ == '__main__':
    main_or_exit(main)
