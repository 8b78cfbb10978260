# Copyright: Contributors to the stackroll.lifecycle project
# Apache License 2.0 (see LICENSE)
"""Route tables: looking a call up in a release's table."""
from __future__ import annotations

import hashlib
import json
import os

import pytest

from ansible_collections.stackroll.lifecycle.plugins.module_utils._api_changes import (
    diff_extensions,
    diff_routes,
    routes_only_in,
)
from ansible_collections.stackroll.lifecycle.plugins.module_utils._api_profiles import (
    check_profile,
)
from ansible_collections.stackroll.lifecycle.plugins.module_utils._api_replacements import (
    replacement,
)
from ansible_collections.stackroll.lifecycle.plugins.module_utils._api_routes import (
    GONE,
    LOADED,
    NOT_LOADED,
    NOT_PRESENT,
    OUTSIDE_RANGE,
    SERVED,
    check_call,
    check_extension,
    extensions,
    path_segments,
    running_release,
    table,
    tables,
)
from ansible_collections.stackroll.lifecycle.plugins.modules.api_compat import (
    release_served,
    unmet_message,
)

# Row counts and a digest of every release's tables and extensions, as the
# lookups returned them when each release had a module of its own.
EXPECTED = os.path.join(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))),
                        'fixtures', 'api_routes_tables.json')

COMPUTE = table('2026.2', 'compute')
PLACEMENT = table('2026.2', 'placement')
IDENTITY = table('2026.2', 'identity')
IMAGE = table('2026.2', 'image')


def _compute(method, path, microversion=None, action=None):
    return check_call(COMPUTE, 'compute', method, path, microversion, action)


def test_tables_name_their_source_and_bounds():
    assert COMPUTE['source'] == 'nova 34.0.0'
    assert (COMPUTE['min'], COMPUTE['max']) == ('2.1', '2.104')
    placement = table('2026.1', 'placement')
    assert placement['source'] == 'openstack-placement 15.0.0'
    assert placement['max'] == '1.39'
    assert table('2025.1', 'compute')['source'] == 'nova 31.3.1'
    assert table('2025.2', 'compute')['source'] == 'nova 32.2.1'
    assert table('2024.2', 'compute') is None  # not a release of the map
    assert table('2026.2', 'network') is None  # extensions, not routes
    assert IDENTITY['source'] == 'keystone 30.0.0'
    assert (IDENTITY['min'], IDENTITY['max']) == (None, None)
    assert IMAGE['source'] == 'glance 33.0.0'


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


def _row(method, path, low, high, gone=False, action=None):
    return {'method': method, 'path': path, 'action': action, 'min': low,
            'max': high, 'gone': gone}


def test_a_route_in_two_ranges_is_looked_up_in_both():
    # A nova method defined once per range serves their union; a gap is two
    # rows of one route, the later range listed first here.
    routes = {'min': '2.1', 'max': '2.100', 'rows': [
        _row('GET', '/limits', '2.57', '2.100'),
        _row('GET', '/limits', '2.1', '2.35'),
        _row('POST', '/servers/{id}/action', '2.20', '2.100', action='os-getRDPConsole'),
        _row('POST', '/servers/{id}/action', '2.1', '2.8', gone=True, action='os-getRDPConsole'),
    ]}

    def check(version, method='GET', path='/v2.1/limits', action=None):
        return check_call(routes, 'compute', method, path, version, action)
    for version in (None, '2.35', '2.57', 'latest'):
        assert check(version)['status'] == SERVED
    result = check('2.36')
    assert result['status'] == OUTSIDE_RANGE
    assert result['reason'] == ('GET /limits is not served at 2.36, only at '
                                '2.1 to 2.35, 2.57 to 2.100')
    assert result['fix'] == 'ask for a microversion in 2.1 to 2.35, 2.57 to 2.100'
    assert sorted(result['serving'], key=lambda r: r['min']) == [
        {'min': '2.1', 'max': '2.35'}, {'min': '2.57', 'max': '2.100'}]
    # 410 at first, 404 in between, served again from 2.20.
    action = ('POST', '/servers/x/action', 'os-getRDPConsole')
    assert check('2.8', *action)['status'] == GONE
    result = check('2.19', *action)
    assert result['status'] == OUTSIDE_RANGE
    assert result['serving'] == [{'min': '2.20', 'max': '2.100'}]
    assert check('2.20', *action)['status'] == SERVED


