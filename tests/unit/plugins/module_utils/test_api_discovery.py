# Copyright: Contributors to the stackroll.lifecycle project
# Apache License 2.0 (see LICENSE)
"""Version documents to the served shape, and the catalog's endpoints."""
from __future__ import annotations

import pytest
from keystoneauth1 import exceptions as ksa_exceptions

from ansible_collections.stackroll.lifecycle.plugins.module_utils import _api_discovery
from ansible_collections.stackroll.lifecycle.plugins.module_utils._api_changes import (
    diff_served,
)
from ansible_collections.stackroll.lifecycle.plugins.module_utils._api_discovery import (
    catalog_endpoints,
    served_from_entries,
    unversioned_url,
    version_entries,
)
from ansible_collections.stackroll.lifecycle.plugins.module_utils._release_data import (
    RELEASES,
)

# The documents the 2026.2 services answer at their roots (shapes read from
# nova/api/openstack/compute/versions.py, placement/handlers/root.py,
# keystone/api/discovery.py, glance/api/versions.py and neutron's
# pecan_wsgi/controllers/root.py).
NOVA_ROOT = {'versions': [
    {'id': 'v2.0', 'status': 'DEPRECATED', 'version': '', 'min_version': '',
     'updated': '2025-07-04T12:00:00Z', 'links': []},
    {'id': 'v2.1', 'status': 'CURRENT', 'version': '2.104',
     'min_version': '2.1', 'updated': '2013-07-23T11:33:21Z', 'links': []},
]}
PLACEMENT_ROOT = {'versions': [
    {'id': 'v1.0', 'max_version': '1.39', 'min_version': '1.0',
     'status': 'CURRENT', 'links': [{'rel': 'self', 'href': ''}]},
]}
KEYSTONE_ROOT = {'versions': {'values': [
    {'id': 'v3.14', 'status': 'stable', 'updated': '2020-04-07T00:00:00Z',
     'links': [], 'media-types': []},
]}}
GLANCE_ROOT = {'versions': [
    {'id': 'v2.%d' % minor, 'status': 'CURRENT' if minor == 17 else 'SUPPORTED',
     'links': []}
    for minor in [17, 15] + list(range(13, -1, -1))
]}
NEUTRON_ROOT = {'versions': [
    {'id': 'v2.0', 'status': 'CURRENT', 'links': []},
]}
NOVA_VERSIONED = {'version': {'id': 'v2.1', 'status': 'CURRENT',
                              'version': '2.104', 'min_version': '2.1'}}


@pytest.mark.parametrize('url, root', [
    ('http://ctl:8774/v2.1', 'http://ctl:8774/'),
    ('http://ctl:8774/v2.1/', 'http://ctl:8774/'),
    ('http://ctl:8774/v2.1/0123456789abcdef0123456789abcdef',
     'http://ctl:8774/'),
    ('https://cloud.example/compute/v2.1', 'https://cloud.example/compute/'),
    ('http://ctl:5000/v3', 'http://ctl:5000/'),
    ('http://ctl:5000', 'http://ctl:5000/'),
    ('http://ctl:8778', 'http://ctl:8778/'),
    ('http://ctl:8778/placement', 'http://ctl:8778/placement/'),
    ('http://ctl:8776/v3/abc', 'http://ctl:8776/'),
    ('http://ctl:9696/', 'http://ctl:9696/'),
])
def test_unversioned_url(url, root):
    assert unversioned_url(url) == root


def test_unversioned_url_refuses_a_url_without_scheme():
    with pytest.raises(ValueError, match='Invalid endpoint URL'):
        unversioned_url('ctl:8774/v2.1')


CATALOG = [
    {'type': 'compute', 'name': 'nova', 'endpoints': [
        {'interface': 'internal', 'region_id': 'RegionOne',
         'url': 'http://int:8774/v2.1'},
        {'interface': 'public', 'region_id': 'RegionTwo',
         'url': 'http://two:8774/v2.1'},
        {'interface': 'public', 'region_id': 'RegionOne',
         'url': 'http://pub:8774/v2.1'},
    ]},
    {'type': 'volumev3', 'name': 'cinderv3', 'endpoints': [
        {'interface': 'public', 'region': 'RegionOne',
         'url': 'http://pub:8776/v3/abc'},
    ]},
    {'type': 'identity', 'name': 'keystone', 'endpoints': [
        # keystone v2 catalogs
        {'region': 'RegionOne', 'publicURL': 'http://pub:5000/v3',
         'internalURL': 'http://int:5000/v3'},
    ]},
    {'type': 'image', 'name': 'glance', 'endpoints': []},
]


@pytest.mark.parametrize('interface, region, expected', [
    ('public', 'RegionOne', {'compute': 'http://pub:8774/v2.1',
                             'block-storage': 'http://pub:8776/v3/abc',
                             'identity': 'http://pub:5000/v3'}),
    ('internal', 'RegionOne', {'compute': 'http://int:8774/v2.1',
                               'identity': 'http://int:5000/v3'}),
    ('internalURL', None, {'compute': 'http://int:8774/v2.1',
                           'identity': 'http://int:5000/v3'}),
    ('public', 'RegionTwo', {'compute': 'http://two:8774/v2.1'}),
    (None, None, {'compute': 'http://two:8774/v2.1',
                  'block-storage': 'http://pub:8776/v3/abc',
                  'identity': 'http://pub:5000/v3'}),
])
def test_catalog_endpoints(interface, region, expected):
    found = catalog_endpoints(CATALOG, interface, region)
    assert {kind: e['url'] for kind, e in found.items()} == expected


