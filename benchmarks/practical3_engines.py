"""Practical 3's two engines side by side: the handout's per-sample loop against the batched one.

    python benchmarks/practical3_engines.py                           # 1,000 steps, per-sample timed on 5
    python benchmarks/practical3_engines.py --per-sample-steps 1000   # both in full (minutes)

Both engines start from the same parameters and run the handout's steps on the same data
(gradient step, then the train and test errors). The per-sample engine is too slow to run
1,000 steps here: it runs its first `--per-sample-steps` ones and its time is scaled to
`--steps`; the batched engine runs them all. Each step is timed; the median step time of
each engine (robust to the load of a shared machine) gives `engine ratio: X` (per-sample /
batched). Also prints how far apart the two engines' parameters are after the steps they
share. The prologue's flags (`--full`, `--seed`, ...) apply.
"""
import argparse
import os
import statistics
import sys
import time

import torch

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

import dlc_practical_prologue as prologue  # noqa: E402
from practical3_mlp import init_parameters, load_mnist, training  # noqa: E402


def timed_run(name, params, data, nb_steps, per_sample, nb_kept, nb_scaled):
    """Run `nb_steps` of training on `params` and print their times.

    Returns the median step time and a copy of the parameters after `nb_kept` steps.
    """
    times, start = [], time.perf_counter()
    for k, _, train_error, test_error in training(params, *data, nb_steps, per_sample):
        times.append(time.perf_counter() - start)
        start = time.perf_counter()
        if k == nb_kept - 1:
            kept = [p.clone() for p in params]
    median = statistics.median(times)
    scaled = '' if nb_steps == nb_scaled else f', {nb_scaled} steps at the median: {median * nb_scaled:.0f} s (scaled)'
    print(f'{name}: {nb_steps} steps in {sum(times):.2f} s, median {1e3 * median:.2f} ms/step{scaled}; '
          f'last step {k}: train error {train_error:.2f}%, test error {test_error:.2f}%')
    return median, kept


def main():
    parser = argparse.ArgumentParser(description=__doc__, parents=[prologue.parser], conflict_handler='resolve',
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument('--steps', type=int, default=1000, help='steps of the batched engine (default 1000)')
    parser.add_argument('--per-sample-steps', type=int, default=5, help='steps of the per-sample engine (default 5)')
    parser.add_argument('--hidden', type=int, default=50, help='hidden units (default 50)')
    parser.add_argument('--device', default='cpu', help="torch device, e.g. 'cuda' (default cpu)")
    parser.add_argument('--threads', type=int, default=torch.get_num_threads(),
                        help=f'CPU threads of torch (default {torch.get_num_threads()})')
    options = parser.parse_args()
    torch.set_num_threads(options.threads)
    nb_shared = min(options.steps, options.per_sample_steps)
    if nb_shared < 1:
        parser.error('--steps and --per-sample-steps must be at least 1')

    data = load_mnist(options.device)
    start = init_parameters(data[0].size(1), options.hidden, data[1].size(1), device=options.device)
    print(f'device {options.device}, {torch.get_num_threads()} CPU threads')
    per_sample_step, per_sample = timed_run('per-sample', [p.clone() for p in start], data, options.per_sample_steps,
                                            True, nb_shared, options.steps)
    batched_step, batched = timed_run('batched', [p.clone() for p in start], data, options.steps,
                                      False, nb_shared, options.steps)
    difference = max((a - b).abs().max().item() for a, b in zip(per_sample, batched))
    largest = max(p.abs().max().item() for p in batched)
    print(f'parameters after {nb_shared} steps: largest difference between the engines {difference:.2e} '
          f'(largest parameter {largest:.2e})')
    print(f'engine ratio: {per_sample_step / batched_step:.1f}')


if __name__ == '__main__':
    main()
