# Copyright: Contributors to the stackroll.lifecycle project
# Apache License 2.0 (see LICENSE)
"""The upgrade benchmark's own arithmetic: task runs from Ansible's JSON
lines, the unavoidable work, and the figures against their targets."""
import json
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(__file__), '..'))
import upgrade  # noqa: E402


def event(name, host, start, end, kind='v2_runner_on_ok', **result):
    return json.dumps({'_event': kind, 'task': {'name': name, 'duration': {'start': start, 'end': end}},
                       'hosts': {host: result}})


LINES = [
    '{"_event": "v2_playbook_on_task_start", "task": {"name": "Run nova-manage db sync"}}',
    'Tuesday 01 December 2026  04:21:20 +0000 (0:00:00.015)',
    event('stackroll.lifecycle.openstack : Run nova-manage db sync', 'ctl1',
          '2026-12-01T10:00:00Z', '2026-12-01T10:00:12.5Z'),
    event("Contract keystone's database, now that the new code runs", 'ctl1',
          '2026-12-01T10:01:00Z', '2026-12-01T10:01:02Z'),
    # the new code's start beside the old, for the hand-over, counts too
    event('Wait until the stand-in shares the port', 'ctl1', '2026-12-01T10:01:58Z', '2026-12-01T10:02:00Z'),
    event('Restart nova-api', 'ctl1', '2026-12-01T10:02:00Z', '2026-12-01T10:02:03Z'),
    event('Restart behind a stand-in, nova-api', 'ctl1', '2026-12-01T10:02:00Z', '2026-12-01T10:02:09Z'),
    event('Wait for an answer from nova-api', 'ctl1', '2026-12-01T10:02:09Z', '2026-12-01T10:02:11Z'),
    event('Start nova-conductor', 'ctl1', '2026-12-01T10:03:00Z', '2026-12-01T10:03:04Z'),
    event('Read who consumes the RPC queue of nova-conductor', 'ctl1', '2026-12-01T10:03:04Z', '2026-12-01T10:03:06Z'),
    event('stackroll.lifecycle.upgrade : Move one of its instances back as the test', 'cmp1',
          '2026-12-01T10:05:00Z', '2026-12-01T10:05:07Z'),
    # nova-compute restarted on two hosts at once: its wall time counts once
    event('Restart nova-compute', 'cmp1', '2026-12-01T10:04:00Z', '2026-12-01T10:04:05Z'),
    event('Restart nova-compute', 'cmp2', '2026-12-01T10:04:00Z', '2026-12-01T10:04:06Z'),
    event('Run nova-manage db sync', 'ctl2', '2026-12-01T10:00:00Z', '2026-12-01T10:00:09Z',
          kind='v2_runner_on_skipped', skipped=True),
    event('Run nova-manage api_db sync', 'ctl2', '2026-12-01T10:00:00Z', '2026-12-01T10:00:01Z', skipped=True),
]

REPORT = {
    'from': '2026.1', 'release': '2026.2',
    'totals': {'seconds': 200.0, 'hosts': 2},
    'timeline': [{'phase': 'control_plane', 'seconds': 120.0}],
    'steps': [{'step': 'nova', 'seconds': 60.0}, {'step': 'tempest', 'seconds': 33.5}],
    'instances': {
        'moved_off': [{'source': 'cmp1', 'duration': 10.0}, {'source': 'cmp1', 'duration': 14.0},
                      {'source': 'cmp2', 'duration': 9.0}],
        'moved_back': [{'target': 'cmp1', 'duration': 11.0}, {'target': 'cmp1', 'duration': None}],
    },
}


def test_task_runs_keep_tasks_that_ran_on_a_host():
    runs = upgrade.task_runs(LINES)
    assert ('Run nova-manage db sync', ('ctl1',), 12.5) in runs
    assert ('Restart nova-compute', ('cmp1', 'cmp2'), 6.0) in runs
    assert not [r for r in runs if 'ctl2' in r[1]]
    assert len(runs) == 10


def test_unavoidable_work_by_kind():
    work = upgrade.unavoidable(upgrade.task_runs(LINES), REPORT)
    assert work == {'schema migrations': 14.5, 'restarts': 19.0, 'test migrations': 7.0,
                    'live migrations': 14.0 + 9.0 + 11.0, 'sum': 74.5}


def test_figures_against_targets():
    availability = {
        'overall': {'instances': {'tracked': 8, 'down_seconds': 0, 'lost': []}},
        'windows': [{'name': 'backup', 'total': {'availability': 100.0}},
                    {'name': 'control_plane', 'total': {'availability': 99.95}}]}
    work = upgrade.unavoidable(upgrade.task_runs(LINES), REPORT)
    result = upgrade.figures(REPORT, availability, work)
    # the target is the upgrade's, without the closing Tempest run
    assert result['ratio'] == round((200.0 - 33.5) / 74.5, 2)
    assert result['ratio_with_tempest'] == round(200.0 / 74.5, 2)
    assert result['control_plane_availability'] == 99.95
    assert (result['instances'], result['downtime_seconds'], result['lost']) == (8, 0, 0)
    table = upgrade.markdown(result, REPORT)
    assert result['tempest_seconds'] == 33.5
    assert '| (total - Tempest) / unavoidable | 2.23 | <= 1.5 |' in table
    assert '| total / unavoidable, with Tempest | 2.68 | |' in table
    assert '| control_plane | 120.0 |' in table
