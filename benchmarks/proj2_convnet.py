"""Project 2's framework against torch.nn and autograd on a small convnet, side by side in one run.

    python -m benchmarks.proj2_convnet [--epochs 2] [--repeats 5] [--threads 1] [--profile]

The network is conv(1->16, 3x3, pad 1)-BN-ReLU-maxpool 2, conv(16->32, 3x3, pad 1)-BN-ReLU-
maxpool 2, flatten, linear(32*7*7 -> 10), cross-entropy, SGD with momentum 0.9; the torch side
is its twin (benchmarks/references.py), from the same weights. Both train on the same 1,000
28 x 28 images of 10 noisy random patterns in the same mini-batches of 100, on the same number of
threads; each repeat times both once, in turn; the medians give `convnet ratio: X` (framework
time / torch time). The final losses should agree to float rounding. --profile then prints
where the framework's time goes, module by module (forward and backward) and the optimiser.
"""
import argparse
import statistics
import sys
import time
from collections import defaultdict

import torch

from benchmarks.references import add_race_options, race, synchronise
from proj1.comparison.options import machine_line, positive_float, positive_int
from proj2.framework import (SGD, BatchNorm2d, Conv2d, Diverged, Flatten, Linear, LossCrossEntropy, MaxPool2d, ReLU,
                             Sequential)


def convnet(device):
    return Sequential(Conv2d(1, 16, 3, padding=1, device=device), BatchNorm2d(16, device=device), ReLU(), MaxPool2d(2),
                      Conv2d(16, 32, 3, padding=1, device=device), BatchNorm2d(32, device=device), ReLU(), MaxPool2d(2),
                      Flatten(), Linear(32 * 7 * 7, 10, device=device))


def images(device, count=1000):
    """`count` 28 x 28 images of 10 classes, each its class's random pattern under as much noise, and their labels."""
    patterns, labels = torch.randn(10, 1, 28, 28, device=device), torch.randint(0, 10, (count,), device=device)
    return patterns[labels] + torch.randn(count, 1, 28, 28, device=device), labels


def race_convnet(options, data):
    """`race` of the convnet, cross-entropy, SGD with momentum 0.9."""
    torch.manual_seed(options.seed)
    return race(options, data, convnet(options.device),
                lambda model, twin: (SGD(model.param(), lr=options.lr, momentum=0.9),
                                     torch.optim.SGD(twin.parameters(), lr=options.lr, momentum=0.9)),
                (LossCrossEntropy(), torch.nn.functional.cross_entropy))


def profile(options, data, steps=20):
    """Seconds per step of each module's forward and backward, of the loss and of the optimiser."""
    torch.manual_seed(options.seed)
    model, criterion = convnet(options.device), LossCrossEntropy()
    optimizer = SGD(model.param(), lr=options.lr, momentum=0.9)
    input, target = data[0][:options.batch_size], data[1][:options.batch_size]
    seconds = defaultdict(float)

    def timed(name, function, *arguments):
        synchronise(options.device)
        start = time.perf_counter()
        result = function(*arguments)
        synchronise(options.device)
        seconds[name] += time.perf_counter() - start
        return result

    with torch.no_grad():
        for _ in range(steps):
            output = input
            for index, module in enumerate(model.modules):
                output = timed(f'{index} {module!r} forward', module, output)
            timed('loss forward and backward', lambda: (criterion(output, target), criterion.backward())[1])
            grad = criterion.backward()
            optimizer.zero_grad()
            for index, module in reversed(list(enumerate(model.modules))):
                grad = timed(f'{index} {module!r} backward', module.backward, grad)
            timed('optimiser step', optimizer.step)
    total = sum(seconds.values())
    print(f'framework profile, batch {options.batch_size}, {steps} steps: {1e3 * total / steps:.2f} ms/step')
    for name, value in sorted(seconds.items(), key=lambda item: -item[1]):
        print(f'  {100 * value / total:5.1f}%  {1e3 * value / steps:6.3f} ms  {name}')


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument('--epochs', type=positive_int, default=2,
                        help='epochs of each timed training (default: %(default)s)')
    parser.add_argument('--batch-size', type=positive_int, default=100, help='mini-batch size (default: %(default)s)')
    parser.add_argument('--lr', type=positive_float, default=0.01,
                        help='SGD learning rate, momentum 0.9 (default: %(default)s)')
    add_race_options(parser)
    parser.add_argument('--profile', action='store_true', help="then the framework's time, module by module")
    options = parser.parse_args()
    torch.set_num_threads(options.threads)
    torch.manual_seed(options.seed)
    data = images(options.device)
    steps = options.epochs * -(-1000 // options.batch_size)
    print(f'convnet, {options.epochs} epochs of batch {options.batch_size} ({steps} steps), {options.device}, '
          f'{options.repeats} repeats; {machine_line()}')
    races = [race_convnet(options, data) for _ in range(options.repeats)]
    times = {}
    for side, name in enumerate(('framework', 'torch')):
        times[name] = statistics.median(result[side][0] for result in races)
        print(f'{name:9s}: median {times[name]:.3f} s ({1e3 * times[name] / steps:.2f} ms/step), '
              f'final loss {races[-1][side][1]:.6f}')
    print(f'convnet ratio: {times["framework"] / times["torch"]:.2f}')
    if options.profile:
        profile(options, data)


if __name__ == '__main__':
    try:
        main()
    except Diverged as error:
        sys.exit(f'error: {error}')
