"""Project 2's task: is a point of [0, 1]^2 inside the disk of centre (0.5, 0.5) and radius
1 / sqrt(2 pi)? Its data, the handout's network, the training recipe of test.py, one round, and the
command-line options of the scripts that run it."""
import argparse
import math
import statistics
from collections import namedtuple

import torch

if __package__:  # imported as proj2.disc from the repository's root (the tests and benchmarks)
    from .framework import Adam, Linear, LossMSE, ReLU, Sequential, error_rate, standardiser, train
else:  # beside test.py, as the scripts of the hand-in import it
    from framework import Adam, Linear, LossMSE, ReLU, Sequential, error_rate, standardiser, train

######################################################################
# The data and the network


def generate_disc_set(nb, dtype=None, device=None):
    """`nb` points uniform in [0, 1]^2 (nb x 2) and their targets (nb x 1): 1 inside the disk
    of centre (0.5, 0.5) and radius 1 / sqrt(2 pi), whose area is 1/2, 0 outside."""
    input = torch.empty(nb, 2, dtype=dtype, device=device).uniform_()
    inside = (input - 0.5).square().sum(1, keepdim=True) < 1 / (2 * math.pi)
    return input, inside.to(input.dtype)


def disc_network(init='he', dtype=None, device=None):
    """The handout's network: two inputs, three hidden ReLU layers of 25 units, one output."""
    return Sequential(Linear(2, 25, init, dtype, device), ReLU(),
                      Linear(25, 25, init, dtype, device), ReLU(),
                      Linear(25, 25, init, dtype, device), ReLU(),
                      Linear(25, 1, init, dtype, device))

######################################################################
# One round of test.py


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
    """Mean and sample standard deviation of a list of numbers (None for a single value: it is undefined)."""
    return statistics.mean(values), statistics.stdev(values) if len(values) > 1 else None


def plural(count, noun):
    """'1 round', '10 rounds'."""
    return f'{count} {noun}{"" if count == 1 else "s"}'

######################################################################
# The command line


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


def option_parser(description):
    """The options of a round of test.py: its seed, training and device."""
    parser = argparse.ArgumentParser(description=description, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument('--seed', type=int, default=0, help='seed of the round (default: %(default)s)')
    parser.add_argument('--epochs', type=positive_int, default=200, help='epochs of each round (default: %(default)s)')
    parser.add_argument('--batch-size', type=positive_int, default=50, help='mini-batch size (default: %(default)s)')
    parser.add_argument('--lr', type=positive_float, default=1e-2,
                        help='Adam learning rate of the first half (default: %(default)s)')
    parser.add_argument('--log-every', type=non_negative_int, default=20,
                        help='epochs between two loss lines, 0 for none (default: %(default)s)')
    parser.add_argument('--device', type=device_option, default='cpu',
                        help='cpu, cuda or cuda:N (default: %(default)s)')
    return parser
