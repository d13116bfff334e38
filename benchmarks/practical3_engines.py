"""Practical 3's batched engine against its matrix-product floor and against the handout's per-sample loop.

    python -m benchmarks.practical3_engines                           # 1,000 batched steps, 20 per-sample ones
    python -m benchmarks.practical3_engines --per-sample-steps 1000   # both in full (minutes)

Both engines start from the same parameters and run the handout's steps on the same data
(gradient step, then the train and test errors); each step is timed, and the median step
time (robust to the load of a shared machine) stands for each engine.

- `limit ratio: X` is floor / batched step time. The floor is the time of a step's three
  matrix products with the (1000 x 784) inputs alone (the training forward pass, the gradient
  of w1, the test forward pass; the batched engine does both forward passes in one product, of
  the sets stacked), on the same dtype and threads; it is timed after each batched step, so that
  both see the same load, and its median taken.
- `engine ratio: X` is per-sample / batched step time. The per-sample engine runs its first
  `--per-sample-steps` steps (each of them one pass over every sample), enough for a stable
  median; its time is scaled to `--steps`.

Also prints how far apart the two engines' parameters are after the steps they share. The
prologue's flags (`--full`, `--seed`, ...) apply.
"""
import argparse
import statistics
import sys
import time

import torch

import dlc_practical_prologue as prologue
from benchmarks.options import threads_option
from practical3_mlp import Diverged, device_option, hidden_units, init_parameters, load_mnist, positive_int, training
from proj1.comparison.options import machine_line


def step_products(w1, train_input, test_input, dl_ds1, dl_dw1):
    """The three matrix products of a step with the inputs, as `forward_pass` and `backward_pass`
    write them: the training forward pass, the gradient of w1 (added into `dl_dw1`), the test forward pass."""
    train_input.matmul(w1.t())
    dl_dw1.addmm_(dl_ds1.t(), train_input)
    test_input.matmul(w1.t())


def timed_run(name, params, data, nb_steps, per_sample, nb_kept, nb_scaled, after_each_step=None):
    """Run `nb_steps` of training on `params`, print their times and return their median and
    a copy of the parameters after `nb_kept` steps. `after_each_step()` runs between the steps,
    outside their times."""
    times, start = [], time.perf_counter()
    for k, _, train_error, test_error in training(params, *data, nb_steps, per_sample):
        times.append(time.perf_counter() - start)
        if k == nb_kept - 1:
            kept = [p.clone() for p in params]
        if after_each_step:
            after_each_step()
        start = time.perf_counter()
    median = statistics.median(times)
    scaled = '' if nb_steps == nb_scaled else f', {nb_scaled} steps at the median: {median * nb_scaled:.0f} s (scaled)'
    print(f'{name}: {nb_steps} steps in {sum(times):.2f} s, median {1e3 * median:.2f} ms/step{scaled}; '
          f'last step {k}: train error {train_error:.2f}%, test error {test_error:.2f}%')
    return median, kept


def main():
    parser = argparse.ArgumentParser(description=__doc__, parents=[prologue.parser], conflict_handler='resolve',
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument('--steps', type=positive_int, default=1000, help='steps of the batched engine (default 1000)')
    parser.add_argument('--per-sample-steps', type=positive_int, default=20, help='steps of the per-sample engine (default 20)')
    parser.add_argument('--hidden', type=hidden_units, default=50, help='hidden units, 1 to 10000 (default 50)')
    parser.add_argument('--device', type=device_option, default='cpu', help='cpu, cuda or cuda:N (default cpu)')
    parser.add_argument('--threads', type=threads_option, default=torch.get_num_threads(),
                        help=f'CPU threads of torch, at most the CPUs here (default {torch.get_num_threads()})')
    options = parser.parse_args()
    torch.set_num_threads(options.threads)
    if options.full and options.tiny:
        parser.error('--full and --tiny exclude each other')
    nb_shared = min(options.steps, options.per_sample_steps)

    data = load_mnist(options.device)
    start = init_parameters(data[0].size(1), options.hidden, data[1].size(1), device=options.device)
    print(f'device {options.device}, {machine_line()}')
    per_sample_step, per_sample = timed_run('per-sample', [p.clone() for p in start], data, options.per_sample_steps,
                                            True, nb_shared, options.steps)

    batched_params = [p.clone() for p in start]
    dl_ds1 = torch.randn(data[0].size(0), options.hidden, device=options.device)
    dl_dw1 = torch.zeros_like(batched_params[0])
    floor_times = []

    def time_floor():
        start = time.perf_counter()
        step_products(batched_params[0], data[0], data[2], dl_ds1, dl_dw1)
        if options.device.startswith('cuda'):
            torch.cuda.synchronize()
        floor_times.append(time.perf_counter() - start)

    batched_step, batched = timed_run('batched', batched_params, data, options.steps, False, nb_shared, options.steps,
                                      time_floor)
    floor = statistics.median(floor_times)
    print(f'floor: the 3 products of a step with the {data[0].size(0)} x {data[0].size(1)} inputs alone, '
          f'median {1e3 * floor:.2f} ms over {len(floor_times)} steps')
    difference = max((a - b).abs().max().item() for a, b in zip(per_sample, batched))
    largest = max(p.abs().max().item() for p in batched)
    print(f'parameters after {nb_shared} steps: largest difference between the engines {difference:.2e} '
          f'(largest parameter {largest:.2e})')
    print(f'limit ratio: {floor / batched_step:.2f}')
    print(f'engine ratio: {per_sample_step / batched_step:.1f}')


if __name__ == '__main__':
    try:
        main()
    except (prologue.DataUnavailableError, Diverged) as error:
        sys.exit(f'error: {error}')
