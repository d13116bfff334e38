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

from disc import mean_std, option_parser, plural, positive_int, run_round
from framework import Diverged


def main():
    parser = option_parser(__doc__)
    parser.add_argument('--rounds', type=positive_int, default=1,
                        help='rounds with fresh data and initialisation, round r seeded by seed + r '
                             '(default: %(default)s)')
    options = parser.parse_args()
    torch.set_grad_enabled(False)  # the handout's rule: the framework runs without autograd
    train_errors, test_errors = [], []
    for r in range(options.rounds):
        seed = options.seed + r
        print(f'round {r + 1}/{options.rounds}, seed {seed}', flush=True)
        try:
            result = run_round(seed, options)
        except Diverged as error:
            sys.exit(str(error))
        print(f'round {r + 1}: train error {100 * result.train_error:.2f}% '
              f'test error {100 * result.test_error:.2f}%', flush=True)
        train_errors.append(result.train_error)
        test_errors.append(result.test_error)
    for name, errors in (('train', train_errors), ('test', test_errors)):
        mean, std = mean_std(errors)
        spread = '' if std is None else f' std {100 * std:.2f}%'
        print(f'{name} error over {plural(options.rounds, "round")}: mean {100 * mean:.2f}%{spread}')


if __name__ == '__main__':
    main()
