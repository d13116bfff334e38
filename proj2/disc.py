"""Project 2's task: is a point of [0, 1]^2 inside the disk of centre (0.5, 0.5) and radius
1 / sqrt(2 pi)? Its data, the handout's network, the training recipe of test.py, one round, and the
command-line options of the scripts that run it."""
import argparse
import contextlib
import json
import math
import os
import statistics
import sys
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


def summary(rounds):
    """The lines that end test.py's output: the mean error rates over `rounds`, and their standard deviation
    when there are several."""
    lines = []
    for name in ('train', 'test'):
        mean, std = mean_std([getattr(r, f'{name}_error') for r in rounds])
        spread = '' if std is None else f' std {100 * std:.2f}%'
        lines.append(f'{name} error over {plural(len(rounds), "round")}: mean {100 * mean:.2f}%{spread}')
    return lines


def boundary(result, resolution=101):
    """What the figures of a round need: the network's output on a `resolution` x `resolution` grid of
    [0, 1]^2 (row i at x2 = i / (resolution - 1)), the test points, their targets and which are misclassified."""
    axis = torch.linspace(0, 1, resolution, device=result.data[0].device)
    grid = torch.stack(torch.meshgrid(axis, axis, indexing='xy'), -1).reshape(-1, 2)
    result.model.eval()
    output = result.model(result.scale(grid)).reshape(resolution, resolution)
    _, _, test_input, test_target = result.data
    wrong = ((result.model(result.scale(test_input)) > 0.5) != (test_target > 0.5)).flatten()
    return {'resolution': resolution, 'output': [[round(value, 5) for value in row] for row in output.cpu().tolist()], 'test_input': test_input.cpu().tolist(),
            'test_target': test_target.flatten().cpu().tolist(), 'wrong': wrong.nonzero().flatten().cpu().tolist()}


def results_of(rounds, options):
    """test.py's results as JSON: the settings, the network's size, every round (seed, errors, epoch losses),
    the means and standard deviations, and the first round's `boundary`."""
    errors = {name: mean_std([getattr(r, f'{name}_error') for r in rounds]) for name in ('train', 'test')}
    return {'seed': options.seed, 'epochs': options.epochs, 'batch_size': options.batch_size, 'lr': options.lr,
            'device': options.device, 'parameters': sum(p.numel() for p, _ in rounds[0].model.param()),
            'rounds': [{'seed': options.seed + r, 'train_error': result.train_error, 'test_error': result.test_error,
                        'losses': result.losses} for r, result in enumerate(rounds)],
            **{f'{name}_error': {'mean': mean, 'std': std} for name, (mean, std) in errors.items()},
            'boundary': boundary(rounds[0])}


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


SEEDS = 2 ** 32  # numpy, torch and random all take a seed below this


def seed_option(text):
    """argparse type of --seed: an integer from 0 to 2^32 - 1, which numpy, torch and random all take."""
    value = int(text)
    if not 0 <= value < SEEDS:
        raise argparse.ArgumentTypeError(f'{text} is not a seed from 0 to {SEEDS - 1}')
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
    parser.add_argument('--seed', type=seed_option, default=0, help='seed of the round (default: %(default)s)')
    parser.add_argument('--epochs', type=positive_int, default=200, help='epochs of each round (default: %(default)s)')
    parser.add_argument('--batch-size', type=positive_int, default=50, help='mini-batch size (default: %(default)s)')
    parser.add_argument('--lr', type=positive_float, default=1e-2,
                        help='Adam learning rate of the first half (default: %(default)s)')
    parser.add_argument('--log-every', type=non_negative_int, default=20,
                        help='epochs between two loss lines, 0 for none (default: %(default)s)')
    parser.add_argument('--device', type=device_option, default='cpu',
                        help='cpu, cuda or cuda:N (default: %(default)s)')
    return parser


def add_out_options(parser):
    """--out and --overwrite, of the scripts that write their results; `parse_options` checks them."""
    parser.add_argument('--out', metavar='FILE.json', default=None,
                        help='also write the results to this JSON file (default: none)')
    parser.add_argument('--overwrite', action='store_true', help='let --out replace an existing file (default: refuse it)')
    return parser


def parse_options(parser, complete=None):
    """The options of `parser`, completed by `complete(options)` if given (defaults that depend on other
    options), once every round's seed is one that numpy and torch take and --out is known to be a new file
    (or --overwrite) in a writable folder: refused in one line, status 2, before any training."""
    options = parser.parse_args()
    if complete:
        complete(options)
    if options.seed + getattr(options, 'rounds', 1) > SEEDS:
        parser.error(f'argument --seed: the last round\'s seed, {options.seed} + {options.rounds - 1}, is not below {SEEDS}')
    if getattr(options, 'out', None):
        if options.out.endswith(('/', os.sep)) or os.path.isdir(options.out):
            parser.error(f'argument --out: {options.out} names a folder, not a file')
        if os.path.lexists(options.out) and not options.overwrite:
            parser.error(f'argument --out: {options.out} exists (--overwrite replaces it)')
        try:
            check_writable(options.out)
        except OSError as error:
            parser.error(f'argument --out: cannot write {options.out} ({error.strerror})')
    return options


def main_or_exit(main):
    """Call `main()`; a file that cannot be written ends the script with one line on stderr, status 1."""
    try:
        return main()
    except OSError as error:
        sys.exit(f'error: {error}')


@contextlib.contextmanager
def written(path):
    """The name of a partial file to write `path` through: renamed to `path` when the block ends, removed when
    it fails, so that `path` holds either what it held or the whole new content."""
    partial = f'{path}.{os.getpid()}.partial'
    try:
        yield partial
        os.replace(partial, path)
    except BaseException:
        if os.path.exists(partial):
            os.remove(partial)
        raise


def write_json(path, data):
    """`data` as JSON in `path`, whole or not at all; an OSError names `path`."""
    try:
        with written(path) as partial, open(partial, 'x') as f:
            json.dump(data, f, indent=1)
            f.write('\n')
    except OSError as error:
        raise OSError(error.errno, error.strerror, path) from None


def check_writable(path):
    """Raise OSError unless a file can be made beside `path` (its folder exists, takes a file, takes its name)."""
    partial = f'{path}.{os.getpid()}.partial'
    open(partial, 'x').close()
    os.remove(partial)
