# Copyright: Contributors to the stackroll.lifecycle project
# Apache License 2.0 (see LICENSE)
"""A Galera node's wsrep status, as a mysql_query or ``mariadb -N -B``
reads it, and what is wrong with it: what mariadb_health_problems and
galera_health_problems both judge.
"""

from __future__ import annotations

from ansible_collections.stackroll.lifecycle.plugins.module_utils._judge_inputs import InputError


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
