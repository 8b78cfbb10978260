# Copyright: Contributors to the stackroll.lifecycle project
# Apache License 2.0 (see LICENSE)
"""The lab's hosts, their addresses and CPU weights, and its inventory:
the one home of these rules, for lab/create.yml (a filter plugin beside
it, which Ansible loads for the playbooks of lab/).

Addresses, fixed across a host's restart, in the lab's subnet:

- ctl1 .10 and cmpN .10+N, as in every lab since the first;
- ctlK .200+K for K >= 2 (ctl2 .202, ctl3 .203), away from the computes;
- with more than one controller, the load balancer's VIP at .250;
- on a libvirt lab, each compute's tunnel address (OVN's geneve endpoint)
  at the same host number in a subnet of its own.

A layout where two of them meet, or one falls outside the subnet's hosts,
is refused with what does not fit.
"""

from __future__ import annotations

import ipaddress
import re

from ansible.errors import AnsibleFilterError

FIRST_CONTROLLER = 10
OTHER_CONTROLLERS = 200
VIP = 250

# podman's weight of a container that sets none (cgroup v1 cpu.shares), and
# the kernel's highest.
DEFAULT_SHARES = 1024
MAX_SHARES = 262144
# The controllers together weigh this many times all the computes together
# (docs/performance.md).
CONTROLLERS_WEIGHT = 4

# The lab computes' hypervisors: lab/nova_lab_driver's in-memory guests, or
# libvirt's QEMU guests.
DRIVERS = ('fake', 'libvirt')
SSH_OPTIONS = '-o StrictHostKeyChecking=no -o UserKnownHostsFile=/dev/null -o LogLevel=ERROR'

_COUNT = re.compile(r'^[1-9][0-9]*$')


def _count(value):
    """The whole number value is (an int, or its digits as -e passes it), or None."""
    if isinstance(value, bool):
        return None
    text = str(value).strip()
    return int(text) if _COUNT.match(text) else None


def _network(subnet):
    try:
        return ipaddress.ip_network(str(subnet).strip())
    except ValueError:
        return None