@pytest.mark.parametrize('method, path', [
    ('GET', '/os-keypairs'), ('POST', '/os-keypairs'),
    ('GET', '/os-keypairs/k'), ('DELETE', '/os-keypairs/k'),
    ('GET', '/limits'), ('GET', '/os-migrations'), ('GET', '/os-quota-sets/p'),
    ('GET', '/os-hypervisors/detail'), ('GET', '/os-simple-tenant-usage'),
])
def test_2025_1_serves_each_range_of_a_method_defined_per_range(method, path):
    # nova 31 defines these once per microversion range under one name
    # (@wsgi.Controller.api_version ... # noqa); all the ranges are served.
    compute = table('2025.1', 'compute')
    for version in ('2.1', '2.2', '2.10', '2.40', '2.60', 'latest'):
        result = check_call(compute, 'compute', method, path, version)
        assert result['status'] == SERVED, (version, result['reason'])
    assert result['serving'] == [{'min': '2.1', 'max': '2.100'}]


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
    assert calls[2]['fix'] == ('ask for a microversion in 2.1 to 2.35, or use '
                               'block-storage /v3/{project_id}/volumes instead '
                               "(nova's os-volumes proxied cinder)")
    message = unmet_message([r for r in results if not r['ok']], len(results),
                            'release 2026.2')
    assert 'fix: ask for a microversion in 2.1 to 2.35' in message


def test_a_profile_fails_naming_each_broken_call_and_passes_once_fixed():
    broken = _profile([
        {'method': 'GET', 'path': '/os-fping', 'microversion': '2.1'},
        {'method': 'GET', 'path': '/images', 'microversion': '2.36'},
        {'method': 'GET', 'path': '/servers/{server_id}/topology', 'microversion': '2.77'},
    ])
    results = check_profile(broken, release_served('2026.2'), tables('2026.2'))
    unmet = [r for r in results if not r['ok']]
    message = unmet_message(unmet, len(results), 'release 2026.2')
    assert [r['status'] for r in unmet] == [GONE, OUTSIDE_RANGE, OUTSIDE_RANGE]
    # Removed; above its highest microversion; below its lowest.
    assert 'GET /os-fping at 2.1 (GET /os-fping answers 410 Gone' in message
    assert 'GET /images at 2.36 (GET /images is not served at 2.36, only at 2.1 to 2.35' in message
    assert 'GET /servers/{server_id}/topology at 2.77' in message
    assert 'only at 2.78 to 2.104' in message
    fixed = _profile([
        {'method': 'GET', 'path': '/images', 'microversion': '2.35'},
        {'method': 'GET', 'path': '/servers/{server_id}/topology', 'microversion': '2.78'},
    ])
    assert all(r['ok'] for r in check_profile(fixed, release_served('2026.2'), tables('2026.2')))


def test_check_profile_keeps_range_checks_without_a_table():
    profile = _profile([{'method': 'GET', 'path': '/os-fping',
                         'microversion': '2.1'}])
    # Without a table only the range counts, and 2.1 is in it.
    result = check_profile(profile, release_served('2025.2'), tables(None))[1]
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
    # 2026.1 and 2026.2 differ in nova's maximum only, not in its routes;
    # keystone and glance added some.
    assert [(c['service'], c['change'], c['detail'])
            for c in diff_routes(tables('2026.1'), tables('2026.2'))] == [
        ('identity', 'added', 'DELETE /users/{user_id}/tokens'),
        ('image', 'added', 'POST /cache/clean'),
        ('image', 'added', 'GET /cache/nodes/{image_id}'),
        ('image', 'added', 'POST /cache/prune'),
    ]


