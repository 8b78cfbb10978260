# Copyright: Contributors to the stackroll.lifecycle project
# Apache License 2.0 (see LICENSE)
"""nova's compute API as the modules call it.

The microversions the collection asks for, named by what they enable, and
nova's service records: listed, found by host and binary, enabled, disabled
and forced down. ``compute_service``, ``compute_evacuate`` and
``api_versions_info`` use them; the evacuation engine takes its
microversions from here too, so this file imports without openstacksdk.
"""

from __future__ import annotations

try:
    from openstack import exceptions as sdk_exceptions
except ImportError:  # the modules' base class reports the missing SDK
    sdk_exceptions = None

# Force a running live migration to complete (pauses the guest).
FORCE_COMPLETE = '2.22'
# Abort a running live migration.
ABORT_MIGRATION = '2.24'
# PUT /os-services/{id}: status and reason of a service by its id.
SERVICE_UPDATE = '2.53'
# Migration records with uuid and integer id.
MIGRATION_RECORDS = '2.59'
# Live migration without the force flag; from 2.34 nova answers at once and
# runs the pre-checks in the conductor (openstacksdk asks with 2.30).
LIVE_MIGRATE = '2.68'

COMPUTE_BINARY = 'nova-compute'

_SERVICE_FIELDS = ('host', 'binary', 'state', 'status', 'is_forced_down',
                   'availability_zone', 'disabled_reason', 'updated_at')


class ServiceNotFound(LookupError):
    """No service of that binary on that host; the message lists known hosts."""


def compute_service_records(conn):
    """nova's service records (os-services) as plain dicts."""
    records = []
    for service in conn.compute.services():
        record = dict((field, service[field]) for field in _SERVICE_FIELDS)
        record['forced_down'] = bool(record.pop('is_forced_down'))
        records.append(record)
    return sorted(records, key=lambda r: (r['binary'] or '', r['host'] or ''))


def find_service(compute, host, binary=COMPUTE_BINARY):
    """nova's service record of ``binary`` on ``host``.

    ``compute`` is openstacksdk's compute proxy. Raises ServiceNotFound.
    """
    services = list(compute.services(binary=binary))
    for service in services:
        if service.host == host:
            return service
    raise ServiceNotFound('No %s service on host %r. Known hosts: %s.' % (
        binary, host, ', '.join(sorted(s.host for s in services)) or 'none'))


def update_service(compute, service, changes):
    """Apply ``changes`` ({'status', 'disabled_reason', 'is_forced_down'},
    any of them) to a service record.

    A disable without a new reason keeps the service's current one.
    """
    if changes.get('status') == 'enabled':
        compute.enable_service(service)
    elif 'status' in changes:
        compute.disable_service(
            service, disabled_reason=changes.get(
                'disabled_reason', service.disabled_reason))
    elif 'disabled_reason' in changes:
        # A new reason only: openstacksdk sends the fields that changed,
        # and nova refuses a reason without a status (400).
        sdk_exceptions.raise_from_response(compute.put(
            '/os-services/%s' % service.id, microversion=SERVICE_UPDATE, json={
                'status': 'disabled', 'disabled_reason': changes['disabled_reason']}))
    if 'is_forced_down' in changes:
        compute.update_service_forced_down(
            service, forced=changes['is_forced_down'])
