# Copyright: Contributors to the stackroll.lifecycle project
# Apache License 2.0 (see LICENSE)
"""RabbitMQ for OpenStack: what the services are told (their transport_url
and their [oslo_messaging_rabbit] options) and what a cluster of the
controllers' nodes needs (node names that resolve to each controller's
management address, and which node must join the first one).

The filters of plugins/filter/messaging.py and the health judges call these.
module_utils may import nothing of ansible but ansible.module_utils, so each
filter raises the ValueError of a wrong argument as AnsibleFilterError.
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Mapping
from urllib.parse import quote

from ansible_collections.stackroll.lifecycle.plugins.module_utils._judge_inputs import (
    InputError,
    command_output,
    command_result,
    expect,
    json_output,
    strings,
)


def _unique(items):
    """Once each, in their order."""
    return list(dict.fromkeys(items))


# transport_url

def _url_host(address):
    """An address as a URL names it: an IPv6 address in brackets."""
    try:
        return '[%s]' % address if ipaddress.ip_address(address).version == 6 else address
    except ValueError:
        return address  # a host name


def transport_url(addresses, user, password, port=5672):
    """rabbit://user:password@a:port,user:password@b:port/ for oslo.messaging.

    Every node of addresses (one address, or a list) with the same user and
    password, in their order; the user and password are URL-quoted (letters
    and digits stay as they are). The trailing / is the default virtual
    host, /.
    """
    name = 'transport_url'
    if isinstance(addresses, str):
        addresses = [addresses]
    strings(name, 'the addresses of RabbitMQ', addresses)
    expect(name, 'the addresses of RabbitMQ', addresses, 'a non-empty list of addresses',
           len(addresses) > 0 and all(address.strip() for address in addresses))
    expect(name, 'user', user, 'a non-empty string', isinstance(user, str) and user != '')
    expect(name, 'password', password, 'a string', isinstance(password, str))
    expect(name, 'port', port, 'a port number (1 to 65535)',
           isinstance(port, int) and not isinstance(port, bool) and 0 < port < 65536)
    credentials = '%s:%s' % (quote(user, safe=''), quote(password, safe=''))
    return 'rabbit://%s/' % ','.join('%s@%s:%d' % (credentials, _url_host(address.strip()), port)
                                     for address in addresses)


# [oslo_messaging_rabbit]

# What oslo.messaging's RabbitMQ driver refuses at start, as its
# impl_rabbit.py says (16.1.2 to 18.2.0): (option, value it needs, other
# option, what the other must be, test).
_NEEDS = (
    ('rabbit_stream_fanout', 'rabbit_transient_quorum_queue', 'true', lambda value: value is True),
    ('rabbit_stream_fanout', 'rabbit_qos_prefetch_count', 'over 0',
     lambda value: isinstance(value, int) and not isinstance(value, bool) and value > 0),
)


def oslo_messaging_rabbit(release, cluster, options):
    """The [oslo_messaging_rabbit] options of every service: options with a
    cluster, none (the section left out) without.

    release is the release map's entry, whose oslo_messaging says which of
    these options its oslo.messaging has; an option it lacks, or a set of
    options its driver refuses at start, is an error.
    """
    name = 'oslo_messaging_rabbit'
    expect(name, 'the release', release, "the release map's entry of a release (with oslo_messaging)",
           isinstance(release, Mapping) and isinstance(release.get('oslo_messaging'), Mapping))
    expect(name, 'cluster', cluster, 'a boolean', isinstance(cluster, bool))
    expect(name, 'options', options, 'a mapping of [oslo_messaging_rabbit] options to their values',
           isinstance(options, Mapping) and all(isinstance(key, str) for key in options))
    if not cluster:
        return {}
    messaging = release['oslo_messaging']
    known = messaging.get('rabbit_queue_options', [])
    chosen = dict((key, value) for key, value in options.items() if value is not None)
    unknown = [key for key in chosen if key not in known]
    if unknown:
        raise InputError('%s: the oslo.messaging of release %s (%s) has no [oslo_messaging_rabbit] option %s; the'
                         ' options of its queues it has are %s.'
                         % (name, release.get('series', '?'), messaging.get('version', '?'), ', '.join(unknown),
                            ', '.join(known)))
    for option, other, wanted, test in _NEEDS:
        if chosen.get(option) is True and not test(chosen.get(other)):
            raise InputError('%s: oslo.messaging refuses to start with %s = true unless %s is %s (it is %s); set'
                             ' both, or neither.' % (name, option, other, wanted, chosen.get(other, 'not set')))
    if chosen.get('rabbit_quorum_queue') is True and chosen.get('rabbit_ha_queues') is True:
        raise InputError('%s: oslo.messaging refuses to start with both rabbit_quorum_queue and rabbit_ha_queues'
                         ' (mirrored queues) true; quorum queues are replicated already: leave rabbit_ha_queues'
                         ' false.' % (name,))
    return chosen


# Node names

def node_names(value, known=()):
    """The node names of a cluster_status list, in its order.

    RabbitMQ 4.1.0 to 4.1.3 print running_nodes as the names run together
    in one string (rabbitmq-server#14398): the names known from elsewhere
    are found in it, longest first, so that rabbit@ctl1 is not read in
    rabbit@ctl10.
    """
    if isinstance(value, list):
        return value
    if not isinstance(value, str) or not value:
        return []
    names = sorted(_unique(known), key=len, reverse=True)
    if not names:
        return [value]
    return re.findall('|'.join(re.escape(node) for node in names), value)


def cluster_members(status, known=()):
    """The members of the cluster a cluster_status (parsed JSON) lists: its
    disk nodes, then its RAM nodes."""
    members = node_names(status.get('disk_nodes', []), known) + node_names(status.get('ram_nodes', []), known)
    return _unique(members)


def must_join(status, seed):
    """Whether the node whose ``rabbitmqctl cluster_status --formatter
    json`` status is must join the cluster of node seed: seed is not among
    its cluster's members."""
    name = 'rabbitmq_must_join'
    command_result(name, 'the cluster_status result', status)
    expect(name, 'seed', seed, 'a RabbitMQ node name (rabbit@host)', isinstance(seed, str) and '@' in seed)
    if status['rc'] != 0:
        raise InputError('%s: the node does not answer, so whether it must join %s is not known; start it first: %s'
                         % (name, seed, command_output(status)))
    parsed = json_output(name, status, 'rabbitmqctl cluster_status', dict, 'a JSON object')
    return seed not in cluster_members(parsed, [seed])


def name_problems(lookups, host):
    """Each node name that does not resolve, on host, to its node's address.

    lookups are the registered loop results of ``getent ahostsv4 NAME``,
    each with its item, a node of rabbitmq_nodes ({name, node, address}).
    The first address getent prints is the one the Erlang runtime connects
    to, as both ask the system's resolver.
    """
    name = 'rabbitmq_name_problems'
    expect(name, 'the name lookups', lookups, 'the registered results of a loop (with results)',
           isinstance(lookups, Mapping) and isinstance(lookups.get('results'), list))
    expect(name, 'host', host, 'a string', isinstance(host, str))
    problems = []
    for lookup in lookups['results']:
        command_result(name, 'each lookup', lookup)
        node = expect(name, 'the item of each lookup', lookup.get('item'), 'a node of rabbitmq_nodes {name, node, address}',
                      isinstance(lookup.get('item'), Mapping)
                      and all(isinstance(lookup['item'].get(key), str) for key in ('name', 'node', 'address')))
        words = (lookup.get('stdout') or '').split()
        found = words[0] if lookup['rc'] == 0 and words else None
        if found == node['address']:
            continue
        said = 'does not resolve' if found is None else 'resolves to %s' % found
        problems.append('%s %s on %s, not to %s, its management address: RabbitMQ reaches node %s at the address of its'
                        ' name. Name it there in /etc/hosts (rabbitmq_manage_etc_hosts) or DNS, and remove what names'
                        ' it otherwise first (such as a 127.0.1.1 line with the host name)'
                        % (node['name'], said, host, node['address'], node['node']))
    return problems
