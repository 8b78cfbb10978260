# Copyright: Contributors to the stackroll.lifecycle project
# Apache License 2.0 (see LICENSE)
"""api_compat's profile sources, targets and failure message."""
from __future__ import annotations

import types

import pytest

from ansible_collections.stackroll.lifecycle.plugins.modules.api_compat import (
    ApiCompatModule,
    read_access_logs,
    read_profile,
    release_served,
    unmet_message,
)
from ansible_collections.stackroll.lifecycle.plugins.module_utils._api_profile_format import (
    ProfileError,
)
from ansible_collections.stackroll.lifecycle.plugins.module_utils._api_profiles import (
    check_profile,
)
from ansible_collections.stackroll.lifecycle.plugins.module_utils._api_routes import (
    tables,
)
from ansible_collections.stackroll.lifecycle.plugins.module_utils._release_data import (
    RELEASES,
    series_named,
)


@pytest.mark.parametrize('name, series', [
    ('2026.2', '2026.2'),
    ('hibiscus', '2026.2'),
    (2026.1, '2026.1'),
    ('production', None),
    ('2027.1', None),
    (None, None),
])
def test_series_named(name, series):
    assert series_named(name) == series


def test_release_served_is_a_copy():
    served = release_served('2026.2')
    served['compute']['max_version'] = '2.1'
    assert RELEASES['2026.2']['apis']['compute']['max_version'] == '2.104'


def _file(tmp_path, name, content):
    """The path of file ``name`` in ``tmp_path``, holding ``content``; None
    as ``content`` leaves the file missing."""
    path = tmp_path / name
    if content is not None:
        path.write_text(content)
    return str(path)


def test_read_profile_from_a_file(tmp_path):
    path = _file(tmp_path, 'consumers.yml',
                 'services:\n  compute:\n    versions: [v2.1]\n'
                 "    max_version: '2.95'\n")
    assert read_profile(path) == {
        'services': {'compute': {'versions': ['v2.1'], 'max_version': '2.95'}}}


def test_read_profile_passes_a_mapping_through():
    profile = {'services': {'image': {'versions': ['v2']}}}
    assert read_profile(profile) is profile


@pytest.mark.parametrize('content, message', [
    (None, 'Cannot read profile file'),
    ('services: [unclosed', 'is not valid YAML'),
])
def test_read_profile_errors(tmp_path, content, message):
    with pytest.raises(ProfileError, match=message):
        read_profile(_file(tmp_path, 'consumers.yml', content))


def test_read_profile_refuses_other_types():
    with pytest.raises(ProfileError, match='must be a mapping'):
        read_profile(['services'])


LOG = [
    '10.0.0.5 "GET /v2.1/servers/detail HTTP/1.1" 200 1234 12ms '
    '"compute 2.79" "-"\n',
    '10.0.0.5 "GET /v2/images HTTP/1.1" 200 99 3ms "-" "-"\n',
]


def test_read_access_logs(tmp_path):
    profile = read_access_logs([_file(tmp_path, 'nova.log', LOG[0]),
                                _file(tmp_path, 'glance.log', LOG[1])])
    assert sorted(profile['services']) == ['compute', 'image']
    assert profile['services']['compute']['max_version'] == '2.79'


@pytest.mark.parametrize('content, message', [
    (None, 'Cannot read access log'),
    ('not a request\n', 'No API request of a known service'),
])
def test_read_access_logs_errors(tmp_path, content, message):
    with pytest.raises(ProfileError, match=message):
        read_access_logs([_file(tmp_path, 'api.log', content)])


def test_unmet_message_names_each_unmet_requirement():
    profile = {'services': {'compute': {'versions': ['v2.1'],
                                        'max_version': '2.104'},
                            'block-storage': {'versions': ['v3']}}}
    results = check_profile(profile, RELEASES['2026.1']['apis'])
    unmet = [r for r in results if not r['ok']]
    message = unmet_message(unmet, len(results), 'release 2026.1')
    assert message.startswith('3 of 5 requirements unmet against release '
                              '2026.1: compute: max_version 2.104 (2.104 is '
                              'beyond the maximum microversion 2.103); '
                              'block-storage: service block-storage')


class _SDKException(Exception):
    pass


def _fake_module(extensions):
    def listed():
        if isinstance(extensions, Exception):
            raise extensions
        return [types.SimpleNamespace(alias=alias) for alias in extensions]
    return types.SimpleNamespace(
        conn=types.SimpleNamespace(network=types.SimpleNamespace(
            extensions=listed)),
        sdk=types.SimpleNamespace(exceptions=types.SimpleNamespace(
            SDKException=_SDKException)))


def test_cloud_extensions_are_read_from_the_network_api():
    loaded = ApiCompatModule.cloud_extensions(_fake_module(['trunk', 'qos']),
                                              'cloud prod')
    assert loaded == {'network': {'target': 'cloud prod',
                                  'aliases': frozenset({'trunk', 'qos'})}}
    profile = {'services': {'network': {'extensions': ['trunk', 'bgp']}}}
    results = check_profile(profile, {'network': {'versions': ['v2.0']}},
                            extensions=loaded)
    assert [(r['requirement'], r['ok']) for r in results[1:]] == [
        ('extension trunk', True), ('extension bgp', False)]
    assert 'cloud prod does not load the network extension bgp' in \
        results[2]['reason']


def test_cloud_extensions_unreadable_leave_them_unchecked():
    assert ApiCompatModule.cloud_extensions(
        _fake_module(_SDKException('no network')), 'cloud prod') == {}


@pytest.mark.parametrize('name, served, series, reason', [
    ('2026.2', {}, '2026.2', 'the tables of release 2026.2 itself'),
    (None, {'compute': {'min_version': '2.1', 'max_version': '2.103'}},
     '2026.1', "compute 2.1 to 2.103 are release 2026.1's alone"),
    ('production', {'compute': {'min_version': '2.1', 'max_version': '2.104'},
                    'placement': {'min_version': '1.0', 'max_version': '1.39'}},
     '2026.2', "compute 2.1 to 2.104 and placement 1.0 to 1.39 are release 2026.2's alone"),
    (None, {'compute': {'min_version': '2.1', 'max_version': '2.90'}},
     None, 'compute 2.1 to 2.90 match the route tables of no release'),
])
def test_routes_release_of_a_release_or_a_cloud(name, served, series, reason):
    found, why = ApiCompatModule.routes_release(name, served)
    assert found == series
    assert why.startswith(reason)


def test_a_cloud_calls_are_judged_by_the_table_of_its_release():
    served = {'compute': {'versions': ['v2.1'], 'deprecated': [],
                          'min_version': '2.1', 'max_version': '2.104'}}
    series, _why = ApiCompatModule.routes_release(None, served)
    profile = {'services': {'compute': {'calls': [
        {'method': 'GET', 'path': '/os-fping', 'microversion': '2.1'}]}}}
    result = check_profile(profile, served, tables(series))[1]
    assert (result['ok'], result['status']) == (False, 'gone')
    # Without a table, only the range counts.
    assert check_profile(profile, served, tables(None))[1]['ok']