def test_catalog_endpoints_keeps_the_catalog_type():
    found = catalog_endpoints(CATALOG, 'public', 'RegionOne')
    assert found['block-storage'] == {'name': 'cinderv3',
                                      'catalog_type': 'volumev3',
                                      'url': 'http://pub:8776/v3/abc'}


@pytest.mark.parametrize('document, ids', [
    (NOVA_ROOT, ['v2.0', 'v2.1']),
    (KEYSTONE_ROOT, ['v3.14']),
    (NOVA_VERSIONED, ['v2.1']),
    ({'versions': [{'status': 'CURRENT'}, 'junk', {'id': 'v1'}]}, ['v1']),
    ({'error': {'code': 404}}, []),
    ('<html>not found</html>', []),
    (None, []),
    ({'versions': {'values': None}}, []),
])
def test_version_entries(document, ids):
    assert [e['id'] for e in version_entries(document)] == ids


@pytest.mark.parametrize('document, served', [
    (NOVA_ROOT, {'versions': ['v2.0', 'v2.1'], 'deprecated': ['v2.0'],
                 'min_version': '2.1', 'max_version': '2.104'}),
    (NOVA_VERSIONED, {'versions': ['v2.1'], 'deprecated': [],
                      'min_version': '2.1', 'max_version': '2.104'}),
    (PLACEMENT_ROOT, {'versions': ['v1.0'], 'deprecated': [],
                      'min_version': '1.0', 'max_version': '1.39'}),
    (KEYSTONE_ROOT, {'versions': ['v3.14'], 'deprecated': []}),
    (NEUTRON_ROOT, {'versions': ['v2.0'], 'deprecated': []}),
    # a deleted version is not served; a bad microversion is no range
    ({'versions': [{'id': 'v1', 'status': 'DELETED'},
                   {'id': 'v2', 'status': 'CURRENT', 'version': 'x',
                    'min_version': '2.0'}]},
     {'versions': ['v2'], 'deprecated': []}),
])
def test_served_from_entries(document, served):
    assert served_from_entries(version_entries(document)) == served


def test_glance_versions_are_sorted_by_number():
    served = served_from_entries(version_entries(GLANCE_ROOT))
    assert served['versions'][:3] == ['v2.0', 'v2.1', 'v2.2']
    assert served['versions'][-3:] == ['v2.13', 'v2.15', 'v2.17']


def test_a_2026_2_cloud_serves_what_the_release_map_says():
    documents = {'compute': NOVA_ROOT, 'placement': PLACEMENT_ROOT,
                 'identity': KEYSTONE_ROOT, 'image': GLANCE_ROOT,
                 'network': NEUTRON_ROOT}
    live = {kind: served_from_entries(version_entries(document))
            for kind, document in documents.items()}
    assert diff_served(RELEASES['2026.2']['apis'], live) == []


class FakeResponse:
    def __init__(self, status, document):
        self.status_code, self.document = status, document

    def json(self):
        if isinstance(self.document, Exception):
            raise self.document
        return self.document


class FakeSession:
    """keystoneauth's Session.get, answering from {url: response}."""

    def __init__(self, answers):
        self.answers, self.asked = answers, []

    def get(self, url, **kwargs):
        self.asked.append(url)
        answer = self.answers[url]
        if isinstance(answer, Exception):
            raise answer
        return answer


@pytest.mark.parametrize('answers, root, ids, error', [
    # keystone answers its root with 300 Multiple Choices
    ({'http://c:5000/': FakeResponse(300, KEYSTONE_ROOT)},
     'http://c:5000/', ['v3.14'], None),
    # a root behind a proxy that only routes /v2.1: the versioned document
    ({'http://c/': FakeResponse(404, ValueError('not json')),
      'http://c/v2.1': FakeResponse(200, NOVA_VERSIONED)},
     'http://c/v2.1', ['v2.1'], None),
    ({'http://c/': ksa_exceptions.ConnectFailure('refused'),
      'http://c/v2.1': FakeResponse(503, {'error': 'down'})},
     None, [], 'no version document found (http://c/: refused; '
     'http://c/v2.1: HTTP 503, no versions)'),
])
def test_probe(answers, root, ids, error):
    url = list(answers)[-1]
    found_root, entries, found_error = _api_discovery._probe(
        FakeSession(answers), url)
    assert (found_root, [e['id'] for e in entries], found_error) == (
        root, ids, error)


def test_probe_asks_a_root_endpoint_once():
    session = FakeSession({'http://c:8778/': FakeResponse(500, None)})
    _api_discovery._probe(session, 'http://c:8778/')
    assert session.asked == ['http://c:8778/']
