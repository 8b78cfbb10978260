# Copyright: Contributors to the stackroll.lifecycle project
# Apache License 2.0 (see LICENSE)
"""The health judges of a RabbitMQ node and a MariaDB server: what the
roles' health tasks read, turned into sentences that name each problem and
what to do. The judges of clusters (Galera, quorum queues, OVN's RAFT
databases) are in cluster_health.py beside this file.

Each filter is documented in the ``<filter>.yml`` file beside this one.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping

from ansible.errors import AnsibleFilterError

from ansible_collections.stackroll.lifecycle.plugins.module_utils._galera import (
    galera_problems,
    wsrep_rows,
)
from ansible_collections.stackroll.lifecycle.plugins.module_utils._judge_inputs import (
    command_output,
    command_result,
    expect,
    input_errors_as,
    json_output,
    strings,
    whole_number,
)
from ansible_collections.stackroll.lifecycle.plugins.module_utils._rabbitmq import node_names as _nodes

_ALARMS = {
    'memory': "RabbitMQ's memory alarm is raised on %s, so it blocks every publisher and OpenStack's RPC stalls;"
              " free memory there, or raise vm_memory_high_watermark",
    'disk': "RabbitMQ's disk alarm is raised on %s, so it blocks every publisher and OpenStack's RPC stalls;"
            " free disk space there, or lower disk_free_limit",
    'file_descriptors': "RabbitMQ's file descriptor alarm is raised on %s: it refuses new connections;"
                        " raise the open files limit (LimitNOFILE) of rabbitmq-server",
}


def _unique(items):
    """Once each, in their order."""
    return list(dict.fromkeys(items))


def _alarm_problem(alarm):
    # An alarm without a resource or node still counts, named as it can be.
    resource = alarm.get('resource', 'unknown') if isinstance(alarm, Mapping) else 'unknown'
    node = alarm.get('node', '?') if isinstance(alarm, Mapping) else '?'
    if resource in _ALARMS:
        return _ALARMS[resource] % (node,)
    return "RabbitMQ's %s alarm is raised on %s; clear its cause" % (resource, node)


def _queue(value):
    return expect('rabbitmq_health_problems', 'each queue of rabbitmqctl list_queues', value, '{name, messages, consumers}',
                  isinstance(value, Mapping) and isinstance(value.get('name'), str)
                  and all(isinstance(value.get(key), int) and not isinstance(value.get(key), bool) for key in ('messages', 'consumers')))


@input_errors_as(AnsibleFilterError)
def rabbitmq_health_problems(cluster, queues, host, vhost, ignore_queues, max_messages, members=None, cluster_size=None):
    """cluster_status result | rabbitmq_health_problems(list_queues result, ...) -> problems, [] if healthy.

    cluster and queues are the registered results of
    ``rabbitmq-diagnostics cluster_status --formatter json`` and of
    ``rabbitmqctl list_queues --formatter json name messages consumers``
    (None: the queues are not judged); members, the node names the cluster
    must have running; cluster_size, how many members it must have.
    """
    name = 'rabbitmq_health_problems'
    command_result(name, 'the cluster_status result', cluster)
    if queues is not None:
        command_result(name, 'the list_queues result', queues)
    expect(name, 'host', host, 'a string', isinstance(host, str))
    expect(name, 'vhost', vhost, 'a string', isinstance(vhost, str))
    expected = [] if members is None else strings(name, 'members', members)
    size = None if cluster_size is None else whole_number(name, 'cluster_size', cluster_size)
    try:
        ignored = [re.compile(pattern) for pattern in strings(name, 'ignore_queues', ignore_queues)]
    except re.error as e:
        raise AnsibleFilterError('%s: ignore_queues holds an invalid regular expression: %s' % (name, e)) from None
    limit = whole_number(name, 'max_messages', max_messages)

    problems = []
    if cluster['rc'] != 0:
        problems.append('RabbitMQ on %s does not answer; start it or check its node: %s' % (host, command_output(cluster)))
        status = {}
    else:
        status = json_output(name, cluster, 'rabbitmq-diagnostics cluster_status', dict, 'a JSON object')
    cluster_members = _nodes(status.get('disk_nodes', []), expected) + _nodes(status.get('ram_nodes', []), expected)
    running = _nodes(status.get('running_nodes', []), cluster_members + expected)
    for member in _unique(m for m in cluster_members if m not in running):
        problems.append('RabbitMQ cluster member %s is not running; start it, or remove it with rabbitmqctl forget_cluster_node'
                        ' if it is gone' % (member,))
    # Only worth saying when the node answers: else it is all that is known.
    for member in _unique(m for m in expected if cluster['rc'] == 0 and m not in cluster_members + running):
        problems.append('RabbitMQ node %s is not in the cluster of %s; join it: on its host rabbitmqctl stop_app, rabbitmqctl'
                        ' join_cluster %s, rabbitmqctl start_app' % (member, host, running[0] if running else 'a running member'))
    known = _unique(cluster_members)
    if cluster['rc'] == 0 and size is not None and len(known) != size:
        seen = {'host': host, 'count': len(known), 'size': size, 'members': ', '.join(known) or 'none listed'}
        if len(known) < size:
            problems.append("RabbitMQ's cluster, seen from %(host)s, has %(count)s members (%(members)s), not %(size)s;"
                            ' join the node of each controller missing: on its host rabbitmqctl stop_app, rabbitmqctl'
                            ' reset, rabbitmqctl join_cluster with a member, rabbitmqctl start_app (site.yml does it)'
                            % seen)
        else:
            problems.append("RabbitMQ's cluster, seen from %(host)s, has %(count)s members (%(members)s), more than"
                            ' %(size)s; remove each node gone for good (rabbitmqctl forget_cluster_node on a member)'
                            % seen)
    partitions = status.get('partitions', {})
    if len(partitions) > 0:
        problems.append('RabbitMQ has network partitions (%s); restart the nodes of the minority side so they rejoin'
                        % (json.dumps(partitions),))
    problems.extend(_alarm_problem(alarm) for alarm in status.get('alarms', []))

    if queues is None:
        return problems
    if queues['rc'] != 0:
        # Only worth saying when the node answers at all.
        if cluster['rc'] == 0:
            problems.append('Could not list the queues of RabbitMQ on %s: %s' % (host, command_output(queues)))
        queue_list = []
    else:
        queue_list = [_queue(queue) for queue in json_output(name, queues, 'rabbitmqctl list_queues', list, 'a JSON list')]
    # By name, ignoring case.
    judged = sorted((queue for queue in queue_list if not any(pattern.search(queue['name']) for pattern in ignored)),
                    key=lambda queue: queue['name'].lower())
    # A queue nobody reads is named once, with its backlog.
    for queue in judged:
        if queue['consumers'] == 0:
            problems.append('RabbitMQ queue %s (vhost %s, %s messages) has no consumer; start the service that reads it,'
                            ' or delete the queue (rabbitmqctl delete_queue) if that service is gone'
                            % (queue['name'], vhost, queue['messages']))
    for queue in judged:
        if queue['consumers'] > 0 and queue['messages'] > limit:
            problems.append('RabbitMQ queue %s (vhost %s) holds %s messages, over %s; its consumers do not keep up:'
                            ' check the services that read it' % (queue['name'], vhost, queue['messages'], limit))
    return problems


@input_errors_as(AnsibleFilterError)
def mariadb_health_problems(tables, wsrep, host, databases, cluster_size):
    """table count result | mariadb_health_problems(wsrep result, ...) -> problems, [] if healthy.

    tables is the registered result of a mysql_query whose rows name each
    database with tables (``name``); wsrep that of ``SHOW GLOBAL VARIABLES
    LIKE 'wsrep_on'`` and ``SHOW GLOBAL STATUS LIKE 'wsrep_%'``, possibly
    skipped.
    """
    name = 'mariadb_health_problems'
    for what, result in (('the table count result', tables), ('the replication status result', wsrep)):
        expect(name, what, result, 'a registered mysql_query result', isinstance(result, Mapping)
               and isinstance(result.get('query_result', []), list))
    expect(name, 'host', host, 'a string', isinstance(host, str))
    strings(name, 'databases', databases)
    size = whole_number(name, 'cluster_size', cluster_size)

    if 'query_result' not in tables:
        return ['MariaDB on %s does not answer; start it or check its log: %s' % (host, tables.get('msg', ''))]
    found = [row['name'] for row in (tables['query_result'][0] if tables['query_result'] else [])]
    problems = ['MariaDB on %s has no tables in database %s; deploy the service that owns it, or restore it' % (host, database)
                for database in _unique(d for d in databases if d not in found)]

    if 'query_result' not in wsrep:
        problems.append('Could not read the replication status of MariaDB on %s: %s' % (host, wsrep.get('msg', '')))
        return problems
    status = wsrep_rows(wsrep['query_result'])
    # Without Galera, the wsrep status means nothing.
    if status.get('wsrep_on', 'OFF') != 'ON':
        return problems
    return problems + galera_problems(status, host, size)


class FilterModule:
    """stackroll.lifecycle's health filters of single nodes."""

    def filters(self):
        return {
            'rabbitmq_health_problems': rabbitmq_health_problems,
            'mariadb_health_problems': mariadb_health_problems,
        }
