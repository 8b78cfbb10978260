# Copyright: Contributors to the stackroll.lifecycle project
# Apache License 2.0 (see LICENSE)
"""Consumer profiles: validation, checks against what is served, diffs."""
from __future__ import annotations

import pytest

from ansible_collections.stackroll.lifecycle.plugins.module_utils._api_changes import (
    diff_served,
)
from ansible_collections.stackroll.lifecycle.plugins.module_utils._api_profile_format import (
    ProfileError,
    validate_profile,
)
from ansible_collections.stackroll.lifecycle.plugins.module_utils._api_profiles import (
    check_profile,
)
from ansible_collections.stackroll.lifecycle.plugins.module_utils._microversions import (
    LATEST,
)
from ansible_collections.stackroll.lifecycle.plugins.module_utils._release_data import (
    RELEASES,
)


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
