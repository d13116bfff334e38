"""The figures of proj2/README.md, from one round of test.py (same options, seed 0 by default):

    python plot.py [--seed 0] [--out figures]

figures/decision_boundary.png: the network's output over [0, 1]^2, its 0.5 level (the decision
boundary), the true circle and the misclassified test points; figures/loss_curve.png: the
training MSE of each epoch.
"""
import math
import os
import sys

import torch
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Circle

from disc import option_parser, run_round
from framework import Diverged


def plot_decision_boundary(result, path, resolution=300):
    """Output of the network on a grid, the boundary, the true circle, the test errors."""
    axis = torch.linspace(0, 1, resolution)
    grid = torch.stack(torch.meshgrid(axis, axis, indexing='xy'), -1).reshape(-1, 2)
    result.model.eval()
    output = result.model(result.scale(grid)).reshape(resolution, resolution)
    _, _, test_input, test_target = result.data
    wrong = ((result.model(result.scale(test_input)) > 0.5) != (test_target > 0.5)).flatten()
    figure = Figure(figsize=(5.5, 5))
    ax = figure.subplots()
    image = ax.imshow(output.clamp(-0.25, 1.25), origin='lower', extent=(0, 1, 0, 1), cmap='coolwarm', alpha=0.8)
    ax.contour(axis, axis, output, levels=[0.5], colors='k', linewidths=1.5)
    ax.add_patch(Circle((0.5, 0.5), 1 / math.sqrt(2 * math.pi), fill=False, color='limegreen', linewidth=3,
                        linestyle=(0, (4, 2)), zorder=3))
    ax.scatter(*test_input[~wrong].T, s=3, c=test_target[~wrong].flatten(), cmap='coolwarm', edgecolors='none')
    ax.scatter(*test_input[wrong].T, s=30, marker='x', c='k', zorder=4)
    handles = [Line2D([], [], color='k', linewidth=1.5, label='decision boundary (output 0.5)'),
               Line2D([], [], color='limegreen', linewidth=3, linestyle=(0, (4, 2)), label='true circle'),
               Line2D([], [], color='k', marker='x', linestyle='none', label=f'{int(wrong.sum())} test errors')]
    ax.legend(handles=handles, loc='upper center', bbox_to_anchor=(0.5, -0.12), ncol=2, fontsize=8)
    ax.set_xlabel('x1')
    ax.set_ylabel('x2')
    ax.set_title('network output over the input square')
    figure.colorbar(image, ax=ax, shrink=0.8, label='network output')
    figure.savefig(path, dpi=120, bbox_inches='tight')


def plot_loss_curve(result, path):
    """The training loss of each epoch, log scale."""
    figure = Figure(figsize=(5.5, 3.5))
    ax = figure.subplots()
    ax.semilogy(range(1, len(result.losses) + 1), result.losses)
    ax.set_xlabel('epoch')
    ax.set_ylabel('training MSE')
    ax.set_title(f'train error {100 * result.train_error:.2f}%, test error {100 * result.test_error:.2f}%')
    figure.savefig(path, dpi=120, bbox_inches='tight')


def main():
    parser = option_parser(__doc__)
    parser.add_argument('--out', default='figures', help='folder of the figures (default: %(default)s)')
    options = parser.parse_args()
    torch.set_grad_enabled(False)  # the handout's rule: the framework runs without autograd
    try:
        os.makedirs(options.out, exist_ok=True)
        result = run_round(options.seed, options)
        plot_decision_boundary(result, os.path.join(options.out, 'decision_boundary.png'))
        plot_loss_curve(result, os.path.join(options.out, 'loss_curve.png'))
    except (Diverged, OSError) as error:
        sys.exit(str(error))
    print(f'seed {options.seed}: train error {100 * result.train_error:.2f}%, test error '
          f'{100 * result.test_error:.2f}%; figures in {options.out}/')


if __name__ == '__main__':
    main()
