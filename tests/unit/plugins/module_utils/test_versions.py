# Copyright: Contributors to the stackroll.lifecycle project
# Apache License 2.0 (see LICENSE)
"""Version parsing, the release map's paths, nova's pins and profile checks."""
from __future__ import annotations

import copy
import os

import pytest

from ansible_collections.stackroll.lifecycle.plugins.module_utils import releases
from ansible_collections.stackroll.lifecycle.plugins.module_utils.releases import (
    RELEASES,
    UnknownRelease,
)
from ansible_collections.stackroll.lifecycle.plugins.module_utils.versions import (
    ACCESS_LOG_FORMAT,
    COMPUTE_RPC_BY_SERVICE_VERSION,
    LATEST,
    ProfileError,
    UnknownVersion,
    UnsupportedUpgrade,
    allowed_next,
    check_profile,
    check_upgrade,
    compare_microversions,
    compute_service_report,
    diff_served,
    microversion_key,
    parse_access_log_line,
    parse_api_version,
    parse_microversion,
    path_template,
    profile_from_access_log,
    release_of,
    rpc_pin_for,
    series_list,
    service_of,
    sort_microversions,
    upgrade_path,
    validate_profile,
    version_of,
)

UUID = '6f1c1a2e-0b7d-4c1e-9a55-0123456789ab'
HEX = '0123456789abcdef0123456789abcdef'

# --- microversions ----------------------------------------------------------


@pytest.mark.parametrize('text, expected', [
    ('2.1', (2, 1)),
    ('2.10', (2, 10)),
    ('2.104', (2, 104)),
    ('1.0', (1, 0)),
    (' 2.79 ', (2, 79)),
])
def test_parse_microversion(text, expected):
    assert parse_microversion(text) == expected


@pytest.mark.parametrize('value, message', [
    (2.1, 'is a number: quote it'),
    (2, 'is a number'),
    (True, 'is a number'),
    (None, 'is not a string'),
    (['2.1'], 'is not a string'),
    ('', 'expected MAJOR.MINOR'),
    ('2', 'expected MAJOR.MINOR'),
    ('2.1.3', 'expected MAJOR.MINOR'),
    ('v2.1', 'expected MAJOR.MINOR'),
    ('2.01', 'expected MAJOR.MINOR'),
    ('0.5', 'expected MAJOR.MINOR'),
    ('latest', 'expected MAJOR.MINOR'),
    ('compute 2.1', 'expected MAJOR.MINOR'),
])
def test_parse_microversion_refuses(value, message):
    with pytest.raises(ValueError, match=message):
        parse_microversion(value)


@pytest.mark.parametrize('left, right, expected', [
    ('2.9', '2.10', -1),
    ('2.10', '2.9', 1),
    ('2.10', '2.10', 0),
    ('2.100', '2.99', 1),
    ('1.39', '2.1', -1),
    ('latest', '2.104', 1),
    ('2.104', 'latest', -1),
    ('latest', 'LATEST', 0),
])
def test_compare_microversions(left, right, expected):
    assert compare_microversions(left, right) == expected


@pytest.mark.parametrize('values, reverse, expected', [
    (['2.10', '2.9', '2.1', '2.100'], False, ['2.1', '2.9', '2.10', '2.100']),
    (['2.10', 'latest', '2.9'], False, ['2.9', '2.10', 'latest']),
    (['2.10', '2.9', '2.1'], True, ['2.10', '2.9', '2.1']),
    ([], False, []),
])
def test_sort_microversions(values, reverse, expected):
    assert sort_microversions(values, reverse=reverse) == expected


def test_microversion_key_refuses_garbage():
    with pytest.raises(ValueError, match='Invalid microversion'):
        microversion_key('newest')


# --- the release map ----------------------------------------------------------


def test_series_are_ordered_by_number():
    assert series_list() == ['2025.1', '2025.2', '2026.1', '2026.2']


@pytest.mark.parametrize('name, expected', [
    ('nova', 'nova'),
    ('placement', 'placement'),
    ('openstack-placement', 'placement'),
    ('openstack_placement', 'placement'),
    ('OpenStack.Placement', 'placement'),
    ('Keystone', 'keystone'),
])
def test_service_of(name, expected):
    assert service_of(name) == expected


def test_service_of_unknown_names_the_known():
    with pytest.raises(ValueError, match=r"Unknown service or package "
                       r"'cinder'. Known services: glance, keystone, neutron, "
                       r"nova, placement\."):
        service_of('cinder')


@pytest.mark.parametrize('name, version, expected', [
    ('nova', '34.0.0', '2026.2'),
    ('nova', '33.0.2', '2026.1'),
    ('nova', '33.0.1', '2026.1'),
    ('nova', '33.1.0', '2026.1'),
    ('nova', '31.0.0', '2025.1'),
    ('nova', '32.2.1', '2025.2'),
    ('nova', '34.0.0.0rc1', '2026.2'),
    ('placement', '15.0.0', '2026.1'),
    ('openstack-placement', '13.0.1', '2025.1'),
    ('keystone', '30.0.0', '2026.2'),
    ('glance', '31.1.0', '2025.2'),
    ('neutron', '26.0.6', '2025.1'),
    ('nova==34.0.0', None, '2026.2'),
    ('openstack_placement==14.0.0', None, '2025.2'),
])
def test_release_of(name, version, expected):
    assert release_of(name, version) == expected


