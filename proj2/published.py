"""A published table reproduced with this framework: Humne, Pinel and Harshvardhan (EE-559 report,
2020) trained a 2-25-25-25-1 network, ReLU, ReLU and Tanh after the hidden layers and Tanh on
the output, on the MSE against labels -1/+1 of the handout's disk task (1,000 training and
1,000 test points), for about 100 gradient evaluations per point (100 epochs), and reported
the test accuracies in THEIRS. They do not give their learning rates: ours are LEARNING_RATES,
chosen by `--select` on seeds 1000 and up (the table's rounds use seeds 0 and up).

    python published.py             # 10 rounds (seeds 0..9): theirs, and our mean and std
    python published.py --select    # the learning rates' selection (5 rounds, seeds 1000..1004)
    python published.py --out results/published.json    # also the table as JSON

The inputs are used as generated, in [0, 1]^2, and the weights start as Linear's default
(Xavier); an output above 0 means inside the disk.
"""
import argparse
import sys

import torch

from disc import add_out_options, device_option, generate_disc_set, mean_std, parse_options, plural, positive_int
from disc import seed_option
from disc import main_or_exit, write_json
from framework import SGD, Adam, Diverged, Linear, LossMSE, ReLU, Sequential, Tanh, error_rate, train

######################################################################
# The settings of their table

# name: (optimiser, batch size, their test accuracy in %)
THEIRS = {'SGD, batch 1': ('sgd', 1, 97.5), 'SGD, batch 2': ('sgd', 2, 96.5),
          'SGD with momentum 0.9, batch 1': ('momentum', 1, 97.2), 'Adam, batch 1': ('adam', 1, 94.7)}
LEARNING_RATES = {'SGD, batch 1': 0.0003, 'SGD, batch 2': 0.001, 'SGD with momentum 0.9, batch 1': 0.00003,
                  'Adam, batch 1': 0.0001}  # the best of `python published.py --select` (results/published_selection.json)
CANDIDATES = {'sgd': [0.0001, 0.0003, 0.001, 0.003, 0.01, 0.03],
              'momentum': [0.00001, 0.00003, 0.0001, 0.0003, 0.001, 0.003],
              'adam': [0.00001, 0.00003, 0.0001, 0.0003, 0.001]}
OPTIMISERS = {'sgd': lambda param, lr: SGD(param, lr=lr), 'momentum': lambda param, lr: SGD(param, lr=lr, momentum=0.9),
              'adam': lambda param, lr: Adam(param, lr=lr)}


def their_network(device):
    return Sequential(Linear(2, 25, device=device), ReLU(), Linear(25, 25, device=device), ReLU(),
                      Linear(25, 25, device=device), Tanh(), Linear(25, 1, device=device), Tanh())


######################################################################
# One round

def test_accuracy(seed, optimiser, batch_size, lr, options):
    """Fresh data and network from `seed`, trained with their protocol; the test accuracy (a
    fraction), None if the training diverged."""
    torch.manual_seed(seed)
    train_input, train_target = generate_disc_set(1000, device=options.device)
    test_input, test_target = generate_disc_set(1000, device=options.device)
    model = their_network(options.device)
    try:
        train(model, LossMSE(), OPTIMISERS[optimiser](model.param(), lr), train_input, 2 * train_target - 1,
              options.epochs, batch_size)
    except Diverged:
        return None
    return 1 - error_rate(model, test_input, 2 * test_target - 1, threshold=0)


######################################################################
# The table, and the selection of the learning rates

def percent(value):
    return '-' if value is None else f'{100 * value:.1f}%'


def table(options):
    """Their accuracies and ours, a row per setting; returns them (with every round's) as JSON."""
    seeds = range(options.seed, options.seed + options.rounds)
    print(f'{plural(options.rounds, "round")}, seeds {seeds[0]}..{seeds[-1]}, {plural(options.epochs, "epoch")}, '
          f'{options.device}')
    print(f'{"setting":32s} {"lr":>7s} {"theirs":>7s} {"ours":>7s} {"std":>6s}')
    rows = {}
    for name, (optimiser, batch_size, theirs) in THEIRS.items():
        accuracies = [test_accuracy(seed, optimiser, batch_size, LEARNING_RATES[name], options) for seed in seeds]
        if None in accuracies:
            seed = seeds[accuracies.index(None)]
            sys.exit(f'{name}, lr {LEARNING_RATES[name]}: the training diverged at seed {seed}')
        mean, std = mean_std(accuracies)
        print(f'{name:32s} {LEARNING_RATES[name]:7g} {theirs:6.1f}% {percent(mean):>7s} {percent(std):>6s}', flush=True)
        rows[name] = {'optimiser': optimiser, 'batch_size': batch_size, 'lr': LEARNING_RATES[name],
                      'theirs': theirs / 100, 'accuracy': {'mean': mean, 'std': std}, 'accuracies': accuracies}
    return {'rounds': options.rounds, 'seed': options.seed, 'epochs': options.epochs, 'device': options.device,
            'settings': rows}


def select(options):
    """The mean test accuracy of every candidate learning rate, a line per setting; returns them as JSON."""
    seeds = range(options.seed, options.seed + options.rounds)
    print(f'mean test accuracy over {plural(options.rounds, "round")}, seeds {seeds[0]}..{seeds[-1]}, '
          f'{plural(options.epochs, "epoch")} '
          f'(-: a round diverged)')
    rows = {}
    for name, (optimiser, batch_size, _) in THEIRS.items():
        means = {}
        for lr in CANDIDATES[optimiser]:
            accuracies = [test_accuracy(seed, optimiser, batch_size, lr, options) for seed in seeds]
            means[lr] = None if None in accuracies else mean_std(accuracies)[0]
        best = max((lr for lr in means if means[lr] is not None), key=means.get)
        print(f'{name:32s} ' + '  '.join(f'lr {lr:g}: {percent(mean)}' for lr, mean in means.items())
              + f'  -> best lr {best:g}', flush=True)
        rows[name] = {'candidates': [{'lr': lr, 'accuracy': mean} for lr, mean in means.items()], 'best': best}
    return {'rounds': options.rounds, 'seed': options.seed, 'epochs': options.epochs, 'device': options.device,
            'settings': rows}


def selection_defaults(options):
    """The rounds and first seed of the table (10 from seed 0) or of the selection (5 from seed 1000)."""
    if options.rounds is None:
        options.rounds = 5 if options.select else 10
    if options.seed is None:
        options.seed = 1000 if options.select else 0


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument('--select', action='store_true', help='run the selection of the learning rates instead')
    parser.add_argument('--rounds', type=positive_int, default=None, help='rounds (default: 10, or 5 with --select)')
    parser.add_argument('--seed', type=seed_option, default=None,
                        help='seed of the first round (default: 0, or 1000 with --select)')
    parser.add_argument('--epochs', type=positive_int, default=100,
                        help='epochs of each training (default: %(default)s)')
    parser.add_argument('--device', type=device_option, default='cpu',
                        help='cpu, cuda or cuda:N (default: %(default)s)')
    add_out_options(parser)
    options = parse_options(parser, complete=selection_defaults)
    torch.set_grad_enabled(False)  # the handout's rule: the framework runs without autograd
    results = (select if options.select else table)(options)
    if options.out:
        write_json(options.out, results)
        print(f'wrote {options.out}')


if __name__ == '__main__':
    main_or_exit(main)
