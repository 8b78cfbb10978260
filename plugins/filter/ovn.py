# Copyright: Contributors to the stackroll.lifecycle project
# Apache License 2.0 (see LICENSE)
"""OVN's central databases on the controllers, as RAFT clusters: where
their clients reach them, each controller's ovn-ctl options, and whether
the controllers' database files let ovn-central start with them. The
logic is in module_utils/_ovn.py; each host's address is host_address's.

Each filter is documented in the ``<filter>.yml`` file beside this one.
"""

from __future__ import annotations

from ansible.errors import AnsibleFilterError

from ansible_collections.stackroll.lifecycle.plugins.filter.addresses import host_address
from ansible_collections.stackroll.lifecycle.plugins.module_utils._judge_inputs import (
    expect,
    input_errors_as,
    strings,
    whole_number,
)
from ansible_collections.stackroll.lifecycle.plugins.module_utils._ovn import (
    cluster_plan,
    ctl_options,
    remotes,
)


def _hosts(name, hosts):
    strings(name, 'the hosts', hosts)
    expect(name, 'the hosts', hosts, 'a list of at least one inventory host', len(hosts) > 0)
    return hosts


@input_errors_as(AnsibleFilterError)
def ovn_remotes(hosts, hostvars, port):
    """['ctl1', 'ctl2'] | ovn_remotes(hostvars, 6641) -> 'tcp:192.0.2.11:6641,tcp:192.0.2.12:6641'."""
    name = 'ovn_remotes'
    port = whole_number(name, 'port', port)
    return remotes([host_address(host, hostvars) for host in _hosts(name, hosts)], port)


@input_errors_as(AnsibleFilterError)
def ovn_ctl_options(host, hostvars, hosts, nb_port=6641, sb_port=6642, nb_raft_port=6643, sb_raft_port=6644):
    """inventory_hostname | ovn_ctl_options(hostvars, controllers) -> ovn-ctl's options on that controller."""
    name = 'ovn_ctl_options'
    hosts = _hosts(name, hosts)
    expect(name, 'the host', host, 'one of the hosts %s' % (hosts,), host in hosts)
    ports = {key: whole_number(name, key + '_port', value)
             for key, value in (('nb', nb_port), ('sb', sb_port), ('nb_raft', nb_raft_port), ('sb_raft', sb_raft_port))}
    addresses = [host_address(each, hostvars) for each in hosts]
    return ctl_options(addresses[hosts.index(host)], addresses, addresses[0], ports)


@input_errors_as(AnsibleFilterError)
def ovn_cluster_plan(readings, hostvars, hosts, restarting=None):
    """db-cid loop result | ovn_cluster_plan(hostvars, controllers, restarting=[...]) -> {problems, states, steps}."""
    name = 'ovn_cluster_plan'
    results = readings.get('results') if isinstance(readings, dict) else readings
    return cluster_plan(name, results, _hosts(name, hosts), lambda host: host_address(host, hostvars),
                        [] if restarting is None else restarting)


class FilterModule:
    """stackroll.lifecycle's filters of OVN's clustered databases."""

    def filters(self):
        return {
            'ovn_remotes': ovn_remotes,
            'ovn_ctl_options': ovn_ctl_options,
            'ovn_cluster_plan': ovn_cluster_plan,
        }
