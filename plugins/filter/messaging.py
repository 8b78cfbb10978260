# Copyright: Contributors to the stackroll.lifecycle project
# Apache License 2.0 (see LICENSE)
"""RabbitMQ for OpenStack: the services' transport_url and
[oslo_messaging_rabbit] options, and a cluster of the controllers' nodes
(their names, whether each resolves to its node, which node must join).
The logic is in module_utils/_rabbitmq.py.

Each filter is documented in the ``<filter>.yml`` file beside this one.
"""

from __future__ import annotations

from collections.abc import Mapping

from ansible.errors import AnsibleFilterError

from ansible_collections.stackroll.lifecycle.plugins.filter.addresses import host_address
from ansible_collections.stackroll.lifecycle.plugins.module_utils import _rabbitmq
from ansible_collections.stackroll.lifecycle.plugins.module_utils._judge_inputs import input_errors_as, strings


@input_errors_as(AnsibleFilterError)
def transport_url(addresses, user, password, port=5672):
    """openstack_rabbitmq_addresses | transport_url('nova', password) -> rabbit://nova:...@a:5672,nova:...@b:5672/"""
    return _rabbitmq.transport_url(addresses, user, password, port)


@input_errors_as(AnsibleFilterError)
def oslo_messaging_rabbit(release, cluster, options):
    """openstack_release_data | oslo_messaging_rabbit(cluster=..., options=...) -> {option: value}"""
    return _rabbitmq.oslo_messaging_rabbit(release, cluster, options)


@input_errors_as(AnsibleFilterError)
def rabbitmq_nodes(hosts, hostvars):
    """openstack_rabbitmq_hosts | rabbitmq_nodes(hostvars) -> [{host, name, node, address}]

    Each host's RabbitMQ node: its short host name from its facts (name),
    the node name RabbitMQ gives it by default (rabbit@name) and its
    management address (the host_address filter).
    """
    strings('rabbitmq_nodes', 'the hosts', hosts)
    if not isinstance(hostvars, Mapping):
        raise AnsibleFilterError('rabbitmq_nodes expects hostvars as its argument, got %r.' % (hostvars,))
    nodes = []
    for host in hosts:
        address = host_address(host, hostvars)
        name = ((hostvars[host].get('ansible_facts') or {}).get('hostname') or '')
        if not name:
            raise AnsibleFilterError(
                'The host name of %s is not known: its facts have no hostname, as they were not gathered in this run.'
                ' Gather its facts first (a play on it, or ansible.builtin.setup delegated to it): its RabbitMQ node'
                ' is named after it.' % (host,))
        nodes.append({'host': host, 'name': name, 'node': 'rabbit@' + name, 'address': address})
    return nodes


@input_errors_as(AnsibleFilterError)
def rabbitmq_name_problems(lookups, host):
    """getent results | rabbitmq_name_problems(host=...) -> problems, [] when every name resolves to its node."""
    return _rabbitmq.name_problems(lookups, host)


@input_errors_as(AnsibleFilterError)
def rabbitmq_must_join(status, seed):
    """cluster_status result | rabbitmq_must_join('rabbit@ctl1') -> whether the node must join seed's cluster."""
    return _rabbitmq.must_join(status, seed)


class FilterModule:
    """stackroll.lifecycle's filters of RabbitMQ and its clients."""

    def filters(self):
        return {
            'transport_url': transport_url,
            'oslo_messaging_rabbit': oslo_messaging_rabbit,
            'rabbitmq_nodes': rabbitmq_nodes,
            'rabbitmq_name_problems': rabbitmq_name_problems,
            'rabbitmq_must_join': rabbitmq_must_join,
        }
