# Copyright: Contributors to the stackroll.lifecycle project
# Apache License 2.0 (see LICENSE)
"""A Galera node's wsrep status, as a mysql_query or ``mariadb -N -B``
reads it, and what is wrong with it: what mariadb_health_problems and
galera_health_problems both judge. And how a cluster that runs nowhere
starts: which node bootstraps it, from the nodes' grastate.dat, and in what
order the others join or restart (galera_bootstrap).
"""

from __future__ import annotations

from collections.abc import Mapping

from ansible_collections.stackroll.lifecycle.plugins.module_utils._judge_inputs import InputError, expect, strings


def _jinja_int(value, default=0):
    """As Jinja's int filter: '3' and '3.0' are 3, what is no number the default."""
    try:
        return int(value)
    except (TypeError, ValueError):
        try:
            return int(float(value))
        except (TypeError, ValueError):
            return default


def wsrep_rows(query_result):
    """The wsrep variables a mysql_query read, by name."""
    status = {}
    for rows in query_result:
        status.update((row['Variable_name'], row['Value']) for row in rows)
    return status


def wsrep_lines(text):
    """The wsrep variables of ``mariadb -N -B`` (a name and a value a line, tab between), by name."""
    status = {}
    for line in text.splitlines():
        if not line.strip():
            continue
        if '\t' not in line:
            raise InputError('galera_health_problems expects the output of mariadb -N -B as lines of a name, a tab'
                             ' and a value, got %r.' % (line,))
        variable, value = line.split('\t', 1)
        status[variable] = value
    return status


def galera_problems(status, host, size):
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


# Which node starts a Galera cluster that runs nowhere, and in what order
# the others start or restart: what galera_bootstrap plans.

# A grastate.dat's uuid before the node ever was in a cluster.
_NO_CLUSTER = '00000000-0000-0000-0000-000000000000'
# MariaDB's own databases; any other is data a state transfer would replace.
SYSTEM_DATABASES = ('information_schema', 'mysql', 'performance_schema', 'sys')

_BOOTSTRAP = 'galera_bootstrap'


def grastate(text):
    """The fields of a grastate.dat (``uuid:``, ``seqno:``, ``safe_to_bootstrap:``), by name; {} for none."""
    fields = {}
    for line in (text or '').splitlines():
        line = line.strip()
        if not line or line.startswith('#') or ':' not in line:
            continue
        name, value = line.split(':', 1)
        fields[name.strip()] = value.strip()
    return fields


def _seqno(fields):
    try:
        return int(fields.get('seqno', '-1'))
    except ValueError:
        return -1


def _node_state(host, state):
    """What galera_bootstrap reads of one node: running, its wsrep status and databases, its grastate.dat."""
    expect(_BOOTSTRAP, 'the state of %s' % host, state, '{running, read, grastate, config_changed}',
           isinstance(state, Mapping) and isinstance(state.get('running'), bool)
           and isinstance(state.get('read', {}), Mapping) and isinstance(state.get('grastate', ''), str)
           and isinstance(state.get('config_changed', False), bool))
    read = state.get('read') or {}
    node = {'running': state['running'], 'config_changed': state.get('config_changed', False),
            'grastate': grastate(state.get('grastate', '')), 'readable': False, 'status': {}, 'databases': []}
    if node['running'] and isinstance(read.get('query_result'), list):
        results = read['query_result']
        node['readable'] = True
        node['status'] = wsrep_rows(results[:2])
        node['databases'] = [row.get('Database') for row in (results[2] if len(results) > 2 else [])]
        node['message'] = ''
    else:
        node['message'] = '%s' % (read.get('msg') or 'its state was not read',)
    return node


def _kind(node):
    """member (in a Primary component), outside (Galera, not Primary), standalone (no Galera), stopped or unreadable."""
    if not node['running']:
        return 'stopped'
    if not node['readable']:
        return 'unreadable'
    if node['status'].get('wsrep_on', 'OFF') != 'ON':
        return 'standalone'
    return 'member' if node['status'].get('wsrep_cluster_status') == 'Primary' else 'outside'


def _data(node):
    """The databases of a node other than MariaDB's own."""
    return [name for name in node['databases'] if name not in SYSTEM_DATABASES]


