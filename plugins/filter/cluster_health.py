# Copyright: Contributors to the stackroll.lifecycle project
# Apache License 2.0 (see LICENSE)
"""The health judges of clusters for a highly available control plane:
RabbitMQ's quorum queues and whether a node may stop, a Galera node's
wsrep status, and OVN's RAFT databases. What the roles' tasks read, turned
into sentences that name each problem and what to do. The judges of a
single RabbitMQ node and MariaDB server are in health.py beside this file.

Each filter is documented in the ``<filter>.yml`` file beside this one.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping

from ansible.errors import AnsibleFilterError

from ansible_collections.stackroll.lifecycle.plugins.module_utils._galera import (
    galera_problems,
    wsrep_lines,
    wsrep_rows,
)
from ansible_collections.stackroll.lifecycle.plugins.module_utils._judge_inputs import (
    command_output,
    command_result,
    expect,
    input_errors_as,
    json_output,
    whole_number,
)


def _some(names, shown=5):
    """Names for a sentence: the first few, and how many more."""
    names = list(names)
    if len(names) <= shown:
        return ', '.join(names)
    return '%s and %d more' % (', '.join(names[:shown]), len(names) - shown)


def _and(names):
    """a, b and c."""
    names = list(names)
    return ' and '.join([', '.join(names[:-1]), names[-1]] if len(names) > 1 else names)


def _quorum_queue(value):
    ok = (isinstance(value, Mapping) and isinstance(value.get('name'), str) and isinstance(value.get('type'), str))
    if ok and value['type'] == 'quorum':
        ok = (isinstance(value.get('leader'), str)
              and all(isinstance(value.get(key), list) and all(isinstance(node, str) for node in value[key])
                      for key in ('members', 'online')))
    return expect('rabbitmq_quorum_queue_problems', 'each queue of rabbitmqctl list_queues', value,
                  '{name, type, leader, members, online}', ok)


# Each in the singular, for one queue, and in the plural.
_MINORITY = (
    'RabbitMQ quorum queue %(names)s (vhost %(vhost)s) has fewer than a majority of its members online, so it neither'
    ' takes nor delivers messages; start RabbitMQ on %(down)s, or remove a member gone for good (rabbitmq-queues delete_member)',
    'RabbitMQ quorum queues %(names)s (vhost %(vhost)s) have fewer than a majority of their members online, so they neither'
    ' take nor deliver messages; start RabbitMQ on %(down)s, or remove a member gone for good (rabbitmq-queues delete_member)',
)
_LEADERLESS = (
    'RabbitMQ quorum queue %(names)s (vhost %(vhost)s) has no leader though a majority of its members is online, so it'
    ' neither takes nor delivers messages until one is elected; if that lasts, read the RabbitMQ logs of its members'
    ' (rabbitmq-queues quorum_status names them)',
    'RabbitMQ quorum queues %(names)s (vhost %(vhost)s) have no leader though a majority of their members is online, so'
    ' they neither take nor deliver messages until one is elected; if that lasts, read the RabbitMQ logs of their members'
    ' (rabbitmq-queues quorum_status names them)',
)
_CRITICAL = (
    'RabbitMQ on %(host)s may not be stopped now: %(names)s would lose its quorum; wait until its other members are'
    ' online again (rabbitmq-queues quorum_status), then stop it',
    'RabbitMQ on %(host)s may not be stopped now: %(names)s would lose their quorum; wait until their other members are'
    ' online again (rabbitmq-queues quorum_status), then stop it',
)


@input_errors_as(AnsibleFilterError)
def rabbitmq_quorum_queue_problems(queues, host, vhost):
    """list_queues result | rabbitmq_quorum_queue_problems(host=..., vhost=...) -> problems, [] if healthy.

    queues is the registered result of ``rabbitmqctl list_queues --vhost
    VHOST --formatter json name type leader members online``.
    """
    name = 'rabbitmq_quorum_queue_problems'
    command_result(name, 'the list_queues result', queues)
    expect(name, 'host', host, 'a string', isinstance(host, str))
    expect(name, 'vhost', vhost, 'a string', isinstance(vhost, str))
    if queues['rc'] != 0:
        return ['Could not list the queues of RabbitMQ on %s: %s' % (host, command_output(queues))]
    listed = [_quorum_queue(queue) for queue in json_output(name, queues, 'rabbitmqctl list_queues', list, 'a JSON list')]
    # By name, ignoring case; the queues of one outage are named together.
    quorum = sorted((queue for queue in listed if queue['type'] == 'quorum'), key=lambda queue: queue['name'].lower())
    minority = {}
    leaderless = []
    for queue in quorum:
        online = [node for node in queue['members'] if node in queue['online']]
        if len(online) < len(queue['members']) // 2 + 1:
            down = tuple(node for node in queue['members'] if node not in online)
            minority.setdefault(down, []).append(queue['name'])
        elif not queue['leader']:
            leaderless.append(queue['name'])
    problems = [_MINORITY[len(names) > 1] % {'names': _some(names), 'vhost': vhost, 'down': _and(down)}
                for down, names in minority.items()]
    if leaderless:
        problems.append(_LEADERLESS[len(leaderless) > 1] % {'names': _some(leaderless), 'vhost': vhost})
    return problems


@input_errors_as(AnsibleFilterError)
def rabbitmq_stop_problems(check, host):
    """check_if_node_is_quorum_critical result | rabbitmq_stop_problems(host=...) -> why not stop now, [] if it may stop.

    check is the registered result of ``rabbitmq-queues
    check_if_node_is_quorum_critical --formatter json`` run against the
    node to stop.
    """
    name = 'rabbitmq_stop_problems'
    command_result(name, 'the check_if_node_is_quorum_critical result', check)
    expect(name, 'host', host, 'a string', isinstance(host, str))
    if check['rc'] == 0:
        return []
    # A failed check prints its JSON to stderr, as every failed command of RabbitMQ's CLI.
    verdict = None
    for output in (check.get('stderr'), check.get('stdout')):
        try:
            verdict = json.loads(output or '')
        except ValueError:
            continue
        break
    if not (isinstance(verdict, Mapping) and verdict.get('result') == 'error' and isinstance(verdict.get('queues'), list)
            and verdict['queues']):
        return ['Could not ask RabbitMQ on %s whether a quorum queue needs it; find out why before stopping it: %s'
                % (host, command_output(check))]
    # Each as RabbitMQ names it: queue 'compute' in vhost '/'.
    names = [(queue.get('readable_name') or queue.get('name') or '?') if isinstance(queue, Mapping) else '%s' % (queue,)
             for queue in verdict['queues']]
    return [_CRITICAL[len(names) > 1] % {'host': host, 'names': _some(names)}]


@input_errors_as(AnsibleFilterError)
def galera_health_problems(wsrep, host, cluster_size, required=False):
    """wsrep status result | galera_health_problems(host=..., cluster_size=...) -> problems, [] if healthy.

    wsrep is the registered result of ``mariadb -N -B -e "SHOW GLOBAL
    VARIABLES LIKE 'wsrep_on'; SHOW GLOBAL STATUS LIKE 'wsrep_%'"`` or of a
    mysql_query of those two statements. With required, a node without
    Galera is a problem too (where the role has just configured it).
    """
    name = 'galera_health_problems'
    expect(name, 'the replication status result', wsrep, 'the registered result of a command or of a mysql_query',
           isinstance(wsrep, Mapping) and (isinstance(wsrep.get('rc'), int) or isinstance(wsrep.get('query_result', []), list)))
    expect(name, 'host', host, 'a string', isinstance(host, str))
    size = whole_number(name, 'cluster_size', cluster_size)
    expect(name, 'required', required, 'a boolean', isinstance(required, bool))

    if isinstance(wsrep.get('rc'), int):
        if wsrep['rc'] != 0:
            return ['MariaDB on %s does not answer; start it or check its log: %s' % (host, command_output(wsrep))]
        status = wsrep_lines(expect(name, 'the output of mariadb', wsrep.get('stdout'), 'a text',
                                    isinstance(wsrep.get('stdout'), str)))
    elif 'query_result' in wsrep:
        status = wsrep_rows(wsrep['query_result'])
    else:
        return ['Could not read the replication status of MariaDB on %s: %s' % (host, wsrep.get('msg', ''))]
    # Galera where wsrep_on says so; where it was not read, where a cluster is
    # expected and the server has wsrep at all (a server built with it reports
    # its wsrep status, Disconnected, with Galera off too).
    if 'wsrep_on' in status:
        galera = status['wsrep_on'] == 'ON'
    else:
        galera = size > 1 and any(variable.startswith('wsrep_') for variable in status)
    if galera:
        return galera_problems(status, host, size)
    if required:
        return ['MariaDB on %s runs without Galera (wsrep_on %s); check wsrep_on and wsrep_provider in its configuration'
                ' and its log' % (host, status.get('wsrep_on', 'not read'))]
    return []


# OVN's databases: ovs-appctl cluster/status

_RAFT_FIELD = re.compile(r'^(Name|Cluster ID|Server ID|Address|Status|Role|Term|Leader|Vote): (.*)$')
# "    6378 (6378 at tcp:10.0.0.113:6644) (self) next_index=..." under "Servers:".
_RAFT_SERVER = re.compile(r'^\s+(\S+) \((\S+) at (\S+)\)(.*)$')


def _raft_status(text):
    """The fields and servers of a RAFT database's cluster/status."""
    fields = {}
    servers = []
    in_servers = False
    for line in text.splitlines():
        if line == 'Servers:':
            in_servers = True
            continue
        server = _RAFT_SERVER.match(line) if in_servers else None
        if server:
            servers.append({'name': server.group(1), 'address': server.group(3), 'self': '(self)' in server.group(4)})
            continue
        in_servers = False
        field = _RAFT_FIELD.match(line)
        if field:
            fields[field.group(1)] = field.group(2).strip()
    return fields, servers


