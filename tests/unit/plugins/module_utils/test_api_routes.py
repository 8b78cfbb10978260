# Copyright: Contributors to the stackroll.lifecycle project
# Apache License 2.0 (see LICENSE)
"""Route tables: looking a call up in a release's table."""
from __future__ import annotations

import pytest

from ansible_collections.stackroll.lifecycle.plugins.module_utils._api_profiles import (
    check_profile,
)
from ansible_collections.stackroll.lifecycle.plugins.module_utils._api_routes import (
    GONE,
    NOT_PRESENT,
    OUTSIDE_RANGE,
    SERVED,
    check_call,
    diff_routes,
    path_segments,
    routes_only_in,
    table,
    tables,
)
from ansible_collections.stackroll.lifecycle.plugins.modules.api_compat import (
    release_served,
    unmet_message,
)

COMPUTE = table('2026.2', 'compute')
PLACEMENT = table('2026.2', 'placement')


def _compute(method, path, microversion=None, action=None):
    return check_call(COMPUTE, 'compute', method, path, microversion, action)


def test_tables_name_their_source_and_bounds():
    assert COMPUTE['source'] == 'nova 34.0.0'
    assert (COMPUTE['min'], COMPUTE['max']) == ('2.1', '2.104')
    placement = table('2026.1', 'placement')
    assert placement['source'] == 'openstack-placement 15.0.0'
    assert placement['max'] == '1.39'
    assert table('2025.1', 'compute') is None
    assert table('2026.2', 'network') is None


@pytest.mark.parametrize('path', [
    '/v2.1/servers/9f3c2b8a-1d4e-4b6f-8a7c-0e1d2c3b4a59',
    '/v2.1/servers/9f3c2b8a-1d4e-4b6f-8a7c-0e1d2c3b4a59/',
    '/servers/{id}',
    '/servers/{server_id}//',
    '/v2.1/3d5c1f0e8b9a4c7d9e2f1a0b6c5d4e3f/servers/abc?all_tenants=1',
    'http://ctl:8774/compute/v2.1/servers/abc',
])
def test_concrete_templated_project_and_trailing_slash_paths(path):
    result = _compute('GET', path, '2.79')
    assert result['status'] == SERVED
    assert result['route'] == 'GET /servers/{id}'


def test_literal_segment_wins_over_placeholder():
    assert _compute('GET', '/servers/detail')['route'] == 'GET /servers/detail'
    # A placeholder in the call is not the literal 'detail'.
    assert _compute('GET', '/servers/{id}')['route'] == 'GET /servers/{id}'


def test_project_id_is_kept_when_it_is_a_route():
    assert path_segments('compute', '/v2.1/flavors/detail',
                         COMPUTE['rows']) == [
        'flavors', 'detail']
    assert path_segments('placement', '/placement/traits/',
                         PLACEMENT['rows']) == [
        'traits']


def test_action_in_the_body():
    result = _compute('POST', '/v2.1/servers/abc/action', '2.68',
                      action='os-migrateLive')
    assert result['status'] == SERVED
    assert result['route'] == 'POST /servers/{id}/action (os-migrateLive)'


def test_unknown_action_is_not_present():
    result = _compute('POST', '/servers/abc/action', '2.1', action='os-teleport')
    assert result['status'] == NOT_PRESENT
    assert 'os-teleport' in result['reason']


def test_action_outside_its_range():
    result = _compute('POST', '/servers/abc/action', '2.16',
                      action='trigger_crash_dump')
    assert result['status'] == OUTSIDE_RANGE
    assert result['serving'] == [{'min': '2.17', 'max': '2.104'}]
    assert result['fix'] == 'ask for a microversion in 2.17 to 2.104'


@pytest.mark.parametrize('path', ['/os-fping', '/os-cells', '/os-cells/abc'])
def test_removed_apis_are_gone(path):
    result = _compute('GET', path, '2.1')
    assert result['status'] == GONE
    assert '410' in result['reason']


def test_proxy_api_answers_404_from_2_36():
    assert _compute('GET', '/os-volumes', '2.35')['status'] == SERVED
    result = _compute('GET', '/os-volumes', '2.36')
    assert result['status'] == OUTSIDE_RANGE
    assert result['reason'] == ('GET /os-volumes is not served at 2.36, '
                                'only at 2.1 to 2.35')
    assert _compute('GET', '/images/abc', '2.36')['status'] == OUTSIDE_RANGE


