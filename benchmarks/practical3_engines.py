"""Practical 3's two engines side by side: the handout's per-sample loop against the batched one.

    python benchmarks/practical3_engines.py                    # 1,000 steps, per-sample timed on 5
    python benchmarks/practical3_engines.py --per-sample-steps 1000   # both in full (minutes)

Both engines start from the same parameters and run the handout's steps on the same data
(gradient step, then the train and test errors). The per-sample engine is too slow to run
1,000 steps here: it runs its first `--per-sample-steps` ones and its time per step is scaled
to `--steps`; the batched engine runs them all. Prints each engine's time per step, how far
apart their parameters are after the steps they share, and `engine ratio: X` (per-sample
time per step / batched time per step). The prologue's flags (`--full`, `--seed`, ...) apply.
"""
import argparse
import os
import sys
import time

import torch

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

import dlc_practical_prologue as prologue  # noqa: E402
from practical3_mlp import init_parameters, load_mnist, training  # noqa: E402


def timed_run(params, data, nb_steps, per_sample, nb_kept):
    """Run `nb_steps` of training on `params`; return (seconds, copy of the parameters after `nb_kept` steps)."""
    start = time.perf_counter()
    for k, _, train_error, test_error in training(params, *data, nb_steps, per_sample):
        if k == nb_kept - 1:
            kept = [p.clone() for p in params]
    seconds = time.perf_counter() - start
    print(f'  last step {k}: train error {train_error:.2f}%, test error {test_error:.2f}%')
    return seconds, kept


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

    print(f'per-sample engine, {options.per_sample_steps} steps:')
    seconds, per_sample = timed_run([p.clone() for p in start], data, options.per_sample_steps, True, nb_shared)
    per_sample_step = seconds / options.per_sample_steps
    print(f'  {seconds:.2f} s, {1e3 * per_sample_step:.1f} ms/step, '
          f'{per_sample_step * options.steps:.0f} s for {options.steps} steps (scaled)')

    print(f'batched engine, {options.steps} steps:')
    seconds, batched = timed_run([p.clone() for p in start], data, options.steps, False, nb_shared)
    batched_step = seconds / options.steps
    print(f'  {seconds:.2f} s, {1e3 * batched_step:.2f} ms/step')

    difference = max((a - b).abs().max().item() for a, b in zip(per_sample, batched))
    largest = max(p.abs().max().item() for p in batched)
    print(f'parameters after {nb_shared} steps: largest difference between the engines {difference:.2e} '
          f'(largest parameter {largest:.2e})')
    print(f'engine ratio: {per_sample_step / batched_step:.1f}')


if __name__ == '__main__':
    main()
