"""Project 2's executable: a 2-25-25-25-1 ReLU network of the framework learns whether a point
of [0, 1]^2 lies in the disk of centre (0.5, 0.5) and radius 1 / sqrt(2 pi), with the MSE loss.

    python test.py              # one round, seed 0
    python test.py --rounds 10  # ten rounds (seeds 0..9), mean and standard deviation

Each round draws 1,000 training and 1,000 test points, standardises them with the training
set's statistics, trains with Adam and mini-batches of 50, the learning rate divided by 10 for
the second half of the epochs, and prints the train and test error rates.
"""
import sys

import torch

from disc import add_out_options, option_parser, parse_options, positive_int, results_of, run_round, summary
from disc import main_or_exit, write_json
from framework import Diverged


def main():
    parser = option_parser(__doc__)
    parser.add_argument('--rounds', type=positive_int, default=1,
                        help='rounds with fresh data and initialisation, round r seeded by seed + r '
                             '(default: %(default)s)')
    add_out_options(parser)
    options = parse_options(parser)
    torch.set_grad_enabled(False)  # the handout's rule: the framework runs without autograd
    rounds = []
    for r in range(options.rounds):
        seed = options.seed + r
        print(f'round {r + 1}/{options.rounds}, seed {seed}', flush=True)
        try:
            rounds.append(run_round(seed, options))
        except Diverged as error:
            sys.exit(str(error))
        print(f'round {r + 1}: train error {100 * rounds[-1].train_error:.2f}% '
              f'test error {100 * rounds[-1].test_error:.2f}%', flush=True)
    print('\n'.join(summary(rounds)))
    if options.out:
        write_json(options.out, results_of(rounds, options))
        print(f'wrote {options.out}')


if __name__ == '__main__':
    main_or_exit(main)
