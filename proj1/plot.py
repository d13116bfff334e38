"""Bar chart of the mean test error of each row of a table that test.py (or ablation.py)
prints, with standard-deviation bars, on a log scale so that 1% and 18% both read.

    python test.py | tee results.txt && python plot.py results.txt errors.png
    python ablation.py | tee ablation.txt && python plot.py ablation.txt ablation.png
"""
import argparse
import os
import sys


class TableError(ValueError):
    """A file that holds no table of test.py's."""


def read_table(path):
    """(name, parameters, mean test error %, std % or 0) of each row of the table in `path`."""
    with open(path) as f:
        lines = f.read().splitlines()
    starts = [i for i, line in enumerate(lines) if line.startswith('architecture')]
    if not starts:
        raise TableError(f'{path} holds no table of test.py (no line starting with "architecture")')
    rows = []
    for line in lines[starts[-1] + 1:]:
        if not line.strip():
            break
        fields = line.split()
        try:
            name, params, test_error, std = fields[0], int(fields[1]), float(fields[4].rstrip('%')), fields[5]
            rows.append((name, params, test_error, 0.0 if std == '-' else float(std.rstrip('%'))))
        except (IndexError, ValueError):
            raise TableError(f'{path}: not a row of test.py\'s table (a diverged row?): {line.strip()!r}') from None
    if not rows:
        raise TableError(f'{path}: the table has no rows')
    return rows


def draw(rows, figure_path):
    """One horizontal bar per row, in the order of the table from the top."""
    import matplotlib
    matplotlib.use('Agg')
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(6.4, 0.42 * len(rows) + 1.2))
    names = [f'{name} ({params / 1000:.1f}k)' for name, params, _, _ in rows]
    errors = [error for _, _, error, _ in rows]
    stds = [std for _, _, _, std in rows]
    positions = range(len(rows))[::-1]
    ax.barh(positions, errors, xerr=stds, capsize=3, color='tab:blue')
    ax.set_xscale('log')
    ax.set_yticks(positions, names, fontsize=10)
    for y, (error, std) in zip(positions, zip(errors, stds)):
        ax.text((error + std) * 1.06, y, f'{error:.2f}%', va='center', fontsize=9)
    ax.set_xlabel('test error (%), mean and std over the rounds, log scale')
    ax.set_xlim(right=max(e + s for e, s in zip(errors, stds)) * 1.6)
    ax.set_title('Digit-pair comparison, 1,000 training pairs')
    fig.tight_layout()
    extension = os.path.splitext(figure_path)[1].lstrip('.')
    fig.savefig(figure_path, dpi=120, format=extension or 'png')  # the path as given, extension or not


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument('table', nargs='?', default='results.txt', help='output of test.py (default results.txt)')
    parser.add_argument('figure', nargs='?', default='errors.png', help='figure to write (default errors.png)')
    options = parser.parse_args()
    try:
        rows = read_table(options.table)
        draw(rows, options.figure)
    except (OSError, TableError) as error:
        sys.exit(f'error: {error}')
    print(f'wrote {options.figure}')


if __name__ == '__main__':
    main()
