"""Project 2's framework against torch.nn and autograd, side by side in one run.

    python -m benchmarks.proj2_vs_autograd [--optimizer sgd|adam] [--epochs 25] [--threads 1]

Both train the handout's 2-25-25-25-1 ReLU network from the same initial weights, on the same
1,000 standardised disk points in the same mini-batches (batch 50), with the same optimiser and
number of steps, on the same number of threads; torch.optim runs its default (per-parameter)
implementation. Each repeat times both once, in turn; the medians give the line
`framework ratio: X` (framework time / autograd time). The final losses of the two should agree.
"""
import argparse
import statistics
import sys
import time
from functools import partial

import torch

from benchmarks.references import add_race_options, race
from proj1.comparison.options import machine_line, positive_float, positive_int
from proj2.disc import disc_network, generate_disc_set
from proj2.framework import SGD, Adam, Diverged, LossMSE, standardiser


def make_optimizers(options, model, twin):
    """The framework's optimiser and torch.optim's, with the same settings."""
    if options.optimizer == 'sgd':
        return (SGD(model.param(), lr=options.lr, momentum=0.9),
                torch.optim.SGD(twin.parameters(), lr=options.lr, momentum=0.9))
    return Adam(model.param(), lr=options.lr), torch.optim.Adam(twin.parameters(), lr=options.lr)


def race_disc_network(options, data):
    """`race` of the handout's network, MSE."""
    torch.manual_seed(options.seed)
    return race(options, data, disc_network(device=options.device), partial(make_optimizers, options),
                (LossMSE(), torch.nn.functional.mse_loss))


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument('--optimizer', choices=['sgd', 'adam'], default='sgd',
                        help='sgd has momentum 0.9 (default: %(default)s)')
    parser.add_argument('--lr', type=positive_float, default=None,
                        help='learning rate (default: 0.05 for SGD, 0.01 for Adam)')
    parser.add_argument('--epochs', type=positive_int, default=25,
                        help='epochs of each timed training (default: %(default)s)')
    parser.add_argument('--batch-size', type=positive_int, default=50, help='mini-batch size (default: %(default)s)')
    add_race_options(parser)
    options = parser.parse_args()
    if options.lr is None:
        options.lr = {'sgd': 0.05, 'adam': 0.01}[options.optimizer]
    torch.set_num_threads(options.threads)
    torch.manual_seed(options.seed)
    train_input, train_target = generate_disc_set(1000, device=options.device)
    train_input = standardiser(train_input)(train_input)
    steps = options.epochs * -(-1000 // options.batch_size)
    print(f'{options.optimizer}, lr {options.lr}, {options.epochs} epochs of batch {options.batch_size} '
          f'({steps} steps), {options.device}, {options.repeats} repeats; {machine_line()}')
    races = [race_disc_network(options, (train_input, train_target)) for _ in range(options.repeats)]
    times = {}
    for side, name in enumerate(('framework', 'autograd')):
        times[name] = statistics.median(result[side][0] for result in races)
        print(f'{name:9s}: median {times[name]:.3f} s ({1e6 * times[name] / steps:.0f} us/step), '
              f'final loss {races[-1][side][1]:.6f}')
    print(f'framework ratio: {times["framework"] / times["autograd"]:.2f}')


if __name__ == '__main__':
    try:
        main()
    except Diverged as error:
        sys.exit(f'error: {error}')