def _planned(controllers, computes):
    """[(name, group, host number in the subnet, cpu_shares or None)], controllers first."""
    # Each controller gets an equal part of the weight the controllers
    # have together, at least the kernel's lowest (2), at most its highest.
    shares = max(2, min(CONTROLLERS_WEIGHT * DEFAULT_SHARES * computes // controllers, MAX_SHARES))
    hosts = [('ctl1', 'controllers', FIRST_CONTROLLER, shares)]
    hosts += [('ctl%d' % k, 'controllers', OTHER_CONTROLLERS + k, shares) for k in range(2, controllers + 1)]
    hosts += [('cmp%d' % n, 'computes', FIRST_CONTROLLER + n, None) for n in range(1, computes + 1)]
    return hosts


def lab_layout_problems(subnet, controllers, computes, tunnel_subnet=None):
    """Why the lab cannot have these hosts, one sentence each; [] where it can."""
    problems = []
    count = _count(controllers)
    if count is None:
        problems.append('lab_controllers must be a whole number of controllers, 1 or more (got %r).' % (controllers,))
    elif count % 2 == 0:
        problems.append('lab_controllers must be an odd number, such as 1 or 3 (got %d): Galera, RabbitMQ and OVN'
                        ' keep their quorum only with more than half of their members, so an even number survives'
                        ' no more losses than one controller fewer.' % count)
    if _count(computes) is None:
        problems.append('lab_computes must be 1 or more (got %r).' % (computes,))
    network = _network(subnet)
    if network is None or network.version != 4:
        problems.append('lab_subnet must be an IPv4 network in CIDR, such as 10.89.42.0/24 (got %r).' % (subnet,))
    tunnel = _network(tunnel_subnet) if tunnel_subnet is not None else None
    if tunnel_subnet is not None and (tunnel is None or tunnel.version != 4):
        problems.append('lab_tunnel_subnet must be an IPv4 network in CIDR, such as 10.89.43.0/24 (got %r).'
                        % (tunnel_subnet,))
    elif tunnel is not None and network is not None and tunnel.overlaps(network):
        problems.append('lab_tunnel_subnet %s overlaps lab_subnet %s; give it a subnet of its own.' % (tunnel, network))
    elif tunnel is not None and _count(computes) is not None \
            and FIRST_CONTROLLER + _count(computes) > tunnel.num_addresses - 2:
        problems.append('%d computes do not fit in lab_tunnel_subnet %s, where cmpN is .%d+N; give it a larger'
                        ' subnet.' % (_count(computes), tunnel, FIRST_CONTROLLER))
    if problems:
        return problems
    controllers, computes = count, _count(computes)
    numbers = [(name, number) for name, _group, number, _shares in _planned(controllers, computes)]
    if controllers > 1:
        numbers.append(('the VIP', VIP))
    # The subnet's hosts: not its network address (0), podman's gateway (1)
    # or its broadcast address (the last).
    last = network.num_addresses - 2
    misfits = ['%s at .%d is outside its hosts' % (name, number) for name, number in numbers if not 2 <= number <= last]
    taken = {}
    for name, number in numbers:
        taken.setdefault(number, []).append(name)
    misfits += ['%s share .%d' % (' and '.join(names), number) for number, names in taken.items() if len(names) > 1]
    if len(misfits) > 3:
        misfits[3:] = ['%d more' % (len(misfits) - 3)]
    if misfits:
        problems.append(
            '%d controller%s and %d compute%s do not fit in lab_subnet %s, where ctl1 is .%d, cmpN .%d+N, ctlK .%d+K'
            ' and the VIP .%d: %s. Ask for fewer hosts, or give a larger lab_subnet.' % (
                controllers, '' if controllers == 1 else 's', computes, '' if computes == 1 else 's', network,
                FIRST_CONTROLLER, FIRST_CONTROLLER, OTHER_CONTROLLERS, VIP, '; '.join(misfits)))
    return problems


def lab_layout(subnet, controllers, computes, tunnel_subnet=None):
    """The lab's hosts and its VIP.

    {'hosts': [{'name', 'group', 'address', 'cpu_shares' (controllers only),
                'tunnel_address' (computes, with tunnel_subnet)}],
     'vip': the VIP's address ('' with one controller), 'network': the subnet in CIDR}.
    Raises AnsibleFilterError with lab_layout_problems' sentences.
    """
    problems = lab_layout_problems(subnet, controllers, computes, tunnel_subnet)
    if problems:
        raise AnsibleFilterError(' '.join(problems))
    network = _network(subnet)
    tunnel = _network(tunnel_subnet) if tunnel_subnet is not None else None
    controllers, computes = _count(controllers), _count(computes)
    hosts = []
    for name, group, number, shares in _planned(controllers, computes):
        host = {'name': name, 'group': group, 'address': str(network[number])}
        if shares is not None:
            host['cpu_shares'] = shares
        if tunnel is not None and group == 'computes':
            host['tunnel_address'] = str(tunnel[number])
            host['tunnel_cidr'] = '%s/%d' % (tunnel[number], tunnel.prefixlen)
        hosts.append(host)
    return {'hosts': hosts, 'vip': str(network[VIP]) if controllers > 1 else '', 'network': str(network)}


def lab_inventory(layout, ssh_key, driver='fake'):
    """The lab's inventory (hosts.yml) as a mapping: the controllers and
    computes in the group lab, reached over SSH as root with ssh_key; with
    a VIP, openstack_vip_address and openstack_management_network for all
    (the checks before any change read them on the control node). The
    computes are also in lab_<driver>_driver, whose group_vars set their
    hypervisor; a compute with a tunnel address gets it as
    neutron_ovs_tunnel_address."""
    if driver not in DRIVERS:
        raise AnsibleFilterError('lab_driver must be one of %s (got %r).' % (', '.join(DRIVERS), driver))
    groups = {}
    for host in layout['hosts']:
        variables = {'ansible_host': host['address']}
        if 'tunnel_cidr' in host:
            variables['neutron_ovs_tunnel_address'] = host['tunnel_cidr']
        groups.setdefault(host['group'], {'hosts': {}})['hosts'][host['name']] = variables
    groups['lab_%s_driver' % driver] = {'hosts': {name: {} for name in groups.get('computes', {}).get('hosts', {})}}
    inventory = {}
    if layout['vip']:
        inventory['all'] = {'vars': {'openstack_vip_address': layout['vip'],
                                     'openstack_management_network': layout['network']}}
    inventory['lab'] = {
        'vars': {
            'ansible_user': 'root',
            'ansible_ssh_private_key_file': ssh_key,
            'ansible_ssh_common_args': SSH_OPTIONS,
            'ansible_pipelining': True,
            'ansible_python_interpreter': '/usr/bin/python3',
        },
        'children': groups,
    }
    return inventory


class FilterModule:
    """The lab's layout."""

    def filters(self):
        return {'lab_layout': lab_layout, 'lab_layout_problems': lab_layout_problems, 'lab_inventory': lab_inventory}