@pytest.mark.parametrize('name, version, error, message', [
    ('nova', '30.0.0', UnknownVersion,
     r'nova 30.0.0 belongs to no release of the map. Known: 31.x 2025.1, '
     r'32.x 2025.2, 33.x 2026.1, 34.x 2026.2\.'),
    ('nova', '35.0.0', UnknownVersion, 'belongs to no release'),
    ('nova', 'master', ValueError, 'Invalid package version'),
    ('nova', '', ValueError, 'Invalid package version'),
    ('nova', None, ValueError, 'Give a version'),
    ('cinder', '24.0.0', ValueError, 'Unknown service or package'),
])
def test_release_of_refuses(name, version, error, message):
    with pytest.raises(error, match=message):
        release_of(name, version)


@pytest.mark.parametrize('service, series, expected', [
    ('nova', '2026.2', '34.0.0'),
    ('nova', 'hibiscus', '34.0.0'),
    ('nova', '2025.1', '31.3.1'),
    ('placement', '2026.1', '15.0.0'),
    ('openstack-placement', 'gazpacho', '15.0.0'),
    ('keystone', '2025.2', '28.1.0'),
])
def test_version_of(service, series, expected):
    assert version_of(service, series) == expected


@pytest.mark.parametrize('series', series_list())
@pytest.mark.parametrize('service', ['keystone', 'glance', 'placement', 'nova',
                                     'neutron'])
def test_version_of_and_release_of_agree(service, series):
    assert release_of(service, version_of(service, series)) == series


@pytest.mark.parametrize('service, series, error, message', [
    ('nova', '2027.1', UnknownRelease, "Unknown OpenStack release '2027.1'"),
    ('cinder', '2026.2', ValueError, 'Unknown service or package'),
])
def test_version_of_refuses(service, series, error, message):
    with pytest.raises(error, match=message):
        version_of(service, series)


def test_version_of_a_service_a_release_lacks(monkeypatch):
    entry = copy.deepcopy(RELEASES['2025.1'])
    del entry['packages']['neutron']
    monkeypatch.setitem(RELEASES, '2025.1', entry)
    with pytest.raises(ValueError, match=r'Release 2025.1 \(epoxy\) does not '
                       'install neutron'):
        version_of('neutron', '2025.1')


# --- upgrade paths ------------------------------------------------------------


@pytest.mark.parametrize('current, expected', [
    ('2025.1', ['2025.2', '2026.1']),
    ('epoxy', ['2025.2', '2026.1']),
    ('2025.2', ['2026.1']),
    ('2026.1', ['2026.2']),
    ('2026.2', []),
])
def test_allowed_next(current, expected):
    assert allowed_next(current) == expected


def _hops(steps):
    return [(s['from'], s['to'], s['skip_level']) for s in steps]


@pytest.mark.parametrize('current, target, skip_level, expected', [
    ('2025.1', '2025.2', True, [('2025.1', '2025.2', False)]),
    ('2025.1', '2026.1', True, [('2025.1', '2026.1', True)]),
    ('2025.1', '2026.1', False, [('2025.1', '2025.2', False),
                                 ('2025.2', '2026.1', False)]),
    ('2025.1', '2026.2', True, [('2025.1', '2026.1', True),
                                ('2026.1', '2026.2', False)]),
    ('2025.1', '2026.2', False, [('2025.1', '2025.2', False),
                                 ('2025.2', '2026.1', False),
                                 ('2026.1', '2026.2', False)]),
    ('2025.2', '2026.2', True, [('2025.2', '2026.1', False),
                                ('2026.1', '2026.2', False)]),
    ('2026.1', '2026.2', True, [('2026.1', '2026.2', False)]),
    ('flamingo', 'hibiscus', True, [('2025.2', '2026.1', False),
                                    ('2026.1', '2026.2', False)]),
    ('2026.1', '2026.1', True, []),
    ('gazpacho', '2026.1', True, []),
])
def test_upgrade_path(current, target, skip_level, expected):
    assert _hops(upgrade_path(current, target, skip_level)) == expected


@pytest.mark.parametrize('current, target, error, message', [
    ('2026.2', '2026.1', UnsupportedUpgrade,
     r'2026.2 \(hibiscus\) -> 2026.1 \(gazpacho\) is a downgrade, which '
     r'OpenStack does not support. Allowed next steps from 2026.2: none, '
     r'2026.2 is the newest release of the map\.'),
    ('2025.2', '2025.1', UnsupportedUpgrade,
     r'Allowed next steps from 2025.2: 2026.1 \(gazpacho\)\.'),
    ('2026.1', '2025.1', UnsupportedUpgrade, 'is a downgrade'),
    ('2024.2', '2026.1', UnknownRelease, "Unknown OpenStack release '2024.2'"),
    ('2026.1', 'zed', UnknownRelease, "Unknown OpenStack release 'zed'"),
])
def test_upgrade_path_refuses(current, target, error, message):
    with pytest.raises(error, match=message):
        upgrade_path(current, target)


def test_unsupported_upgrade_is_a_value_error():
    assert issubclass(UnsupportedUpgrade, ValueError)


