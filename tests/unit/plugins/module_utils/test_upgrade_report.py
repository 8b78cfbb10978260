# Copyright: Contributors to the stackroll.lifecycle project
# Apache License 2.0 (see LICENSE)
"""The upgrade report, built from the progress the hosts keep."""
from __future__ import annotations

import pytest
from ansible.errors import AnsibleFilterError

from ansible_collections.stackroll.lifecycle.plugins.filter.upgrade import (
    FilterModule,
)
from ansible_collections.stackroll.lifecycle.plugins.module_utils._upgrade_report import (
    build_report,
    lagging,
)

FILTERS = FilterModule().filters()


def step(start, end, state='done', **extra):
    return dict({'state': state, 'start': '2026-12-01T10:%s+00:00' % start,
                 'end': '2026-12-01T10:%s+00:00' % end if end else None}, **extra)


def moved(name, source, target):
    return {'id': 'id-' + name, 'name': name, 'source': source, 'target': target,
            'method': 'live', 'duration': 9.5, 'outcome': 'moved',
            'attempts': [{'attempt': 1, 'result': 'completed', 'migration_status': 'completed'}]}


PROGRESS = {
    'ctl1': {'release': '2026.2', 'before': {'keystone': '2026.1', 'nova': '2026.1'},
             'steps': {'backup': step('00:00', '00:10'),
                       'keystone': step('00:10', '01:00'),
                       'nova': step('01:00', '02:30'),
                       'online_migrations': step('06:00', '06:05')}},
    'cmp1': {'release': '2026.2', 'before': {'nova': '2026.1'}, 'steps': {
        'drain': step('02:30', '03:00', instances=[
            moved('vm1', 'cmp1', 'cmp2'), moved('vm2', 'cmp1', 'cmp3'),
            dict(moved('vm3', 'cmp1', 'cmp1'), outcome='in_place')]),
        'switch': step('03:00', '03:40'),
        'verify': step('03:40', '04:00'),
        'rebalance': step('04:00', '04:30', instances=[
            moved('vm1', 'cmp2', 'cmp1'), moved('vm2', 'cmp3', 'cmp1')])}},
}
PREFLIGHT = {'start': '2026-12-01T09:59:00+00:00', 'end': '2026-12-01T09:59:30+00:00',
             'from': '2026.1', 'to': '2026.2'}


def test_timeline_per_phase_in_order():
    report = build_report(PROGRESS, '2026.2', PREFLIGHT)
    assert [(t['phase'], t['seconds'], t['state']) for t in report['timeline']] == [
        ('preflight', 30.0, 'done'),
        ('backup', 10.0, 'done'),
        ('control_plane', 140.0, 'done'),
        ('computes', 120.0, 'done'),
        ('finish', 5.0, 'done')]
    assert report['totals']['seconds'] == 425.0
    assert report['from'] == '2026.1'
    assert report['state'] == 'in progress'


def test_staging_is_a_phase_of_its_own():
    # Staged on every host between the preflight and the backup.
    starts = {'ctl1': '2026-12-01T09:59:30+00:00', 'cmp1': '2026-12-01T09:59:35+00:00'}
    progress = {host: dict(record, steps=dict(record['steps'], stage=dict(step('00:00', '00:00'), start=starts[host])))
                for host, record in PROGRESS.items()}
    report = build_report(progress, '2026.2', PREFLIGHT)
    assert [(t['phase'], t['seconds']) for t in report['timeline']][:3] == [
        ('preflight', 30.0), ('staging', 30.0), ('backup', 10.0)]
    assert [(s['host'], s['phase']) for s in report['steps'] if s['step'] == 'stage'] == [
        ('ctl1', 'staging'), ('cmp1', 'staging')]
    assert '| staging | 2026-12-01T09:59:30+00:00 | 2026-12-01T10:00:00+00:00 | 30.0 | done |' in report['markdown']


def test_instances_moved_off_and_back():
    report = build_report(PROGRESS, '2026.2', PREFLIGHT)
    assert [(m['name'], m['source'], m['target']) for m in report['instances']['moved_off']] == [
        ('vm1', 'cmp1', 'cmp2'), ('vm2', 'cmp1', 'cmp3')]
    assert len(report['instances']['moved_back']) == 2
    assert report['totals']['instances_moved'] == 2
    assert report['totals']['migrations'] == 4


