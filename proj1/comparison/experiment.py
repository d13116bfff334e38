"""The experiments of project 1: rounds of every architecture on shared pairs, and the table of mean errors
and costs."""
import dataclasses
import statistics
import sys
import time

from .files import write_json
from .models import nb_parameters
from .options import machine_line
from .training import Diverged, draw, run_round


def configured(arch, options):
    """`arch` with the epochs, learning rate and auxiliary weight given on the command line."""
    changes = {name: getattr(options, name, None) for name in ('epochs', 'lr')}
    changes = {name: value for name, value in changes.items() if value is not None}
    if getattr(options, 'aux_weight', None) is not None and arch.aux_weight:
        changes['aux_weight'] = options.aux_weight
    return dataclasses.replace(arch, **changes)


def mean_std(values):
    """Mean and sample standard deviation of a list of numbers (None for a single value: it is undefined)."""
    return statistics.mean(values), statistics.stdev(values) if len(values) > 1 else None


def plural(count, noun):
    """'1 round', '10 rounds'."""
    return f'{count} {noun}{"" if count == 1 else "s"}'


def clock(seconds):
    """'1:05' for 65 seconds, '1:01:05' past an hour."""
    minutes, seconds = divmod(round(seconds), 60)
    hours, minutes = divmod(minutes, 60)
    return f'{hours}:{minutes:02d}:{seconds:02d}' if hours else f'{minutes}:{seconds:02d}'


class Progress:
    """On a terminal, a line on stderr rewritten after each of `total` trainings: how many are done, the time
    so far and the time left at that pace; gone at the end. Lines printed through it go to stdout whole."""

    def __init__(self, total, stream=None):
        self.stream = stream or sys.stderr
        self.total, self.done, self.start, self.shown = total, 0, time.perf_counter(), self.stream.isatty()

    def print(self, line):
        """`line` on stdout, then the progress after one more training."""
        self.clear()
        print(line, flush=True)
        self.done += 1
        if self.shown:
            elapsed = time.perf_counter() - self.start
            self.stream.write(f'{self.done}/{self.total} trainings, {clock(elapsed)} so far, about '
                              f'{clock(elapsed * (self.total - self.done) / self.done)} left')
            self.stream.flush()

    def clear(self):
        if self.shown:
            self.stream.write('\r\033[K')  # back to the line's start, the line erased
            self.stream.flush()


def run_rounds(archs, options):
    """{name: [Round, or the Diverged error, of each round]} of the architectures `archs` ({name: Arch}),
    round r of every architecture before round r + 1 of any, so that all see the same machine load. A
    line per training on stdout; on a terminal, the progress and the time left on stderr."""
    rounds = {name: [] for name in archs}
    progress = Progress(options.rounds * len(archs))
    for r in range(options.rounds):
        drawn = draw(options.seed + r, options.device)
        for name, arch in archs.items():
            try:
                result = run_round(arch, options.seed + r, options.device, drawn)
            except Diverged as diverged:
                result = diverged
                line = str(diverged)
            else:
                single = f' (single copy {100 * result.single_test_error:5.2f}%)' if arch.test_shifts else ''
                line = (f'train error {100 * result.train_error:5.2f}%  test error '
                        f'{100 * result.test_error:5.2f}%{single}  {result.seconds:5.2f} s')
            rounds[name].append(result)
            progress.print(f'{name:12s} round {r + 1:2d}/{options.rounds}  {line}')
    progress.clear()
    return rounds


def percent(value, width):
    """`value` as a percentage in `width` characters, or a dash when undefined."""
    return f'{"-":>{width}s} ' if value is None else f'{100 * value:{width}.2f}%'