@pytest.mark.parametrize('current, target, message', [
    ('2025.1', '2025.2',
     '2025.1 (epoxy) -> 2025.2 (flamingo): upgrade to the next release.'),
    ('2025.1', '2026.1', '2025.1 (epoxy) -> 2026.1 (gazpacho): skip-level '
     'upgrade between SLURP releases.'),
    ('epoxy', 'gazpacho', '2025.1 (epoxy) -> 2026.1 (gazpacho): skip-level '
     'upgrade between SLURP releases.'),
    ('2025.2', '2026.1', '2025.2 (flamingo) -> 2026.1 (gazpacho): upgrade to '
     'the next release.'),
    ('2026.1', '2026.2', '2026.1 (gazpacho) -> 2026.2 (hibiscus): upgrade to '
     'the next release.'),
    ('2026.2', '2026.2', 'Already on 2026.2 (hibiscus): nothing to upgrade.'),
])
def test_check_upgrade_allows(current, target, message):
    assert check_upgrade(current, target) == (True, message)


@pytest.mark.parametrize('current, target, parts', [
    # Skip-level only from a SLURP release to the next SLURP release.
    ('2025.2', '2026.2', [
        '2025.2 (flamingo) -> 2026.2 (hibiscus) is not a supported upgrade',
        'Allowed next steps from 2025.2: 2026.1 (gazpacho).',
        'Supported path: 2025.2 -> 2026.1 -> 2026.2.']),
    ('2025.1', '2026.2', [
        'Allowed next steps from 2025.1: 2025.2 (flamingo), 2026.1 (gazpacho) '
        '(SLURP skip-level).',
        'Supported path: 2025.1 -> 2026.1 -> 2026.2.']),
    ('2026.2', '2025.1', ['is a downgrade', 'newest release of the map']),
    ('2026.1', '2025.2', ['is a downgrade',
                          'Allowed next steps from 2026.1: 2026.2 (hibiscus).']),
    ('2026.1', '2027.1', ["Unknown OpenStack release '2027.1'",
                          'Known releases: 2025.1 (epoxy)']),
    ('dalmatian', '2025.1', ["Unknown OpenStack release 'dalmatian'"]),
])
def test_check_upgrade_refuses(current, target, parts):
    ok, message = check_upgrade(current, target)
    assert not ok
    for part in parts:
        assert part in message


@pytest.mark.parametrize('current', series_list())
@pytest.mark.parametrize('target', series_list())
def test_every_path_step_passes_the_check(current, target):
    if series_list().index(target) < series_list().index(current):
        return
    for step in upgrade_path(current, target):
        assert check_upgrade(step['from'], step['to'])[0]


# --- nova service versions ----------------------------------------------------


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


@pytest.mark.parametrize('versions, forced, series, expected', [
    ((72, 74, 74), {}, '2026.2', {
        'min_version': 72, 'max_version': 74, 'mixed': True, 'rpc_pin': '6.5',
        'releases': {'cmp1': '2026.1', 'cmp2': '2026.2', 'cmp3': '2026.2'},
        'too_old': [], 'too_new': []}),
    ((74, 74), {}, '2026.2', {
        'min_version': 74, 'max_version': 74, 'mixed': False, 'rpc_pin': '6.5',
        'releases': {'cmp1': '2026.2', 'cmp2': '2026.2'},
        'too_old': [], 'too_new': []}),
    ((68, 72), {}, '2026.1', {
        'min_version': 68, 'max_version': 72, 'mixed': True, 'rpc_pin': '6.4',
        'releases': {'cmp1': '2025.1', 'cmp2': '2026.1'},
        'too_old': [], 'too_new': []}),
    # 2026.2's controllers refuse computes older than Gazpacho (72).
    ((70, 74), {}, '2026.2', {
        'min_version': 70, 'max_version': 74, 'mixed': True, 'rpc_pin': None,
        'releases': {'cmp1': '2025.2', 'cmp2': '2026.2'},
        'too_old': ['cmp1'], 'too_new': []}),
    # Like nova, a forced-down compute does not hold the pin back.
    ((70, 74), {'cmp1': True}, '2026.2', {
        'min_version': 74, 'max_version': 74, 'mixed': False, 'rpc_pin': '6.5',
        'releases': {'cmp1': '2025.2', 'cmp2': '2026.2'},
        'too_old': [], 'too_new': []}),
    # Computes ahead of their controllers.
    ((72, 74), {}, '2026.1', {
        'min_version': 72, 'max_version': 74, 'mixed': True, 'rpc_pin': None,
        'releases': {'cmp1': '2026.1', 'cmp2': '2026.2'},
        'too_old': [], 'too_new': ['cmp2']}),
    # A development version between releases.
    ((73,), {}, '2026.2', {
        'min_version': 73, 'max_version': 73, 'mixed': False, 'rpc_pin': '6.5',
        'releases': {'cmp1': None}, 'too_old': [], 'too_new': []}),
    ((), {}, '2026.2', {
        'min_version': None, 'max_version': None, 'mixed': False,
        'rpc_pin': None, 'releases': {}, 'too_old': [], 'too_new': []}),
])
def test_compute_service_report(versions, forced, series, expected):
    assert compute_service_report(_computes(*versions, **forced),
                                  series) == expected


# --- the release map's API data -----------------------------------------------


@pytest.mark.parametrize('series', series_list())
def test_release_apis_are_valid(series):
    entry = RELEASES[series]
    assert entry['nova_oldest_compute'] <= entry['nova_service_version']
    for service, served in entry['apis'].items():
        assert served['versions'], service
        for version in served['versions'] + served.get('deprecated', []):
            parse_api_version(version)
        if 'max_version' in served:
            assert compare_microversions(served['min_version'],
                                         served['max_version']) < 0


