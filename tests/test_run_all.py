"""run_all.py: its estimate of the time left, and a stop that ends its children too."""
import signal
import subprocess
import sys
import time

import pytest

import run_all


def test_the_time_left_is_the_pace_so_far_applied_to_the_costs_left():
    assert run_all.time_left(done=10, left=30, seconds=20) == 'about 01:00 left'
    assert run_all.time_left(done=113, left=0, seconds=200) == 'done'


def test_every_assignment_has_a_cost_and_homework_3_s_grows_with_its_epochs():
    costs = {epochs: [run[3] for run in run_all.assignments(epochs)] for epochs in (2, 50)}
    assert len(costs[2]) == 4 and all(cost > 0 for cost in costs[2])
    assert costs[2][:3] == costs[50][:3] and costs[50][3] > 20 * costs[2][3]


STOPPABLE = """
import sys, run_all
run_all.provide_data = lambda: None
run_all.assignments = lambda epochs: [('a long one', '.', ['-c', 'import time; time.sleep(120)'], 1, None)]
sys.argv = ['run_all.py']
run_all.run()
"""


@pytest.mark.parametrize('signum, status', [(signal.SIGTERM, 143), (signal.SIGINT, 130)])
def test_a_stop_ends_the_running_assignment_too_and_says_so(signum, status):
    parent = subprocess.Popen([sys.executable, '-c', STOPPABLE], cwd=run_all.ROOT, stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, text=True)
    deadline = time.time() + 60
    children = []
    while not children and time.time() < deadline:  # the assignment started
        time.sleep(0.2)
        children = subprocess.run(['pgrep', '-P', str(parent.pid)], capture_output=True, text=True).stdout.split()
    assert children, 'the assignment never started'
    parent.send_signal(signum)
    out, err = parent.communicate(timeout=30)
    assert parent.returncode == status and err == f'run_all.py: stopped by {signal.Signals(signum).name}\n', err
    assert subprocess.run(['ps', '-p', children[0]], capture_output=True).returncode == 1  # the child is gone


def test_a_stop_while_the_modules_load_is_one_line_too():
    """SIGINT a second after the start, while torch and the rest load (or later): one line, status 130, no traceback."""
    parent = subprocess.Popen([sys.executable, 'run_all.py'], cwd=run_all.ROOT, stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, text=True)
    time.sleep(1)
    parent.send_signal(signal.SIGINT)
    out, err = parent.communicate(timeout=60)
    assert (parent.returncode, err) == (130, 'run_all.py: stopped by SIGINT\n'), err


def test_a_runs_folder_that_cannot_be_made_is_one_line(tmp_path):
    (tmp_path / 'runs').write_text('a file where the folder of the runs goes')
    code = (f'import sys, run_all\nrun_all.provide_data = lambda: None\nrun_all.RUNS = {str(tmp_path / "runs")!r}\n'
            "sys.argv = ['run_all.py']\nrun_all.run()\n")
    result = subprocess.run([sys.executable, '-c', code], cwd=run_all.ROOT, capture_output=True, text=True, timeout=120)
    assert result.returncode == 1 and 'Traceback' not in result.stderr, result.stderr
    assert result.stderr.splitlines() == [f"error: cannot make the folder of this run's results ([Errno 20] Not a "
                                          f"directory: '{tmp_path / 'runs' / 'proj1'}')"]
