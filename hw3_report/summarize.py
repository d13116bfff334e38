"""Print the numbers of the report from the JSON logs of hw3_trainer.py, as Markdown tables: one row per
training, then the mean and standard deviation over the seeds of each training run with several.

    python hw3_report/summarize.py [LOG.json or FOLDER ...]   # default: the experiment_*.json beside this file
"""
import argparse
import glob
import json
import math
import os
import statistics
import sys
from collections import defaultdict

HERE = os.path.dirname(os.path.abspath(__file__))
COLUMNS = ('log', 'run', 'parameters', 'lr', 'epochs', 'epoch-1 test MAE', 'final train MAE', 'final test MAE',
           'best test MAE', 'final test MSE')


class LogError(ValueError):
    """A file that is not a log of hw3_trainer.py."""


def log_paths(arguments):
    """The JSON logs named by `arguments` (files, or folders whose experiment_*.json are taken)."""
    paths = []
    for argument in arguments or [HERE]:
        found = sorted(glob.glob(os.path.join(argument, 'experiment_*.json'))) if os.path.isdir(argument) else [argument]
        if not found:
            raise LogError(f'{argument} holds no experiment_*.json log')
        if os.path.exists(argument) and not os.path.isdir(argument) and not os.path.isfile(argument):
            raise LogError(f'{argument} is not a file (a pipe, a device?)')
        paths += found
    return paths


FIELDS = ('parameters', 'lr', 'seed', 'config', 'logs')
CURVES = ('train_loss', 'test_loss', 'train_mae', 'test_mae')


def finite(value):
    """Whether `value` is a finite number (a bool is not; an integer too large for a float is not)."""
    try:
        return isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)
    except OverflowError:
        return False


def check_run(path, name, run):
    """Raise LogError unless `run` holds what the tables print: its fields and four curves of finite numbers,
    one value per epoch (a diverged training says why, in a string, and may stop early)."""
    missing = [field for field in FIELDS if field not in run] or [
        curve for curve in CURVES if not isinstance(run['logs'], dict) or curve not in run['logs']]
    if missing:
        raise LogError(f'{path}: training {name!r} lacks {", ".join(missing)} (a log of an older hw3_trainer.py?)')
    diverged, curves = run.get('diverged'), [run['logs'][curve] for curve in CURVES]
    if diverged not in (None, False) and not isinstance(diverged, str):
        raise LogError(f'{path}: training {name!r} has a "diverged" that is not a message: {diverged!r}')
    if not all(isinstance(curve, list) for curve in curves):
        raise LogError(f'{path}: training {name!r} has a curve that is not a list')
    if not diverged and (not all(curves) or len({len(curve) for curve in curves}) != 1):
        raise LogError(f'{path}: training {name!r} has no epoch, or curves of different lengths')
    values = [run['parameters'], run['lr'], *(value for curve in curves for value in curve)]
    if not diverged and not all(finite(value) for value in values):
        raise LogError(f'{path}: training {name!r} holds a parameter count, learning rate or curve value that '
                       'is not a finite number (a diverged training not marked as such?)')
    if not (isinstance(run['parameters'], int) and finite(run['lr'])):
        raise LogError(f'{path}: training {name!r} has no parameter count or learning rate')
    if not finite(run.get('seconds', 0)) or not isinstance(run.get('made_by') or {}, dict):
        raise LogError(f'{path}: training {name!r} has a "seconds" or "made_by" of another type')


def read_log(path):
    """{training name: training} of the log at `path`, each with its fields and four per-epoch curves."""
    try:
        with open(path) as f:
            runs = json.load(f)
    except (json.JSONDecodeError, UnicodeDecodeError, RecursionError) as error:
        raise LogError(f'{path}: not JSON ({error}), a truncated log?') from None
    if not isinstance(runs, dict) or not runs or not all(isinstance(run, dict) for run in runs.values()):
        raise LogError(f'{path}: not a log of hw3_trainer.py (no training in it)')
    for name, run in runs.items():
        check_run(path, name, run)
    return runs


