"""The mean test error of each architecture of a results file that test.py (or ablation.py) wrote with
--out, and its standard deviation over the rounds, on a linear axis.

    python test.py --out results/test.json && python plot.py results/test.json results/errors.svg
    python ablation.py --out results/ablation.json && python plot.py results/ablation.json results/ablation.svg

The figure's extension (svg, pdf, png) sets its format; an existing figure is replaced with --overwrite only.
"""
import argparse
import json
import math
import os
import sys

import matplotlib
from matplotlib.figure import Figure

if __package__:  # imported as proj1.plot from the repository's root (the reports' build)
    from .comparison.files import written
else:  # run beside test.py
    from comparison.files import written

STYLE = {'font.size': 9, 'svg.hashsalt': 'report'}  # print size; the same SVG from the same figure


class ResultsError(ValueError):
    """A file that holds no results of test.py's --out."""


def read_rows(path):
    """(name, parameters, mean test error %, std % or 0) of each architecture of the results in `path`."""
    with open(path) as f:
        try:
            results = json.load(f)
        except (json.JSONDecodeError, UnicodeDecodeError, RecursionError) as error:
            raise ResultsError(f'{path}: not JSON ({error})') from None
    try:
        architectures = results['architectures'].items()
        rows = [(name, row['parameters'], 100 * row['test_error']['mean'], 100 * (row['test_error']['std'] or 0))
                for name, row in architectures if 'diverged' not in row]
    except (AttributeError, KeyError, TypeError) as error:
        raise ResultsError(f'{path}: not the results of test.py --out (no {error})') from None
    for name, params, error, std in rows:
        if not (isinstance(params, int) and all(isinstance(x, (int, float)) and not isinstance(x, bool)
                                                and 0 <= x <= 100 for x in (error, std))):
            raise ResultsError(f'{path}: {name} has no error rate to draw (mean {error}%, std {std}%)')
    if not rows:
        raise ResultsError(f'{path}: no architecture trained to the end')
    return rows


def draw(rows, path):
    """A point per row at its mean, a bar of one standard deviation on each side, top to bottom in the file's
    order, in `path`, whole or not at all (the same bytes from the same rows)."""
    with matplotlib.rc_context(STYLE):
        figure = Figure(figsize=(6.2, 0.28 * len(rows) + 0.8))
        ax = figure.subplots()
        positions = range(len(rows))[::-1]
        errors, stds = [error for _, _, error, _ in rows], [std for _, _, _, std in rows]
        ax.errorbar(errors, positions, xerr=stds, fmt='o', markersize=4, capsize=3, color='tab:blue',
                    label='mean test error ± standard deviation over the rounds')
        ax.set_yticks(positions, [f'{name} ({params / 1000:.1f}k parameters)' for name, params, _, _ in rows])
        for y, error, std in zip(positions, errors, stds):
            ax.annotate(f'{error:.2f} ± {std:.2f}', (error + std, y), xytext=(5, 0), textcoords='offset points',
                        va='center', fontsize=8)
        ax.set_xlim(0, max(e + s for e, s in zip(errors, stds)) * 1.25)
        ax.set_ylim(-0.7, len(rows) - 0.3)
        ax.set_xlabel('test error (%)')
        ax.grid(axis='x', alpha=0.3)
        ax.legend(loc='lower left', bbox_to_anchor=(0, 1), frameon=False, fontsize=8)
        with written(path) as partial:
            figure.savefig(partial, format=os.path.splitext(path)[1].lstrip('.') or 'png', bbox_inches='tight',
                           dpi=150, metadata={'Date': None} if path.endswith('.svg') else None)

def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument('results', nargs='?', default=os.path.join('results', 'test.json'),
                        help='the JSON file of test.py --out (default: %(default)s)')
    parser.add_argument('figure', nargs='?', default=os.path.join('results', 'errors.svg'),
                        help='figure to write, .svg, .pdf or .png (default: %(default)s)')
    parser.add_argument('--overwrite', action='store_true', help='replace the figure if it exists (default: refuse)')
    options = parser.parse_args()
    if os.path.realpath(options.figure) == os.path.realpath(options.results):
        parser.error('the figure would replace the results it is drawn from')
    if os.path.splitext(options.figure)[1] not in ('.svg', '.pdf', '.png'):
        parser.error(f'{options.figure} is not a .svg, .pdf or .png file')
    if os.path.lexists(options.figure) and not options.overwrite:
        parser.error(f'{options.figure} exists (--overwrite replaces it)')
    try:
        draw(read_rows(options.results), options.figure)
    except (OSError, ResultsError) as error:
        sys.exit(f'error: {error}')
    print(f'wrote {options.figure}')


if __name__ == '__main__':
    main()
