# Copyright: Contributors to the stackroll.lifecycle project
# Apache License 2.0 (see LICENSE)
"""nova's RPC pin and what it makes of its computes' service versions."""
from __future__ import annotations

import pytest

from ansible_collections.stackroll.lifecycle.plugins.module_utils._nova_service_versions import (
    COMPUTE_RPC_BY_SERVICE_VERSION,
    compute_report_from_records,
    controller_release_of,
    judge_compute_versions,
    rpc_pin_for,
)
from ansible_collections.stackroll.lifecycle.plugins.module_utils._release_data import (
    RELEASES,
)


@pytest.mark.parametrize('minimum, series, expected', [
    (72, None, '6.5'),      # the lab: a 2026.1 compute among 2026.2 ones
    (74, None, '6.5'),
    (70, None, '6.4'),
    (68, '2025.1', '6.4'),
    (67, '2025.1', '6.3'),
    (66, '2025.1', '6.2'),
    (71, '2026.1', '6.5'),
    ('72', '2026.2', '6.5'),
    (0, '2025.1', '6.4'),   # no compute yet: the controllers' own version
    (0, '2026.2', '6.5'),
    (0, None, '6.5'),
])
def test_rpc_pin_for(minimum, series, expected):
    assert rpc_pin_for(minimum, series) == expected


@pytest.mark.parametrize('minimum, series, message', [
    (74, '2026.1', r'Compute service version 74 is newer than nova of 2026.1 '
     r'\(gazpacho\) knows \(72\): upgrade the controllers before the '
     r'computes\.'),
    (75, None, r'newer than the map knows \(74\)'),
    (65, None, r'older than any release of the map supports \(oldest known: '
     r'66\)'),
    ('seventy', None, 'Invalid service version'),
    (None, None, 'Invalid service version'),
    (True, None, 'Invalid service version'),
    (72, '2027.1', 'Unknown OpenStack release'),
])
def test_rpc_pin_for_refuses(minimum, series, message):
    with pytest.raises(ValueError, match=message):
        rpc_pin_for(minimum, series)


def test_rpc_table_covers_every_release():
    for entry in RELEASES.values():
        for version in range(entry['nova_oldest_compute'],
                             entry['nova_service_version'] + 1):
            assert version in COMPUTE_RPC_BY_SERVICE_VERSION


def _computes(*versions, **forced):
    return [{'host': 'cmp%d' % (index + 1), 'version': version,
             'forced_down': forced.get('cmp%d' % (index + 1), False)}
            for index, version in enumerate(versions)]


@pytest.mark.parametrize(
    'versions, forced, series, min_version, max_version, mixed, rpc_pin, '
    'releases, too_old, too_new', [
        ((72, 74, 74), {}, '2026.2', 72, 74, True, '6.5',
         {'cmp1': '2026.1', 'cmp2': '2026.2', 'cmp3': '2026.2'}, [], []),
        ((74, 74), {}, '2026.2', 74, 74, False, '6.5',
         {'cmp1': '2026.2', 'cmp2': '2026.2'}, [], []),
        ((68, 72), {}, '2026.1', 68, 72, True, '6.4',
         {'cmp1': '2025.1', 'cmp2': '2026.1'}, [], []),
        # 2026.2's controllers refuse computes older than Gazpacho (72).
        ((70, 74), {}, '2026.2', 70, 74, True, None,
         {'cmp1': '2025.2', 'cmp2': '2026.2'}, ['cmp1'], []),
        # Like nova, a forced-down compute does not hold the pin back.
        ((70, 74), {'cmp1': True}, '2026.2', 74, 74, False, '6.5',
         {'cmp1': '2025.2', 'cmp2': '2026.2'}, [], []),
        # Computes ahead of their controllers.
        ((72, 74), {}, '2026.1', 72, 74, True, None,
         {'cmp1': '2026.1', 'cmp2': '2026.2'}, [], ['cmp2']),
        # A development version between releases.
        ((73,), {}, '2026.2', 73, 73, False, '6.5', {'cmp1': None}, [], []),
        ((), {}, '2026.2', None, None, False, None, {}, [], []),
    ])
def test_judge_compute_versions(versions, forced, series, min_version,
                                max_version, mixed, rpc_pin, releases,
                                too_old, too_new):
    assert judge_compute_versions(_computes(*versions, **forced), series) == {
        'min_version': min_version, 'max_version': max_version,
        'mixed': mixed, 'rpc_pin': rpc_pin, 'releases': releases,
        'too_old': too_old, 'too_new': too_new}


def _record(host, binary='nova-compute', forced_down=False):
    return {'host': host, 'binary': binary, 'forced_down': forced_down,
            'state': 'up', 'status': 'enabled'}


@pytest.mark.parametrize('releases, controller, pin, versions', [
    ({'cmp1': '2026.2', 'cmp2': '2026.2'}, '2026.2', '6.5', [74, 74]),
    ({'cmp1': '2026.1', 'cmp2': 2026.2}, '2026.2', '6.5', [72, 74]),
    ({'cmp1': 'epoxy', 'cmp2': 'epoxy'}, 'flamingo', '6.4', [68, 68]),
    # too old for the controllers: no pin
    ({'cmp1': '2025.1', 'cmp2': '2026.2'}, '2026.2', None, [68, 74]),
])
def test_compute_report_from_records(releases, controller, pin, versions):
    records = [_record('cmp1'), _record('cmp2'), _record('ctl1', 'nova-conductor')]
    records, report, error = compute_report_from_records(records, releases,
                                                         controller)
    assert error is None
    assert [r['version'] for r in records if r['binary'] == 'nova-compute'] \
        == versions
    assert 'version' not in records[2]
    assert report['rpc_pin'] == pin
    assert report['controller_release'] == {'flamingo': '2025.2'}.get(
        controller, controller)


def test_compute_report_from_records_without_releases_says_what_to_pass():
    records, report, error = compute_report_from_records(
        [_record('cmp1'), _record('cmp2')], {'cmp1': '2026.2'}, '2026.2')
    assert report is None
    assert records[1]['version'] is None
    assert 'compute host(s) cmp2' in error and 'compute_releases' in error


def test_compute_report_from_records_needs_the_controllers_release():
    _records, report, error = compute_report_from_records(
        [_record('cmp1')], {'cmp1': '2026.2'}, None)
    assert report is None
    assert 'set controller_release' in error


def test_compute_report_from_records_leaves_forced_down_computes_out():
    records = [_record('cmp1'), _record('cmp2', forced_down=True)]
    _records, report, _error = compute_report_from_records(
        records, {'cmp1': '2026.2', 'cmp2': '2026.1'}, '2026.2')
    assert (report['min_version'], report['mixed']) == (74, False)


@pytest.mark.parametrize('served, series', [
    ({'min_version': '2.1', 'max_version': '2.104'}, '2026.2'),
    ({'min_version': '2.1', 'max_version': '2.103'}, '2026.1'),
    ({'min_version': '2.1', 'max_version': '2.100'}, None),  # 2025.1 or .2
    ({'min_version': '2.1', 'max_version': '2.200'}, None),
    (None, None),
])
def test_controller_release_of(served, series):
    assert controller_release_of(served) == series
