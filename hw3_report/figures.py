"""The figures of homework 3's report, from the JSON logs that hw3_trainer.py wrote:

    python hw3_report/figures.py runs/hw3             # runs/hw3/experiment_*.json -> runs/hw3/experiment_N.svg
    python hw3_report/figures.py --overwrite          # the report's: hw3_report/experiment_N.svg replaced

experiment_1: the MLP's train (dashed) and test (solid) MAE per epoch at the three learning rates, on one
log-scale axis; experiment_2: the CNN, one colour per seed, and the test MAE of the MLP of experiment 1 that
ends best (grey, dotted); experiment_3: the CNN of experiment 2, the deep CNN (1x1 kernels) and the shallow
CNN (one 32x32 kernel). Each line has its legend entry, right of the axes.
"""
import argparse
import glob
import json
import math
import os
import sys

import matplotlib
from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator, MultipleLocator, NullFormatter

# Print size: the report shows the figures at their natural size (no text under 8.5 pt); the same SVG from the
# same figure.
STYLE = {'font.size': 9, 'legend.fontsize': 8.5, 'svg.hashsalt': 'report'}
HERE = os.path.dirname(os.path.abspath(__file__))


class LogError(ValueError):
    """A log that cannot be drawn."""


def read_logs(folder):
    """{experiment number: {training name (with ' seed S' for another seed's log): training}} of the logs in
    `folder`; a training holds its train and test MAE per epoch and what names it in a legend (its network,
    learning rate, seed and kernel sizes, None where the log lacks them)."""
    runs = {}
    for path in sorted(glob.glob(os.path.join(folder, 'experiment_*.json'))):
        stem = os.path.basename(path)[len('experiment_'):-len('.json')]
        number, _, seed = stem.partition('_')
        try:
            with open(path) as f:
                log = json.load(f)
            for name, run in log.items():
                training = {key: run['logs'][key] for key in ('train_mae', 'test_mae')}
                for key, values in training.items():
                    if not (isinstance(values, list) and values and all(
                            isinstance(v, (int, float)) and not isinstance(v, bool) and 0 < v < math.inf for v in values)):
                        raise LogError(f'{path}: {name} has no {key} curve to draw (a list of numbers above 0)')
                training.update(name=name, network=run.get('network_type'), lr=run.get('lr'), seed=run.get('seed'),
                                kernels=(run.get('config') or {}).get('kernel_sizes'))
                runs.setdefault(int(number), {})[name + (f' {seed.replace("seed", "seed ")}' if seed else '')] = training
        except LogError:
            raise
        except (json.JSONDecodeError, AttributeError, KeyError, TypeError, ValueError, RecursionError) as error:
            raise LogError(f'{path}: not a log of hw3_trainer.py ({error!r})') from None
    if not runs:
        raise LogError(f'{folder} holds no experiment_*.json log')
    return runs


def learning_rate(lr):
    """`lr` as mathtext: 'lr = $10^{-4}$', or 'lr = 0.003' when it is not a power of 10."""
    if isinstance(lr, (int, float)) and lr > 0:
        exponent = round(math.log10(lr))
        if math.isclose(lr, 10.0 ** exponent, rel_tol=1e-9):
            return f'lr = $10^{{{exponent}}}$'
        return f'lr = {lr:g}'
    return 'lr = ?'


def kernel(training):
    """'3×3' when all the kernels of a CNN are k×k, else their sizes; '' when the log does not say."""
    sizes = training['kernels'] or []
    if not sizes:
        return ''
    return f'{sizes[0]}×{sizes[0]}' if len(set(sizes)) == 1 else ', '.join(f'{k}×{k}' for k in sizes)


CNN_NAMES = {'cnn': 'CNN', 'deep': 'deep CNN', 'shallow': 'shallow CNN'}


def label(number, training):
    """The legend's name of `training` of experiment `number`: its learning rate for the MLP (experiment 1),
    its seed for experiment 2, its network and kernel for experiment 3."""
    if training['network'] == 'mlp':
        return ('MLP, ' if number != 1 else '') + learning_rate(training['lr'])
    name, size = CNN_NAMES.get(training['name'], training['name']), kernel(training)
    if number == 2:
        return f'{name} {size}, seed {training["seed"]}'.replace('  ', ' ')
    if training['name'] == 'cnn':
        return f'{name} {size} (seed {training["seed"]})'.replace('  ', ' ')
    return f'{name} ({size})' if size else name


def curves(ax, number, runs, reference=None):
    """Train (dashed) and test (solid) MAE of each training of `runs`, a colour each, and the test MAE of the
    training `reference` (grey, dotted) when given; the legend, one entry a line, right of the axes."""
    for colour, training in enumerate(runs.values()):
        for key, style in (('train_mae', '--'), ('test_mae', '-')):
            ax.plot(range(1, len(training[key]) + 1), training[key], f'C{colour}', linestyle=style, linewidth=1.2,
                    label=f'{label(number, training)}, {key.split("_")[0]}')
    if reference is not None:
        test = reference['test_mae']
        ax.plot(range(1, len(test) + 1), test, color='0.35', linestyle=':', linewidth=1.5,
                label=f'{label(number, reference)}, test')
    epochs = max(len(training['test_mae']) for training in runs.values())
    ax.set_xlim(0.5, epochs + 0.5)
    ax.xaxis.set_major_locator(MultipleLocator(10) if epochs >= 20 else MaxNLocator(integer=True))
    ax.set_xlabel('epoch')
    ax.set_ylabel('MAE (label units)')
    ax.grid(alpha=0.3, which='both')
    ax.legend(loc='center left', bbox_to_anchor=(1.01, 0.5), frameon=False, handlelength=2.6)


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
        reference = None
        if number == 2 and 1 in runs:  # the MLP of question 1 that ends best, the comparison of question 2
            reference = min(runs[1].values(), key=lambda training: training['test_mae'][-1])
        if number == 3 and 2 in runs:  # the CNN of experiment 2 (the template's seed) beside the two of experiment 3
            trainings = {**{name: run for name, run in runs[2].items() if name == 'cnn'}, **trainings}
        with matplotlib.rc_context(STYLE):
            figure = Figure(figsize=(4.65, 2.6))  # with its legend, within the text's width
            ax = figure.subplots()
            curves(ax, number, trainings, reference)
            if number == 1:  # lr=1e-8 stays far above the others: a log scale shows all three
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
    parser.add_argument('--overwrite', action='store_true', help='replace the figures if they exist (default: refuse)')
    options = parser.parse_args()
    try:
        runs = read_logs(options.folder)
    except (OSError, LogError) as error:
        sys.exit(f'error: {error}')
    existing = [path for path in (os.path.join(options.folder, f'experiment_{n}.{options.format}') for n in sorted(runs))
                if os.path.lexists(path)]
    if existing and not options.overwrite:
        parser.error(f'{", ".join(existing)} exist{"s" if len(existing) == 1 else ""} (--overwrite replaces them)')
    try:
        print('wrote ' + ', '.join(draw(options.folder, extension=options.format)))
    except (OSError, ValueError, TypeError, KeyError, IndexError, ArithmeticError) as error:
        sys.exit(f'error: cannot draw the figures of {options.folder}: {error}')


if __name__ == '__main__':
    main()