@pytest.mark.parametrize('series, compute_max', [
    ('2025.1', '2.100'), ('2025.2', '2.100'), ('2026.1', '2.103'),
    ('2026.2', '2.104'),
])
def test_release_compute_maximum(series, compute_max):
    assert RELEASES[series]['apis']['compute']['max_version'] == compute_max


def test_release_keeps_its_existing_fields():
    entry = releases.release('2026.2')
    assert entry['series'] == '2026.2'
    assert entry['packages']['nova'] == 'nova==34.0.0'
    assert entry['constraints_overrides']
    assert releases.release('2025.1')['constraints_overrides'] == []


# --- consumer profiles ----------------------------------------------------------


def _profile(**services):
    return {'services': services}


def test_validate_profile_normalises():
    profile = _profile(compute={
        'versions': 'v2.1', 'min_version': '2.1', 'max_version': '2.95',
        'calls': [{'method': 'get', 'path': '/servers/{id}',
                   'microversion': '2.79'},
                  {'method': 'POST', 'path': '/servers'},
                  {'method': 'GET', 'path': '/flavors', 'microversion': 'Latest',
                   'count': 3}]},
        identity={})
    assert validate_profile(profile) == {'services': {
        'compute': {
            'versions': ['v2.1'], 'min_version': '2.1', 'max_version': '2.95',
            'calls': [
                {'method': 'GET', 'path': '/servers/{id}', 'microversion': '2.79'},
                {'method': 'POST', 'path': '/servers', 'microversion': None},
                {'method': 'GET', 'path': '/flavors', 'microversion': LATEST,
                 'count': 3}]},
        'identity': {'versions': [], 'min_version': None, 'max_version': None,
                     'calls': []}}}


@pytest.mark.parametrize('profile, parts', [
    (None, ['must be a mapping with a "services" mapping']),
    ({'compute': {}}, ['must be a mapping with a "services" mapping']),
    (_profile(), ['the profile declares no service']),
    ({'services': {'compute': {}}, 'owner': 'x'}, ["unknown key 'owner'"]),
    (_profile(nova={}), ["unknown service 'nova' (use the service type "
                         "'compute')"]),
    (_profile(computer={}), ["unknown service 'computer' (known: identity, "
                             "compute,"]),
    (_profile(compute=['2.1']), ['services.compute must be a mapping']),
    (_profile(compute={'max_verison': '2.1'}),
     ["services.compute: unknown key 'max_verison'"]),
    (_profile(compute={'max_version': 2.10}),
     ['services.compute.max_version: Microversion 2.1 is a number: quote it']),
    (_profile(compute={'min_version': '2.x'}),
     ["services.compute.min_version: Invalid microversion '2.x'"]),
    (_profile(compute={'min_version': 'latest'}),
     ["Invalid microversion 'latest'"]),
    (_profile(compute={'min_version': '2.95', 'max_version': '2.9'}),
     ['services.compute: min_version 2.95 is above max_version 2.9']),
    (_profile(compute={'versions': ['2.1']}),
     ["services.compute.versions: Invalid API version '2.1'"]),
    (_profile(compute={'versions': {'v2.1': True}}),
     ['services.compute.versions must be a list']),
    (_profile(compute={'calls': {'GET': '/servers'}}),
     ['services.compute.calls must be a list']),
    (_profile(compute={'calls': ['GET /servers']}),
     ['services.compute.calls[0] must be a mapping']),
    (_profile(compute={'calls': [{'method': 'FETCH', 'path': '/servers'}]}),
     ["services.compute.calls[0]: method 'FETCH' is not one of GET"]),
    (_profile(compute={'calls': [{'method': 'GET', 'path': 'servers'}]}),
     ["services.compute.calls[0]: path 'servers' must start with '/'"]),
    (_profile(compute={'calls': [{'method': 'GET'}]}),
     ["path None must start with '/'"]),
    (_profile(compute={'calls': [{'method': 'GET', 'path': '/servers',
                                  'microversion': 2.79}]}),
     ['services.compute.calls[0]: Microversion 2.79 is a number']),
    (_profile(compute={'calls': [{'method': 'GET', 'path': '/servers',
                                  'version': '2.79'}]}),
     ["services.compute.calls[0]: unknown key 'version'"]),
    (_profile(compute={'max_version': '2.60', 'calls': [
        {'method': 'GET', 'path': '/servers', 'microversion': '2.79'}]}),
     ["services.compute.calls[0]: microversion 2.79 is outside the service's "
      'range any to 2.60']),
    # Every problem at once.
    (_profile(nova={}, compute={'min_version': '2.x'}),
     ["unknown service 'nova'", "Invalid microversion '2.x'"]),
])
def test_validate_profile_refuses(profile, parts):
    with pytest.raises(ProfileError) as info:
        validate_profile(profile)
    assert str(info.value).startswith('Invalid consumer profile: ')
    for part in parts:
        assert part in str(info.value)


SERVED = {
    'compute': {'versions': ['v2.0', 'v2.1'], 'min_version': '2.1',
                'max_version': '2.104', 'deprecated': ['v2.0']},
    'placement': {'versions': ['v1.0'], 'min_version': '1.0',
                  'max_version': '1.39'},
    'identity': {'versions': ['v3.14']},
    'image': {'versions': ['v2.0', 'v2.9', 'v2.17']},
}


def _verdicts(results):
    return [(r['service'], r['requirement'], r['ok'], r['reason'])
            for r in results]