def row(path, name, run):
    """The table's cells of one training."""
    cells = [os.path.basename(path), name, f"{run['parameters']:,}", f"{run['lr']:g}"]
    logs = run['logs']
    if run.get('diverged'):
        return cells + [str(len(logs['test_mae'])), run['diverged'], '', '', '', '']
    best = min(range(len(logs['test_mae'])), key=logs['test_mae'].__getitem__)
    return cells + [str(len(logs['test_mae'])), f"{logs['test_mae'][0]:.3f}", f"{logs['train_mae'][-1]:.3f}",
                    f"{logs['test_mae'][-1]:.3f}", f"{logs['test_mae'][best]:.3f} (epoch {best + 1})",
                    f"{logs['test_loss'][-1]:.3f}"]


def mean_pm_std(values):
    """'mean ± sample standard deviation' of `values`, at least two."""
    return f'{statistics.mean(values):.3f} ± {statistics.stdev(values):.3f}'


def seed_rows(runs):
    """Mean and standard deviation over the seeds of each training (same name, network and lr) run with several."""
    groups = defaultdict(list)
    for _, name, run in runs:
        if not run.get('diverged'):
            groups[name, json.dumps(run['config']), run['lr']].append(run)
    for (name, _, lr), group in groups.items():
        if len(group) > 1:
            curves = [run['logs'] for run in group]
            yield [f"{name}, seeds {', '.join(str(run['seed']) for run in group)}", f'{lr:g}', str(len(group)),
                   mean_pm_std([c['test_mae'][0] for c in curves]), mean_pm_std([c['train_mae'][-1] for c in curves]),
                   mean_pm_std([c['test_mae'][-1] for c in curves]), mean_pm_std([min(c['test_mae']) for c in curves]),
                   mean_pm_std([c['test_loss'][-1] for c in curves])]


def provenance_row(path, name, run):
    """Where, when and from which commit a training was made, and how long it took (older logs say nothing)."""
    made = run.get('made_by') or {}
    commit = str(made.get('commit') or '?')[:7] + (' (modified)' if made.get('hw3_trainer_modified') else '')
    where = made.get('gpu') or made.get('cpu', '?')
    return [os.path.basename(path), name, str(commit), str(where), str(made.get('threads', '?')),
            str(made.get('torch', '?')), str(made.get('date', '?')), f"{run['seconds']:.0f}" if 'seconds' in run else '?']


def markdown(header, rows, text_columns=2):
    """A Markdown table: the first `text_columns` columns left-aligned, the numbers right."""
    lines = ['| ' + ' | '.join(header) + ' |',
             '| ' + ' | '.join('---' if i < text_columns else '---:' for i in range(len(header))) + ' |']
    return '\n'.join(lines + ['| ' + ' | '.join(cells) + ' |' for cells in rows])


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument('logs', nargs='*', help='JSON logs, or folders of them (default: this folder)')
    options = parser.parse_args()
    try:
        runs = [(path, name, run) for path in log_paths(options.logs) for name, run in read_log(path).items()]
    except (OSError, LogError) as error:
        sys.exit(f'error: {error}')
    print(markdown(COLUMNS, [row(*run) for run in runs]))
    print('\nWhere, when and from which commit (hw3_trainer.py) each training was made, and its wall time:\n')
    print(markdown(('log', 'run', 'commit', 'CPU or GPU', 'threads', 'torch', 'started', 'seconds'),
                   [provenance_row(*run) for run in runs], text_columns=7))
    over_seeds = list(seed_rows(runs))
    if over_seeds:
        print('\nOver the seeds (mean ± standard deviation):\n')
        print(markdown(('training', 'lr', 'seeds', 'epoch-1 test MAE', 'final train MAE', 'final test MAE',
                        'best test MAE', 'final test MSE'), over_seeds))


if __name__ == '__main__':
    main()