def _server_list(servers):
    return ', '.join('%s at %s' % (server['name'], server['address']) for server in servers) or 'none listed'


@input_errors_as(AnsibleFilterError)
def ovn_cluster_problems(status, host, database, servers):
    """cluster/status result | ovn_cluster_problems(host=..., database=..., servers=...) -> problems, [] if healthy.

    status is the registered result of ``ovs-appctl -t
    /var/run/ovn/ovnnb_db.ctl cluster/status OVN_Northbound`` (or of the
    southbound database); servers, the servers its cluster must have.
    """
    name = 'ovn_cluster_problems'
    expect(name, 'host', host, 'a string', isinstance(host, str))
    expect(name, 'database', database, 'a string', isinstance(database, str))
    expected = whole_number(name, 'servers', servers)
    # Read from another controller (delegate_to) that could not be reached.
    if isinstance(status, Mapping) and status.get('unreachable'):
        return ["%s on %s was not checked: the host could not be reached (%s); bring it back, or check the connection"
                " to it" % (database, host, ('%s' % (status.get('msg') or '')).strip() or 'unreachable')]
    command_result(name, 'the cluster/status result', status)

    if status['rc'] != 0:
        said = command_output(status)
        # ovsdb-server answers so for a database that is not clustered: "unknown
        # cluster" where it serves another, clustered one, and where it serves
        # none, it has no cluster/status command at all (lib/unixctl.c).
        if 'unknown cluster' in said or '"cluster/status" is not a valid command' in said:
            if expected <= 1:
                return []
            return ['%s on %s is not a cluster member: it runs standalone (cluster/status knows no cluster); make it'
                    ' a RAFT cluster of the %s controllers (ovsdb-tool create-cluster from its file on one, ovsdb-tool'
                    ' join-cluster on the others)' % (database, host, expected)]
        return ["%s's ovsdb-server on %s does not answer; start ovn-central there, or check its log: %s"
                % (database, host, said)]
    fields, members = _raft_status(expect(name, 'the output of cluster/status', status.get('stdout'), 'a text',
                                          isinstance(status.get('stdout'), str)))
    expect(name, 'the output of cluster/status', status['stdout'], 'a RAFT status with a Status and a Role',
           'Status' in fields and 'Role' in fields)

    state = fields['Status']
    where = '%s on %s (server %s at %s)' % (database, host, fields.get('Server ID', '?').split(' ')[0], fields.get('Address', '?'))
    # A server that is no cluster member is that one problem: its view of the cluster is not the cluster's.
    if state != 'cluster member':
        return [_RAFT_STATES.get(state, _RAFT_STATE_OTHER) % {'where': where, 'state': state, 'servers': _server_list(members)}]
    problems = []
    if not any(server['self'] for server in members):
        problems.append('%s is not a cluster member: its cluster does not list it (it was removed from it); remove its'
                        ' database file and join it again (ovsdb-tool join-cluster), then restart ovn-central there' % (where,))
    seen = {'database': database, 'host': host, 'role': fields['Role'], 'term': fields.get('Term', '?'),
            'servers': _server_list(members), 'count': len(members), 'expected': expected}
    if fields.get('Leader', 'unknown') == 'unknown':
        problems.append('%(database)s, seen from %(host)s, knows no leader (role %(role)s, term %(term)s), so it takes no'
                        ' write; a majority of its servers (%(servers)s) must be running and reach each other: start'
                        ' ovn-central where it is down, or restore the network between them' % seen)
    if len(members) < expected:
        problems.append('%(database)s, seen from %(host)s, has %(count)s servers, not %(expected)s (%(servers)s); join the'
                        ' database of each missing controller to the cluster (ovsdb-tool join-cluster there)' % seen)
    elif len(members) > expected:
        problems.append('%(database)s, seen from %(host)s, has %(count)s servers, more than %(expected)s (%(servers)s), and'
                        ' those gone still count toward its majority; remove each gone one (ovs-appctl cluster/kick'
                        ' %(database)s SERVER_ID on a member)' % seen)
    return problems


