"""Project 1: is the first digit of a pair lesser or equal to the second?

    python test.py                          # every architecture, 10 rounds each
    python test.py --archs baseline best --rounds 3 --device cuda

Each round redraws the 1,000 training and 1,000 test pairs and the initialisation from
`--seed` + round; the table gives the mean and standard deviation over the rounds.
"""
import argparse
import dataclasses
import time

import torch

from models import nb_parameters
from train import ARCHS, run_round


def parse_options():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument('--rounds', type=int, default=10, help='rounds per architecture (default 10)')
    parser.add_argument('--epochs', type=int, default=None, help="epochs of every architecture (default: each one's own)")
    parser.add_argument('--archs', nargs='+', choices=list(ARCHS), default=list(ARCHS), help='architectures to run')
    parser.add_argument('--aux-weight', type=float, default=None,
                        help="weight of the auxiliary digit losses (default: each architecture's own)")
    parser.add_argument('--lr', type=float, default=None, help="Adam's learning rate (default: each architecture's own)")
    parser.add_argument('--seed', type=int, default=0, help='round r uses seed + r (default 0)')
    parser.add_argument('--device', default='cpu', help="'cpu' or 'cuda' (default cpu)")
    options = parser.parse_args()
    if options.device.startswith('cuda') and not torch.cuda.is_available():
        parser.error('--device cuda asked for, but CUDA is not available')
    return options


def configured(arch, options):
    """`arch` with the epochs, learning rate and auxiliary weight given on the command line."""
    changes = {name: value for name, value in (('epochs', options.epochs), ('lr', options.lr)) if value is not None}
    if options.aux_weight is not None and arch.aux_weight:
        changes['aux_weight'] = options.aux_weight
    return dataclasses.replace(arch, **changes)


def mean_std(values):
    """Mean and standard deviation (0 for a single value) of a list of numbers."""
    values = torch.tensor(values, dtype=torch.float64)
    return values.mean().item(), values.std().item() if len(values) > 1 else 0.0


def main():
    options = parse_options()
    start = time.perf_counter()
    rows = []
    for name in options.archs:
        arch = configured(ARCHS[name], options)
        rounds = []
        for r in range(options.rounds):
            rounds.append(run_round(arch, options.seed + r, options.device))
            train_error, test_error, seconds = rounds[-1]
            print(f'{name:12s} round {r + 1:2d}/{options.rounds}  train error {100 * train_error:5.2f}%  '
                  f'test error {100 * test_error:5.2f}%  {seconds:5.2f} s', flush=True)
        train_errors, test_errors, seconds = zip(*rounds)
        rows.append((name, nb_parameters(arch.make()), arch.epochs, arch.aux_weight,
                     *mean_std(test_errors), mean_std(train_errors)[0], mean_std(seconds)[0]))
    print(f'\n{"architecture":12s} {"params":>7s} {"epochs":>6s} {"aux":>4s} {"test error":>10s} {"std":>6s} '
          f'{"train error":>11s} {"s/round":>7s}')
    for name, params, epochs, aux_weight, test_mean, test_std, train_mean, seconds in rows:
        print(f'{name:12s} {params:7d} {epochs:6d} {aux_weight:4g} {100 * test_mean:9.2f}% {100 * test_std:5.2f}% '
              f'{100 * train_mean:10.2f}% {seconds:7.2f}')
    print(f'\n{options.rounds} rounds, seed {options.seed}, device {options.device}, '
          f'total {time.perf_counter() - start:.0f} s')


if __name__ == '__main__':
    main()
