# Copyright: Contributors to the stackroll.lifecycle project
# Apache License 2.0 (see LICENSE)
"""The hosts, host variables and groups of the openstack_hosts inventory,
built from nova's records.

:func:`hypervisor_record` and :func:`aggregate_record` keep the fields of
openstacksdk's objects the inventory reads; :func:`build_inventory` turns
them and nova's service records (``_nova.compute_service_records``) into
hosts, their ``stackroll_host`` variable and groups, named safely by
:func:`group_name`.
"""

from __future__ import annotations

import re

from ansible_collections.stackroll.lifecycle.plugins.module_utils._nova import (
    COMPUTE_BINARY,
)

_UNSAFE_GROUP_CHARS = re.compile(r'[^A-Za-z0-9_]')
# The groups of every inventory (controllers only when asked for), and the
# host variable that holds what nova says of a host.
COMPUTES = 'computes'
COMPUTES_DISABLED = 'computes_disabled'
COMPUTES_DOWN = 'computes_down'
CONTROLLERS = 'controllers'
HOST_VAR = 'stackroll_host'


def group_name(prefix, name):
    """A valid group name for ``name``: ASCII letters, digits and ``_``,
    not starting with a digit."""
    safe = _UNSAFE_GROUP_CHARS.sub('_', '%s%s' % (prefix or '', name))
    return '_' + safe if not safe or safe[0].isdigit() else safe


def hypervisor_record(hypervisor):
    """The fields of an openstacksdk Hypervisor the inventory keeps.

    ``running_vms`` left nova's API at microversion 2.88; from there the
    servers listed with ``with_servers`` are counted instead.
    """
    running = hypervisor.running_vms
    if running is None:
        running = len(hypervisor.servers or [])
    return {
        'name': hypervisor.name,
        'host': (hypervisor.service_details or {}).get('host'),
        'host_ip': hypervisor.host_ip,
        'hypervisor_type': hypervisor.hypervisor_type,
        'running_vms': running,
    }


def aggregate_record(aggregate):
    """The fields of an openstacksdk Aggregate the inventory keeps."""
    return {
        'name': aggregate.name,
        'hosts': list(aggregate.hosts or []),
        'availability_zone': aggregate.availability_zone,
    }


def _service_vars(service):
    return {k: service[k] for k in ('state', 'status', 'disabled_reason', 'forced_down',
                                    'availability_zone', 'updated_at')}


def _host_summary(services):
    """State, status, reason and forced-down flag of a host: its
    nova-compute's, else down or disabled when any of its services is."""
    if COMPUTE_BINARY in services:
        main = services[COMPUTE_BINARY]
        return {k: main[k] for k in ('state', 'status', 'disabled_reason', 'forced_down')}
    ordered = [services[b] for b in sorted(services)]
    disabled = [s for s in ordered if s['status'] == 'disabled']
    return {
        'state': 'down' if any(s['state'] == 'down' for s in ordered) else 'up',
        'status': 'disabled' if disabled else 'enabled',
        'disabled_reason': disabled[0]['disabled_reason'] if disabled else None,
        'forced_down': any(s['forced_down'] for s in ordered),
    }


def _hypervisor_host(hypervisor, hosts):
    """The nova host a hypervisor belongs to; older clouds may lack its
    service's host, its name (or short name) is then tried."""
    if hypervisor.get('host'):
        return hypervisor['host']
    name = hypervisor.get('name') or ''
    for candidate in (name, name.split('.')[0]):
        if candidate in hosts:
            return candidate
    return None


def build_inventory(services, hypervisors, aggregates, controllers=False,
                    zone_group_prefix='az_', aggregate_group_prefix='aggregate_',
                    host_address=None):
    """Hosts, their variables and groups from nova's records.

    ``services`` are nova's service records (``compute_service_records``),
    ``hypervisors`` and ``aggregates`` lists of the ``*_record`` dicts.
    Returns ``{'hosts': {name: vars}, 'groups': {group: [host, ...]},
    'warnings': [...]}``.
    """
    by_host = {}
    for service in services:
        if service.get('host') and service.get('binary'):
            by_host.setdefault(service['host'], {})[service['binary']] = service
    wanted = {host: binaries for host, binaries in by_host.items()
              if COMPUTE_BINARY in binaries
              or (controllers and set(binaries) - {COMPUTE_BINARY})}

    hypervisors_of = {}
    for hypervisor in hypervisors:
        host = _hypervisor_host(hypervisor, wanted)
        if host in wanted:
            hypervisors_of.setdefault(host, []).append(hypervisor)
    aggregates_of = {}
    for aggregate in aggregates:
        for host in aggregate.get('hosts') or []:
            aggregates_of.setdefault(host, []).append(aggregate['name'])

    groups = {COMPUTES: [], COMPUTES_DISABLED: [], COMPUTES_DOWN: []}
    if controllers:
        groups[CONTROLLERS] = []
    sources = {}
    warnings = []

    def add(group, host, source=None):
        if source is not None and sources.setdefault(group, source) != source:
            warning = '%s and %s share the group %s; rename one of them.' % (
                sources[group], source, group)
            if warning not in warnings:
                warnings.append(warning)
        members = groups.setdefault(group, [])
        if host is not None and host not in members:
            members.append(host)

    hosts = {}
    for host in sorted(wanted):
        binaries = wanted[host]
        found = sorted(hypervisors_of.get(host, []), key=lambda h: h.get('name') or '')
        compute = binaries.get(COMPUTE_BINARY)
        details = {
            'host': host,
            'services': {b: _service_vars(s) for b, s in sorted(binaries.items())},
            'availability_zone': compute['availability_zone'] if compute else None,
            'aggregates': sorted(aggregates_of.get(host, [])),
            'hypervisors': [h.get('name') for h in found],
            'hypervisor_type': found[0].get('hypervisor_type') if found else None,
            'host_ip': found[0].get('host_ip') if found else None,
            'running_vms': (sum(h.get('running_vms') or 0 for h in found)
                            if found else None),
        }
        details.update(_host_summary(binaries))
        hostvars = {HOST_VAR: details}
        address = {'host_ip': details['host_ip'],
                   'hypervisor_hostname': details['hypervisors'][0] if found else None,
                   }.get(host_address)
        if address:
            hostvars['ansible_host'] = address
        hosts[host] = hostvars

        if compute:
            add(COMPUTES, host)
            if compute['status'] == 'disabled':
                add(COMPUTES_DISABLED, host)
            if compute['state'] == 'down' or compute['forced_down']:
                add(COMPUTES_DOWN, host)
            if compute['availability_zone']:
                zone = compute['availability_zone']
                add(group_name(zone_group_prefix, zone), host,
                    'availability zone %r' % zone)
        if controllers and set(binaries) - {COMPUTE_BINARY}:
            add(CONTROLLERS, host)

    for aggregate in sorted(aggregates, key=lambda a: a.get('name') or ''):
        name = group_name(aggregate_group_prefix, aggregate['name'])
        source = 'aggregate %r' % aggregate['name']
        add(name, None, source)
        for host in sorted(aggregate.get('hosts') or []):
            if host in hosts:
                add(name, host, source)
    return {'hosts': hosts, 'groups': groups, 'warnings': warnings}
