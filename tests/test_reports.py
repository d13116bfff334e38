"""The reports: each builds from the committed sources and results within its page limit, is the committed PDF,
shows in its tables the numbers of its results files, and names a key that its results lack."""
import io
import json
import os
import shutil
import subprocess
import sys

import pypdf
import pytest
import typst

from reports.build import REPORTS, ROOT, BuildError, build_from_run

PAGES = {'proj1': 3, 'proj2': 3, 'hw3': 4}  # the handouts' limits


def compile_report(name, root=ROOT):
    """The PDF (bytes) of report `name` compiled from the sources, figures and results under `root`, as the
    Typst compiler does it alone (`typst compile SOURCE --root ROOT`: the source's own default results)."""
    return typst.compile(os.path.join(root, REPORTS[name].source), root=root)


def text_of(pdf):
    """The text of each page of `pdf` (bytes or a path), with pypdf."""
    return [page.extract_text() for page in pypdf.PdfReader(io.BytesIO(pdf) if isinstance(pdf, bytes) else pdf).pages]


def squeezed(text):
    """`text` without spaces of any width: "70 906" and "70906" alike."""
    return ''.join(text.split()).replace('\u2009', '').replace('\u202f', '')


@pytest.fixture(scope='module')
def built():
    """The PDF of a report compiled from the committed sources, figures and results, once per report."""
    cache = {}

    def pdf(name):
        if name not in cache:
            cache[name] = compile_report(name)
        return cache[name]
    return pdf


@pytest.mark.parametrize('name', list(REPORTS))
def test_each_report_builds_within_its_page_limit_and_again_to_the_same_bytes(built, name):
    pages = text_of(built(name))
    assert 1 <= len(pages) <= PAGES[name]
    assert compile_report(name) == built(name)  # no date, nothing of the machine


@pytest.mark.parametrize('name', list(REPORTS))
def test_the_committed_pdf_is_what_the_sources_and_results_build_today(built, name):
    committed = os.path.join(ROOT, os.path.splitext(REPORTS[name].source)[0] + '.pdf')
    assert text_of(committed) == text_of(built(name)), f'{committed} is stale: python -m reports.build {name}'


def pm(d, digits=2):
    return f'{100 * d["mean"]:.{digits}f}±' + ('–' if d['std'] is None else f'{100 * d["std"]:.{digits}f}') + '%'


def results(folder, name):
    with open(os.path.join(ROOT, folder, name)) as f:
        return json.load(f)


def test_proj1_s_tables_show_the_numbers_of_its_results(built):
    text = squeezed(''.join(text_of(built('proj1'))))
    test, ablation = results('proj1/results', 'test.json'), results('proj1/results', 'ablation.json')
    for table in (test, ablation):
        fastest = {name: min(r['seconds'] for r in row['rounds']) for name, row in table['architectures'].items()}
        for name, row in table['architectures'].items():
            cost = fastest[name] / fastest['baseline']  # the fastest round in baseline rounds
            for shown in (name, str(row['parameters']), pm(row['test_error']), f'{cost:.1f}'):
                assert shown in text, (name, shown)
    for name, row in test['architectures'].items():
        assert f'{100 * row["train_error"]["mean"]:.2f}%' in text and str(row['lr']) in text


def test_proj2_s_tables_show_the_numbers_of_its_results(built):
    text = squeezed(''.join(text_of(built('proj2'))))
    published, test = results('proj2/results', 'published.json'), results('proj2/results', 'test.json')
    for name, row in published['settings'].items():
        for shown in (squeezed(name), f'{100 * row["theirs"]:.1f}%', pm(row['accuracy'], digits=1)):
            assert shown in text, (name, shown)
    for name, row in results('proj2/results', 'digit_pairs.json')['networks'].items():
        for implementation in row['implementations'].values():
            assert pm(implementation['test_error']) in text and str(implementation['parameters']) in text
        assert f'{row["time_ratio"]:.2f}' in text
    assert pm(test['test_error']) in text and str(test['parameters']) in text


def test_hw3_s_tables_show_the_numbers_of_its_logs(built):
    text = squeezed(''.join(text_of(built('hw3'))))
    for log in ('experiment_1.json', 'experiment_2.json', 'experiment_2_seed1.json', 'experiment_2_seed2.json',
                'experiment_3.json'):
        for name, run in results('hw3_report', log).items():
            logs = run['logs']
            for shown in (str(run['parameters']), f'{logs["test_mae"][0]:.3f}', f'{logs["train_mae"][-1]:.3f}',
                          f'{logs["test_mae"][-1]:.3f}', f'{logs["test_loss"][-1]:.3f}', f'{min(logs["test_mae"]):.3f}'):
                assert shown in text, (log, name, shown)