def test_2026_1_dropped_the_server_actions_of_os_volumes_boot():
    # 2026.1 gave /os-volumes_boot its own controller, without the server
    # sub-controllers whose actions 2025.1 routed there too.
    dropped = [c['detail'] for c in diff_routes(tables('2025.1'),
                                                tables('2026.1'))]
    assert 'POST /os-volumes_boot/{id}/action (os-migrateLive)' in dropped
    result = check_call(table('2026.1', 'compute'), 'compute', 'POST',
                        '/os-volumes_boot/abc/action', '2.30',
                        action='os-migrateLive')
    assert result['status'] == NOT_PRESENT


# --- identity and image: routes without microversions -----------------------


@pytest.mark.parametrize('path, route', [
    ('/v3/users/9f3c2b8a1d4e4b6f/projects', 'GET /users/{user_id}/projects'),
    ('/identity/v3/users/{id}/projects/', 'GET /users/{user_id}/projects'),
    ('https://ctl:5000/v3/auth/tokens', 'GET /auth/tokens'),
    ('/v3/OS-INHERIT/projects/p/users/u/roles/r/inherited_to_projects',
     'GET /OS-INHERIT/projects/{project_id}/users/{user_id}/roles/{role_id}'
     '/inherited_to_projects'),
    ('/v3', 'GET /'),
])
def test_identity_path_templates(path, route):
    result = check_call(IDENTITY, 'identity', 'GET', path, None)
    assert result['status'] == SERVED
    assert result['route'] == route
    assert result['reason'] == '%s is served' % route


def test_identity_microversion_is_ignored_and_head_follows_get():
    assert check_call(IDENTITY, 'identity', 'HEAD', '/v3/auth/tokens',
                      '2.5')['status'] == SERVED


def test_identity_refused_gone_and_missing_routes():
    # GET of a user's password only answers 405.
    assert check_call(IDENTITY, 'identity', 'GET', '/v3/users/u/password',
                      None)['status'] == NOT_PRESENT
    result = check_call(IDENTITY, 'identity', 'GET',
                        '/v3/OS-SIMPLE-CERT/certificates', None)
    assert result['status'] == GONE
    assert '410' in result['reason']
    # New in 2026.2: revoking a user's tokens.
    route = ('DELETE', '/v3/users/u/tokens')
    assert check_call(IDENTITY, 'identity', *route)['status'] == SERVED
    assert check_call(table('2026.1', 'identity'), 'identity',
                      *route)['status'] == NOT_PRESENT


@pytest.mark.parametrize('method, path, route', [
    ('GET', '/v2/images/abc/file', 'GET /images/{image_id}/file'),
    ('PUT', '/image/v2/images/abc/file', 'PUT /images/{image_id}/file'),
    ('POST', '/v2/images/abc/actions/deactivate',
     'POST /images/{image_id}/actions/deactivate'),
    ('GET', '/v2/schemas/image', 'GET /schemas/image'),
])
def test_glance_paths(method, path, route):
    result = check_call(IMAGE, 'image', method, path)
    assert (result['status'], result['route']) == (SERVED, route)


def test_glance_route_absent_before_it_came():
    call = ('image', 'POST', '/v2/cache/prune')
    assert check_call(IMAGE, *call)['status'] == SERVED
    result = check_call(table('2026.1', 'image'), *call)
    assert result['status'] == NOT_PRESENT
    assert result['reason'] == 'POST /cache/prune is not a route of image'
    # The v2 router routes no DELETE of an image's file.
    assert check_call(IMAGE, 'image', 'DELETE',
                      '/v2/images/abc/file')['status'] == NOT_PRESENT


# --- network: API extensions ------------------------------------------------


