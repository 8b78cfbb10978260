# Copyright: Contributors to the stackroll.lifecycle project
# Apache License 2.0 (see LICENSE)
"""The release map: every OpenStack release this collection deploys.

One home for what a release is made of: the service packages from PyPI
(the upper-constraints do not pin the services themselves), where its
upper-constraints live upstream, and which earlier releases may upgrade to
it directly, and which constraints a verified install had to change.  Roles
read it through the ``stackroll.lifecycle.release``
lookup; modules and filters import it.

Each release also says what its APIs serve (``apis``, the shape
``_api_profiles.check_profile`` takes: API versions, microversion
range, deprecated versions) and nova's compute service version
(``nova_service_version``) with the oldest compute its controllers accept
(``nova_oldest_compute``), and which oslo.messaging its upper-constraints
pin, with the [oslo_messaging_rabbit] options of its queues
(``oslo_messaging``).  The values were read from the pinned packages'
own sources: nova/objects/service.py (SERVICE_VERSION,
OLDEST_SUPPORTED_SERVICE_VERSION, SERVICE_VERSION_ALIASES),
nova/api/openstack/api_version_request.py (_MIN/_MAX_API_VERSION),
nova/api/openstack/compute/versions.py, placement/microversion.py,
placement/handlers/root.py, keystone/api/discovery.py and
glance/api/versions.py, and oslo_messaging/_drivers/impl_rabbit.py.
"""

from __future__ import annotations

_CONSTRAINTS = ('https://opendev.org/openstack/requirements/raw/branch/'
                'stable/%s/upper-constraints.txt')

# What glance 30.2.0 to 33.0.0 list at / with enabled_backends set and no
# image_cache_dir, as the glance role configures it (v2.14, v2.16 and, from
# 33.0.0, v2.18 appear only with image_cache_dir).
_GLANCE_VERSIONS = ['v2.%d' % minor for minor in list(range(14)) + [15, 17]]


def _apis(compute_max, legacy_v2_deprecated):
    """What a release's APIs serve; across these releases only nova's
    maximum microversion and the status of its legacy v2.0 API change."""
    return {
        'identity': {'versions': ['v3.14']},
        'compute': {'versions': ['v2.0', 'v2.1'], 'min_version': '2.1',
                    'max_version': compute_max,
                    'deprecated': ['v2.0'] if legacy_v2_deprecated else []},
        'placement': {'versions': ['v1.0'], 'min_version': '1.0',
                      'max_version': '1.39'},
        'image': {'versions': list(_GLANCE_VERSIONS)},
        # Read from neutron 29.0.0 only (pecan_wsgi/controllers/root.py); it
        # has served nothing but v2.0 for a decade.
        'network': {'versions': ['v2.0']},
    }


# The [oslo_messaging_rabbit] options that choose the type, replication and
# names of the queues oslo.messaging declares, and its prefetch, which
# stream fanout needs. oslo.messaging 16.1.2, 17.1.0, 17.3.0 and 18.2.0
# all have each of them (impl_rabbit.py's rabbit_opts); rabbit_ha_queues,
# classic mirrored queues, is the old way, which quorum queues replace.
_RABBIT_QUEUE_OPTIONS = [
    'rabbit_quorum_queue', 'rabbit_transient_quorum_queue', 'rabbit_quorum_delivery_limit',
    'rabbit_quorum_max_memory_length', 'rabbit_quorum_max_memory_bytes', 'rabbit_stream_fanout',
    'rabbit_transient_queues_ttl', 'rabbit_qos_prefetch_count', 'use_queue_manager', 'hostname', 'processname',
    'rabbit_ha_queues',
]


def _oslo_messaging(version):
    """The oslo.messaging of a release's upper-constraints."""
    return {'version': version, 'rabbit_queue_options': list(_RABBIT_QUEUE_OPTIONS)}


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
        'apis': _apis(compute_max='2.100', legacy_v2_deprecated=False),
        'nova_service_version': 68,
        'nova_oldest_compute': 66,  # OLDEST_SUPPORTED_SERVICE_VERSION Caracal
        'oslo_messaging': _oslo_messaging('16.1.2'),
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
        'apis': _apis(compute_max='2.100', legacy_v2_deprecated=True),
        'nova_service_version': 70,
        'nova_oldest_compute': 68,  # OLDEST_SUPPORTED_SERVICE_VERSION Epoxy
        'oslo_messaging': _oslo_messaging('17.1.0'),
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
        'apis': _apis(compute_max='2.103', legacy_v2_deprecated=True),
        'nova_service_version': 72,
        'nova_oldest_compute': 68,  # OLDEST_SUPPORTED_SERVICE_VERSION Epoxy
        'oslo_messaging': _oslo_messaging('17.3.0'),
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
        'apis': _apis(compute_max='2.104', legacy_v2_deprecated=True),
        'nova_service_version': 74,
        'nova_oldest_compute': 72,  # OLDEST_SUPPORTED_SERVICE_VERSION Gazpacho
        'oslo_messaging': _oslo_messaging('18.2.0'),
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


def series_key(series):
    """A sort key for series: 2025.2 < 2026.1."""
    return tuple(int(part) for part in series.split('.'))


def series_list():
    """The series of the map, oldest first."""
    return sorted(RELEASES, key=series_key)


def series_label(series):
    """'2026.2 (hibiscus)'."""
    return '%s (%s)' % (series, RELEASES[series]['codename'])


def series_named(name):
    """The series ``name`` (a series or codename) stands for, or None when
    it names no release (YAML may have made 2026.2 a float)."""
    if name is None:
        return None
    try:
        return release(name)['series']
    except UnknownRelease:
        return None
