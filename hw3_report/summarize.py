"""Print the numbers of the report from the JSON logs of hw3_trainer.py, as a Markdown table.

    python hw3_report/summarize.py [LOG.json ...]   # default: hw3_report/experiment_*.json
"""
import glob
import json
import os
import sys


def rows(path):
    """One table row per training of the log file at `path`."""
    with open(path) as f:
        runs = json.load(f)
    for name, run in runs.items():
        logs = run['logs']
        best = min(range(len(logs['test_mae'])), key=logs['test_mae'].__getitem__)
        yield (f"| {os.path.basename(path)} | {name} | {run['parameters']:,} | {run['lr']:g} | {len(logs['test_mae'])} "
               f"| {logs['test_mae'][0]:.3f} | {logs['train_mae'][-1]:.3f} | {logs['test_mae'][-1]:.3f} | {logs['test_mae'][best]:.3f} "
               f"(epoch {best + 1}) | {logs['test_loss'][-1]:.3f} |")


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    paths = sys.argv[1:] or sorted(glob.glob(os.path.join(here, 'experiment_*.json')))
    print('| log | run | parameters | lr | epochs | epoch-1 test MAE | final train MAE | final test MAE | best test MAE | final test MSE |')
    print('| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |')
    for path in paths:
        print('\n'.join(rows(path)))


if __name__ == '__main__':
    main()
