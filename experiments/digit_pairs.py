"""Project 2's framework solves project 1: project 1's `shared_aux` and `+bn_tower` built from the
framework's modules, trained with autograd off in project 1's rounds and training loop, beside the
same networks in torch.nn from the same weights, pairs, batches and dropout masks.

    python -m experiments.digit_pairs                           # from the repository's root: 10 rounds
    python -m experiments.digit_pairs --rounds 1 --epochs 1     # a quick check
    python -m experiments.digit_pairs --out experiments/digit_pairs.json --curve experiments/digit_pairs_curve.svg
"""
import math
import os
import statistics
import time

import torch

from proj1.comparison.experiment import configured, mean_std, plural
from proj1.comparison.files import check_writable, write_json
from proj1.comparison.models import ConvNet, DigitTowers, nb_parameters
from proj1.comparison.options import add_out_options, machine_line, main_or_exit, option_parser, parse_options
from proj1.comparison.training import draw, run_round
from proj1.comparison.variants import VARIANTS
from proj2.framework import (Adam, BatchNorm1d, BatchNorm2d, Conv2d, CosineAnnealingLR, Dropout, Flatten, Linear,
                             LossCrossEntropy, MaxPool2d, Module, ReLU, Sequential)

NETWORKS = {'shared_aux': VARIANTS['shared_aux'], '+bn_tower': VARIANTS['+bn_tower']}


######################################################################
# The networks in the framework


class SharedTowers(Module):
    """Project 1's DigitTowers with one tower for both digits and a learned head: N x 2 x 14 x 14
    pairs to (N x 2 comparison logits, N x 2 x 10 digit logits). The 2N digits go through the one
    tower in one pass, so that backward adds the gradients of both digits into its one set of
    parameters."""

    def __init__(self, tower, head):
        self.tower, self.head = tower, head

    def forward(self, input):
        if input.dim() != 4 or input.shape[1:] != (2, 14, 14):
            raise ValueError(f'SharedTowers expects input of shape (N, 2, 14, 14), got {tuple(input.shape)}')
        digits = self.tower(input.reshape(-1, 1, 14, 14)).view(-1, 2, 10)
        return self.head(digits.flatten(1)), digits

    def backward(self, grad_comparison, grad_digits=None):
        """The gradient with respect to the pairs from those of the comparison logits and, when
        given, of the digit logits (the auxiliary loss)."""
        grad = self.head.backward(grad_comparison).view(-1, 2, 10)
        if grad_digits is not None:
            grad = grad + grad_digits
        return self.tower.backward(grad.reshape(-1, 10)).view(-1, 2, 14, 14)

    def param(self):
        return self.tower.param() + self.head.param()  # torch's order: the tower's, then the head's

    def named_tensors(self):
        return ([('tower.' + name, tensor) for name, tensor in self.tower.named_tensors()]
                + [('head.' + name, tensor) for name, tensor in self.head.named_tensors()])

    def train(self, mode=True):
        self.tower.train(mode)
        self.head.train(mode)
        return super().train(mode)


def handout_tower(channels=32, hidden=200, dtype=None, device=None):
    """proj1's ConvNet(1, 10, channels, hidden): conv 3x3, max-pool 2, ReLU, conv 3x3, max-pool 2,
    ReLU, linear to `hidden`, ReLU, linear to 10."""
    c, options = channels, dict(dtype=dtype, device=device)
    return Sequential(Conv2d(1, c, 3, **options), MaxPool2d(2), ReLU(),
                      Conv2d(c, 2 * c, 3, **options), MaxPool2d(2), ReLU(), Flatten(),
                      Linear(8 * c, hidden, **options), ReLU(), Linear(hidden, 10, **options))


def batch_norm_tower(channels=32, hidden=128, dropout=0.3, dtype=None, device=None):
    """proj1's batch_norm_tower(channels, hidden, dropout) (not deep)."""
    c, options = channels, dict(dtype=dtype, device=device)
    return Sequential(Conv2d(1, c, 3, padding=1, **options), BatchNorm2d(c, **options), ReLU(), MaxPool2d(2),
                      Conv2d(c, 2 * c, 3, padding=1, **options), BatchNorm2d(2 * c, **options), ReLU(), MaxPool2d(2),
                      Flatten(), Dropout(dropout),
                      Linear(2 * c * 9, hidden, **options), BatchNorm1d(hidden, **options), ReLU(), Dropout(dropout),
                      Linear(hidden, 10, **options))