@pytest.mark.parametrize('needs, expected', [
    ({'compute': {'min_version': '2.1', 'max_version': '2.95'}}, [
        ('compute', 'service compute', True, 'served'),
        ('compute', 'min_version 2.1', True, 'served (2.1 to 2.104)'),
        ('compute', 'max_version 2.95', True, 'served (2.1 to 2.104)')]),
    ({'compute': {'max_version': '2.110'}}, [
        ('compute', 'service compute', True, 'served'),
        ('compute', 'max_version 2.110', False,
         '2.110 is beyond the maximum microversion 2.104')]),
    ({'placement': {'min_version': '1.0', 'calls': [
        {'method': 'GET', 'path': '/allocation_candidates',
         'microversion': '1.40'}]}}, [
        ('placement', 'service placement', True, 'served'),
        ('placement', 'min_version 1.0', True, 'served (1.0 to 1.39)'),
        ('placement', 'GET /allocation_candidates at 1.40', False,
         '1.40 is beyond the maximum microversion 1.39')]),
    # 2.9 < 2.10: a naive string comparison would call 2.9 beyond 2.104.
    ({'compute': {'calls': [{'method': 'GET', 'path': '/servers',
                             'microversion': '2.9'}]}}, [
        ('compute', 'service compute', True, 'served'),
        ('compute', 'GET /servers at 2.9', True, 'served (2.1 to 2.104)')]),
    ({'compute': {'calls': [
        {'method': 'GET', 'path': '/servers'},
        {'method': 'GET', 'path': '/flavors', 'microversion': 'latest'}]}}, [
        ('compute', 'service compute', True, 'served'),
        ('compute', 'GET /servers', True,
         'no microversion asked: served at the minimum, 2.1'),
        ('compute', 'GET /flavors at latest', True,
         "served, but 'latest' changes meaning with every upgrade")]),
    ({'compute': {'versions': ['v2.1', 'v2.0', 'v3']}}, [
        ('compute', 'service compute', True, 'served'),
        ('compute', 'API v2.1', True, 'served as v2.1'),
        ('compute', 'API v2.0', True, 'served as v2.1'),
        ('compute', 'API v3', False, 'API v3 is not served (served: v2.0, '
         'v2.1)')]),
    ({'identity': {'versions': ['v3', 'v3.10', 'v3.15'], 'calls': [
        {'method': 'POST', 'path': '/auth/tokens'}]}}, [
        ('identity', 'service identity', True, 'served'),
        ('identity', 'API v3', True, 'served as v3.14'),
        ('identity', 'API v3.10', True, 'served as v3.14'),
        ('identity', 'API v3.15', False, 'API v3.15 is not served (served: '
         'v3.14)'),
        ('identity', 'POST /auth/tokens', True, 'served (no microversions)')]),
    ({'image': {'versions': ['v2'], 'max_version': '2.5'}}, [
        ('image', 'service image', True, 'served'),
        ('image', 'API v2', True, 'served as v2.17'),
        ('image', 'max_version 2.5', False, 'image serves no microversions')]),
    # A service no longer served fails every one of its requirements.
    ({'network': {'versions': ['v2.0'], 'calls': [
        {'method': 'GET', 'path': '/ports'}]}}, [
        ('network', 'service network', False, 'network is not served'),
        ('network', 'API v2.0', False, 'network is not served'),
        ('network', 'GET /ports', False, 'network is not served')]),
])
def test_check_profile(needs, expected):
    assert _verdicts(check_profile(_profile(**needs), SERVED)) == expected


def test_check_profile_reports_deprecated_versions():
    served = {'compute': {'versions': ['v2.0'], 'deprecated': ['v2.0']}}
    results = check_profile(_profile(compute={'versions': ['v2']}), served)
    assert results[-1] == {'service': 'compute', 'requirement': 'API v2',
                           'ok': True,
                           'reason': 'served as v2.0, which is deprecated'}


def test_check_profile_refuses_invalid_profiles():
    with pytest.raises(ProfileError, match="unknown service 'nova'"):
        check_profile(_profile(nova={}), SERVED)


def test_check_profile_minimum_raised():
    served = {'compute': {'versions': ['v2.1'], 'min_version': '2.10',
                          'max_version': '2.104'}}
    results = check_profile(_profile(compute={'min_version': '2.9'}), served)
    assert results[-1]['reason'] == ('2.9 is below the minimum microversion '
                                     '2.10')
    assert not results[-1]['ok']


@pytest.mark.parametrize('old, new', [
    ('2025.1', '2025.2'), ('2025.1', '2026.1'), ('2025.2', '2026.1'),
    ('2026.1', '2026.2'),
])
def test_a_release_serves_what_its_predecessor_served(old, new):
    # What 2025.1's APIs served at most is a profile every later release
    # must still satisfy.
    profile = _profile(**dict(
        (service, {'versions': served['versions'],
                   'min_version': served.get('min_version'),
                   'max_version': served.get('max_version')})
        for service, served in RELEASES[old]['apis'].items()))
    assert all(r['ok'] for r in check_profile(profile, RELEASES[new]['apis']))


# --- diff of what is served -------------------------------------------------------


def _changes(changes):
    return [(c['service'], c['change'], c['what'], c['detail'])
            for c in changes]


