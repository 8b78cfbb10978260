# Copyright: Contributors to the stackroll.lifecycle project
# Apache License 2.0 (see LICENSE)
"""keystone_catalog_drift: what keystone lacks of a service's entries."""
from __future__ import annotations

import copy

import pytest
from ansible.errors import AnsibleFilterError

from ansible_collections.stackroll.lifecycle.plugins.filter.catalog import FilterModule

DRIFT = FilterModule().filters()['keystone_catalog_drift']
GLANCE = {'name': 'glance', 'type': 'image', 'description': 'Image service'}
URL = 'http://10.0.0.10:9292'
ROLES = ['admin', 'service']
INTERFACES = ['public', 'internal', 'admin']


def assignment(role, user='glance', project='service'):
    return {'role': {'id': 'r-' + role, 'name': role},
            'scope': {'project': {'id': 'p-' + project, 'name': project}},
            'user': {'id': 'u-' + user, 'name': user}}


def keystone():
    """What keystone holds once glance's entries are in place."""
    return {
        'role_assignments': [assignment('admin'), assignment('service'), assignment('admin', user='nova')],
        'users': [{'name': 'glance', 'domain_id': 'default', 'default_project_id': 'p-service'}],
        'services': [{'id': 's-glance', 'is_enabled': True, **GLANCE}],
        'endpoints': [{'service_id': 's-glance', 'interface': interface, 'url': URL,
                       'region_id': 'RegionOne', 'is_enabled': True} for interface in INTERFACES],
    }


def drift(read):
    return DRIFT(read, GLANCE, URL, 'glance', 'RegionOne', ROLES, INTERFACES)


def test_nothing_differs():
    assert drift(keystone()) == []


def test_an_empty_keystone_lacks_everything():
    assert drift({key: [] for key in keystone()}) == [
        'user glance lacks the roles admin, service on project service',
        'user glance is missing or has another default project',
        'service glance (image) is missing or differs',
    ] + ['the %s endpoint of glance is missing or is not %s' % (interface, URL) for interface in INTERFACES]


def change(path, value):
    read = copy.deepcopy(keystone())
    target = read
    for key in path[:-1]:
        target = target[key]
    target[path[-1]] = value
    return read


@pytest.mark.parametrize('read, expected', [
    (change(('role_assignments', 1, 'role', 'name'), 'reader'),
     'user glance lacks the roles service on project service'),
    (change(('users', 0, 'default_project_id'), 'p-other'),
     'user glance is missing or has another default project'),
    (change(('services', 0, 'description'), 'Images'), 'service glance (image) is missing or differs'),
    (change(('services', 0, 'is_enabled'), False), 'service glance (image) is missing or differs'),
    (change(('endpoints', 2, 'url'), 'http://old:9292'),
     'the admin endpoint of glance is missing or is not %s' % URL),
    (change(('endpoints', 0, 'region_id'), 'RegionTwo'),
     'the public endpoint of glance is missing or is not %s' % URL),
])
def test_each_difference_is_named(read, expected):
    assert drift(read) == [expected]


def test_endpoints_of_another_service_do_not_count():
    read = change(('services', 0, 'id'), 's-other')
    assert drift(read) == ['the %s endpoint of glance is missing or is not %s' % (interface, URL)
                           for interface in INTERFACES]


@pytest.mark.parametrize('read', [None, [], {'users': []}, dict(keystone(), endpoints=None)])
def test_takes_only_a_whole_read(read):
    with pytest.raises(AnsibleFilterError, match='role_assignments, users, services, endpoints'):
        drift(read)