def framework_twin(model):
    """The framework's network of proj1's `model` (Siamese(shared=True) or Comparator with a head,
    of the default sizes), with a copy of its state (weights and running statistics), dtype and
    device, in the same mode; torch's generators are left as they were."""
    if not (isinstance(model, DigitTowers) and model.tower1 is model.tower2 and model.head is not None):
        raise ValueError('framework_twin: a DigitTowers network with one shared tower and a learned head expected')
    first = next(model.parameters())
    options = dict(dtype=first.dtype, device=first.device)
    with torch.random.fork_rng(devices=[first.device] if first.device.type == 'cuda' else []):  # its initial draws
        if isinstance(model.tower1, ConvNet):
            tower = handout_tower(model.tower1.conv1.out_channels, model.tower1.fc1.out_features, **options)
        else:
            tower1 = model.tower1  # conv, bn, relu, pool, conv, bn, relu, pool, flatten, dropout, linear, bn, ...
            tower = batch_norm_tower(tower1[0].out_channels, tower1[-1].in_features, tower1[9].p, **options)
        head = Sequential(Linear(20, model.head[0].out_features, **options), ReLU(),
                          Linear(model.head[0].out_features, 2, **options))
    twin = SharedTowers(tower, head)
    copy_state(twin, model)
    return twin.train(model.training)


def copy_state(twin, model):
    """Copies the state of proj1's `model` (its shared tower's, then its head's, in torch's order)
    into the framework's `twin`, checking that the shapes agree one by one."""
    source = list(model.tower1.state_dict().values()) + list(model.head.state_dict().values())
    target = twin.named_tensors()
    if len(source) != len(target) or any(s.shape != t.shape for s, (_, t) in zip(source, target)):
        raise ValueError(f'copy_state: {[tuple(s.shape) for s in source]} into '
                         f'{[(name, tuple(t.shape)) for name, t in target]}')
    for tensor, (_, own) in zip(source, target):
        own.copy_(tensor.detach())


######################################################################
# The framework's training step, in project 1's training loop


def make_framework_step(model, arch, nb_steps):
    """project 1's `make_adam_step` for a network of the framework: its training step, a function of a
    mini-batch (pairs, targets, classes) that takes one step of the framework's Adam on the same loss,
    autograd off, and returns the loss, the learning rate annealed to 0 by the framework's cosine."""
    optimizer = Adam(model.param(), lr=arch.lr)
    scheduler = CosineAnnealingLR(optimizer, nb_steps)
    comparison_loss, digit_loss = LossCrossEntropy(), LossCrossEntropy()

    @torch.no_grad()
    def step(input, target, classes):
        comparison, digits = model(input)
        loss = comparison_loss(comparison, target)
        grad_digits = None
        if arch.aux_weight:
            loss = loss + arch.aux_weight * digit_loss(digits.reshape(-1, 10), classes.reshape(-1))
            grad_digits = digit_loss.backward().mul_(arch.aux_weight).view(digits.shape)
        optimizer.zero_grad()
        model.backward(comparison_loss.backward(), grad_digits)
        optimizer.step()
        scheduler.step()
        return loss.item()
    return step


IMPLEMENTATIONS = {'torch.nn': {}, 'framework': {'convert': framework_twin, 'make_step': make_framework_step}}


######################################################################
# The table


def summary(networks, results, options, seconds):
    """The experiment as JSON: for each network, each implementation's size, mean errors, median seconds per
    round and rounds; the difference framework - torch.nn of the mean test errors with twice its standard
    error, paired (from the per-round differences: same pairs, initial weights and batches) and unpaired (from
    the two standard deviations), None for one round; and the time ratio framework / torch.nn."""
    n = options.rounds
    out = {'rounds': n, 'seed': options.seed, 'device': options.device, 'machine': machine_line(),
           'seconds': seconds, 'networks': {}}
    for name, arch in networks.items():
        implementations = {}
        for implementation in IMPLEMENTATIONS:
            rounds = results[name, implementation]
            test_mean, test_std = mean_std([r.test_error for r in rounds])
            train_mean, train_std = mean_std([r.train_error for r in rounds])
            implementations[implementation] = {
                'parameters': nb_parameters(arch.make()), 'test_error': {'mean': test_mean, 'std': test_std},
                'train_error': {'mean': train_mean, 'std': train_std},
                'seconds': statistics.median(r.seconds for r in rounds),
                'rounds': [{'seed': options.seed + k, **r._asdict()} for k, r in enumerate(rounds)]}
        torch_errors, framework_errors = ([r.test_error for r in results[name, i]] for i in IMPLEMENTATIONS)
        differences = [f - t for f, t in zip(framework_errors, torch_errors)]
        unpaired = (2 * math.sqrt((mean_std(torch_errors)[1] ** 2 + mean_std(framework_errors)[1] ** 2) / n)
                    if n > 1 else None)
        out['networks'][name] = {
            'implementations': implementations,
            'difference': {'mean': mean_std(differences)[0],
                           'paired_2se': 2 * mean_std(differences)[1] / math.sqrt(n) if n > 1 else None,
                           'unpaired_2se': unpaired},
            'time_ratio': implementations['framework']['seconds'] / implementations['torch.nn']['seconds']}
    return out


