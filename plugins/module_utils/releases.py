# Copyright: Contributors to the stackroll.lifecycle project
# Apache License 2.0 (see LICENSE)
"""The release map: every OpenStack release this collection deploys.

One home for what a release is made of: the service packages from PyPI
(the upper-constraints do not pin the services themselves), where its
upper-constraints live upstream, and which earlier releases may upgrade to
it directly, and which constraints a verified install had to change.  Roles
read it through the ``stackroll.lifecycle.release``
lookup; modules and filters import it.
"""

from __future__ import annotations

_CONSTRAINTS = ('https://opendev.org/openstack/requirements/raw/branch/'
                'stable/%s/upper-constraints.txt')

# The newest point release of each service in the series.  2026.2 was cut
# after the snapshot of master's constraints it is installed with.
RELEASES = {
    '2025.1': {
        'codename': 'epoxy',
        'slurp': True,
        'packages': {
            'keystone': 'keystone==27.1.0',
            'glance': 'glance==30.2.0',
            'placement': 'openstack-placement==13.0.1',
            'nova': 'nova==31.3.1',
            'neutron': 'neutron==26.0.6',
        },
        'constraints_url': _CONSTRAINTS % '2025.1',
    },
    '2025.2': {
        'codename': 'flamingo',
        'slurp': False,
        'packages': {
            'keystone': 'keystone==28.1.0',
            'glance': 'glance==31.1.0',
            'placement': 'openstack-placement==14.0.0',
            'nova': 'nova==32.2.1',
            'neutron': 'neutron==27.0.4',
        },
        'constraints_url': _CONSTRAINTS % '2025.2',
    },
    '2026.1': {
        'codename': 'gazpacho',
        'slurp': True,
        'packages': {
            'keystone': 'keystone==29.1.0',
            'glance': 'glance==32.0.0',
            'placement': 'openstack-placement==15.0.0',
            'nova': 'nova==33.0.2',
            'neutron': 'neutron==28.0.2',
        },
        'constraints_url': _CONSTRAINTS % '2026.1',
    },
    '2026.2': {
        'codename': 'hibiscus',
        'slurp': False,
        'packages': {
            'keystone': 'keystone==30.0.0',
            'glance': 'glance==33.0.0',
            'placement': 'openstack-placement==16.0.0',
            'nova': 'nova==34.0.0',
            'neutron': 'neutron==29.0.0',
        },
        'constraints_url': ('https://opendev.org/openstack/requirements/raw/'
                            'branch/master/upper-constraints.txt'),
        # nova 34.0.0 needs newer libraries than master's constraints of
        # 2026-08-22 held (keystoneauth1 5.15.0, oslo.versionedobjects 3.11.0).
        'constraints_overrides': ['keystoneauth1===5.16.0',
                                  'oslo.versionedobjects===3.12.0'],
    },
}


class UnknownRelease(ValueError):
    """A release name the map does not hold."""


def release(name):
    """The map entry of release ``name`` (e.g. '2026.2' or 'hibiscus')."""
    name = str(name)
    for series, entry in RELEASES.items():
        if name in (series, entry['codename']):
            return dict({'constraints_overrides': []}, series=series, **entry)
    raise UnknownRelease('Unknown OpenStack release %r. Known releases: %s.'
                         % (name, ', '.join('%s (%s)' % (s, e['codename'])
                                            for s, e in RELEASES.items())))
