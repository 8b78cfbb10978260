# Copyright: Contributors to the stackroll.lifecycle project
# Apache License 2.0 (see LICENSE)
"""A host's own address on the management network, where its services
listen and where another host reaches them (not through the VIP), and the
list of memcached servers the services cache in, built from them.

Each filter is documented in the ``<filter>.yml`` file beside this one.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Mapping

from ansible.errors import AnsibleFilterError

# The inventory's setting of a host's address; without it, its facts'.
SETTING = 'openstack_host_address'


def host_address(host, hostvars):
    """'ctl2' | host_address(hostvars) -> ctl2's management address.

    The openstack_host_address the inventory (or a fact) gives the host,
    else the address of its default IPv4 route, from its facts. A role's
    default is not in hostvars, so the openstack role's default of
    openstack_host_address, which calls this filter, does not loop.
    """
    if not isinstance(host, str) or not host:
        raise AnsibleFilterError('host_address expects an inventory host name, got %r.' % (host,))
    if not isinstance(hostvars, Mapping):
        raise AnsibleFilterError('host_address expects hostvars as its argument, got %r.' % (hostvars,))
    if host not in hostvars:
        raise AnsibleFilterError('host_address: %s is not a host of the inventory; correct the name (as in'
                                 ' openstack_controller_host or openstack_db_host), or add the host.' % host)
    variables = hostvars[host]
    address = variables[SETTING] if SETTING in variables else ''
    if address:
        try:
            return str(ipaddress.ip_address(str(address).strip()))
        except ValueError:
            raise AnsibleFilterError('%s of %s is %r, which is not an IP address; set it to the address of %s on'
                                     ' the management network, such as 192.0.2.11.' % (SETTING, host, address, host))
    route = (variables.get('ansible_facts') or {}).get('default_ipv4') or {}
    if not route.get('address'):
        raise AnsibleFilterError('The address of %s is not known: its facts have no default IPv4 route'
                                 ' (ansible_facts.default_ipv4), as they were not gathered in this run or it has'
                                 ' no default route. Gather its facts first (a play on it with gather_subset:'
                                 ' [network]), or set %s for it in the inventory.' % (host, SETTING))
    return route['address']


def memcached_servers(hosts, hostvars, port=11211):
    """groups['controllers'] | memcached_servers(hostvars) -> '192.0.2.11:11211,192.0.2.12:11211'.

    Each host at its own address (host_address), in the order given: every
    client must list the servers in the same order, as the memcache clients
    spread the keys over them by their position in the list. An IPv6
    address is written inet6:[address]:port, the form oslo.cache documents
    for its memcache backends (python-memcached's), which keystonemiddleware
    reads too; a bare one would be read as an IPv4 host.
    """
    if not isinstance(hosts, (list, tuple)) or not hosts or not all(isinstance(host, str) and host for host in hosts):
        raise AnsibleFilterError('memcached_servers expects a list of inventory host names, such as'
                                 " groups['controllers'], got %r." % (hosts,))
    if isinstance(port, bool) or not isinstance(port, (int, str)) or not str(port).isdigit() \
            or not 0 < int(port) < 65536:
        raise AnsibleFilterError('memcached_servers expects port as a TCP port number, got %r.' % (port,))
    servers = []
    for host in hosts:
        address = host_address(host, hostvars)
        if ipaddress.ip_address(address).version == 6:
            servers.append('inet6:[%s]:%d' % (address, int(port)))
        else:
            servers.append('%s:%d' % (address, int(port)))
    return ','.join(servers)


class FilterModule:
    """stackroll.lifecycle's address filters."""

    def filters(self):
        return {'host_address': host_address, 'memcached_servers': memcached_servers}
