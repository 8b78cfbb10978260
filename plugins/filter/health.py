# Copyright: Contributors to the stackroll.lifecycle project
# Apache License 2.0 (see LICENSE)
"""The health judges of RabbitMQ and MariaDB: what the roles' health tasks
read, turned into sentences that name each problem and what to do.

Each filter is documented in the ``<filter>.yml`` file beside this one.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping

from ansible.errors import AnsibleFilterError

_ALARMS = {
    'memory': "RabbitMQ's memory alarm is raised on %s, so it blocks every publisher and OpenStack's RPC stalls;"
              " free memory there, or raise vm_memory_high_watermark",
    'disk': "RabbitMQ's disk alarm is raised on %s, so it blocks every publisher and OpenStack's RPC stalls;"
            " free disk space there, or lower disk_free_limit",
    'file_descriptors': "RabbitMQ's file descriptor alarm is raised on %s: it refuses new connections;"
                        " raise the open files limit (LimitNOFILE) of rabbitmq-server",
}


def _check(filter_name, name, value, expected, ok):
    if not ok:
        raise AnsibleFilterError('%s expects %s as %s, got %r.' % (filter_name, name, expected, value))
    return value


def _whole_number(filter_name, name, value):
    """An int, or the text of one (what the role's argument spec lets through)."""
    ok = isinstance(value, (int, str)) and not isinstance(value, bool)
    try:
        return int(_check(filter_name, name, value, 'a whole number', ok))
    except ValueError:
        raise AnsibleFilterError('%s expects %s as a whole number, got %r.' % (filter_name, name, value)) from None


def _strings(filter_name, name, value):
    return _check(filter_name, name, value, 'a list of strings',
                  isinstance(value, list) and all(isinstance(item, str) for item in value))


def _command_result(filter_name, name, value):
    return _check(filter_name, name, value, 'the registered result of a command (with rc)',
                  isinstance(value, Mapping) and isinstance(value.get('rc'), int))


def _unique(items):
    """Once each, in their order."""
    return list(dict.fromkeys(items))


def _truncate(text, length=300, leeway=5):
    """As Jinja's truncate filter: a text over length + leeway is cut at a word, with '...'."""
    if len(text) <= length + leeway:
        return text
    return text[:length - 3].rsplit(' ', 1)[0] + '...'


def _jinja_int(value, default=0):
    """As Jinja's int filter: '3' and '3.0' are 3, what is no number the default."""
    try:
        return int(value)
    except (TypeError, ValueError):
        try:
            return int(float(value))
        except (TypeError, ValueError):
            return default


def _output(result):
    """What a failed command said, its error first, cut past 300 characters."""
    return _truncate(('%s' % (result.get('stderr') or result.get('stdout') or '',)).strip())


def _json_output(filter_name, result, command, expected_type, expected):
    try:
        value = json.loads(result.get('stdout') or '')
    except ValueError:
        value = None
    _check(filter_name, 'the output of ' + command, result.get('stdout'), expected, isinstance(value, expected_type))
    return value


def _alarm_problem(alarm):
    # An alarm without a resource or node still counts, named as it can be.
    resource = alarm.get('resource', 'unknown') if isinstance(alarm, Mapping) else 'unknown'
    node = alarm.get('node', '?') if isinstance(alarm, Mapping) else '?'
    if resource in _ALARMS:
        return _ALARMS[resource] % (node,)
    return "RabbitMQ's %s alarm is raised on %s; clear its cause" % (resource, node)


def _queue(value):
    return _check('rabbitmq_health_problems', 'each queue of rabbitmqctl list_queues', value, '{name, messages, consumers}',
                  isinstance(value, Mapping) and isinstance(value.get('name'), str)
                  and all(isinstance(value.get(key), int) and not isinstance(value.get(key), bool) for key in ('messages', 'consumers')))


def _nodes(value, known):
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


def rabbitmq_health_problems(cluster, queues, host, vhost, ignore_queues, max_messages, members=None):
    """cluster_status result | rabbitmq_health_problems(list_queues result, ...) -> problems, [] if healthy.

    cluster and queues are the registered results of
    ``rabbitmq-diagnostics cluster_status --formatter json`` and of
    ``rabbitmqctl list_queues --formatter json name messages consumers``;
    members, the node names the cluster must have running.
    """
    name = 'rabbitmq_health_problems'
    _command_result(name, 'the cluster_status result', cluster)
    _command_result(name, 'the list_queues result', queues)
    _check(name, 'host', host, 'a string', isinstance(host, str))
    _check(name, 'vhost', vhost, 'a string', isinstance(vhost, str))
    expected = [] if members is None else _strings(name, 'members', members)
    try:
        ignored = [re.compile(pattern) for pattern in _strings(name, 'ignore_queues', ignore_queues)]
    except re.error as e:
        raise AnsibleFilterError('%s: ignore_queues holds an invalid regular expression: %s' % (name, e)) from None
    limit = _whole_number(name, 'max_messages', max_messages)

    problems = []
    if cluster['rc'] != 0:
        problems.append('RabbitMQ on %s does not answer; start it or check its node: %s' % (host, _output(cluster)))
        status = {}
    else:
        status = _json_output(name, cluster, 'rabbitmq-diagnostics cluster_status', dict, 'a JSON object')
    cluster_members = _nodes(status.get('disk_nodes', []), expected) + _nodes(status.get('ram_nodes', []), expected)
    running = _nodes(status.get('running_nodes', []), cluster_members + expected)
    for member in _unique(m for m in cluster_members if m not in running):
        problems.append('RabbitMQ cluster member %s is not running; start it, or remove it with rabbitmqctl forget_cluster_node'
                        ' if it is gone' % (member,))
    # Only worth saying when the node answers: else it is all that is known.
    for member in _unique(m for m in expected if cluster['rc'] == 0 and m not in cluster_members + running):
        problems.append('RabbitMQ node %s is not in the cluster of %s; join it: on its host rabbitmqctl stop_app, rabbitmqctl'
                        ' join_cluster %s, rabbitmqctl start_app' % (member, host, running[0] if running else 'a running member'))
    partitions = status.get('partitions', {})
    if len(partitions) > 0:
        problems.append('RabbitMQ has network partitions (%s); restart the nodes of the minority side so they rejoin'
                        % (json.dumps(partitions),))
    problems.extend(_alarm_problem(alarm) for alarm in status.get('alarms', []))

    if queues['rc'] != 0:
        # Only worth saying when the node answers at all.
        if cluster['rc'] == 0:
            problems.append('Could not list the queues of RabbitMQ on %s: %s' % (host, _output(queues)))
        queue_list = []
    else:
        queue_list = [_queue(queue) for queue in _json_output(name, queues, 'rabbitmqctl list_queues', list, 'a JSON list')]
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
    return _check('rabbitmq_quorum_queue_problems', 'each queue of rabbitmqctl list_queues', value,
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


def rabbitmq_quorum_queue_problems(queues, host, vhost):
    """list_queues result | rabbitmq_quorum_queue_problems(host=..., vhost=...) -> problems, [] if healthy.

    queues is the registered result of ``rabbitmqctl list_queues --vhost
    VHOST --formatter json name type leader members online``.
    """
    name = 'rabbitmq_quorum_queue_problems'
    _command_result(name, 'the list_queues result', queues)
    _check(name, 'host', host, 'a string', isinstance(host, str))
    _check(name, 'vhost', vhost, 'a string', isinstance(vhost, str))
    if queues['rc'] != 0:
        return ['Could not list the queues of RabbitMQ on %s: %s' % (host, _output(queues))]
    listed = [_quorum_queue(queue) for queue in _json_output(name, queues, 'rabbitmqctl list_queues', list, 'a JSON list')]
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


def rabbitmq_stop_problems(check, host):
    """check_if_node_is_quorum_critical result | rabbitmq_stop_problems(host=...) -> why not stop now, [] if it may stop.

    check is the registered result of ``rabbitmq-queues
    check_if_node_is_quorum_critical --formatter json`` run against the
    node to stop.
    """
    name = 'rabbitmq_stop_problems'
    _command_result(name, 'the check_if_node_is_quorum_critical result', check)
    _check(name, 'host', host, 'a string', isinstance(host, str))
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
                % (host, _output(check))]
    # Each as RabbitMQ names it: queue 'compute' in vhost '/'.
    names = [(queue.get('readable_name') or queue.get('name') or '?') if isinstance(queue, Mapping) else '%s' % (queue,)
             for queue in verdict['queues']]
    return [_CRITICAL[len(names) > 1] % {'host': host, 'names': _some(names)}]


def mariadb_health_problems(tables, wsrep, host, databases, cluster_size):
    """table count result | mariadb_health_problems(wsrep result, ...) -> problems, [] if healthy.

    tables is the registered result of a mysql_query whose rows name each
    database with tables (``name``); wsrep that of ``SHOW GLOBAL VARIABLES
    LIKE 'wsrep_on'`` and ``SHOW GLOBAL STATUS LIKE 'wsrep_%'``, possibly
    skipped.
    """
    name = 'mariadb_health_problems'
    for what, result in (('the table count result', tables), ('the replication status result', wsrep)):
        _check(name, what, result, 'a registered mysql_query result', isinstance(result, Mapping)
               and isinstance(result.get('query_result', []), list))
    _check(name, 'host', host, 'a string', isinstance(host, str))
    _strings(name, 'databases', databases)
    size = _whole_number(name, 'cluster_size', cluster_size)

    if 'query_result' not in tables:
        return ['MariaDB on %s does not answer; start it or check its log: %s' % (host, tables.get('msg', ''))]
    found = [row['name'] for row in (tables['query_result'][0] if tables['query_result'] else [])]
    problems = ['MariaDB on %s has no tables in database %s; deploy the service that owns it, or restore it' % (host, database)
                for database in _unique(d for d in databases if d not in found)]

    if 'query_result' not in wsrep:
        problems.append('Could not read the replication status of MariaDB on %s: %s' % (host, wsrep.get('msg', '')))
        return problems
    status = _wsrep_rows(wsrep['query_result'])
    # Without Galera, the wsrep status means nothing.
    if status.get('wsrep_on', 'OFF') != 'ON':
        return problems
    return problems + _galera_problems(status, host, size)


def _wsrep_rows(query_result):
    """The wsrep variables a mysql_query read, by name."""
    status = {}
    for rows in query_result:
        status.update((row['Variable_name'], row['Value']) for row in rows)
    return status


def _wsrep_lines(text):
    """The wsrep variables of ``mariadb -N -B`` (a name and a value a line, tab between), by name."""
    status = {}
    for line in text.splitlines():
        if not line.strip():
            continue
        if '\t' not in line:
            raise AnsibleFilterError('galera_health_problems expects the output of mariadb -N -B as lines of a name, a tab'
                                     ' and a value, got %r.' % (line,))
        variable, value = line.split('\t', 1)
        status[variable] = value
    return status


def _galera_problems(status, host, size):
    """What is wrong with a Galera node's wsrep status, for a cluster of size members."""
    problems = []
    where = "MariaDB's Galera cluster, seen from %s," % (host,)
    members = _jinja_int(status.get('wsrep_cluster_size', 0))
    if members < size:
        problems.append('%s has %s members, not %s (mariadb_health_cluster_size); bring missing nodes back (they rejoin by'
                        ' state transfer), or set mariadb_health_cluster_size to the database hosts there are'
                        % (where, status.get('wsrep_cluster_size', 'no'), size))
    elif members > size:
        problems.append('%s has %s members, more than %s (mariadb_health_cluster_size); set mariadb_health_cluster_size to'
                        ' the database hosts there are, or stop the node that is not meant to be in it and take it out of'
                        ' wsrep_cluster_address' % (where, status['wsrep_cluster_size'], size))
    if status.get('wsrep_cluster_status', '') != 'Primary':
        problems.append('%s is not Primary (%s): it lost quorum and refuses writes; restore the network between the nodes,'
                        ' or bootstrap the most advanced node (pc.bootstrap=YES)' % (where, status.get('wsrep_cluster_status', 'unknown')))
    if status.get('wsrep_local_state_comment', '') != 'Synced':
        problems.append('MariaDB on %s is %s in its Galera cluster, not Synced; wait for its state transfer to finish'
                        % (host, status.get('wsrep_local_state_comment', 'unknown')))
    if status.get('wsrep_ready', '') != 'ON':
        problems.append('MariaDB on %s has wsrep_ready %s: it refuses queries until it is back in a Primary component'
                        % (host, status.get('wsrep_ready', 'unknown')))
    if status.get('wsrep_connected', '') != 'ON':
        problems.append('MariaDB on %s has wsrep_connected %s: it reaches no other Galera node; check that the nodes reach'
                        ' each other on the Galera port (4567) and that wsrep_cluster_address names them'
                        % (host, status.get('wsrep_connected', 'unknown')))
    return problems


def galera_health_problems(wsrep, host, cluster_size):
    """wsrep status result | galera_health_problems(host=..., cluster_size=...) -> problems, [] if healthy.

    wsrep is the registered result of ``mariadb -N -B -e "SHOW GLOBAL
    VARIABLES LIKE 'wsrep_on'; SHOW GLOBAL STATUS LIKE 'wsrep_%'"`` or of a
    mysql_query of those two statements.
    """
    name = 'galera_health_problems'
    _check(name, 'the replication status result', wsrep, 'the registered result of a command or of a mysql_query',
           isinstance(wsrep, Mapping) and (isinstance(wsrep.get('rc'), int) or isinstance(wsrep.get('query_result', []), list)))
    _check(name, 'host', host, 'a string', isinstance(host, str))
    size = _whole_number(name, 'cluster_size', cluster_size)

    if isinstance(wsrep.get('rc'), int):
        if wsrep['rc'] != 0:
            return ['MariaDB on %s does not answer; start it or check its log: %s' % (host, _output(wsrep))]
        status = _wsrep_lines(_check(name, 'the output of mariadb', wsrep.get('stdout'), 'a text',
                                     isinstance(wsrep.get('stdout'), str)))
    elif 'query_result' in wsrep:
        status = _wsrep_rows(wsrep['query_result'])
    else:
        return ['Could not read the replication status of MariaDB on %s: %s' % (host, wsrep.get('msg', ''))]
    # Galera where wsrep_on says so; where it was not read, where a cluster is
    # expected and the server has wsrep at all (a server built with it reports
    # its wsrep status, Disconnected, with Galera off too).
    if 'wsrep_on' in status:
        galera = status['wsrep_on'] == 'ON'
    else:
        galera = size > 1 and any(variable.startswith('wsrep_') for variable in status)
    return _galera_problems(status, host, size) if galera else []


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


def ovn_cluster_problems(status, host, database, servers):
    """cluster/status result | ovn_cluster_problems(host=..., database=..., servers=...) -> problems, [] if healthy.

    status is the registered result of ``ovs-appctl -t
    /var/run/ovn/ovnnb_db.ctl cluster/status OVN_Northbound`` (or of the
    southbound database); servers, the servers its cluster must have.
    """
    name = 'ovn_cluster_problems'
    _command_result(name, 'the cluster/status result', status)
    _check(name, 'host', host, 'a string', isinstance(host, str))
    _check(name, 'database', database, 'a string', isinstance(database, str))
    expected = _whole_number(name, 'servers', servers)

    if status['rc'] != 0:
        said = _output(status)
        # ovsdb-server answers so for a database that is not clustered.
        if 'unknown cluster' in said:
            if expected <= 1:
                return []
            return ['%s on %s is not a cluster member: it runs standalone (cluster/status says unknown cluster); make it'
                    ' a RAFT cluster of the %s controllers (ovsdb-tool create-cluster from its file on one, ovsdb-tool'
                    ' join-cluster on the others)' % (database, host, expected)]
        return ["%s's ovsdb-server on %s does not answer; start ovn-central there, or check its log: %s"
                % (database, host, said)]
    fields, members = _raft_status(_check(name, 'the output of cluster/status', status.get('stdout'), 'a text',
                                          isinstance(status.get('stdout'), str)))
    _check(name, 'the output of cluster/status', status['stdout'], 'a RAFT status with a Status and a Role',
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
    """stackroll.lifecycle's health filters."""

    def filters(self):
        return {
            'rabbitmq_health_problems': rabbitmq_health_problems,
            'rabbitmq_quorum_queue_problems': rabbitmq_quorum_queue_problems,
            'rabbitmq_stop_problems': rabbitmq_stop_problems,
            'mariadb_health_problems': mariadb_health_problems,
            'galera_health_problems': galera_health_problems,
            'ovn_cluster_problems': ovn_cluster_problems,
        }
