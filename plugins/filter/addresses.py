# Copyright: Contributors to the stackroll.lifecycle project
# Apache License 2.0 (see LICENSE)
"""A host's own address on the management network, where its services
listen and where another host reaches them (not through the VIP).

Documented in ``host_address.yml`` beside this file.
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


class FilterModule:
    """stackroll.lifecycle's address filters."""

    def filters(self):
        return {'host_address': host_address}
