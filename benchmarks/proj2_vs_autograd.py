"""Project 2's framework against torch.nn and autograd, side by side in one run.

    python benchmarks/proj2_vs_autograd.py [--optimizer sgd|adam] [--epochs 25] [--threads 1]

Both train the handout's 2-25-25-25-1 ReLU network from the same initial weights, on the same
1,000 standardised disk points in the same mini-batches (batch 50), with the same optimiser and
number of steps, on the same number of threads; torch.optim runs its default (per-parameter)
implementation. Each repeat times both once, in turn; the medians give the line
`framework ratio: X` (framework time / autograd time). The final losses of the two should agree.
"""
import argparse
import os
import statistics
import sys
import time

import torch

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path[:0] = [ROOT, os.path.join(ROOT, 'proj2')]
from benchmarks.machine import machine_line  # noqa: E402
from framework import (SGD, Adam, Linear, LossMSE, ReLU, Sigmoid, Tanh, disc_network, generate_disc_set,  # noqa: E402
                       standardiser, train)
from framework.training import shuffled  # noqa: E402


ACTIVATIONS = {ReLU: torch.nn.ReLU, Tanh: torch.nn.Tanh, Sigmoid: torch.nn.Sigmoid}


def torch_twin(model):
    """The torch.nn network of the framework's Sequential `model` of Linear layers and
    activations, with a copy of its weights (same dtype and device)."""
    layers = []
    for module in model.modules:
        if isinstance(module, Linear):
            layer = torch.nn.Linear(module.weight.shape[1], module.weight.shape[0],
                                    dtype=module.weight.dtype, device=module.weight.device)
            with torch.no_grad():
                layer.weight.copy_(module.weight)
                layer.bias.copy_(module.bias)
            layers.append(layer)
        else:
            layers.append(ACTIVATIONS[type(module)]())
    return torch.nn.Sequential(*layers)


def train_autograd(model, optimizer, input, target, epochs, batch_size):
    """The loop of framework.train with torch.nn, autograd and torch.optim; returns the epoch losses."""
    criterion = torch.nn.MSELoss()
    losses = []
    for epoch in range(epochs):
        with torch.no_grad():
            input_batches, target_batches = (rows.split(batch_size) for rows in shuffled([input, target]))
        total = 0
        for input_batch, target_batch in zip(input_batches, target_batches):
            loss = criterion(model(input_batch), target_batch)
            total += loss.item() * input_batch.shape[0]
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
        losses.append(total / input.shape[0])
    return losses


def make_optimizers(options, model, twin):
    """The framework's optimiser and torch.optim's, with the same settings."""
    if options.optimizer == 'sgd':
        return (SGD(model.param(), lr=options.lr, momentum=0.9),
                torch.optim.SGD(twin.parameters(), lr=options.lr, momentum=0.9))
    return Adam(model.param(), lr=options.lr), torch.optim.Adam(twin.parameters(), lr=options.lr)


def race(options, data):
    """One timed training of each side from the same weights; (seconds, final loss) of each."""
    torch.manual_seed(options.seed)
    model = disc_network(device=options.device)
    twin = torch_twin(model)
    optimizer, torch_optimizer = make_optimizers(options, model, twin)
    sides = ((False, lambda: train(model, LossMSE(), optimizer, *data, options.epochs, options.batch_size)),
             (True, lambda: train_autograd(twin, torch_optimizer, *data, options.epochs, options.batch_size)))
    results = []
    for grad_enabled, run in sides:
        torch.manual_seed(options.seed + 1)  # the same mini-batches for both
        with torch.set_grad_enabled(grad_enabled):
            start = time.perf_counter()
            losses = run()
            results.append((time.perf_counter() - start, losses[-1]))
    return results


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument('--optimizer', choices=['sgd', 'adam'], default='sgd')
    parser.add_argument('--lr', type=float, default=None, help='default: 0.05 for SGD (momentum 0.9), 0.01 for Adam')
    parser.add_argument('--epochs', type=int, default=25)
    parser.add_argument('--batch-size', type=int, default=50)
    parser.add_argument('--repeats', type=int, default=5)
    parser.add_argument('--threads', type=int, default=1)
    parser.add_argument('--seed', type=int, default=0)
    parser.add_argument('--device', default='cpu', help="'cpu', or 'cuda' when present")
    options = parser.parse_args()
    options.lr = options.lr or {'sgd': 0.05, 'adam': 0.01}[options.optimizer]
    torch.set_num_threads(options.threads)
    torch.manual_seed(options.seed)
    train_input, train_target = generate_disc_set(1000, device=options.device)
    train_input = standardiser(train_input)(train_input)
    steps = options.epochs * -(-1000 // options.batch_size)
    print(f'{options.optimizer}, lr {options.lr}, {options.epochs} epochs of batch {options.batch_size} '
          f'({steps} steps), {options.device}, {options.repeats} repeats; {machine_line()}')
    races = [race(options, (train_input, train_target)) for _ in range(options.repeats)]
    times = {}
    for side, name in enumerate(('framework', 'autograd')):
        times[name] = statistics.median(result[side][0] for result in races)
        print(f'{name:9s}: median {times[name]:.3f} s ({1e6 * times[name] / steps:.0f} us/step), '
              f'final loss {races[-1][side][1]:.6f}')
    print(f'framework ratio: {times["framework"] / times["autograd"]:.2f}')


if __name__ == '__main__':
    main()
