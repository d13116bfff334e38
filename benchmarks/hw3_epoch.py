"""Homework 3: one training epoch (train_loop(1): the training pass and the test evaluation) and the
peak memory of a Trainer, ours against the template's loaders, side by side in one run.

    python -m benchmarks.hw3_epoch [--threads N] [--repeats R]     # from the repository root

For the MLP (128, 128) and the CNN of experiment 2:
- template: the same Trainer and network fed by the template's `load_dataset` (torchvision's
  CIFAR10 with `ToTensor` and `Normalize` per image, DataLoaders), network in the default layout;
- ours: the Trainer as it is (whole batches normalised at once, channels-last CNN).
Prints each time (best of --repeats), `mlp ratio: X` and `cnn ratio: Y` (template / ours), and the
peak resident memory of a process that builds `Trainer('cnn')` either way, `memory ratio: Z`
(ours / template). Goals on 2 CPU cores: mlp ratio >= 3, cnn ratio >= 2, memory ratio <= 1.15.
"""
import argparse
import os
import resource
import subprocess
import sys
import time

import torch

from benchmarks.options import threads_option
from benchmarks.references import TemplateTrainer
from hw3_trainer import CNN_2, DataUnavailableError, NetworkConfiguration, Trainer, positive_int
from proj1.comparison.options import machine_line

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

NETWORKS = {'mlp': NetworkConfiguration(dense_hiddens=(128, 128)), 'cnn': CNN_2}


def template_trainer(network_type):
    """The template's Trainer: its loaders, the network in the default memory layout."""
    return TemplateTrainer(network_type, NETWORKS[network_type])


def our_trainer(network_type):
    """Our Trainer as it is."""
    return Trainer(network_type, NETWORKS[network_type])


TRAINERS = {'template': template_trainer, 'ours': our_trainer}


def epoch_seconds(make_trainer, repeats):
    """Best wall-clock time of train_loop(1) over `repeats` fresh trainers."""
    times = []
    for _ in range(repeats):
        trainer = make_trainer()
        start = time.perf_counter()
        trainer.train_loop(1)
        times.append(time.perf_counter() - start)
    return min(times)


def peak_memory_mib(side):
    """Peak resident memory (MiB) of a fresh process that builds `side`'s Trainer('cnn')."""
    probe = subprocess.run([sys.executable, '-m', 'benchmarks.hw3_epoch', '--probe', side], cwd=ROOT,
                           capture_output=True, text=True, check=True)
    return int(probe.stdout.split()[-1]) / 1024


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument('--threads', type=threads_option, default=torch.get_num_threads(), help="torch CPU threads, at most the CPUs here (default: torch's, here %(default)s)")
    parser.add_argument('--repeats', type=positive_int, default=1, help='epochs timed per side, the best kept (default 1)')
    parser.add_argument('--probe', choices=list(TRAINERS), help=argparse.SUPPRESS)  # one side of the memory line
    options = parser.parse_args()
    if options.probe:
        TRAINERS[options.probe]('cnn')
        return print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)  # KiB on Linux
    torch.set_num_threads(options.threads)
    print(f'{machine_line()}, best of {options.repeats}', flush=True)
    for network_type in NETWORKS:
        template = epoch_seconds(lambda: template_trainer(network_type), options.repeats)
        ours = epoch_seconds(lambda: our_trainer(network_type), options.repeats)
        print(f'{network_type}: template {template:.2f} s/epoch, ours {ours:.2f} s/epoch', flush=True)
        print(f'{network_type} ratio: {template / ours:.2f}', flush=True)
    template, ours = peak_memory_mib('template'), peak_memory_mib('ours')
    print(f'peak memory of a process building Trainer(\'cnn\'): template {template:.0f} MiB, ours {ours:.0f} MiB')
    print(f'memory ratio: {ours / template:.2f}')


if __name__ == '__main__':
    try:
        main()
    except DataUnavailableError as error:
        sys.exit(f'error: {error}')