def test_neutron_extensions_per_release():
    new = extensions('2026.2')['network']
    old = extensions('2025.1')['network']
    assert new['target'] == 'release 2026.2'
    assert new['source'] == 'neutron 29.0.0, neutron-lib 5.0.0'
    assert {'trunk', 'router', 'qos', 'port-security'} <= new['aliases']
    # Added after 2025.1; other projects' extensions are never in the set.
    assert 'extraroute-atomic' in new['aliases'] - old['aliases']
    assert 'bgp' not in new['aliases'] and 'vpnaas' not in new['aliases']
    assert extensions('2025.2')['network']['source'] == 'neutron 27.0.4, neutron-lib 3.21.1'
    assert extensions('2024.2') == {}


def test_diff_extensions_between_releases():
    changes = diff_extensions(extensions('2025.1'), extensions('2026.1'))
    assert {'service': 'network', 'change': 'added', 'what': 'extension',
            'detail': 'extraroute-atomic'} in changes
    assert not [c for c in changes if c['change'] == 'dropped']
    assert diff_extensions(extensions('2026.2'), {}) == []


def test_check_extension_present_and_absent():
    loaded = extensions('2026.2')['network']['aliases']
    assert check_extension(loaded, 'network', 'trunk', 'release 2026.2') == {
        'status': LOADED, 'fix': None,
        'reason': 'release 2026.2 loads the network extension trunk'}
    result = check_extension(loaded, 'network', 'bgp', 'release 2026.2')
    assert result['status'] == NOT_LOADED
    assert result['reason'].startswith('extension not loaded by the target')
    assert 'bgp' in result['reason'] and result['fix']


def test_check_profile_names_the_broken_call_why_and_the_fix():
    profile = {'services': {
        'identity': {'calls': [
            {'method': 'DELETE', 'path': '/v3/users/{user_id}/tokens'}]},
        'image': {'calls': [{'method': 'GET', 'path': '/v2/images/{id}'}]},
        'network': {'extensions': ['trunk', 'extraroute-atomic']},
    }}
    served = release_served('2025.1')
    results = check_profile(profile, served, tables('2025.1'),
                            extensions('2025.1'))
    unmet = [r for r in results if not r['ok']]
    assert [(r['service'], r['requirement'], r['status']) for r in unmet] == [
        ('identity', 'DELETE /v3/users/{user_id}/tokens', NOT_PRESENT),
        ('network', 'extension extraroute-atomic', NOT_LOADED),
    ]
    message = unmet_message(unmet, len(results), 'release 2025.1')
    assert ('identity: DELETE /v3/users/{user_id}/tokens (DELETE '
            '/users/{user_id}/tokens is not a route of identity') in message
    assert ('network: extension extraroute-atomic (extension not loaded by '
            'the target: release 2025.1 does not load the network extension '
            'extraroute-atomic, fix: enable the extension') in message
    # The same profile is met by 2026.2.
    assert all(r['ok'] for r in check_profile(
        profile, release_served('2026.2'), tables('2026.2'),
        extensions('2026.2')))


def test_extensions_unknown_are_not_checked():
    profile = {'services': {'network': {'extensions': ['trunk']}}}
    result = check_profile(profile, release_served('2025.2'))[1]
    assert result['ok'] and result['status'] == 'not checked'


def _digest(value):
    return hashlib.sha256(json.dumps(value, sort_keys=True).encode('utf-8')).hexdigest()


def _expected():
    with open(EXPECTED, encoding='utf-8') as handle:
        return json.load(handle)


@pytest.mark.parametrize('series', sorted(_expected()))
def test_release_tables_are_what_they_were(series):
    expected = _expected()[series]
    found = tables(series)
    assert sorted(found) == sorted(expected['tables'])
    for service, want in expected['tables'].items():
        got = found[service]
        assert got == table(series, service)
        assert all(list(row) == ['method', 'path', 'action', 'min', 'max', 'gone'] for row in got['rows'])
        assert {'source': got['source'], 'min': got['min'], 'max': got['max'],
                'rows': len(got['rows']), 'sha256': _digest(got['rows'])} == want
    found = extensions(series)
    assert sorted(found) == sorted(expected['extensions'])
    for service, want in expected['extensions'].items():
        got = found[service]
        assert isinstance(got['aliases'], frozenset)
        assert {'target': got['target'], 'source': got['source'],
                'aliases': len(got['aliases']), 'sha256': _digest(sorted(got['aliases']))} == want