def test_instances_an_interrupted_drain_moved_are_counted_once():
    progress = dict(PROGRESS, cmp2={'release': '2026.2', 'steps': {'drain': step(
        '04:30', '05:00', instances=[moved('vm4', 'cmp2', 'cmp3')], left=['id-vm4', 'id-vm5'])}})
    report = build_report(progress, '2026.2')
    assert [(m['id'], m['source'], m['target']) for m in report['instances']['moved_off']] == [
        ('id-vm1', 'cmp1', 'cmp2'), ('id-vm2', 'cmp1', 'cmp3'),
        ('id-vm4', 'cmp2', 'cmp3'), ('id-vm5', 'cmp2', None)]
    assert report['totals']['instances_moved'] == 4
    assert '| id-vm5 | cmp2 |' in report['markdown']


@pytest.mark.parametrize('changes, state', [
    ({}, 'in progress'),
    ({'ctl1': {'finished': True}, 'cmp1': {'finished': True}}, 'finished'),
    ({'cmp1': {'steps': {'switch': step('03:00', '03:40', state='rolled_back', error='boom')}}}, 'failed'),
    ({'cmp1': {'steps': {'drain': step('02:30', '03:00', state='failed', error='stuck')}}}, 'failed'),
])
def test_state(changes, state):
    progress = {host: dict(record, **changes.get(host, {})) for host, record in PROGRESS.items()}
    report = build_report(progress, '2026.2')
    assert report['state'] == state
    if state == 'failed':
        assert report['failures'][0]['host'] == 'cmp1'
        assert report['failures'][0]['error'] in ('boom', 'stuck')
        assert '## Failures' in report['markdown']


def test_running_step_has_no_end_yet():
    progress = {'ctl1': {'steps': {'keystone': step('00:10', None, state='running')}}}
    report = build_report(progress, '2026.2')
    assert report['timeline'] == [{'phase': 'control_plane', 'start': '2026-12-01T10:00:10+00:00',
                                   'end': None, 'seconds': None, 'state': 'running'}]
    assert report['totals']['seconds'] is None


def test_versions_before_and_after_in_markdown():
    after = {'ctl1': {'keystone': '2026.2', 'nova': '2026.2'}, 'cmp1': {'nova': '2026.2'}}
    report = build_report(PROGRESS, '2026.2', PREFLIGHT, after)
    assert report['versions']['cmp1'] == {'before': {'nova': '2026.1'}, 'after': {'nova': '2026.2'}}
    text = report['markdown']
    assert text.startswith('# Upgrade to 2026.2\n')
    assert '| cmp1 | - | 2026.1 -> 2026.2 |' in text
    assert '| vm1 | cmp1 | cmp2 | live | 9.5 | 1 |' in text


@pytest.mark.parametrize('versions, expected', [
    ({'ctl1': {'nova': '2026.2'}}, []),
    ({'ctl1': {'nova': '2026.2', 'glance': '2026.1'}, 'cmp1': {'nova': '2026.1'}},
     ['cmp1 runs nova at 2026.1, not 2026.2', 'ctl1 runs glance at 2026.1, not 2026.2']),
    ({'cmp2': {}}, []),
])
def test_lagging(versions, expected):
    assert lagging(versions, '2026.2') == expected
    assert FILTERS['upgrade_lagging'](versions, '2026.2') == expected


@pytest.mark.parametrize('name, args', [
    ('upgrade_report', (['ctl1'], '2026.2')),
    ('upgrade_lagging', ('ctl1', '2026.2')),
])
def test_filters_refuse_what_is_not_a_mapping(name, args):
    with pytest.raises(AnsibleFilterError, match='expects a mapping of host'):
        FILTERS[name](*args)


def test_tempest_counts_in_the_report():
    result = {'ran': 98, 'passed': 95, 'skipped': 3, 'failed': 0, 'seconds': 251.4, 'failed_tests': []}
    progress = dict(PROGRESS, ctl1=dict(PROGRESS['ctl1'], steps=dict(
        PROGRESS['ctl1']['steps'], tempest=step('06:05', '06:10', result=result))))
    report = build_report(progress, '2026.2', PREFLIGHT)
    assert report['tempest'] == result
    assert '- Tempest: 98 tests ran in 251.4 s: 95 passed, 3 skipped, 0 failed' in report['markdown']
    assert ('ctl1', 'finish', 'tempest') in [(s['host'], s['phase'], s['step']) for s in report['steps']]
    assert build_report(PROGRESS, '2026.2', PREFLIGHT)['tempest'] is None
