"""The figures of project 2's report, from the results that `test.py --out` wrote:

    python test.py --rounds 10 --out results/test.json && python plot.py results/test.json results --overwrite

decision_boundary.svg: the first round's network output over [0, 1]^2, its 0.5 level (the decision
boundary), the true circle and the misclassified test points; loss_curve.svg: the training MSE of
each epoch, every round. --format (svg, pdf, png) sets the files' format; existing figures are
replaced with --overwrite only.
"""
import argparse
import json
import math
import os
import sys

import matplotlib
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Circle

if __package__:  # imported as proj2.plot from the repository's root (the reports' build, experiments/plot.py)
    from .disc import written
else:  # beside test.py
    from disc import written

STYLE = {'font.size': 9, 'svg.hashsalt': 'report'}  # print size; the same SVG from the same figure
FIGURES = ('decision_boundary', 'loss_curve')


def check_figure(parser, path, results, overwrite):
    """A usage error unless `path` is a figure that may be written: not `results`, a known format, new unless
    `overwrite`."""
    if os.path.realpath(path) == os.path.realpath(results):
        parser.error(f'{path} would replace the results it is drawn from')
    if os.path.splitext(path)[1] not in ('.svg', '.pdf', '.png'):
        parser.error(f'{path} is not a .svg, .pdf or .png file')
    if os.path.lexists(path) and not overwrite:
        parser.error(f'{path} exists (--overwrite replaces it)')


def save(figure, path):
    """`figure` in `path` (its extension sets the format), whole or not at all, the same bytes from the same
    figure (no date, fixed ids)."""
    with written(path) as partial, matplotlib.rc_context(STYLE):
        figure.savefig(partial, format=os.path.splitext(path)[1].lstrip('.'), bbox_inches='tight',
                       metadata={'Date': None} if path.endswith('.svg') else None, dpi=150)


def plot_decision_boundary(results, path):
    """Output of the first round's network on a grid, its boundary, the true circle, the test errors."""
    data = results['boundary']
    n = data['resolution']
    if not (isinstance(n, int) and n >= 2 and len(data['output']) == n):
        raise ValueError(f'a grid of resolution {n!r} with {len(data["output"])} rows, not a grid to draw')
    axis = [i / (n - 1) for i in range(n)]
    points, targets, wrong = data['test_input'], data['test_target'], set(data['wrong'])
    right = [k for k in range(len(points)) if k not in wrong]
    figure = Figure(figsize=(3.4, 3.6))
    ax = figure.subplots()
    image = ax.imshow([[min(max(v, -0.25), 1.25) for v in row] for row in data['output']], origin='lower',
                      extent=(0, 1, 0, 1), cmap='coolwarm', alpha=0.8, interpolation='nearest')
    ax.contour(axis, axis, data['output'], levels=[0.5], colors='k', linewidths=1.2)
    ax.add_patch(Circle((0.5, 0.5), 1 / math.sqrt(2 * math.pi), fill=False, color='limegreen', linewidth=2,
                        linestyle=(0, (4, 2)), zorder=3))
    ax.scatter([points[k][0] for k in right], [points[k][1] for k in right], s=2,
               c=[targets[k] for k in right], cmap='coolwarm', edgecolors='none')
    ax.scatter([points[k][0] for k in wrong], [points[k][1] for k in wrong], s=20, marker='x', c='k', zorder=4)
    handles = [Line2D([], [], color='k', linewidth=1.2, label='decision boundary (output 0.5)'),
               Line2D([], [], color='limegreen', linewidth=2, linestyle=(0, (4, 2)), label='true circle'),
               Line2D([], [], color='tab:red', marker='.', linestyle='none', label='test point inside'),
               Line2D([], [], color='tab:blue', marker='.', linestyle='none', label='test point outside'),
               Line2D([], [], color='k', marker='x', linestyle='none', label=f'{len(wrong)} misclassified test points')]
    ax.legend(handles=handles, loc='upper center', bbox_to_anchor=(0.5, -0.2), fontsize=8)
    ax.set_xlabel('$x_1$')
    ax.set_ylabel('$x_2$')
    figure.colorbar(image, ax=ax, shrink=0.75, label='network output')
    save(figure, path)


def plot_loss_curve(results, path):
    """The training MSE of each epoch of every round, log scale."""
    figure = Figure(figsize=(3.4, 2.6))
    ax = figure.subplots()
    for k, r in enumerate(results['rounds']):
        ax.semilogy(range(1, len(r['losses']) + 1), r['losses'], color='tab:blue', alpha=0.5, linewidth=0.8,
                    label=f'{len(results["rounds"])} rounds (seeds {results["rounds"][0]["seed"]}-{r["seed"]})'
                    if k == len(results['rounds']) - 1 else None)
    ax.axvline(results['epochs'] / 2 + 0.5, color='gray', linestyle=':', linewidth=1, label='learning rate / 10')
    ax.set_xlabel('epoch')
    ax.set_ylabel("mean MSE of the epoch's batches (log)")
    ax.legend(fontsize=8)
    ax.grid(alpha=0.3)
    save(figure, path)


def draw(results_path, folder, extension='svg'):
    """Both figures from `results_path` into `folder`; returns their paths."""
    with open(results_path) as f:
        results = json.load(f)
    paths = [os.path.join(folder, f'{name}.{extension}') for name in FIGURES]
    with matplotlib.rc_context(STYLE):
        plot_decision_boundary(results, paths[0])
        plot_loss_curve(results, paths[1])
    return paths


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument('results', nargs='?', default=os.path.join('results', 'test.json'),
                        help='the JSON file of test.py --out (default: %(default)s)')
    parser.add_argument('folder', nargs='?', default='results', help='folder of the figures (default: %(default)s)')
    parser.add_argument('--format', choices=('svg', 'pdf', 'png'), default='svg', help='(default: %(default)s)')
    parser.add_argument('--overwrite', action='store_true', help='replace the figures if they exist (default: refuse)')
    options = parser.parse_args()
    for name in FIGURES:
        check_figure(parser, os.path.join(options.folder, f'{name}.{options.format}'), options.results, options.overwrite)
    try:
        paths = draw(options.results, options.folder, options.format)
    except (OSError, ValueError, KeyError, TypeError, IndexError, ArithmeticError, RecursionError) as error:
        sys.exit(f'error: cannot draw the figures of {options.results}: {error!r}')
    print('wrote ' + ', '.join(paths))


if __name__ == '__main__':
    main()
