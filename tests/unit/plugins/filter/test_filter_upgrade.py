# Copyright: Contributors to the stackroll.lifecycle project
# Apache License 2.0 (see LICENSE)
"""The upgrade's judgements: releases not read or unknown, mixed venvs,
services left disabled and computes at an old service version."""
from __future__ import annotations

import pytest
from ansible.errors import AnsibleFilterError

from ansible_collections.stackroll.lifecycle.plugins.filter.upgrade import FilterModule

FILTERS = FilterModule().filters()
RELEASES = FILTERS['upgrade_release_problems']
MIXED = FILTERS['upgrade_mixed_venvs']
DISABLED = FILTERS['upgrade_still_disabled']
OLD = FILTERS['upgrade_old_computes']
HOSTS = ['ctl1', 'cmp1', 'cmp2']
UNKNOWN = 'A service runs a version the release map does not know; deploy a release of the map first'
REASON = 'stackroll upgrade'


def unread(host):
    return 'Could not read what %s runs; make it reachable' % host


@pytest.mark.parametrize('releases, expected', [
    ({'ctl1': {'nova': '2026.1', 'glance': '2026.1'}, 'cmp1': {'nova': '2026.1'}, 'cmp2': {}}, []),
    ({'ctl1': {'nova': '2026.1'}}, [unread('cmp1'), unread('cmp2')]),
    ({}, [unread(host) for host in HOSTS]),
    ({'ctl1': {'nova': '2026.1', 'glance': None}, 'cmp1': {}, 'cmp2': {}}, [UNKNOWN]),
    ({'cmp2': {'nova': None}, 'cmp1': {'nova': None}}, [unread('ctl1'), UNKNOWN]),  # said once
    # A host that is not upgraded does not count.
    ({'ctl1': {}, 'cmp1': {}, 'cmp2': {}, 'other': {'nova': None}}, []),
])
def test_each_release_problem_is_named(releases, expected):
    assert RELEASES(releases, HOSTS) == expected


@pytest.mark.parametrize('releases, hosts, message', [
    (None, HOSTS, 'expects a mapping of host to {service: release}'),
    (['ctl1'], HOSTS, 'expects a mapping of host to {service: release}'),
    ({'ctl1': '2026.1'}, HOSTS, 'expects a mapping of host to {service: release}'),
    ({}, 'ctl1', 'expects the list of hosts to upgrade'),
    ({}, None, 'expects the list of hosts to upgrade'),
])
def test_upgrade_release_problems_refuses_bad_input(releases, hosts, message):
    with pytest.raises(AnsibleFilterError, match='upgrade_release_problems ' + message):
        RELEASES(releases, hosts)


def found(*venvs):
    return {'active_venvs': list(venvs), 'mixed': len(venvs) > 1, 'release': None if len(venvs) > 1 else '2026.1'}


def test_services_run_from_several_venvs_are_named():
    services = {'keystone': found('keystone-2026.1'), 'nova': found('nova-2026.1', 'nova-2026.2'),
                'glance': found(), 'neutron': found('neutron-2026.1', 'neutron-2026.2')}
    assert MIXED(services, 'ctl1') == [
        'ctl1 runs %s from several venvs at once; make every unit of %s start the same one' % (service, service)
        for service in ('nova', 'neutron')]
    assert MIXED({'nova': found('nova-2026.1')}, 'ctl1') == []
    assert MIXED({}, 'ctl1') == []


def test_a_service_not_running_is_not_mixed():
    assert MIXED({'nova': {'active_venvs': [], 'mixed': True}}, 'cmp1') == []


@pytest.mark.parametrize('services', [None, ['nova'], {'nova': 'nova-2026.1'}])
def test_upgrade_mixed_venvs_refuses_bad_input(services):
    with pytest.raises(AnsibleFilterError, match='upgrade_mixed_venvs expects a mapping of service'):
        MIXED(services, 'ctl1')


def nova(host, status='enabled', reason=None, binary='nova-compute'):
    return {'host': host, 'binary': binary, 'state': 'up', 'status': status, 'disabled_reason': reason}


def test_services_the_upgrade_left_disabled_are_named():
    services = [nova('cmp1'), nova('cmp2', 'disabled', REASON), nova('cmp3', 'disabled', 'broken disk'),
                nova('cmp4', 'enabled', REASON), nova('cmp5', 'disabled', REASON)]
    assert DISABLED(services, REASON) == ['cmp2 is still disabled by the upgrade', 'cmp5 is still disabled by the upgrade']
    assert DISABLED([nova('cmp1'), nova('cmp3', 'disabled', 'broken disk')], REASON) == []
    assert DISABLED([], REASON) == []


@pytest.mark.parametrize('rows, expected', [
    ([{'host': 'cmp1', 'version': 68}, {'host': 'cmp2', 'version': 68}], []),
    ([{'host': 'cmp1', 'version': 66}, {'host': 'cmp2', 'version': 68}, {'host': 'cmp3', 'version': 70}],
     ['nova-compute on cmp1 does not report service version 68', 'nova-compute on cmp3 does not report service version 68']),
    ([{'host': 'cmp1', 'version': '68'}], ['nova-compute on cmp1 does not report service version 68']),  # no coercion
    ([], []),
])
def test_computes_at_another_service_version_are_named(rows, expected):
    assert OLD(rows, 68) == expected


@pytest.mark.parametrize('name, judge, value', [
    ('upgrade_still_disabled', DISABLED, None),
    ('upgrade_still_disabled', DISABLED, {'compute_services': []}),
    ('upgrade_still_disabled', DISABLED, [{'binary': 'nova-compute', 'status': 'disabled'}]),
    ('upgrade_still_disabled', DISABLED, ['cmp1']),
    ('upgrade_old_computes', OLD, 'cmp1 66'),
    ('upgrade_old_computes', OLD, [{'host': 'cmp1'}]),
    ('upgrade_old_computes', OLD, [[{'host': 'cmp1', 'version': 66}]]),  # the whole query_result
])
def test_nova_judges_refuse_bad_input(name, judge, value):
    with pytest.raises(AnsibleFilterError, match=name + ' expects a list of'):
        judge(value, 68)
