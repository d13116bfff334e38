"""Run every assignment in its handout configuration, one after the other.

    python3 run_all.py                 # homework 3 with the quick setting (--epochs 2)
    python3 run_all.py --hw3-epochs 50 # homework 3 as the handout runs it

Homework 3's logs and figures go to runs/hw3/ (git-ignored), never over hw3_report/.

Each assignment prints its own error rates; this script adds a header and the time.
On the offline CIFAR-10 copy of ../shared/data (DATA_DIR/cifar10/checksums.json present),
homework 3 runs through offline_cifar.py, which checks the files against those sums.
"""
import argparse
import os
import subprocess
import sys
import time

ROOT = os.path.dirname(os.path.abspath(__file__))


def assignments(hw3_epochs):
    """(title, folder, command) of each assignment."""
    data_dir = os.environ.get('PYTORCH_DATA_DIR') or os.path.join(ROOT, 'data')
    offline = os.path.exists(os.path.join(data_dir, 'cifar10', 'checksums.json'))
    hw3 = (['offline_cifar.py'] if offline else []) + [
        'hw3_trainer.py', '--epochs', str(hw3_epochs), '--out', os.path.join('runs', 'hw3')]
    return [
        ('Practical 3: MLP from scratch on MNIST', ROOT, ['practical3_mlp.py', '--print-every', '100']),
        ('Project 1: digit-pair comparison', os.path.join(ROOT, 'proj1'), ['test.py']),
        ('Project 2: mini deep-learning framework', os.path.join(ROOT, 'proj2'), ['test.py']),
        ('Homework 3: CIFAR-10 regression experiments', ROOT, hw3),
    ]


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument('--hw3-epochs', type=int, default=2, help='epochs of each homework 3 experiment (handout: 50)')
    options = parser.parse_args()
    env = {**os.environ, 'PYTORCH_DATA_DIR': os.environ.get('PYTORCH_DATA_DIR') or os.path.join(ROOT, 'data')}
    failed = []
    for title, folder, command in assignments(options.hw3_epochs):
        print(f'\n{"=" * 78}\n{title}\n$ (cd {os.path.relpath(folder, ROOT)} && python3 {" ".join(command)})\n{"=" * 78}',
              flush=True)
        start = time.time()
        code = subprocess.call([sys.executable] + command, cwd=folder, env=env)
        print(f'--- {title}: exit {code}, {time.time() - start:.0f} s', flush=True)
        if code:
            failed.append(title)
    if failed:
        sys.exit('failed: ' + '; '.join(failed))


if __name__ == '__main__':
    main()