# What to do for each Status but "cluster member" (ovsdb/raft.c).
_RAFT_STATES = {
    'joining cluster': '%(where)s is still joining its cluster, not a cluster member yet; wait, and if it stays so check that'
                       ' it reaches the servers it joins',
    'leaving cluster': '%(where)s is leaving its cluster, not a cluster member; once it has left, remove its database file'
                       ' and join it again (ovsdb-tool join-cluster), then restart ovn-central there',
    'left cluster': '%(where)s has left its cluster, not a cluster member; remove its database file and join it again'
                    ' (ovsdb-tool join-cluster), then restart ovn-central there',
    'failed': '%(where)s failed in its cluster, not a cluster member; read the ovsdb-server log there, then remove its'
              ' database file and join it again (ovsdb-tool join-cluster)',
    'disconnected from the cluster (election timeout)':
        '%(where)s is disconnected from its cluster (election timeout), not a cluster member: it reaches no majority of'
        ' its servers (%(servers)s); start ovn-central where it is down, or restore the network between them',
}
_RAFT_STATE_OTHER = "%(where)s is %(state)s, not a cluster member; read the ovsdb-server log there"


class FilterModule:
    """stackroll.lifecycle's health filters of clusters."""

    def filters(self):
        return {
            'rabbitmq_quorum_queue_problems': rabbitmq_quorum_queue_problems,
            'rabbitmq_stop_problems': rabbitmq_stop_problems,
            'galera_health_problems': galera_health_problems,
            'ovn_cluster_problems': ovn_cluster_problems,
        }
