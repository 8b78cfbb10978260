# Copyright: Contributors to the stackroll.lifecycle project
# Apache License 2.0 (see LICENSE)
"""The control plane's settings in the inventory, judged before any change:
how many controllers, the load balancer's virtual IP (VIP) on the
management network, and Galera's arbitrator. What control_plane_problems
judges, as sentences that name each problem and what would fix it.

The checks run on the control node before any fact is gathered, so a
host's known address is what the inventory says: its ``ansible_host``, or
its inventory name where that is an IP address. A host name there is not
resolved.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Mapping

from ansible_collections.stackroll.lifecycle.plugins.module_utils._judge_inputs import expect, strings

NAME = 'control_plane_problems'


def _text(name, value):
    """A string setting; unset (None, as `name:` with no value reads) is empty."""
    return expect(NAME, name, value, 'a string', value is None or isinstance(value, str)) or ''


def _address(text):
    """The IP address text is, or None."""
    try:
        return ipaddress.ip_address(text.strip())
    except ValueError:
        return None


def _known_addresses(host_addresses):
    """{host: IP address} of the hosts whose address is an IP address: its
    address, or where it has none, its name."""
    expect(NAME, 'host_addresses', host_addresses, 'a mapping of inventory host names to their address (or "")',
           isinstance(host_addresses, Mapping)
           and all(isinstance(host, str) and (address is None or isinstance(address, str))
                   for host, address in host_addresses.items()))
    known = {}
    for host, address in host_addresses.items():
        ip = _address(address or host)
        if ip is not None:
            known[host] = ip
    return known


def _vip_problems(vip, controllers, network, known):
    if not vip:
        if len(controllers) > 1:
            return ['%d controllers (%s) but no openstack_vip_address: the APIs, MariaDB and RabbitMQ would be reached'
                    ' at one controller only, and lost with it; set openstack_vip_address to a free address of the'
                    ' management network, which the load balancer moves between the controllers'
                    % (len(controllers), ', '.join(controllers))]
        return []
    ip = _address(vip)
    if ip is None:
        return ['openstack_vip_address %r is not an IP address; set it to one free address of the management network,'
                ' such as 192.0.2.10, without a prefix length or a host name' % (vip,)]
    problems = []
    if not network:
        problems.append('openstack_vip_address %s is set but openstack_management_network is not: the VIP cannot be checked'
                        ' against the management network before any change; set openstack_management_network, in CIDR'
                        ' (such as 192.0.2.0/24), to the network that holds the VIP' % (ip,))
    else:
        try:
            subnet = ipaddress.ip_network(network.strip(), strict=False)
        except ValueError:
            subnet = None
        if subnet is None:
            problems.append('openstack_management_network %r is not a network in CIDR; set it to the management network,'
                            ' such as 192.0.2.0/24' % (network,))
        elif ip not in subnet:
            problems.append('openstack_vip_address %s is outside the management network %s (openstack_management_network);'
                            ' choose a free address inside it, or correct openstack_management_network'
                            % (ip, subnet))
    owners = sorted(host for host, address in known.items() if address == ip)
    if owners:
        problems.append('openstack_vip_address %s is already the address of %s in the inventory: the host'
                        ' and the load balancer would both claim it; choose an address no host has'
                        % (ip, ', '.join(owners)))
    return problems


def _quorum_problems(controllers, arbitrator, hosts):
    count = len(controllers)
    if not arbitrator:
        if count and count % 2 == 0:
            return ['%d controllers (%s), an even number, and no openstack_galera_arbitrator: Galera keeps its quorum only'
                    ' with more than half of its nodes, so losing half of the controllers stops the database; run an odd'
                    ' number of controllers, or name a host outside the controllers for a Galera arbitrator (garbd) in'
                    ' openstack_galera_arbitrator' % (count, ', '.join(controllers))]
        return []
    problems = []
    if arbitrator in controllers:
        problems.append('openstack_galera_arbitrator %s is a controller: its vote would be lost with that controller\'s'
                        ' Galera node; name a host outside the controllers group' % (arbitrator,))
    elif arbitrator not in hosts:
        problems.append('openstack_galera_arbitrator %s is not a host of the inventory, so nothing can run the arbitrator'
                        ' there; add it to the inventory, or correct the name' % (arbitrator,))
    if count % 2 == 1:
        problems.append('openstack_galera_arbitrator %s is set with %d controller%s, an odd number: its vote makes %d votes,'
                        ' an even number, so a split into two halves stops the database, which the controllers alone'
                        ' would survive; leave openstack_galera_arbitrator empty, or use it with an even number of'
                        ' controllers' % (arbitrator, count, '' if count == 1 else 's', count + 1))
    return problems


def control_plane_problems(controllers, vip, management_network, host_addresses, arbitrator):
    """The problems of the control plane's settings, [] where there is none.

    controllers: the inventory names of the controllers; vip, the
    load balancer's virtual IP ('' for none); management_network, in CIDR
    ('' where not known); host_addresses, {inventory name: address} of
    every host of the inventory, '' where the inventory gives none;
    arbitrator, the inventory name of Galera's arbitrator ('' for none).
    Raises InputError for an argument of the wrong type.
    """
    controllers = strings(NAME, 'controllers', controllers)
    vip = _text('vip', vip).strip()
    network = _text('management_network', management_network).strip()
    arbitrator = _text('arbitrator', arbitrator).strip()
    known = _known_addresses(host_addresses)
    return (_quorum_problems(controllers, arbitrator, host_addresses)
            + _vip_problems(vip, controllers, network, known))