@pytest.mark.parametrize('old, new, expected', [
    (SERVED, SERVED, []),
    ({'compute': {'versions': ['v2.1'], 'min_version': '2.1',
                  'max_version': '2.100'}},
     {'compute': {'versions': ['v2.1'], 'min_version': '2.1',
                  'max_version': '2.104'}},
     [('compute', 'added', 'microversions', '2.101 to 2.104')]),
    ({'compute': {'versions': ['v2.1'], 'min_version': '2.1',
                  'max_version': '2.100'}},
     {'compute': {'versions': ['v2.1'], 'min_version': '2.1',
                  'max_version': '2.101'}},
     [('compute', 'added', 'microversions', '2.101')]),
    ({'compute': {'versions': ['v2.1'], 'min_version': '2.1',
                  'max_version': '2.104'}},
     {'compute': {'versions': ['v2.1'], 'min_version': '2.10',
                  'max_version': '2.100'}},
     [('compute', 'dropped', 'microversions',
       '2.1 to 2.9 (minimum raised to 2.10)'),
      ('compute', 'dropped', 'microversions',
       '2.101 to 2.104 (maximum lowered to 2.100)')]),
    ({'compute': {'versions': ['v2.1'], 'min_version': '2.10',
                  'max_version': '2.100'}},
     {'compute': {'versions': ['v2.1'], 'min_version': '2.1',
                  'max_version': '2.100'}},
     [('compute', 'added', 'microversions', '2.1 to 2.9')]),
    ({'x': {'versions': ['v1.0'], 'min_version': '1.0', 'max_version': '1.9'}},
     {'x': {'versions': ['v2.0'], 'min_version': '2.0', 'max_version': '2.3'}},
     [('x', 'dropped', 'version', 'v1.0'), ('x', 'added', 'version', 'v2.0'),
      ('x', 'dropped', 'microversions',
       '1.0 up to 2.0 (excluded) (minimum raised to 2.0)'),
      ('x', 'added', 'microversions', 'above 1.9 up to 2.3')]),
    ({'image': {'versions': ['v2.0'], 'min_version': '2.0',
                'max_version': '2.5'}},
     {'image': {'versions': ['v2.0']}},
     [('image', 'dropped', 'microversions',
       '2.0 to 2.5 (no microversions any more)')]),
    ({'image': {'versions': ['v2.0']}},
     {'image': {'versions': ['v2.0'], 'min_version': '2.0',
                'max_version': '2.0'}},
     [('image', 'added', 'microversions', '2.0')]),
    ({'compute': {'versions': ['v2.0', 'v2.1']}, 'network': {'versions': ['v2.0']}},
     {'compute': {'versions': ['v2.1', 'v2.0'], 'deprecated': ['v2.0']},
      'dns': {'versions': ['v2']}},
     [('compute', 'deprecated', 'version', 'v2.0'),
      ('dns', 'added', 'service', 'dns'),
      ('network', 'dropped', 'service', 'network')]),
    ({'identity': {'versions': ['v3.10', 'v3.14']}},
     {'identity': {'versions': ['v3', 'v3.14', 'v3.2']}},
     [('identity', 'dropped', 'version', 'v3.10'),
      ('identity', 'added', 'version', 'v3'),
      ('identity', 'added', 'version', 'v3.2')]),
])
def test_diff_served(old, new, expected):
    assert _changes(diff_served(old, new)) == expected


@pytest.mark.parametrize('old, new, expected', [
    ('2025.1', '2025.2', [('compute', 'deprecated', 'version', 'v2.0')]),
    ('2025.2', '2026.1', [('compute', 'added', 'microversions',
                           '2.101 to 2.103')]),
    ('2026.1', '2026.2', [('compute', 'added', 'microversions', '2.104')]),
    ('2026.2', '2025.1', [('compute', 'dropped', 'microversions',
                           '2.101 to 2.104 (maximum lowered to 2.100)')]),
])
def test_diff_served_between_releases(old, new, expected):
    assert _changes(diff_served(RELEASES[old]['apis'],
                                RELEASES[new]['apis'])) == expected


# --- access logs ----------------------------------------------------------------


@pytest.mark.parametrize('path, expected', [
    ('/v2.1/servers', ('v2.1', '/servers')),
    ('/v2.1/servers/', ('v2.1', '/servers')),
    ('/v2.1/servers/detail?all_tenants=1&limit=5', ('v2.1', '/servers/detail')),
    ('/v2.1/servers/%s/action' % UUID, ('v2.1', '/servers/{id}/action')),
    ('/v2.1/%s/servers/%s' % (HEX, UUID),
     ('v2.1', '/{project_id}/servers/{id}')),
    ('/v2.1/flavors/42/os-extra_specs', ('v2.1', '/flavors/{id}/os-extra_specs')),
    ('/v2.1/os-keypairs/mykey', ('v2.1', '/os-keypairs/mykey')),
    ('/v2.1', ('v2.1', '/')),
    ('/', (None, '/')),
    ('/v3/users/%s/projects' % HEX, ('v3', '/users/{id}/projects')),
    ('/v3/auth/tokens', ('v3', '/auth/tokens')),
    ('/v2/images/%s/file' % UUID, ('v2', '/images/{id}/file')),
    ('/v2.0/ports.json?device_id=%s' % UUID, ('v2.0', '/ports.json')),
    ('/resource_providers/%s/inventories/VCPU' % UUID,
     (None, '/resource_providers/{id}/inventories/{name}')),
    ('/traits/CUSTOM_GPU', (None, '/traits/{name}')),
    ('/allocations/%s' % UUID, (None, '/allocations/{id}')),
    # An API version only counts as the first segment.
    ('/os-keypairs/v2', (None, '/os-keypairs/v2')),
])
def test_path_template(path, expected):
    assert path_template(path) == expected


