"""Project 1: seconds per 25-epoch training round of the handout's baseline and of our
best model, side by side in one run, and the baseline against the handout's "< 2 s".

    python benchmarks/proj1_rounds.py [--rounds 3] [--device cpu]
"""
import argparse
import dataclasses
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), 'proj1'))
import torch  # noqa: E402

from train import ARCHS, run_round  # noqa: E402

HANDOUT_SECONDS = 2.0


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument('--rounds', type=int, default=3, help='rounds per model, interleaved (default 3)')
    parser.add_argument('--device', default='cpu')
    options = parser.parse_args()
    names = ('baseline', 'best')
    seconds = {name: [] for name in names}
    for r in range(options.rounds):
        for name in names:  # interleaved, so that both see the same machine load
            _, test_error, s = run_round(dataclasses.replace(ARCHS[name], epochs=25), r, options.device)
            seconds[name].append(s)
            print(f'round {r}  {name:8s}  {s:6.2f} s  test error {100 * test_error:5.2f}%', flush=True)
    median = {name: torch.tensor(values).median().item() for name, values in seconds.items()}
    print(f'\nmedian seconds per 25-epoch round on {options.device} ({torch.get_num_threads()} threads):')
    print(f'  baseline {median["baseline"]:6.2f} s   handout < {HANDOUT_SECONDS:.0f} s: '
          f'ratio {median["baseline"] / HANDOUT_SECONDS:.2f}')
    print(f'  best     {median["best"]:6.2f} s   best / baseline: ratio {median["best"] / median["baseline"]:.2f}')


if __name__ == '__main__':
    main()