def print_table(summary):
    """Each network's errors in both implementations, the difference of the means against twice
    its standard error, and the time ratio."""
    print(f'\n{"network":10s} {"implementation":>14s} {"params":>7s} {"test error":>10s} {"std":>6s} '
          f'{"train error":>11s} {"s/round":>7s}')
    for name, network in summary['networks'].items():
        for implementation, row in network['implementations'].items():
            std = row['test_error']['std']
            print(f'{name:10s} {implementation:>14s} {row["parameters"]:7d} {100 * row["test_error"]["mean"]:9.2f}% '
                  f'{"     -" if std is None else f"{100 * std:5.2f}%"} {100 * row["train_error"]["mean"]:10.2f}% '
                  f'{row["seconds"]:7.2f}')
    print('\nframework - torch.nn: difference of the mean test errors (points) against twice its standard error (SE),\n'
          'paired (from the per-round differences: same pairs, initial weights and batches) and unpaired (from the two '
          'stds):')
    for name, network in summary['networks'].items():
        difference = network['difference']
        line = f'{name:10s} {100 * difference["mean"]:+5.2f}'
        if summary['rounds'] > 1:
            line += ''.join(f'  2 SE {kind} {100 * difference[kind + "_2se"]:4.2f}: '
                            f'{"within" if abs(difference["mean"]) <= difference[kind + "_2se"] else "beyond"}'
                            for kind in ('paired', 'unpaired'))
        print(line)
    ratios = ', '.join(f'{name} {network["time_ratio"]:.2f}' for name, network in summary['networks'].items())
    print(f'time ratio framework / torch.nn (median s/round): {ratios}')
    print(f'\n{plural(summary["rounds"], "round")}, seed {summary["seed"]}, device {summary["device"]} '
          f'({summary["machine"]}), total {summary["seconds"]:.0f} s')


def check_curve(parser, options):
    """--curve, before any training: a new file (or --overwrite), not --out, in a writable folder, in a format
    that matplotlib writes; else one usage line, status 2."""
    curve = options.curve
    if os.path.splitext(curve)[1].lower() not in ('.svg', '.pdf', '.png'):
        parser.error(f'argument --curve: {curve} is not a .svg, .pdf or .png file')
    if options.out and os.path.realpath(curve) == os.path.realpath(options.out):
        parser.error('argument --curve: the figure would replace the results of --out')
    if os.path.isdir(curve):
        parser.error(f'argument --curve: {curve} is a folder')
    if os.path.lexists(curve) and not options.overwrite:
        parser.error(f'argument --curve: {curve} exists (--overwrite replaces it)')
    try:
        check_writable(curve)
    except OSError as error:
        parser.error(f'argument --curve: cannot write {curve} ({error.strerror})')


def main():
    parser = option_parser(__doc__)
    add_out_options(parser)
    parser.add_argument('--curve', metavar='PATH', default=None,
                        help="draw round 1's training loss per epoch (both networks, both implementations) in "
                             "PATH, .svg, .pdf or .png (default: no figure)")
    options = parse_options(parser)
    if options.curve:
        check_curve(parser, options)
    networks = {name: configured(arch, options) for name, arch in NETWORKS.items()}
    results = {(name, implementation): [] for name in networks for implementation in IMPLEMENTATIONS}
    start = time.perf_counter()
    for r in range(options.rounds):
        seed = options.seed + r
        drawn = draw(seed, options.device)
        for name, arch in networks.items():
            for implementation, hooks in IMPLEMENTATIONS.items():
                result = run_round(arch, seed, options.device, drawn, **hooks)
                results[name, implementation].append(result)
                print(f'{name:10s} {implementation:9s} round {r + 1:2d}/{options.rounds}  final loss '
                      f'{result.losses[-1]:.5f}  train error {100 * result.train_error:5.2f}%  '
                      f'test error {100 * result.test_error:5.2f}%  {result.seconds:6.2f} s', flush=True)
    table = summary(networks, results, options, time.perf_counter() - start)
    print_table(table)
    if options.out:
        write_json(options.out, table)
        print(f'wrote {options.out}')
    if options.curve:
        from experiments.plot import plot_curve  # matplotlib, only for the figure
        try:
            plot_curve(table, options.curve)
        except OSError as error:
            raise SystemExit(f'error: cannot write {options.curve}: {error.strerror or error}') from None
        print(f'wrote {options.curve}')


if __name__ == '__main__':
    main_or_exit(main)