def _line(method, path, status=200, openstack='-', nova='-'):
    # What ACCESS_LOG_FORMAT writes, behind journald's prefix.
    return ('Nov 24 10:00:00 ctl1 gunicorn[812]: 192.0.2.10 "%s %s HTTP/1.1" '
            '%d 1520 35ms "%s" "%s"' % (method, path, status, openstack, nova))


def test_access_log_format_matches_the_parser():
    line = (ACCESS_LOG_FORMAT.replace('%(h)s', '192.0.2.10')
            .replace('%(r)s', 'GET /v2.1/servers HTTP/1.1')
            .replace('%(s)s', '200').replace('%(b)s', '15')
            .replace('%(M)s', '3')
            .replace('%({openstack-api-version}i)s', 'compute 2.79')
            .replace('%({x-openstack-nova-api-version}i)s', '2.79'))
    assert parse_access_log_line(line)['microversion'] == '2.79'


def test_access_log_format_is_the_one_the_services_write():
    template = os.path.join(os.path.dirname(releases.__file__), '..', '..',
                            'roles', 'openstack', 'templates',
                            'gunicorn.conf.py.j2')
    with open(template, encoding='utf-8') as handle:
        assert "access_log_format = '%s'" % ACCESS_LOG_FORMAT in handle.read()


@pytest.mark.parametrize('line, service, expected', [
    (_line('GET', '/v2.1/servers/%s' % UUID, openstack='compute 2.79',
           nova='2.79'), None,
     {'method': 'GET', 'path': '/v2.1/servers/%s' % UUID, 'version': 'v2.1',
      'template': '/servers/{id}', 'status': 200, 'service': 'compute',
      'microversion': '2.79'}),
    # The legacy nova header alone.
    (_line('POST', '/v2.1/servers', 202, nova='2.95'), None,
     {'method': 'POST', 'path': '/v2.1/servers', 'version': 'v2.1',
      'template': '/servers', 'status': 202, 'service': 'compute',
      'microversion': '2.95'}),
    # nova reads OpenStack-API-Version first.
    (_line('GET', '/v2.1/servers', openstack='compute 2.60', nova='2.2'),
     None, {'method': 'GET', 'path': '/v2.1/servers', 'version': 'v2.1',
            'template': '/servers', 'status': 200, 'service': 'compute',
            'microversion': '2.60'}),
    (_line('GET', '/v2.1/servers', openstack='compute latest'), None,
     {'method': 'GET', 'path': '/v2.1/servers', 'version': 'v2.1',
      'template': '/servers', 'status': 200, 'service': 'compute',
      'microversion': 'latest'}),
    (_line('GET', '/resource_providers?in_tree=%s' % UUID,
           openstack='placement 1.39'), None,
     {'method': 'GET', 'path': '/resource_providers', 'version': None,
      'template': '/resource_providers', 'status': 200,
      'service': 'placement', 'microversion': '1.39'}),
    # No header: the path tells the service.
    (_line('GET', '/resource_providers'), None,
     {'method': 'GET', 'path': '/resource_providers', 'version': None,
      'template': '/resource_providers', 'status': 200,
      'service': 'placement', 'microversion': None}),
    (_line('POST', '/v3/auth/tokens', 201), None,
     {'method': 'POST', 'path': '/v3/auth/tokens', 'version': 'v3',
      'template': '/auth/tokens', 'status': 201, 'service': 'identity',
      'microversion': None}),
    (_line('GET', '/v2/images'), None,
     {'method': 'GET', 'path': '/v2/images', 'version': 'v2',
      'template': '/images', 'status': 200, 'service': 'image',
      'microversion': None}),
    (_line('GET', '/v2/%s/servers' % HEX), None,
     {'method': 'GET', 'path': '/v2/%s/servers' % HEX, 'version': 'v2',
      'template': '/{project_id}/servers', 'status': 200,
      'service': 'compute', 'microversion': None}),
    (_line('DELETE', '/v2.0/ports/%s' % UUID, 204), None,
     {'method': 'DELETE', 'path': '/v2.0/ports/%s' % UUID, 'version': 'v2.0',
      'template': '/ports/{id}', 'status': 204, 'service': 'network',
      'microversion': None}),
    (_line('GET', '/'), None,
     {'method': 'GET', 'path': '/', 'version': None, 'template': '/',
      'status': 200, 'service': None, 'microversion': None}),
    # The caller knows better: one service's own log.
    (_line('GET', '/'), 'placement',
     {'method': 'GET', 'path': '/', 'version': None, 'template': '/',
      'status': 200, 'service': 'placement', 'microversion': None}),
    (_line('GET', '/v2.1/servers', openstack='placement 1.2'), 'compute',
     {'method': 'GET', 'path': '/v2.1/servers', 'version': 'v2.1',
      'template': '/servers', 'status': 200, 'service': 'compute',
      'microversion': None}),
    # cinder's header names its service type "volume".
    (_line('GET', '/v3/%s/volumes' % HEX, openstack='volume 3.59'), None,
     {'method': 'GET', 'path': '/v3/%s/volumes' % HEX, 'version': 'v3',
      'template': '/{project_id}/volumes', 'status': 200,
      'service': 'block-storage', 'microversion': '3.59'}),
    # A combined log with the two headers appended.
    ('10.0.0.1 - - [24/Nov/2026:10:00:00 +0000] "GET /v2.1/flavors HTTP/1.1" '
     '200 12 "-" "openstacksdk/4.14.0" "compute 2.61" "2.61"', None,
     {'method': 'GET', 'path': '/v2.1/flavors', 'version': 'v2.1',
      'template': '/flavors', 'status': 200, 'service': 'compute',
      'microversion': '2.61'}),
    # A combined log without them: the user agent is no microversion.
    ('10.0.0.1 - - [24/Nov/2026:10:00:00 +0000] "GET /v2.1/flavors HTTP/1.1" '
     '200 12 "-" "python-novaclient"', None,
     {'method': 'GET', 'path': '/v2.1/flavors', 'version': 'v2.1',
      'template': '/flavors', 'status': 200, 'service': 'compute',
      'microversion': None}),
    # The common log format: nothing quoted after the request.
    ('10.0.0.1 - - [24/Nov/2026:10:00:00 +0000] "GET /v2.0/networks HTTP/1.0" '
     '200 12', None,
     {'method': 'GET', 'path': '/v2.0/networks', 'version': 'v2.0',
      'template': '/networks', 'status': 200, 'service': 'network',
      'microversion': None}),
])
def test_parse_access_log_line(line, service, expected):
    assert parse_access_log_line(line, service) == expected


