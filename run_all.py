"""Run every assignment in its handout configuration, one after the other.

    python3 run_all.py                 # homework 3 with the quick setting (--epochs 2)
    python3 run_all.py --hw3-epochs 50 # homework 3 as the handout runs it

Homework 3's logs and figures go to runs/hw3/ (git-ignored), never over hw3_report/.

MNIST and CIFAR-10 are provided first (found, downloaded, or laid out from the offline copy
beside the repository: course_data.py); each assignment then prints its own error rates, and
this script adds a header and the time.
"""
import argparse
import os
import subprocess
import sys
import time

from torchvision import datasets
from tqdm import tqdm

import course_data
from proj1.comparison.options import positive_int

ROOT = os.path.dirname(os.path.abspath(__file__))


def assignments(hw3_epochs):
    """(title, folder, command, cost) of each assignment; the costs, seconds of a run on a 2-core AMD EPYC,
    only weigh the assignments against each other for the estimate of the time left."""
    return [
        ('Practical 3: MLP from scratch on MNIST', ROOT, ['practical3_mlp.py', '--print-every', '100'], 7),
        ('Project 1: digit-pair comparison', os.path.join(ROOT, 'proj1'), ['test.py'], 106),
        ('Project 2: mini deep-learning framework', os.path.join(ROOT, 'proj2'), ['test.py'], 3),
        ('Homework 3: CIFAR-10 regression experiments', ROOT,
         ['hw3_trainer.py', '--epochs', str(hw3_epochs), '--out', os.path.join('runs', 'hw3')], 5 + 22 * hw3_epochs),
    ]


def time_left(done, left, seconds):
    """'about 02:30 left': the time the `left` costs take at the pace of the `done` ones (`seconds`)."""
    return f'about {tqdm.format_interval(seconds * left / done)} left' if left else 'done'


def provide_data():
    """Make sure that MNIST and CIFAR-10 are in the data folder before any assignment starts."""
    for dataset_class, name in ((datasets.MNIST, 'mnist'), (datasets.CIFAR10, 'cifar10')):
        course_data.load(dataset_class, os.path.join(course_data.data_dir(), name), train=True)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument('--hw3-epochs', type=positive_int, default=2,
                        help='epochs of each homework 3 experiment (default 2; handout: 50)')
    options = parser.parse_args()
    if options.hw3_epochs != 50:
        print(f'Homework 3 runs {options.hw3_epochs} epochs per experiment, not the handout\'s 50 (--hw3-epochs 50).')
    provide_data()
    failed = []
    runs = assignments(options.hw3_epochs)
    total, done, start = sum(run[3] for run in runs), 0, time.time()
    for k, (title, folder, command, cost) in enumerate(runs, 1):
        print(f'\n{"=" * 78}\n[{k}/{len(runs)}] {title}\n$ (cd {os.path.relpath(folder, ROOT)} && python3 '
              f'{" ".join(command)})\n{"=" * 78}', flush=True)
        began = time.time()
        code = subprocess.call([sys.executable] + command, cwd=folder)
        done += cost
        print(f'--- {title}: exit {code}, {time.time() - began:.0f} s; '
              f'{time_left(done, total - done, time.time() - start)}', flush=True)
        if code:
            failed.append(title)
    if failed:
        sys.exit('failed: ' + '; '.join(failed))


if __name__ == '__main__':
    try:
        main()
    except course_data.DataUnavailableError as error:
        sys.exit(f'error: {error}')