def summary(arch, rounds, base):
    """The table's numbers of one architecture: its size and settings, then its mean errors and median seconds
    per round (also in baseline rounds, `base` seconds each, when given), or how many of its rounds diverged."""
    head = {'parameters': nb_parameters(arch.make()), 'epochs': arch.epochs, 'aux_weight': arch.aux_weight,
            'lr': arch.lr}
    diverged = [r for r in rounds if isinstance(r, Diverged)]
    if diverged:
        return {**head, 'diverged': f'diverged in {len(diverged)} of {plural(len(rounds), "round")} ({diverged[0]})'}
    test_mean, test_std = mean_std([r.test_error for r in rounds])
    train_mean, train_std = mean_std([r.train_error for r in rounds])
    seconds = statistics.median(r.seconds for r in rounds)
    return {**head, 'test_error': {'mean': test_mean, 'std': test_std},
            'train_error': {'mean': train_mean, 'std': train_std},
            'seconds': seconds, 'cost': seconds / base if base else None}


def table_row(name, row):
    """The table's line of one architecture (`row`: its summary)."""
    head = f'{name:12s} {row["parameters"]:7d} {row["epochs"]:6d} {row["aux_weight"]:4g} '
    if 'diverged' in row:
        return head + row['diverged']
    return (head + f'{percent(row["test_error"]["mean"], 9)} {percent(row["test_error"]["std"], 5)} '
            f'{percent(row["train_error"]["mean"], 10)} {row["seconds"]:7.2f}'
            + (f' {row["cost"]:6.2f}' if row['cost'] is not None else ''))


def baseline_seconds(rounds):
    """The median seconds of the baseline's rounds, None when it did not run or diverged."""
    baseline = rounds.get('baseline', [])
    if baseline and not any(isinstance(r, Diverged) for r in baseline):
        return statistics.median(r.seconds for r in baseline)
    return None


def print_table(rows, options, seconds, base):
    """The table of mean errors and median seconds per round (robust to a passing load on the
    machine), each cost also in baseline rounds when the baseline ran (`base` seconds), and the total
    (`seconds`) in seconds and in baseline rounds."""
    print(f'\n{"architecture":12s} {"params":>7s} {"epochs":>6s} {"aux":>4s} {"test error":>10s} {"std":>6s} '
          f'{"train error":>11s} {"s/round":>7s}' + (f' {"x base":>6s}' if base else ''))
    for name, row in rows.items():
        print(table_row(name, row))
    print(f'\n{plural(options.rounds, "round")}, seed {options.seed}, device {options.device} ({machine_line()}), '
          f'total {seconds:.0f} s'
          + (f' = {plural(round(seconds / base), "baseline round")}' if base else ''))


def round_record(seed, result):
    """One round as JSON: its errors, seconds and epoch losses, or why it diverged."""
    if isinstance(result, Diverged):
        return {'seed': seed, 'diverged': str(result)}
    return {'seed': seed, **result._asdict()}


def run_experiment(archs, options):
    """Run the rounds of `archs` ({name: Arch}) configured by `options`, then print the table and, with
    `options.out`, write it and every round to that JSON file; exits with status 1 when a training diverged."""
    archs = {name: configured(arch, options) for name, arch in archs.items()}
    start = time.perf_counter()
    rounds = run_rounds(archs, options)
    seconds, base = time.perf_counter() - start, baseline_seconds(rounds)
    rows = {name: summary(arch, rounds[name], base) for name, arch in archs.items()}
    print_table(rows, options, seconds, base)
    if options.out:
        write_json(options.out, {
            'rounds': options.rounds, 'seed': options.seed, 'device': options.device, 'machine': machine_line(),
            'seconds': seconds, 'baseline_seconds': base,
            'architectures': {name: {**row, 'rounds': [round_record(options.seed + r, result)
                                                       for r, result in enumerate(rounds[name])]}
                              for name, row in rows.items()}})
        print(f'wrote {options.out}')
    diverged = [name for name, results in rounds.items() if any(isinstance(r, Diverged) for r in results)]
    if diverged:
        raise SystemExit(f'error: {", ".join(diverged)} diverged')