def _writer_last(hosts, controllers):
    """hosts in the controllers' order, the first controller (the load balancer's writer) last."""
    ordered = [host for host in controllers if host in hosts]
    if ordered and controllers and ordered[0] == controllers[0]:
        ordered = ordered[1:] + ordered[:1]
    return ordered


def _plan(problems=(), bootstrap='', mark_safe=False, members=(), join=(), restart=(), reason=''):
    return {'problems': list(problems), 'bootstrap': bootstrap, 'mark_safe': mark_safe, 'members': list(members),
            'join': list(join), 'restart': list(restart), 'reason': reason}


def _joins(hosts, base):
    """Each host to start after the base members, with the cluster's size once it is in."""
    return [{'host': host, 'cluster_size': base + index + 1} for index, host in enumerate(hosts)]


def _recover_problem(hosts):
    return ('MariaDB on %s stopped without saving its Galera position (seqno -1 in /var/lib/mysql/grastate.dat, as after'
            ' a crash), and no node is marked safe_to_bootstrap: 1, so the most advanced node is not known and none is'
            ' bootstrapped; on each of them run galera_recovery (it prints --wsrep_start_position=UUID:SEQNO), compare'
            ' those seqnos with the others\' grastate.dat, set safe_to_bootstrap: 1 in the grastate.dat of the node with'
            ' the highest, and run again' % ', '.join(hosts))


def _choose_from_history(history, nodes, controllers):
    """(problems, bootstrap host, mark it safe, reason) among the nodes that were in a cluster."""
    uuids = sorted(set(nodes[host]['grastate'].get('uuid', '') for host in history))
    if len(uuids) > 1:
        return (['The controllers hold the states of %d different Galera clusters (%s in their grastate.dat): bootstrapping'
                 ' one would throw the others\' data away; keep the nodes of one cluster, and empty /var/lib/mysql of the'
                 ' others (after a backup) so that they join it by state transfer' % (len(uuids), ', '.join(
                     '%s on %s' % (uuid, ', '.join(host for host in history if nodes[host]['grastate'].get('uuid') == uuid))
                     for uuid in uuids))], '', False, '')
    safe = [host for host in history if nodes[host]['grastate'].get('safe_to_bootstrap') == '1']
    if len(safe) > 1:
        return (['MariaDB on %s are each marked safe_to_bootstrap: 1 in their grastate.dat, so which one last left the'
                 ' cluster is not known; set it to 0 on all but the most advanced (highest seqno, or after galera_recovery'
                 ' on each), and run again' % ', '.join(safe)], '', False, '')
    if safe:
        return [], safe[0], False, ('%s bootstraps the cluster: it was the last node to leave it (safe_to_bootstrap: 1 in'
                                    ' its grastate.dat)' % safe[0])
    unknown = [host for host in history if _seqno(nodes[host]['grastate']) < 0]
    if unknown:
        return [_recover_problem(unknown)], '', False, ''
    highest = max(_seqno(nodes[host]['grastate']) for host in history)
    chosen = [host for host in controllers if host in history and _seqno(nodes[host]['grastate']) == highest][0]
    return [], chosen, True, ('%s bootstraps the cluster: its saved position (seqno %d in its grastate.dat) is the most'
                              ' advanced' % (chosen, highest))


