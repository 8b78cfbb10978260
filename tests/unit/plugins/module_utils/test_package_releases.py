# Copyright: Contributors to the stackroll.lifecycle project
# Apache License 2.0 (see LICENSE)
"""Package versions to releases and back."""
from __future__ import annotations

import copy

import pytest

from ansible_collections.stackroll.lifecycle.plugins.module_utils._package_releases import (
    UnknownVersion,
    release_of,
    service_of,
    version_of,
)
from ansible_collections.stackroll.lifecycle.plugins.module_utils._release_data import (
    RELEASES,
    UnknownRelease,
    series_list,
)


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