def copy_of_report(name, tmp_path):
    """The sources of report `name` and its results, copied under `tmp_path` as they lie in the repository."""
    report = REPORTS[name]
    shutil.copytree(os.path.join(ROOT, 'reports'), tmp_path / 'reports', ignore=shutil.ignore_patterns('__pycache__'))
    shutil.copytree(os.path.join(ROOT, report.results), tmp_path / report.results, dirs_exist_ok=True)
    shutil.copy(os.path.join(ROOT, report.source), tmp_path / report.source)
    return tmp_path / report.results


def test_a_source_reading_a_key_that_the_results_lack_stops_with_the_file_and_the_key(tmp_path):
    folder = copy_of_report('proj1', tmp_path)
    test = json.loads((folder / 'test.json').read_text())
    del test['rounds']
    (folder / 'test.json').write_text(json.dumps(test))
    with pytest.raises(typst.TypstError, match='test.json has no rounds'):
        compile_report('proj1', root=tmp_path)


def test_a_claim_of_the_text_that_the_results_contradict_stops_the_build(tmp_path):
    """proj1's text says that weight sharing lowers the error: swapped results fail the build, not the reader."""
    folder = copy_of_report('proj1', tmp_path)
    test = json.loads((folder / 'test.json').read_text())
    rows = test['architectures']
    rows['siamese']['rounds'], rows['shared']['rounds'] = rows['shared']['rounds'], rows['siamese']['rounds']
    (folder / 'test.json').write_text(json.dumps(test))
    with pytest.raises(typst.TypstError, match='siamese → shared: the text.s claim no longer holds'):
        compile_report('proj1', root=tmp_path)


def build_command(*arguments):
    return subprocess.run([sys.executable, '-m', 'reports.build', *arguments], cwd=ROOT, capture_output=True,
                          text=True, timeout=120)


def test_the_build_command_refuses_an_unknown_report_in_one_line():
    run = build_command('proj3')
    assert run.returncode == 2 and run.stderr.splitlines()[-1] == (
        "build.py: error: argument REPORT: 'proj3' is none of proj1, proj2, hw3")


def test_a_build_from_other_results_writes_there_and_leaves_the_committed_pdf_alone(tmp_path):
    """build_from_run (run_all.py's) into a folder of runs/: the committed results, one file replaced; the
    results whose numbers contradict nothing build; the committed report is untouched."""
    committed = os.path.join(ROOT, 'proj2', 'report.pdf')
    before = open(committed, 'rb').read()
    folder = os.path.join(ROOT, 'runs', f'test-reports-{os.getpid()}')
    try:
        test = results('proj2/results', 'test.json')
        test['rounds'] = test['rounds'][:1]
        test['test_error'] = {'mean': test['rounds'][0]['test_error'], 'std': None}
        own = tmp_path / 'test.json'
        own.write_text(json.dumps(test))
        pdf = build_from_run('proj2', {'test.json': str(own)}, folder)
        assert pdf == os.path.join(folder, 'report.pdf') and open(committed, 'rb').read() == before
        assert f'{100 * test["test_error"]["mean"]:.2f}±–%' in squeezed(''.join(text_of(pdf)))
        committed_results = os.listdir(os.path.join(ROOT, 'proj2', 'results'))
        assert sorted(os.listdir(folder)) == sorted(
            [name for name in committed_results if name.endswith(('.json', '.svg'))] + ['report.pdf'])
        pdf = build_from_run('proj1', {'test.json': os.path.join(ROOT, 'proj1', 'results', 'test.json')},
                             os.path.join(folder, 'proj1'))  # its results in a subfolder too (handout/)
        assert text_of(pdf) == text_of(os.path.join(ROOT, 'proj1', 'report.pdf'))

        published = results('proj2/results', 'published.json')  # a key that the source reads as row.accuracy
        for row in published['settings'].values():
            del row['accuracy']
        (tmp_path / 'published.json').write_text(json.dumps(published))
        with pytest.raises(BuildError) as error:
            build_from_run('proj2', {'published.json': str(tmp_path / 'published.json')}, os.path.join(folder, 'old'))
        assert str(error.value) == (f'proj2/report.typ: dictionary does not contain key "accuracy" (reading the results '
                                    f'in {os.path.join(folder, "old")}: results of another version of the scripts are '
                                    'made again as README.md says)')
        assert not os.path.exists(os.path.join(folder, 'old', 'report.pdf'))
    finally:
        shutil.rmtree(folder, ignore_errors=True)
