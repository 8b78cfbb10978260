# Copyright: Contributors to the stackroll.lifecycle project
# Apache License 2.0 (see LICENSE)
"""The upgrade benchmark's own arithmetic: task runs from Ansible's JSON
lines, the unavoidable work, the figures against their targets, and the
phases the plot shades."""
import json
import os
import sys

from ansible_collections.stackroll.lifecycle.plugins.module_utils._upgrade_report import PHASES

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
    'timeline': [
        {'phase': 'preflight', 'start': '2026-12-01T09:58:00Z', 'end': '2026-12-01T09:58:20Z', 'seconds': 20.0},
        {'phase': 'staging', 'start': '2026-12-01T09:58:20Z', 'end': '2026-12-01T10:00:00Z', 'seconds': 100.0},
        {'phase': 'control_plane', 'start': '2026-12-01T10:00:00Z', 'end': '2026-12-01T10:02:00Z',
         'seconds': 120.0},
        {'phase': 'computes', 'start': '2026-12-01T10:02:00Z', 'end': None, 'seconds': None}],
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


def services(**longest):
    return dict((name, {'availability': 100.0 if not seconds else 99.0, 'longest_failure_s': seconds})
                for name, seconds in longest.items())


def test_figures_against_targets():
    availability = {
        'overall': {'instances': {'tracked': 8, 'down_seconds': 0, 'lost': []},
                    'total': {'availability': 99.8},
                    'services': services(identity=3.0, compute=1.0)},
        'windows': [{'name': 'staging', 'total': {'availability': 99.5},
                     'services': services(identity=3.0, compute=0.0)},
                    {'name': 'control_plane', 'total': {'availability': 99.95},
                     'services': services(identity=0.0, compute=1.0)}]}
    work = upgrade.unavoidable(upgrade.task_runs(LINES), REPORT)
    result = upgrade.figures(REPORT, availability, work)
    # the target is the upgrade's, without the closing Tempest run
    assert result['ratio'] == round((200.0 - 33.5) / 74.5, 2)
    assert result['ratio_with_tempest'] == round(200.0 / 74.5, 2)
    # The APIs' target is judged over the whole upgrade; the control plane keeps its figure.
    assert result['availability'] == 99.8
    assert result['longest_outage'] == {'identity': 3.0, 'compute': 1.0}
    assert result['target_misses'] == ['availability 99.800 % is below 99.9 %',
                                       'identity was out for 3.0 s at once, over 2.0 s (in staging)']
    assert result['control_plane_availability'] == 99.95
    assert (result['instances'], result['downtime_seconds'], result['lost']) == (8, 0, 0)
    table = upgrade.markdown(result, REPORT)
    assert result['tempest_seconds'] == 33.5
    assert '| (total - Tempest) / unavoidable | 2.23 | <= 1.5 |' in table
    assert '| total / unavoidable, with Tempest | 2.68 | |' in table
    assert '| API availability, whole upgrade | 99.8 % | >= 99.9 % |' in table
    assert '| longest API outage | identity 3.0 s, compute 1.0 s | <= 2.0 s each |' in table
    assert '| API availability, control-plane phase | 99.95 % | |' in table
    assert 'Target over the whole upgrade: availability 99.800 % is below 99.9 %; identity was out' in table
    assert '| staging | 100.0 | 99.5 % |' in table
    assert '| control_plane | 120.0 | 99.95 % |' in table
    assert '| preflight | 20.0 | - |' in table


def test_phase_spans_mark_each_phase_that_ended():
    origin = upgrade.prober.parse_time('2026-12-01T09:58:00Z')
    assert upgrade.phase_spans(REPORT, origin) == [
        ('preflight', 0.0, 20.0, 'tab:purple'),
        ('staging', 20.0, 120.0, 'tab:olive'),
        ('control_plane', 120.0, 240.0, 'tab:blue')]
    # Every phase of the report has a colour of its own.
    phases = ['preflight'] + [name for name, _steps in PHASES]
    assert sorted(upgrade.PHASE_COLORS) == sorted(phases)
    assert len(set(upgrade.PHASE_COLORS.values())) == len(phases)
