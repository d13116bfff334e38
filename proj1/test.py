"""Project 1: is the first digit of a pair lesser or equal to the second?

    python test.py                          # every architecture, 10 rounds each
    python test.py --archs baseline best --rounds 3 --device cuda

Each round redraws the 1,000 training and 1,000 test pairs and the initialisation from
`--seed` + round; the architectures take turns round by round (all train on the same pairs
in a round), and the table gives the mean and standard deviation over the rounds.
"""
import argparse
import dataclasses
import statistics
import time

import torch

from models import nb_parameters
from train import ARCHS, draw, run_round  # puts the repository root on sys.path

import course_data  # noqa: E402
from benchmarks.machine import machine_line  # noqa: E402


def option_parser(description, rounds=10, seed=0):
    """The options that every experiment script takes: --rounds, --epochs, --seed, --device."""
    parser = argparse.ArgumentParser(description=description, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument('--rounds', type=int, default=rounds, help=f'rounds per architecture (default {rounds})')
    parser.add_argument('--epochs', type=int, default=None, help="epochs of every architecture (default: each one's own)")
    parser.add_argument('--seed', type=int, default=seed, help=f'round r uses seed + r (default {seed})')
    parser.add_argument('--device', default='cpu', help="'cpu' or 'cuda' (default cpu)")
    return parser


def parsed(parser):
    """The parsed options, refusing --device cuda where CUDA is absent."""
    options = parser.parse_args()
    if options.device.startswith('cuda') and not torch.cuda.is_available():
        parser.error('--device cuda asked for, but CUDA is not available')
    return options


def configured(arch, options):
    """`arch` with the epochs, learning rate and auxiliary weight given on the command line."""
    changes = {name: getattr(options, name, None) for name in ('epochs', 'lr')}
    changes = {name: value for name, value in changes.items() if value is not None}
    if getattr(options, 'aux_weight', None) is not None and arch.aux_weight:
        changes['aux_weight'] = options.aux_weight
    return dataclasses.replace(arch, **changes)


def mean_std(values):
    """Mean and standard deviation (0 for a single value) of a list of numbers."""
    values = torch.tensor(values, dtype=torch.float64)
    return values.mean().item(), values.std().item() if len(values) > 1 else 0.0


def run_rounds(archs, options):
    """{name: [Round of each round]} of the architectures `archs` ({name: Arch}), round r of
    every architecture before round r + 1 of any, so that all see the same machine load."""
    rounds = {name: [] for name in archs}
    for r in range(options.rounds):
        drawn = draw(options.seed + r, options.device)
        for name, arch in archs.items():
            result = run_round(arch, options.seed + r, options.device, drawn)
            rounds[name].append(result)
            single = f' (single copy {100 * result.single_test_error:5.2f}%)' if arch.test_shifts else ''
            print(f'{name:12s} round {r + 1:2d}/{options.rounds}  train error {100 * result.train_error:5.2f}%  '
                  f'test error {100 * result.test_error:5.2f}%{single}  {result.seconds:5.2f} s', flush=True)
    return rounds


def print_table(archs, rounds, options, seconds):
    """The table of mean errors and median seconds per round (robust to a passing load on the
    machine), each cost also in baseline rounds when the baseline ran, and the total
    (`seconds`) in seconds and in baseline rounds."""
    base = statistics.median(r.seconds for r in rounds['baseline']) if 'baseline' in rounds else None
    print(f'\n{"architecture":12s} {"params":>7s} {"epochs":>6s} {"aux":>4s} {"test error":>10s} {"std":>6s} '
          f'{"train error":>11s} {"s/round":>7s}' + (f' {"x base":>6s}' if base else ''))
    for name, arch in archs.items():
        test_mean, test_std = mean_std([r.test_error for r in rounds[name]])
        train_mean = mean_std([r.train_error for r in rounds[name]])[0]
        per_round = statistics.median(r.seconds for r in rounds[name])
        print(f'{name:12s} {nb_parameters(arch.make()):7d} {arch.epochs:6d} {arch.aux_weight:4g} '
              f'{100 * test_mean:9.2f}% {100 * test_std:5.2f}% {100 * train_mean:10.2f}% {per_round:7.2f}'
              + (f' {per_round / base:6.2f}' if base else ''))
    print(f'\n{options.rounds} rounds, seed {options.seed}, device {options.device} ({machine_line()}), '
          f'total {seconds:.0f} s'
          + (f' = {seconds / base:.0f} baseline rounds' if base else ''))


def run_experiment(archs, options):
    """Run the rounds of `archs` ({name: Arch}) configured by `options`, then print the table."""
    archs = {name: configured(arch, options) for name, arch in archs.items()}
    start = time.perf_counter()
    rounds = run_rounds(archs, options)
    print_table(archs, rounds, options, time.perf_counter() - start)


def main():
    parser = option_parser(__doc__)
    parser.add_argument('--archs', nargs='+', choices=list(ARCHS), default=list(ARCHS), help='architectures to run')
    parser.add_argument('--aux-weight', type=float, default=None,
                        help="weight of the auxiliary digit losses (default: each architecture's own)")
    parser.add_argument('--lr', type=float, default=None, help="Adam's learning rate (default: each architecture's own)")
    options = parsed(parser)
    run_experiment({name: ARCHS[name] for name in options.archs}, options)


if __name__ == '__main__':
    course_data.main_or_exit(main)