@pytest.mark.parametrize('line', [
    '',
    'Nov 24 10:00:00 ctl1 systemd[1]: Started nova-api.service.',
    '[2026-11-24 10:00:00 +0000] [812] [INFO] Booting worker with pid: 813',
    '192.0.2.10 "GET /v2.1/servers" 200 15',          # no protocol
    '192.0.2.10 "get /v2.1/servers HTTP/1.1" 200 15',  # not a method
])
def test_parse_access_log_line_skips_other_lines(line):
    assert parse_access_log_line(line) is None


LOG = [
    _line('GET', '/v2.1/servers/%s' % UUID, openstack='compute 2.79', nova='2.79'),
    _line('GET', '/v2.1/servers/%s' % UUID.replace('6f', '7a'),
          openstack='compute 2.79', nova='2.79'),
    _line('GET', '/v2.1/servers/%s' % UUID, 404, openstack='compute 2.9',
          nova='2.9'),
    _line('POST', '/v2.1/servers', 202, nova='2.95'),
    _line('GET', '/v2.1/flavors'),
    _line('GET', '/v2.1/flavors', openstack='compute latest'),
    _line('POST', '/v3/auth/tokens', 201),
    _line('PUT', '/resource_providers/%s/traits' % UUID,
          openstack='placement 1.6'),
    _line('GET', '/'),
    'Nov 24 10:00:01 ctl1 systemd[1]: Reloading.',
]


def test_profile_from_access_log():
    assert profile_from_access_log(LOG) == {'services': {
        'compute': {
            'versions': ['v2.1'], 'min_version': '2.9', 'max_version': '2.95',
            'calls': [
                {'method': 'GET', 'path': '/flavors', 'microversion': None,
                 'count': 1},
                {'method': 'GET', 'path': '/flavors', 'microversion': 'latest',
                 'count': 1},
                {'method': 'POST', 'path': '/servers', 'microversion': '2.95',
                 'count': 1},
                {'method': 'GET', 'path': '/servers/{id}',
                 'microversion': '2.9', 'count': 1},
                {'method': 'GET', 'path': '/servers/{id}',
                 'microversion': '2.79', 'count': 2}]},
        'identity': {
            'versions': ['v3'], 'min_version': None, 'max_version': None,
            'calls': [{'method': 'POST', 'path': '/auth/tokens',
                       'microversion': None, 'count': 1}]},
        'placement': {
            'versions': [], 'min_version': '1.6', 'max_version': '1.6',
            'calls': [{'method': 'PUT', 'path': '/resource_providers/{id}/traits',
                       'microversion': '1.6', 'count': 1}]},
    }}


def test_profile_from_access_log_is_a_valid_profile():
    profile = profile_from_access_log(LOG)
    assert validate_profile(profile)['services'].keys() == {
        'compute', 'identity', 'placement'}


def test_profile_from_one_services_log():
    profile = profile_from_access_log(LOG, service='placement')
    assert list(profile['services']) == ['placement']
    # Every request line now counts for placement, whatever its path, and
    # only placement's microversions count.
    calls = profile['services']['placement']['calls']
    assert sum(call['count'] for call in calls) == 9
    assert [call['microversion'] for call in calls
            if call['microversion']] == ['1.6']


def test_profile_from_access_log_refuses_unknown_service():
    with pytest.raises(ValueError, match="Unknown service type 'nova'"):
        profile_from_access_log(LOG, service='nova')


def test_profile_from_no_request():
    assert profile_from_access_log(['Reloading.', '']) == {'services': {}}


@pytest.mark.parametrize('series, failures', [
    # 2.95 is served by every release; placement 1.6 too.
    ('2025.1', []),
    ('2026.2', []),
])
def test_logged_profile_against_releases(series, failures):
    results = check_profile(profile_from_access_log(LOG),
                            RELEASES[series]['apis'])
    assert [r['requirement'] for r in results if not r['ok']] == failures


def test_logged_profile_beyond_a_release():
    log = LOG + [_line('GET', '/v2.1/servers', openstack='compute 2.104')]
    results = check_profile(profile_from_access_log(log),
                            RELEASES['2026.1']['apis'])
    assert [(r['requirement'], r['reason']) for r in results if not r['ok']] == [
        ('max_version 2.104', '2.104 is beyond the maximum microversion 2.103'),
        ('GET /servers at 2.104',
         '2.104 is beyond the maximum microversion 2.103')]
