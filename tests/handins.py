"""The hand-ins as their graders get them: each built in a folder of its own exactly as the README's
"Handing in" says, and run in another process with no repository file reachable (no PYTHONPATH, no
PYTORCH_DATA_DIR) and downloads refused (every proxy a closed port)."""
import os
import shutil
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

HANDINS = {  # hand-in: (what to copy from the repository, its name in the hand-in)
    'solution.py': [('hw3_trainer.py', 'solution.py')],
    'Proj1': [('proj1', '.'), ('dlc_practical_prologue.py', 'dlc_practical_prologue.py')],
    'Proj2': [('proj2', '.')],
}


def build(name, folder):
    """Hand-in `name` built in `folder` (created), as the README's commands build it; returns `folder`."""
    os.makedirs(folder, exist_ok=True)
    for source, target in HANDINS[name]:
        source, target = os.path.join(ROOT, source), os.path.join(folder, target)
        if os.path.isdir(source):
            shutil.copytree(source, target, dirs_exist_ok=True,
                            ignore=shutil.ignore_patterns('__pycache__', '*.pyc', 'data', 'runs'))
        else:
            shutil.copy(source, target)
    return folder


def repository_copy(folder):
    """The repository's files (tracked, or new and not ignored), copied to `folder`, where no offline copy of
    the data sits beside it: a clone on a machine without ../shared; returns `folder`."""
    listed = subprocess.run(['git', 'ls-files', '--cached', '--others', '--exclude-standard', '-z'], cwd=ROOT,
                            check=True, capture_output=True, text=True).stdout.split('\0')
    for name in filter(None, listed):
        if os.path.exists(os.path.join(ROOT, name)):
            os.makedirs(os.path.join(folder, os.path.dirname(name)), exist_ok=True)
            shutil.copy(os.path.join(ROOT, name), os.path.join(folder, name))
    return folder


def grader_environment(home):
    """The environment of a grader's process: nothing of this repository, no network."""
    closed = 'http://127.0.0.1:9'
    env = {name: value for name, value in os.environ.items()
           if name not in ('PYTHONPATH', 'PYTORCH_DATA_DIR') and not name.lower().endswith('_proxy')}
    return {**env, 'HOME': str(home), 'http_proxy': closed, 'https_proxy': closed, 'HTTP_PROXY': closed,
            'HTTPS_PROXY': closed, 'no_proxy': '', 'NO_PROXY': '', 'PYTHONDONTWRITEBYTECODE': '1'}


def run(argv, cwd, importable=None, timeout=600):
    """`python argv...` run in `cwd` as a grader runs it, the folder `importable` (a hand-in that the grader
    imports from elsewhere) on its PYTHONPATH."""
    env = grader_environment(cwd)
    if importable:
        env['PYTHONPATH'] = str(importable)
    return subprocess.run([sys.executable, *argv], cwd=cwd, env=env, capture_output=True, text=True,
                          timeout=timeout)
