"""Bar chart of the mean test error of each architecture, with standard-deviation bars,
from the table that test.py prints.

    python test.py | tee results.txt && python plot.py results.txt errors.png
"""
import sys

import matplotlib
matplotlib.use('Agg')
import matplotlib.pyplot as plt  # noqa: E402


def read_table(path):
    """(architecture, parameters, mean test error %, std %) of each row of test.py's table."""
    lines = open(path).read().splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith('architecture'))
    rows = []
    for line in lines[start + 1:]:
        if not line.strip():
            break
        name, params, _, _, test_error, std = line.split()[:6]
        rows.append((name, int(params), float(test_error.rstrip('%')), float(std.rstrip('%'))))
    return rows


def main(table_path='results.txt', figure_path='errors.png'):
    rows = read_table(table_path)
    names = [f'{name}\n{params / 1000:.1f}k' for name, params, _, _ in rows]
    errors = [error for _, _, error, _ in rows]
    stds = [std for _, _, _, std in rows]
    fig, ax = plt.subplots(figsize=(7, 3.5))
    ax.bar(names, errors, yerr=stds, capsize=4, color='tab:blue')
    for x, (error, std) in enumerate(zip(errors, stds)):
        ax.text(x, error + std + 0.3, f'{error:.2f}%', ha='center', fontsize=8)
    ax.set_ylabel('test error (%), mean and std')
    ax.set_title('Digit-pair comparison, 1,000 training pairs')
    fig.tight_layout()
    fig.savefig(figure_path, dpi=120)
    print(f'wrote {figure_path}')


if __name__ == '__main__':
    main(*sys.argv[1:])
