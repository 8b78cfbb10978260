# Copyright: Contributors to the stackroll.lifecycle project
# Apache License 2.0 (see LICENSE)
"""nova's compute service versions: the RPC pin and the computes refused.

- :func:`rpc_pin_for`: the compute RPC version nova pins to with
  ``[upgrade_levels] compute = auto``;
- :func:`judge_compute_versions`: what nova makes of its computes' service
  versions under controllers of a release (skew, pin, refused computes);
- :func:`compute_report_from_records`: the same from nova's service records
  and the release each host runs, as ``api_versions_info`` reports it, since
  nova's API does not give service versions;
- :func:`controller_release_of`: the controllers' release, from the compute
  API's microversion range.
"""

from __future__ import annotations

from ansible_collections.stackroll.lifecycle.plugins.module_utils._release_data import (
    RELEASES,
    release,
    series_label,
    series_list,
    series_named,
)

# nova/objects/service.py SERVICE_VERSION_HISTORY (read in nova 34.0.0): the
# compute RPC API each service version speaks, from 66 (Caracal, the oldest
# compute 2025.1 accepts) to 74 (Hibiscus).
COMPUTE_RPC_BY_SERVICE_VERSION = {
    66: '6.2', 67: '6.3', 68: '6.4', 69: '6.4', 70: '6.4',
    71: '6.5', 72: '6.5', 73: '6.5', 74: '6.5',
}


def rpc_pin_for(min_service_version, series=None):
    """The compute RPC version nova pins to with ``[upgrade_levels]
    compute = auto``, given the minimum nova-compute service version.

    ``series`` is the release the controllers run (default: the newest of
    the map).  Like nova, 0 (no compute yet) gives the controllers' own
    version.  A minimum newer than the controllers know is an error: nova
    raises ServiceTooOld there, the controllers must be upgraded first.
    """
    if isinstance(min_service_version, bool):
        raise ValueError('Invalid service version %r.' % (min_service_version,))
    try:
        version = int(min_service_version)
    except (TypeError, ValueError):
        raise ValueError('Invalid service version %r: expected a whole number '
                         'like 72.' % (min_service_version,)) from None
    if series is None:
        newest, controllers = max(COMPUTE_RPC_BY_SERVICE_VERSION), 'the map'
    else:
        entry = release(series)
        newest = entry['nova_service_version']
        controllers = 'nova of %s' % series_label(entry['series'])
    if version == 0:
        return COMPUTE_RPC_BY_SERVICE_VERSION[newest]
    if version > newest:
        raise ValueError(
            'Compute service version %d is newer than %s knows (%d): upgrade '
            'the controllers before the computes.' % (version, controllers,
                                                      newest))
    if version not in COMPUTE_RPC_BY_SERVICE_VERSION:
        raise ValueError(
            'Compute service version %d is older than any release of the map '
            'supports (oldest known: %d).'
            % (version, min(COMPUTE_RPC_BY_SERVICE_VERSION)))
    return COMPUTE_RPC_BY_SERVICE_VERSION[version]


def _release_of_service_version(version):
    for series in series_list():
        if RELEASES[series]['nova_service_version'] == version:
            return series
    return None


def judge_compute_versions(services, series):
    """What nova makes of its computes' service versions under controllers
    of release ``series``.

    ``services``: ``[{'host', 'version', 'forced_down'}]`` of nova-compute.
    Like nova, forced-down services do not count towards the minimum.
    Returns ``min_version``, ``max_version``, ``mixed``, ``rpc_pin`` (None
    without computes), ``releases`` (host -> series of its service version,
    None between releases), ``too_old`` (hosts the controllers refuse:
    nova's TooOldComputeService) and ``too_new`` (hosts newer than the
    controllers).
    """
    entry = release(series)
    counted = [s for s in services if not s.get('forced_down')]
    versions = [int(s['version']) for s in counted]
    report = {
        'min_version': min(versions) if versions else None,
        'max_version': max(versions) if versions else None,
        'mixed': len(set(versions)) > 1,
        'rpc_pin': None,
        'releases': dict((s['host'], _release_of_service_version(
            int(s['version']))) for s in services),
        'too_old': sorted(s['host'] for s in counted
                          if int(s['version']) < entry['nova_oldest_compute']),
        'too_new': sorted(s['host'] for s in counted
                          if int(s['version']) > entry['nova_service_version']),
    }
    if versions and not report['too_new'] and not report['too_old']:
        report['rpc_pin'] = rpc_pin_for(min(versions), entry['series'])
    return report


def controller_release_of(served_compute):
    """The release whose nova serves the microversion range of
    ``served_compute`` (the served shape of 'compute'); None when no release
    or several (2025.1 and 2025.2 both end at 2.100) do."""
    if not served_compute:
        return None
    span = (served_compute.get('min_version'), served_compute.get('max_version'))
    matches = [s for s in series_list()
               if (RELEASES[s]['apis']['compute']['min_version'],
                   RELEASES[s]['apis']['compute']['max_version']) == span]
    return matches[0] if len(matches) == 1 else None


def compute_report_from_records(records, compute_releases=None,
                                controller_release=None):
    """nova's compute services with their service versions, and what nova
    makes of them (:func:`judge_compute_versions`).

    nova's API does not expose a service's version, so it comes from
    ``compute_releases`` (host -> the series of nova installed there, as
    ``host_versions_facts`` reports it) through the release map.  Returns
    ``(records, report, error)``: each nova-compute record gains ``release``
    and ``version`` (None when unknown); ``report`` is None, and ``error``
    says why, when a compute's release or the controllers' release is
    unknown.
    """
    compute_releases = compute_releases or {}
    computes, unknown = [], []
    for record in records:
        if record['binary'] != 'nova-compute':
            continue
        series = series_named(compute_releases.get(record['host']))
        record['release'] = series
        record['version'] = (RELEASES[series]['nova_service_version']
                             if series in RELEASES else None)
        if record['version'] is None:
            unknown.append(record['host'])
        else:
            computes.append({'host': record['host'],
                             'version': record['version'],
                             'forced_down': record['forced_down']})
    if unknown:
        return records, None, (
            'No nova release known for compute host(s) %s: nova does not '
            'expose service versions through its API; pass compute_releases '
            '(host -> series, from host_versions_facts).'
            % ', '.join(sorted(unknown)))
    controllers = series_named(controller_release)
    if controllers is None:
        return records, None, (
            'The release of the nova controllers is unknown (%s); set '
            'controller_release to one of %s.'
            % ('not given, and the compute API range fits no single release'
               if controller_release is None else repr(controller_release),
               ', '.join(series_list())))
    report = judge_compute_versions(computes, controllers)
    report['controller_release'] = controllers
    return records, report, None
