"""Build the three reports: draw each report's figures from its results files, then typeset its Typst
source into the PDF beside it.

    python -m reports.build                 # proj1/report.pdf, proj2/report.pdf, hw3_report/report.pdf
    python -m reports.build proj2           # one of them

Each report reads its numbers and figures from one results folder (proj1/results, proj2/results,
hw3_report); `build(name, folder, pdf)` builds it from another folder (run_all.py's own run) into
another PDF. Nothing in a PDF depends on the date or the machine: rebuilt from the same files, it is the
same bytes.
"""
import argparse
import os
import shutil
import sys
from typing import Callable, NamedTuple

import typst

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


class Report(NamedTuple):
    source: str  # the Typst source, from the repository's root; the PDF is beside it
    results: str  # the committed results folder, from the root
    draw: Callable[[str], list]  # draws the figures of a results folder into it


def draw_proj1(folder):
    from proj1.plot import draw, read_rows
    paths = [os.path.join(folder, 'errors.svg')]
    draw(read_rows(os.path.join(folder, 'test.json')), paths[0])
    return paths


def draw_proj2(folder):
    from proj2.plot import draw
    return draw(os.path.join(folder, 'test.json'), folder)


def draw_hw3(folder):
    from hw3_report.figures import draw
    return draw(folder)


REPORTS = {'proj1': Report('proj1/report.typ', 'proj1/results', draw_proj1),
           'proj2': Report('proj2/report.typ', 'proj2/results', draw_proj2),
           'hw3': Report('hw3_report/report.typ', 'hw3_report', draw_hw3)}


class BuildError(RuntimeError):
    """A report that cannot be built: its results, figures or source are wrong."""


def build(name, folder=None, pdf=None):
    """Draw the figures of report `name` from the results in `folder` (default: the committed ones), then
    typeset it into `pdf` (default: beside its source), whole or not at all; returns the PDF's path."""
    report = REPORTS[name]
    folder = os.path.join(ROOT, folder or report.results)
    pdf = pdf or os.path.join(ROOT, os.path.splitext(report.source)[0] + '.pdf')
    try:
        report.draw(folder)
    except (OSError, ValueError, KeyError, TypeError, IndexError, ArithmeticError, RecursionError) as error:
        raise BuildError(f'{name}: cannot draw the figures from {folder}: {error}') from None
    relative = os.path.relpath(folder, ROOT)
    if relative.startswith('..'):
        raise BuildError(f'{name}: the results folder {folder} is outside the repository (Typst reads only inside)')
    partial = f'{pdf}.{os.getpid()}.partial'
    try:
        typst.compile(os.path.join(ROOT, report.source), output=partial, format='pdf', root=ROOT,
                      sys_inputs={'results': '/' + relative.replace(os.sep, '/')})
        os.replace(partial, pdf)
    except typst.TypstError as error:
        raise BuildError(f'{report.source}: {" ".join(str(error).split())} (reading the results in {folder}: '
                         'results of another version of the scripts are made again as README.md says)') from None
    except OSError as error:
        raise BuildError(f'{report.source}: cannot write {pdf} ({error})') from None
    finally:
        if os.path.exists(partial):
            os.remove(partial)
    return pdf


def build_from_run(name, own_results, folder):
    """Report `name` of a run (run_all.py's) in `folder`: the committed results, those of `own_results`
    ({file name: path}) in their place, the figures and the PDF; returns the PDF's path."""
    committed = os.path.join(ROOT, REPORTS[name].results)
    for path, _, names in os.walk(committed):  # every results file, in its subfolder (project 1's handout/)
        for entry in names:
            if entry.endswith('.json'):
                target = os.path.join(folder, os.path.relpath(path, committed))
                os.makedirs(target, exist_ok=True)
                shutil.copyfile(os.path.join(path, entry), os.path.join(target, entry))
    for entry, path in own_results.items():
        shutil.copyfile(path, os.path.join(folder, entry))
    return build(name, folder, os.path.join(folder, 'report.pdf'))


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument('reports', nargs='*', metavar='REPORT', help=f'{", ".join(REPORTS)} (default: all three)')
    options = parser.parse_args()
    unknown = [name for name in options.reports if name not in REPORTS]
    if unknown:
        parser.error(f'argument REPORT: {unknown[0]!r} is none of {", ".join(REPORTS)}')
    try:
        for name in options.reports or REPORTS:
            print(f'wrote {os.path.relpath(build(name), ROOT)}')
    except BuildError as error:
        sys.exit(f'error: {error}')


if __name__ == '__main__':
    main()
