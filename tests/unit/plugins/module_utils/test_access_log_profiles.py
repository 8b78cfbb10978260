# Copyright: Contributors to the stackroll.lifecycle project
# Apache License 2.0 (see LICENSE)
"""Consumer profiles from the services' access logs."""
from __future__ import annotations

import os

import pytest

from ansible_collections.stackroll.lifecycle.plugins.module_utils import _release_data
from ansible_collections.stackroll.lifecycle.plugins.module_utils._access_log_profiles import (
    ACCESS_LOG_FORMAT,
    parse_access_log_line,
    path_template,
    profile_from_access_log,
)
from ansible_collections.stackroll.lifecycle.plugins.module_utils._api_profile_format import (
    validate_profile,
)
from ansible_collections.stackroll.lifecycle.plugins.module_utils._api_profiles import (
    check_profile,
)
from ansible_collections.stackroll.lifecycle.plugins.module_utils._release_data import (
    RELEASES,
)

UUID = '6f1c1a2e-0b7d-4c1e-9a55-0123456789ab'
HEX = '0123456789abcdef0123456789abcdef'


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
    template = os.path.join(os.path.dirname(_release_data.__file__), '..', '..',
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