def test_removed_action_gone_then_404():
    # os-getRDPConsole answers 410 up to 2.5 and 404 above.
    assert _compute('POST', '/servers/x/action', '2.5',
                    action='os-getRDPConsole')['status'] == GONE
    result = _compute('POST', '/servers/x/action', '2.6',
                      action='os-getRDPConsole')
    assert result['status'] == GONE
    assert '404 at 2.6' in result['reason']


def test_route_not_present_and_wrong_method():
    assert _compute('GET', '/os-teleports')['status'] == NOT_PRESENT
    assert _compute('PATCH', '/servers/abc')['status'] == NOT_PRESENT


def test_no_microversion_is_the_minimum_and_latest_the_maximum():
    assert _compute('GET', '/os-volumes')['status'] == SERVED
    assert _compute('GET', '/os-volumes', 'latest')['status'] == OUTSIDE_RANGE


def test_placement_allocation_candidates_need_1_10():
    def check(version):
        return check_call(PLACEMENT, 'placement', 'GET',
                          '/placement/allocation_candidates?resources=VCPU:1',
                          version)
    assert check('1.10')['status'] == SERVED
    result = check('1.9')
    assert result['status'] == OUTSIDE_RANGE
    assert result['serving'] == [{'min': '1.10', 'max': '1.39'}]


def test_placement_handler_ranges_are_joined():
    # PUT /allocations/{consumer_uuid} is defined once per range, 1.0 to 1.38+.
    result = check_call(PLACEMENT, 'placement', 'PUT', '/allocations/abc', '1.39')
    assert result['serving'] == [{'min': '1.0', 'max': '1.39'}]


def test_routes_only_in():
    rows = [
        {'method': 'GET', 'path': '/a', 'action': None, 'min': '2.1',
         'max': '2.5', 'gone': False},
        {'method': 'GET', 'path': '/b', 'action': None, 'min': '2.1',
         'max': '2.5', 'gone': False},
        {'method': 'POST', 'path': '/b/{id}/action', 'action': 'go',
         'min': '2.1', 'max': '2.5', 'gone': False},
    ]
    other = [dict(rows[0]), dict(rows[1], gone=True)]
    assert routes_only_in(rows, other) == [('GET', '/b', None),
                                           ('POST', '/b/{id}/action', 'go')]
    assert routes_only_in(other, rows) == []


def _profile(calls, service='compute'):
    return {'services': {service: {'calls': calls}}}


def test_check_profile_judges_calls_by_the_release_table():
    profile = _profile([
        {'method': 'GET', 'path': '/os-fping', 'microversion': '2.1'},
        {'method': 'POST', 'path': '/servers/{id}/action',
         'action': 'os-migrateLive', 'microversion': '2.68'},
        {'method': 'GET', 'path': '/os-volumes', 'microversion': '2.40'},
    ])
    results = check_profile(profile, release_served('2026.2'), tables('2026.2'))
    calls = results[1:]
    assert [r['status'] for r in calls] == [GONE, SERVED, OUTSIDE_RANGE]
    assert calls[1]['requirement'] == ('POST /servers/{id}/action '
                                       '(os-migrateLive) at 2.68')
    assert calls[2]['fix'] == 'ask for a microversion in 2.1 to 2.35'
    message = unmet_message([r for r in results if not r['ok']], len(results),
                            'release 2026.2')
    assert 'fix: ask for a microversion in 2.1 to 2.35' in message


def test_check_profile_keeps_range_checks_without_a_table():
    profile = _profile([{'method': 'GET', 'path': '/os-fping',
                         'microversion': '2.1'}])
    # 2025.1 has no table: only the range counts, and 2.1 is in it.
    result = check_profile(profile, release_served('2025.1'), tables('2025.1'))[1]
    assert result['ok'] and 'status' not in result


def test_diff_routes_between_releases():
    old = {'compute': {'rows': [
        {'method': 'GET', 'path': '/a', 'action': None, 'min': '2.1',
         'max': '2.5', 'gone': False}]}}
    new = {'compute': {'rows': [
        {'method': 'POST', 'path': '/b/{id}/action', 'action': 'go',
         'min': '2.1', 'max': '2.5', 'gone': False}]},
        'placement': {'rows': []}}
    assert diff_routes(old, new) == [
        {'service': 'compute', 'change': 'dropped', 'what': 'route',
         'detail': 'GET /a'},
        {'service': 'compute', 'change': 'added', 'what': 'route',
         'detail': 'POST /b/{id}/action (go)'},
    ]
    # 2026.1 and 2026.2 differ in nova's maximum only, not in routes.
    assert diff_routes(tables('2026.1'), tables('2026.2')) == []
