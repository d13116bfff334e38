"""The figures of homework 3's report, from the JSON logs that hw3_trainer.py wrote:

    python hw3_report/figures.py                      # hw3_report/experiment_*.json -> hw3_report/experiment_N.svg
    python hw3_report/figures.py runs/hw3 --format png

experiment_1: the MLP's train (dashed) and test (solid) MAE per epoch at the three learning rates, on one
log-scale axis; experiment_2: the CNN, one colour per seed; experiment_3: the CNN of experiment 2, the deep
CNN (1x1 kernels) and the shallow CNN (one 32x32 kernel).
"""
import argparse
import glob
import json
import os
import sys

import matplotlib
from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator, NullFormatter

STYLE = {'font.size': 9, 'svg.hashsalt': 'report'}  # print size; the same SVG from the same figure
HERE = os.path.dirname(os.path.abspath(__file__))


class LogError(ValueError):
    """A log that cannot be drawn."""


def read_logs(folder):
    """{experiment number: {training name (with ' seed S' for another seed's log): training}} of the logs in
    `folder`."""
    runs = {}
    for path in sorted(glob.glob(os.path.join(folder, 'experiment_*.json'))):
        stem = os.path.basename(path)[len('experiment_'):-len('.json')]
        number, _, seed = stem.partition('_')
        try:
            with open(path) as f:
                log = json.load(f)
            for name, run in log.items():
                runs.setdefault(int(number), {})[name + (f' {seed.replace("seed", "seed ")}' if seed else '')] = {
                    key: run['logs'][key] for key in ('train_mae', 'test_mae')}
        except (json.JSONDecodeError, AttributeError, KeyError, TypeError, ValueError) as error:
            raise LogError(f'{path}: not a log of hw3_trainer.py ({error!r})') from None
    if not runs:
        raise LogError(f'{folder} holds no experiment_*.json log')
    return runs


def curves(ax, runs, first_colour=0):
    """Train (dashed) and test (solid) MAE of each training of `runs`, a colour each."""
    for colour, (name, logs) in enumerate(runs.items(), first_colour):
        for key, style in (('train_mae', '--'), ('test_mae', '-')):
            ax.plot(range(1, len(logs[key]) + 1), logs[key], f'C{colour}', linestyle=style, linewidth=1.2,
                    label=f'{name}, {key.split("_")[0]}')
    ax.set_xlabel('epoch')
    ax.set_ylabel('MAE (label units)')
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    ax.grid(alpha=0.3, which='both')
    ax.legend(fontsize=7, ncol=2)


def save(figure, path):
    """`figure` in `path` (its extension sets the format), whole or not at all, the same bytes each time."""
    partial = f'{path}.{os.getpid()}.partial'
    try:
        with matplotlib.rc_context(STYLE):
            figure.savefig(partial, format=os.path.splitext(path)[1].lstrip('.'), bbox_inches='tight', dpi=150,
                           metadata={'Date': None} if path.endswith('.svg') else None)
        os.replace(partial, path)
    except BaseException:
        if os.path.exists(partial):
            os.remove(partial)
        raise


def draw(folder, out=None, extension='svg'):
    """The figure of each experiment whose log is in `folder`, written in `out` (default `folder`); returns
    the paths."""
    runs, paths = read_logs(folder), []
    for number, trainings in sorted(runs.items()):
        if number == 3 and 2 in runs:  # the CNN of experiment 2 (the template's seed) beside the two of experiment 3
            trainings = {**{name: run for name, run in runs[2].items() if name == 'cnn'}, **trainings}
        with matplotlib.rc_context(STYLE):
            figure = Figure(figsize=(6.2, 2.9))
            ax = figure.subplots()
            curves(ax, trainings)
            if number == 1:  # lr=1e-8 stays near its start, far above the others: a log scale shows all three
                ax.set_yscale('log')
                ax.set_yticks([1.5, 2, 3, 4, 5], ['1.5', '2', '3', '4', '5'])
                ax.yaxis.set_minor_formatter(NullFormatter())
                ax.set_ylabel('MAE (label units, log scale)')
        paths.append(os.path.join(out or folder, f'experiment_{number}.{extension}'))
        save(figure, paths[-1])
    return paths


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument('folder', nargs='?', default=HERE, help='folder of the logs and the figures (default: '
                                                                'hw3_report)')
    parser.add_argument('--format', choices=('svg', 'pdf', 'png'), default='svg', help='(default: %(default)s)')
    options = parser.parse_args()
    try:
        print('wrote ' + ', '.join(draw(options.folder, extension=options.format)))
    except (OSError, LogError) as error:
        sys.exit(f'error: {error}')


if __name__ == '__main__':
    main()
