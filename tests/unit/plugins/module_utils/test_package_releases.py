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


@pytest.mark.parametrize('lookup, args, expected', [
    # service_of: the service of a package's or a service's name.
    (service_of, ('nova',), 'nova'),
    (service_of, ('placement',), 'placement'),
    (service_of, ('openstack-placement',), 'placement'),
    (service_of, ('openstack_placement',), 'placement'),
    (service_of, ('OpenStack.Placement',), 'placement'),
    (service_of, ('Keystone',), 'keystone'),
    # version_of: the version a release installs.
    (version_of, ('nova', '2026.2'), '34.0.0'),
    (version_of, ('nova', 'hibiscus'), '34.0.0'),
    (version_of, ('nova', '2025.1'), '31.3.1'),
    (version_of, ('placement', '2026.1'), '15.0.0'),
    (version_of, ('openstack-placement', 'gazpacho'), '15.0.0'),
    (version_of, ('keystone', '2025.2'), '28.1.0'),
    # release_of: the release of a package version.
    (release_of, ('nova', '34.0.0'), '2026.2'),
    (release_of, ('nova', '33.0.2'), '2026.1'),
    (release_of, ('nova', '33.0.1'), '2026.1'),
    (release_of, ('nova', '33.1.0'), '2026.1'),
    (release_of, ('nova', '31.0.0'), '2025.1'),
    (release_of, ('nova', '32.2.1'), '2025.2'),
    (release_of, ('nova', '34.0.0.0rc1'), '2026.2'),
    (release_of, ('placement', '15.0.0'), '2026.1'),
    (release_of, ('openstack-placement', '13.0.1'), '2025.1'),
    (release_of, ('keystone', '30.0.0'), '2026.2'),
    (release_of, ('glance', '31.1.0'), '2025.2'),
    (release_of, ('neutron', '26.0.6'), '2025.1'),
    (release_of, ('nova==34.0.0', None), '2026.2'),
    (release_of, ('openstack_placement==14.0.0', None), '2025.2'),
])
def test_lookup(lookup, args, expected):
    assert lookup(*args) == expected


@pytest.mark.parametrize('lookup, args, error, message', [
    (service_of, ('cinder',), ValueError,
     r"Unknown service or package 'cinder'. Known services: glance, keystone, "
     r"neutron, nova, placement\."),
    (version_of, ('nova', '2027.1'), UnknownRelease, "Unknown OpenStack release '2027.1'"),
    (version_of, ('cinder', '2026.2'), ValueError, 'Unknown service or package'),
    (release_of, ('nova', '30.0.0'), UnknownVersion,
     r'nova 30.0.0 belongs to no release of the map. Known: 31.x 2025.1, '
     r'32.x 2025.2, 33.x 2026.1, 34.x 2026.2\.'),
    (release_of, ('nova', '35.0.0'), UnknownVersion, 'belongs to no release'),
    (release_of, ('nova', 'master'), ValueError, 'Invalid package version'),
    (release_of, ('nova', ''), ValueError, 'Invalid package version'),
    (release_of, ('nova', None), ValueError, 'Give a version'),
    (release_of, ('cinder', '24.0.0'), ValueError, 'Unknown service or package'),
])
def test_lookup_refuses(lookup, args, error, message):
    with pytest.raises(error, match=message):
        lookup(*args)


@pytest.mark.parametrize('series', series_list())
@pytest.mark.parametrize('service', ['keystone', 'glance', 'placement', 'nova',
                                     'neutron'])
def test_version_of_and_release_of_agree(service, series):
    assert release_of(service, version_of(service, series)) == series


def test_version_of_a_service_a_release_lacks(monkeypatch):
    entry = copy.deepcopy(RELEASES['2025.1'])
    del entry['packages']['neutron']
    monkeypatch.setitem(RELEASES, '2025.1', entry)
    with pytest.raises(ValueError, match=r'Release 2025.1 \(epoxy\) does not '
                       'install neutron'):
        version_of('neutron', '2025.1')
