"""run_all.py: its estimate of the time left."""
import run_all


def test_the_time_left_is_the_pace_so_far_applied_to_the_costs_left():
    assert run_all.time_left(done=10, left=30, seconds=20) == 'about 01:00 left'
    assert run_all.time_left(done=113, left=0, seconds=200) == 'done'


def test_every_assignment_has_a_cost_and_homework_3_s_grows_with_its_epochs():
    costs = {epochs: [cost for *_, cost in run_all.assignments(epochs)] for epochs in (2, 50)}
    assert len(costs[2]) == 4 and all(cost > 0 for cost in costs[2])
    assert costs[2][:3] == costs[50][:3] and costs[50][3] > 20 * costs[2][3]