def test_a_release_without_tables_has_none():
    assert tables('2024.2') == {} and extensions('2024.2') == {}
    assert table('2024.2', 'compute') is None and table('2026.2', 'network') is None


def test_2025_2_serves_what_2025_1_serves():
    # nova 32.2.1 kept 2.100 and the routes of nova 31.3.1; keystone,
    # glance, placement and neutron's extensions did not change either.
    assert diff_routes(tables('2025.1'), tables('2025.2')) == []
    assert diff_extensions(extensions('2025.1'), extensions('2025.2')) == []
    assert all(tables('2025.1')[s]['rows'] == tables('2025.2')[s]['rows'] for s in tables('2025.1'))
    # 2026.1 dropped the server actions of os-volumes_boot and raised nova's
    # maximum to 2.103, and its neutron loads three extensions more.
    assert {c['detail'].split(' (')[0] for c in diff_routes(tables('2025.2'), tables('2026.1'))} == {
        'POST /os-volumes_boot/{id}/action'}
    assert sorted(c['detail'] for c in diff_extensions(extensions('2025.2'), extensions('2026.1'))) == [
        'extraroute-atomic', 'ip_allocation', 'router-enable-snat']


# --- the release a live cloud runs --------------------------------------------


def _served(compute=None, placement=('1.0', '1.39')):
    served = {'identity': {'versions': ['v3.14'], 'deprecated': []}}
    for service, span in (('compute', compute), ('placement', placement)):
        if span:
            served[service] = {'versions': ['v1.0'], 'deprecated': [],
                               'min_version': span[0], 'max_version': span[1]}
    return served


@pytest.mark.parametrize('compute, series', [
    (('2.1', '2.103'), '2026.1'),
    (('2.1', '2.104'), '2026.2'),
])
def test_running_release_is_told_by_compute_and_placement(compute, series):
    found, reason = running_release(_served(compute))
    assert found == series
    assert reason == ('compute 2.1 to %s and placement 1.0 to 1.39 are '
                      "release %s's alone" % (compute[1], series))


def test_running_release_without_placement_goes_by_compute():
    assert running_release(_served(('2.1', '2.104'), None))[0] == '2026.2'


def test_running_release_of_2025_1_and_2025_2_is_not_told_apart():
    # Both serve compute 2.1 to 2.100 and placement 1.0 to 1.39.
    found, reason = running_release(_served(('2.1', '2.100')))
    assert found is None
    assert reason == ('compute 2.1 to 2.100 and placement 1.0 to 1.39 match the '
                      'route tables of releases 2025.1, 2025.2 alike: the '
                      'release is not told apart')


def test_running_release_unmatched_is_none_with_the_reason():
    found, reason = running_release(_served(('2.1', '2.99')))
    assert found is None
    assert reason.startswith('compute 2.1 to 2.99 and placement 1.0 to 1.39 '
                             'match the route tables of no release (2025.1')
    # Placement must agree too.
    assert running_release(_served(('2.1', '2.104'), ('1.0', '1.40')))[0] is None
    found, reason = running_release(_served(None))
    assert found is None and 'no compute microversions' in reason


def test_running_release_shared_bounds_are_not_guessed():
    bounds = {'2025.1': {'compute': ('2.1', '2.100'), 'placement': ('1.0', '1.39')},
              '2025.2': {'compute': ('2.1', '2.100'), 'placement': ('1.0', '1.39')},
              '2026.1': {'compute': ('2.1', '2.103'), 'placement': ('1.0', '1.39')}}
    found, reason = running_release(_served(('2.1', '2.100')), bounds)
    assert found is None
    assert reason == ('compute 2.1 to 2.100 and placement 1.0 to 1.39 match the '
                      'route tables of releases 2025.1, 2025.2 alike: the '
                      'release is not told apart')
    assert running_release(_served(('2.1', '2.103')), bounds)[0] == '2026.1'


