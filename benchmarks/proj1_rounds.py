"""Project 1: cost of a training round of our best model (training and predicting the test
pairs) against the handout's baseline, interleaved in one run, as a ratio of medians.

    python -m benchmarks.proj1_rounds [--rounds 3] [--device cpu]     # from the repository root
"""
import torch

from proj1.comparison.experiment import configured
from proj1.comparison.options import machine_line, main_or_exit, option_parser, parse_options
from proj1.comparison.training import ARCHS, draw, run_round


def main():
    options = parse_options(option_parser(__doc__, rounds=3))
    names = ('baseline', 'best')
    seconds = {name: [] for name in names}
    for r in range(options.rounds):
        drawn = draw(options.seed + r, options.device)
        for name in names:  # interleaved, so that both see the same machine load
            result = run_round(configured(ARCHS[name], options), options.seed + r, options.device, drawn)
            seconds[name].append(result.seconds)
            print(f'round {r}  {name:8s}  {result.seconds:6.2f} s  test error {100 * result.test_error:5.2f}%',
                  flush=True)
    median = {name: torch.tensor(values).median().item() for name, values in seconds.items()}
    print(f'\nmedian seconds per round on {options.device} ({machine_line()}):')
    print(f'  baseline {median["baseline"]:6.2f} s')
    print(f'  best     {median["best"]:6.2f} s   best / baseline: ratio {median["best"] / median["baseline"]:.2f}')


if __name__ == '__main__':
    main_or_exit(main)