def galera_bootstrap(states, controllers):
    """The plan to start MariaDB's Galera cluster on the controllers; see galera_bootstrap.yml.

    states: {host: {running, read, grastate, config_changed}} of the
    controllers in the run; controllers, every controller in order.
    Raises InputError for an argument of the wrong type.
    """
    expect(_BOOTSTRAP, 'the states', states, 'a mapping of hosts to their states', isinstance(states, Mapping))
    controllers = strings(_BOOTSTRAP, 'controllers', controllers)
    expect(_BOOTSTRAP, 'controllers', controllers, 'the controllers, at least one', len(controllers) > 0)
    strangers = sorted(host for host in states if host not in controllers)
    expect(_BOOTSTRAP, 'the states', strangers, 'the states of controllers only', not strangers)
    nodes = dict((host, _node_state(host, states[host])) for host in controllers if host in states)
    kinds = dict((host, _kind(node)) for host, node in nodes.items())
    present = [host for host in controllers if host in nodes]
    missing = [host for host in controllers if host not in nodes]

    problems = ['MariaDB on %s runs but its Galera state could not be read (%s); check that it answers on its socket,'
                ' and run again' % (host, nodes[host]['message']) for host in present if kinds[host] == 'unreadable']
    problems += ['MariaDB on %s runs Galera outside any Primary component (wsrep_cluster_status %s): it lost its quorum'
                 ' or its peers; restore the network between the controllers (Galera port 4567), and if it stays so,'
                 ' restart it (systemctl restart mariadb) once another node is Primary'
                 % (host, nodes[host]['status'].get('wsrep_cluster_status', 'unknown'))
                 for host in present if kinds[host] == 'outside']
    if problems:
        return _plan(problems)

    members = [host for host in present if kinds[host] == 'member']
    if members:
        others = [host for host in present if host not in members]
        doomed = [host for host in others if kinds[host] == 'standalone' and _data(nodes[host])]
        if doomed:
            message = ('MariaDB on %s runs alone with databases of its own (%s) while %s form the Galera cluster:'
                       ' joining would replace them by the cluster\'s by state transfer; back them up, drop them if'
                       ' the cluster holds the cloud\'s data, and run again')
            return _plan([message % (host, ', '.join(_data(nodes[host])), ', '.join(members)) for host in doomed])
        restart = [host for host in members if nodes[host]['config_changed']]
        return _plan(members=members, join=_joins(others, len(members)), restart=_writer_last(restart, controllers),
                     reason='%s already form%s the Primary component; %s' % (
                         ', '.join(members), 's' if len(members) == 1 else '',
                         ('%s join%s it' % (', '.join(others), 's' if len(others) == 1 else '')) if others
                         else 'no node joins it'))

    if missing:
        return _plan(['No controller in this run is in a Primary component of MariaDB\'s Galera cluster, and %s %s not in'
                      ' the run: the node to bootstrap the cluster from cannot be chosen without reading every node\'s'
                      ' state; run on every controller (without --limit), with each one reachable'
                      % (', '.join(missing), 'is' if len(missing) == 1 else 'are')])

    history = [host for host in present if nodes[host]['grastate'].get('uuid', _NO_CLUSTER) != _NO_CLUSTER]
    if history:
        problems, chosen, mark_safe, reason = _choose_from_history(history, nodes, controllers)
        if problems:
            return _plan(problems)
    else:
        holders = [host for host in present if _data(nodes[host])]
        if len(holders) > 1:
            return _plan(['MariaDB runs alone with databases of its own on %s, and has never been in a Galera cluster:'
                          ' a new cluster keeps the data of one node only; keep one node\'s databases (%s), back the'
                          ' others up and drop them, and run again'
                          % (', '.join(holders), '; '.join('%s: %s' % (host, ', '.join(_data(nodes[host])))
                                                           for host in holders))])
        chosen = holders[0] if holders else controllers[0]
        # A stopped node's databases are not known: it may hold the cloud's
        # data as well, unless the node chosen is the first controller,
        # the database host of a single controller.
        unread = [host for host in present if kinds[host] == 'stopped' and host != chosen]
        if chosen != controllers[0] and unread:
            return _plan(['MariaDB runs alone with databases of its own on %s, which would bootstrap a new Galera cluster'
                          ' and replace the data of the others, but it is stopped on %s, whose databases are not known;'
                          ' start MariaDB there without Galera to look (or empty its /var/lib/mysql after a backup), and'
                          ' run again' % (chosen, ', '.join(unread))])
        mark_safe = False
        reason = ('%s bootstraps a new cluster: %s' % (chosen, 'it alone holds databases (%s), which the other nodes'
                                                       ' receive by state transfer' % ', '.join(_data(nodes[chosen]))
                                                       if holders else 'the first controller, as no node has data yet'))
    others = [host for host in present if host != chosen]
    return _plan(bootstrap=chosen, mark_safe=mark_safe, join=_joins(others, 1),
                 reason=reason + ('; then %s join%s it one at a time' % (', '.join(others), 's' if len(others) == 1 else '')
                                  if others else ''))
