"""Project 2's executable: a 2-25-25-25-1 ReLU network of the framework learns whether a point
of [0, 1]^2 lies in the disk of centre (0.5, 0.5) and radius 1 / sqrt(2 pi), with the MSE loss.

    python test.py              # one round, seed 0
    python test.py --rounds 10  # ten rounds (seeds 0..9), mean and standard deviation

Each round draws 1,000 training and 1,000 test points, standardises them with the training
set's statistics, trains with Adam and mini-batches of 50, the learning rate divided by 10 for
the second half of the epochs, and prints the train and test error rates.
"""
import argparse
import math
import sys
from collections import namedtuple

import torch

from framework import Adam, Diverged, LossMSE, disc_network, error_rate, generate_disc_set, standardiser, train

torch.set_grad_enabled(False)


Round = namedtuple('Round', 'model scale data losses train_error test_error')


def run_round(seed, options):
    """Trains a fresh network on fresh data. Returns a Round: the model, the standardisation it
    expects its inputs through, the raw (train input, train target, test input, test target),
    the epoch losses and the two error rates."""
    torch.manual_seed(seed)
    train_input, train_target = generate_disc_set(1000, device=options.device)
    test_input, test_target = generate_disc_set(1000, device=options.device)
    scale = standardiser(train_input)
    model = disc_network(device=options.device)
    optimizer = Adam(model.param(), lr=options.lr)
    losses = train(model, LossMSE(), optimizer, scale(train_input), train_target, options.epochs, options.batch_size,
                   lr_schedule=lambda epoch: options.lr if 2 * epoch <= options.epochs else options.lr / 10,
                   log_every=options.log_every)
    return Round(model, scale, (train_input, train_target, test_input, test_target), losses,
                 error_rate(model, scale(train_input), train_target), error_rate(model, scale(test_input), test_target))


def mean_std(values):
    """Mean and sample standard deviation (None for a single value: it is undefined)."""
    mean = sum(values) / len(values)
    if len(values) == 1:
        return mean, None
    return mean, math.sqrt(sum((v - mean) ** 2 for v in values) / (len(values) - 1))


def positive_int(text):
    """argparse type: an integer of at least 1."""
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError(f'{text} is not a positive integer')
    return value


def non_negative_int(text):
    """argparse type: an integer of at least 0."""
    value = int(text)
    if value < 0:
        raise argparse.ArgumentTypeError(f'{text} is not a non-negative integer')
    return value


def positive_float(text):
    """argparse type: a finite number above 0."""
    value = float(text)
    if not (math.isfinite(value) and value > 0):
        raise argparse.ArgumentTypeError(f'{text} is not a finite number above 0')
    return value


def device_option(text):
    """argparse type of --device: cpu, cuda or cuda:N, CUDA only where it is available."""
    try:
        device = torch.device(text)
    except RuntimeError:
        device = None
    if device is None or device.type not in ('cpu', 'cuda'):
        raise argparse.ArgumentTypeError(f'{text!r} is not a device (cpu, cuda or cuda:N)')
    if device.type == 'cuda' and not torch.cuda.is_available():
        raise argparse.ArgumentTypeError(f'{text}: CUDA is not available here')
    return text


class HelpFormatter(argparse.RawDescriptionHelpFormatter, argparse.ArgumentDefaultsHelpFormatter):
    """The description as written, every option's default in its help."""


def option_parser():
    """The command-line options of test.py."""
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=HelpFormatter)
    parser.add_argument('--seed', type=int, default=0, help='seed of the first round; round r uses seed + r')
    parser.add_argument('--rounds', type=positive_int, default=1, help='rounds with fresh data and initialisation')
    parser.add_argument('--epochs', type=positive_int, default=200, help='epochs of each round')
    parser.add_argument('--batch-size', type=positive_int, default=50, help='mini-batch size')
    parser.add_argument('--lr', type=positive_float, default=1e-2, help='Adam learning rate of the first half')
    parser.add_argument('--log-every', type=non_negative_int, default=20,
                        help='epochs between two loss lines (0: none)')
    parser.add_argument('--device', type=device_option, default='cpu', help='cpu, cuda or cuda:N')
    return parser


def main():
    options = option_parser().parse_args()
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
        print(f'{name} error over {options.rounds} round(s): mean {100 * mean:.2f}%{spread}')


if __name__ == '__main__':
    main()
