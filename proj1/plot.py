"""Bar chart of the mean test error of each row of a table that test.py (or ablation.py)
prints, with standard-deviation bars, on a log scale so that 1% and 18% both read.

    python test.py | tee results.txt && python plot.py results.txt errors.png
    python ablation.py | tee ablation.txt && python plot.py ablation.txt ablation.png
"""
import sys

import matplotlib
matplotlib.use('Agg')
import matplotlib.pyplot as plt  # noqa: E402


def read_table(path):
    """(name, parameters, mean test error %, std %) of each row of the table in `path`."""
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
    fig, ax = plt.subplots(figsize=(1.2 * len(rows) + 1, 3.8))
    ax.bar(names, errors, yerr=stds, capsize=4, color='tab:blue')
    ax.set_yscale('log')
    for x, (error, std) in enumerate(zip(errors, stds)):
        ax.text(x, (error + std) * 1.08, f'{error:.2f}%', ha='center', fontsize=8)
    ax.set_ylabel('test error (%), mean and std, log scale')
    ax.set_title('Digit-pair comparison, 1,000 training pairs, 10 rounds')
    ax.tick_params(axis='x', labelsize=8)
    fig.tight_layout()
    fig.savefig(figure_path, dpi=120)
    print(f'wrote {figure_path}')


if __name__ == '__main__':
    main(*sys.argv[1:])
