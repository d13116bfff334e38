"""The figure of the digit-pairs experiment, from the results that `experiments.digit_pairs --out` wrote.

    python -m experiments.plot experiments/digit_pairs.json experiments/digit_pairs_curve.svg

An existing figure is replaced with --overwrite only.
"""
import argparse
import json
import sys

import matplotlib
from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator

from proj2.plot import STYLE, check_figure, save


def plot_curve(results, path):
    """Round 1's mean training loss of each epoch, both implementations of each network, in `path` (its extension
    sets the format), whole or not at all."""
    with matplotlib.rc_context(STYLE):
        figure = Figure(figsize=(6.2, 2.8))
        ax = figure.subplots()
        for (name, network), colour in zip(results['networks'].items(), ('tab:blue', 'tab:orange')):
            for (implementation, row), style in zip(network['implementations'].items(), ('-', '--')):
                losses = row['rounds'][0]['losses']
                ax.semilogy(range(1, len(losses) + 1), losses, style, color=colour, label=f'{name}, {implementation}')
        ax.set_xlabel('epoch')
        ax.xaxis.set_major_locator(MaxNLocator(integer=True))
        ax.set_ylabel('training loss (log scale)')
        ax.grid(alpha=0.3)
        ax.legend(fontsize=8)
    save(figure, path)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument('results', help='the JSON file of experiments.digit_pairs --out')
    parser.add_argument('figure', help='the figure to write (.svg, .pdf or .png)')
    parser.add_argument('--overwrite', action='store_true', help='replace the figure if it exists (default: refuse)')
    options = parser.parse_args()
    check_figure(parser, options.figure, options.results, options.overwrite)
    try:
        with open(options.results) as f:
            plot_curve(json.load(f), options.figure)
    except (OSError, ValueError, KeyError, TypeError, IndexError, ArithmeticError, RecursionError) as error:
        sys.exit(f'error: cannot draw {options.figure} from {options.results}: {error!r}')
    print(f'wrote {options.figure}')


if __name__ == '__main__':
    main()
