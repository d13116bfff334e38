"""Run every assignment in its handout configuration, one after the other.

    python3 run_all.py                 # homework 3 with the quick setting (--epochs 2)
    python3 run_all.py --hw3-epochs 50 # homework 3 as the handout runs it

Every output goes to runs/ (git-ignored), never over the committed results: project 1's and project 2's
results (runs/proj1/test.json, runs/proj2/test.json), homework 3's logs (runs/hw3/), and at the end the
reports of this run (runs/reports/NAME/report.pdf), the committed results standing in for the experiments
that this script does not run (the ablation, the selection, the published table).

MNIST and CIFAR-10 are provided first (found, downloaded, or laid out from the offline copy
beside the repository: course_data.py); each assignment then prints its own error rates, and
this script adds a header and the time.
"""
import argparse
import os
import signal
import subprocess
import sys
import time

# The modules that load torch, torchvision or typst are imported in the functions that use them, once run() has
# set its stop handlers: a stop while they load (seconds) is then a stop like any other.

ROOT = os.path.dirname(os.path.abspath(__file__))
RUNS = os.path.join(ROOT, 'runs')


def assignments(hw3_epochs):
    """(title, folder, command, cost, report) of each assignment; the costs, seconds of a run on a 2-core AMD
    EPYC, only weigh the assignments against each other for the estimate of the time left; `report` names the
    report that the run's results go into, with the results files it writes ({file name: path})."""
    hw3_logs = os.path.join('runs', 'hw3')
    return [
        ('Practical 3: MLP from scratch on MNIST', ROOT, ['practical3_mlp.py', '--print-every', '100'], 7, None),
        ('Project 1: digit-pair comparison', os.path.join(ROOT, 'proj1'),
         ['test.py', '--out', os.path.join('..', 'runs', 'proj1', 'test.json'), '--overwrite'], 106,
         ('proj1', {'test.json': os.path.join(RUNS, 'proj1', 'test.json')})),
        ('Project 2: mini deep-learning framework', os.path.join(ROOT, 'proj2'),
         ['test.py', '--out', os.path.join('..', 'runs', 'proj2', 'test.json'), '--overwrite'], 3,
         ('proj2', {'test.json': os.path.join(RUNS, 'proj2', 'test.json')})),
        ('Homework 3: CIFAR-10 regression experiments', ROOT,
         ['hw3_trainer.py', '--epochs', str(hw3_epochs), '--out', hw3_logs, '--overwrite'], 5 + 22 * hw3_epochs,
         ('hw3', {f'experiment_{n}.json': os.path.join(ROOT, hw3_logs, f'experiment_{n}.json') for n in (1, 2, 3)})
         if hw3_epochs == 50 else None),
    ]


def time_left(done, left, seconds):
    """'about 02:30 left': the time the `left` costs take at the pace of the `done` ones (`seconds`)."""
    from tqdm import tqdm
    return f'about {tqdm.format_interval(seconds * left / done)} left' if left else 'done'


def build_report(name, results):
    """The report `name` of this run in runs/reports/NAME/, from its `results` ({file name: path}) and the
    committed results for the rest; returns whether it was built."""
    from reports.build import BuildError, build_from_run
    try:
        pdf = build_from_run(name, results, os.path.join(RUNS, 'reports', name))
    except (BuildError, OSError) as error:
        print(f'report {name} not built: {error}')
        return False
    print(f'wrote {os.path.relpath(pdf, ROOT)}')
    return True


def provide_data():
    """Make sure that MNIST and CIFAR-10 are in the data folder before any assignment starts; missing data
    ends the run with one line, status 1."""
    from torchvision import datasets

    import course_data
    for dataset_class, name in ((datasets.MNIST, 'mnist'), (datasets.CIFAR10, 'cifar10')):
        try:
            course_data.load(dataset_class, os.path.join(course_data.data_dir(), name), train=True)
        except course_data.DataUnavailableError as error:
            sys.exit(f'error: {error}')


class Stopped(Exception):
    """SIGINT or SIGTERM received: the run stops, its child with it."""

    def __init__(self, signum):
        super().__init__(signum)
        self.signum = signum


def stop(signum, frame):
    raise Stopped(signum)


def run_child(command, folder):
    """The exit status of `python3 command...` run in `folder`; a stop (an exception, SIGINT or SIGTERM as
    Stopped) ends the child first: SIGTERM, then SIGKILL after 10 s."""
    child = subprocess.Popen([sys.executable] + command, cwd=folder)
    try:
        return child.wait()
    except BaseException:
        child.terminate()
        try:
            child.wait(timeout=10)
        except subprocess.TimeoutExpired:
            child.kill()
            child.wait()
        raise


def main():
    from proj1.comparison.options import positive_int
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument('--hw3-epochs', type=positive_int, default=2,
                        help='epochs of each homework 3 experiment (default 2; handout: 50)')
    options = parser.parse_args()
    if options.hw3_epochs != 50:
        print(f'Homework 3 runs {options.hw3_epochs} epochs per experiment, not the handout\'s 50 (--hw3-epochs 50), '
              'and its report is not built (its text describes the 50-epoch curves).')
    provide_data()
    for folder in ('proj1', 'proj2', 'hw3'):
        try:
            os.makedirs(os.path.join(RUNS, folder), exist_ok=True)
        except OSError as error:
            sys.exit(f'error: cannot make the folder of this run\'s results ({error})')
    failed, reports = [], []
    runs = assignments(options.hw3_epochs)
    total, done, start = sum(run[3] for run in runs), 0, time.time()
    for k, (title, folder, command, cost, report) in enumerate(runs, 1):
        print(f'\n{"=" * 78}\n[{k}/{len(runs)}] {title}\n$ (cd {os.path.relpath(folder, ROOT)} && python3 '
              f'{" ".join(command)})\n{"=" * 78}', flush=True)
        began = time.time()
        code = run_child(command, folder)
        done += cost
        print(f'--- {title}: exit {code}, {time.time() - began:.0f} s; '
              f'{time_left(done, total - done, time.time() - start)}', flush=True)
        if code:
            failed.append(title)
        elif report:
            reports.append(report)
    print(f'\n{"=" * 78}\nThe reports of this run, in runs/reports/\n{"=" * 78}', flush=True)
    failed += [f'report {name}' for name, results in reports if not build_report(name, results)]
    if failed:
        sys.exit('failed: ' + '; '.join(failed))


def run():
    """main(), a stop by SIGINT or SIGTERM as one line (status 130 or 143, the running assignment stopped with it)."""
    for signum in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signum, stop)
    try:
        main()
    except Stopped as stopped:
        print(f'run_all.py: stopped by {signal.Signals(stopped.signum).name}', file=sys.stderr)
        sys.exit(128 + stopped.signum)


if __name__ == '__main__':
    run()