# --- what replaces nova's proxy and removed APIs ------------------------------


@pytest.mark.parametrize('method, path, version, action, fix', [
    # Proxies: another microversion, or the service they proxied.
    ('GET', '/v2.1/images/abc', '2.36', None,
     "ask for a microversion in 2.1 to 2.35, or use image /v2/images instead (nova's /images proxied glance)"),
    ('POST', '/images/abc/metadata', '2.39', None,
     "ask for a microversion in 2.1 to 2.38, or use image /v2/images instead (nova's /images proxied glance)"),
    ('GET', '/os-floating-ip-pools', '2.36', None,
     'ask for a microversion in 2.1 to 2.35, or use network /v2.0/networks?router:external=true instead '
     "(nova's pools are neutron's external networks)"),
    ('DELETE', '/os-security-groups/abc', 'latest', None,
     "ask for a microversion in 2.1 to 2.35, or use network /v2.0/security-groups instead (nova's os-security-groups proxied neutron)"),
    ('GET', '/os-snapshots/detail', '2.90', None,
     "ask for a microversion in 2.1 to 2.35, or use block-storage /v3/{project_id}/snapshots instead (nova's os-snapshots proxied cinder)"),
    ('GET', '/os-hosts', '2.43', None,
     'ask for a microversion in 2.1 to 2.42, or use compute /os-services and /os-hypervisors instead (they list the hosts os-hosts listed)'),
    ('POST', '/servers/abc/action', '2.44', 'addFloatingIp',
     "ask for a microversion in 2.1 to 2.43, or use network PUT /v2.0/floatingips/{floatingip_id} instead (with the server's port_id)"),
    ('POST', '/servers/abc/action', '2.6', 'os-getVNCConsole',
     'ask for a microversion in 2.1 to 2.5, or use compute POST /servers/{server_id}/remote-consoles instead (from 2.6)'),
    # Removed: what replaced them, or that nothing does.
    ('POST', '/os-networks', '2.1', None,
     "use network /v2.0/networks instead (nova's os-networks proxied neutron)"),
    ('GET', '/servers/abc/os-virtual-interfaces', '2.1', None,
     "use compute /servers/{server_id}/os-interface instead (it lists the server's ports)"),
    ('GET', '/os-fping', '2.1', None, 'nothing replaces it: it only worked with nova-network'),
    ('GET', '/os-cells/abc', '2.1', None, 'nothing replaces it: it only worked with cells v1'),
    ('POST', '/servers/abc/action', '2.6', 'os-getRDPConsole',
     'nothing replaces it: it only worked with the Hyper-V driver'),
    # Unknown to the map: the general advice.
    ('GET', '/os-certificates/root', '2.1', None, 'move to the API that replaced it'),
])
def test_fix_names_what_replaces_a_proxy_or_removed_api(method, path, version, action, fix):
    result = _compute(method, path, version, action)
    assert result['status'] in (GONE, OUTSIDE_RANGE)
    assert result['fix'] == fix


def test_replacement_goes_by_action_or_literal_segment():
    def row(path, action=None):
        return _row('POST', path, '2.1', '2.35', action=action)
    assert replacement('compute', row('/os-volumes/{id}'))['service'] == 'block-storage'
    assert replacement('compute', row('/images/{image_id}/metadata/{id}'))['route'] == '/v2/images'
    # An action is known by its name only, not by its path.
    assert replacement('compute', row('/servers/{id}/action', 'os-migrateLive')) is None
    assert replacement('compute', row('/servers/{id}/action', 'removeFixedIp'))['route'] == \
        'DELETE /servers/{server_id}/os-interface/{port_id}'
    assert replacement('compute', row('/os-fping'))['service'] is None
    assert replacement('placement', row('/images')) is None
    # A served route keeps no fix.
    assert _compute('GET', '/os-volumes', '2.35')['fix'] is None
