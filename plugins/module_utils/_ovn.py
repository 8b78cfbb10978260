# Copyright: Contributors to the stackroll.lifecycle project
# Apache License 2.0 (see LICENSE)
"""OVN's central databases (OVN_Northbound, OVN_Southbound) on the
controllers: where their clients reach them, the ovn-ctl options that make
them RAFT clusters, and, from what each controller's database file says,
whether starting the controllers with those options is safe and in what
order they restart.

ovn-ctl (Debian's ovn-central reads its options from OVN_CTL_OPTS in
/etc/default/ovn-central) creates a cluster on a server started with only
a local address (``--db-nb-cluster-local-addr``), converting a standalone
database file it finds there, and joins the cluster at
``--db-nb-cluster-remote-addr`` on a server that has no clustered file
yet, discarding a standalone one (after a backup). A server whose file is
clustered just starts: it rejoins its cluster by itself. So the first
controller creates each cluster and the others join it; the one thing
ovn-ctl cannot tell is a first controller that lost its file while the
others still form the cluster: it would make a second one.
"""

from __future__ import annotations

import ipaddress
import re

from ansible_collections.stackroll.lifecycle.plugins.module_utils._judge_inputs import (
    expect,
    strings,
)

# ovsdb-tool db-cid FILE prints the cluster ID of a clustered file; else
# it says why not (ovsdb/ovsdb-tool.c).
_CID = re.compile(r'^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$')
MEMBER, JOINING, STANDALONE, ABSENT, UNKNOWN = 'member', 'joining', 'standalone', 'absent', 'unknown'
# A file in a cluster: a member knows its cluster ID, a server still joining does not yet.
CLUSTERED = (MEMBER, JOINING)


def bracketed(address):
    """An address as OVSDB's tcp: and ptcp: remotes write it: an IPv6 one in brackets."""
    try:
        version = ipaddress.ip_address(address).version
    except ValueError:
        return address  # a host name
    return '[%s]' % address if version == 6 else address


def remotes(addresses, port):
    """'tcp:A:PORT,tcp:B:PORT,...': every server, in the order given, as an
    OVSDB client (neutron, ovn-controller, ovn-northd, ovn-nbctl) takes them;
    it finds the cluster's leader itself."""
    return ','.join('tcp:%s:%s' % (bracketed(address), port) for address in addresses)


def ctl_options(address, addresses, first, ports):
    """ovn-ctl's options on the controller at address, of the controllers at
    addresses (first being the one that creates the clusters): each
    database's clients at this controller's address, its RAFT port at the
    same address, the others joining the first's, and ovn-northd at every
    server of both (it takes its lock itself: one is active, the others
    wait). ports: {nb, sb, nb_raft, sb_raft}."""
    here = bracketed(address)
    options = []
    for db in ('nb', 'sb'):
        options += ['--db-%s-addr=%s' % (db, here), '--db-%s-port=%s' % (db, ports[db]),
                    '--db-%s-create-insecure-remote=yes' % db,
                    '--db-%s-cluster-local-addr=%s' % (db, here), '--db-%s-cluster-local-port=%s' % (db, ports[db + '_raft'])]
        if address != first:
            options += ['--db-%s-cluster-remote-addr=%s' % (db, bracketed(first)),
                        '--db-%s-cluster-remote-port=%s' % (db, ports[db + '_raft'])]
    options += ['--ovn-northd-nb-db=%s' % remotes(addresses, ports['nb']),
                '--ovn-northd-sb-db=%s' % remotes(addresses, ports['sb'])]
    return options


def file_state(result):
    """(state, what it said) of a registered ``ovsdb-tool db-cid FILE`` run
    with ``removes: FILE``: a member (and its cluster ID), joining (cluster
    ID not yet known), standalone, absent (no file: the command did not run,
    or ovsdb-tool found none) or unknown (unreachable, or another error)."""
    if result.get('unreachable'):
        return UNKNOWN, 'unreachable: %s' % (result.get('msg') or '').strip()
    said = ' '.join(('%s' % (result.get(key) or '')).strip() for key in ('stderr', 'msg')).strip()
    output = ('%s' % (result.get('stdout') or '')).strip()
    if result.get('rc') == 0 and _CID.match(output):
        return MEMBER, output
    if 'cluster ID not yet known' in said:
        return JOINING, said
    if 'not a clustered database' in said:
        return STANDALONE, said
    # The command module's "Did not run command since 'FILE' does not exist"
    # (removes:), and ovsdb-tool's own "open failed (No such file or directory)".
    if 'does not exist' in said or 'No such file or directory' in said:
        return ABSENT, said
    return UNKNOWN, said or output or 'rc %s' % (result.get('rc'),)


def _reading(name, result):
    expect(name, 'each result of the db-cid loop', result,
           'a registered loop result whose item is [host, {name, file, raft_port}]',
           isinstance(result, dict) and isinstance(result.get('item'), (list, tuple)) and len(result['item']) == 2
           and isinstance(result['item'][0], str) and isinstance(result['item'][1], dict)
           and all(key in result['item'][1] for key in ('name', 'file', 'raft_port')))
    return result['item'][0], result['item'][1]


def _names(hosts):
    hosts = list(hosts)
    return ' and '.join([', '.join(hosts[:-1]), hosts[-1]] if len(hosts) > 1 else hosts)


def cluster_plan(name, results, controllers, address, restarting):
    """What the controllers' database files say, judged before ovn-central
    starts with the cluster's options, and the order of the restarts.

    results: the registered results of ``ovsdb-tool db-cid FILE`` looped
    over controllers x databases ([host, {name, file, raft_port}]);
    controllers, in order (the first creates the clusters); address, a
    function giving a controller's address (asked only for a problem that
    names it); restarting, the controllers whose options changed.

    Returns {problems, states: {database: {host: state}}, steps: [{host,
    servers: {database: how many servers its cluster has once host is back}}]}.
    """
    strings(name, 'controllers', controllers)
    strings(name, 'restarting', restarting)
    expect(name, 'results', results, 'a list of registered results', isinstance(results, list))
    databases, states, said = [], {}, {}
    for result in results:
        host, database = _reading(name, result)
        if database['name'] not in states:
            databases.append(database)
            states[database['name']], said[database['name']] = {}, {}
        state, text = file_state(result)
        states[database['name']][host] = state
        said[database['name']][host] = text
    for database in databases:
        for host in controllers:
            if host not in states[database['name']]:
                states[database['name']][host] = UNKNOWN
                said[database['name']][host] = 'not read'
    problems = []
    for database in databases:
        problems += _database_problems(database, controllers, address, states[database['name']], said[database['name']])
    steps, back = [], set()
    for host in controllers:
        if host not in restarting:
            continue
        back.add(host)
        steps.append({'host': host, 'servers': {
            database['name']: len(back | {other for other in controllers if states[database['name']][other] in CLUSTERED})
            for database in databases}})
    return {'problems': problems, 'states': states, 'steps': steps}


def _database_problems(database, controllers, address, states, said):
    db, path, port = database['name'], database['file'], database['raft_port']
    members = {}
    for host in controllers:
        if states[host] == MEMBER:
            members.setdefault(said[host], []).append(host)
    if len(members) > 1:
        clusters = '; '.join('%s in cluster %s' % (_names(hosts), cid) for cid, hosts in members.items())
        return ['The controllers hold %s in %d different clusters (%s), which would stay apart. Keep the one that holds'
                ' the cloud\'s data: on each controller of the others, stop ovn-central and move %s aside, then run this'
                ' playbook again, which joins it to the first controller\'s cluster' % (db, len(members), clusters, path)]
    first = controllers[0] if controllers else None
    if first is None or states[first] in CLUSTERED:
        return []
    others = [host for host in controllers[1:] if states[host] in CLUSTERED]
    if others:
        cluster = next(iter(members), None)
        remotes_of = ' '.join('tcp:%s:%s' % (bracketed(address(host)), port) for host in others)
        return ['%s on %s, the first controller, has no clustered database (%s) while %s %s in its cluster%s: started'
                ' with its options it would create a second cluster. Join it to theirs first: stop ovn-central on %s,'
                ' move %s aside, run "ovsdb-tool join-cluster %s %s tcp:%s:%s %s" there, start ovn-central, and remove'
                ' the server it was from the cluster (ovs-appctl cluster/kick %s SERVER_ID on a member; cluster/status'
                ' lists the servers); then run this playbook again'
                % (db, first, states[first], _names(others), 'is' if len(others) == 1 else 'are',
                   ' %s' % cluster if cluster else '', first, path, path, db, bracketed(address(first)), port,
                   remotes_of, db)]
    unknown = [host for host in controllers[1:] if states[host] == UNKNOWN]
    if unknown:
        return ['%s on %s, the first controller, has no clustered database (%s), so it would create the cluster, but'
                ' whether %s already hold%s one is not known (%s); make %s reachable and its %s readable, then run this'
                ' playbook again'
                % (db, first, states[first], _names(unknown), 's' if len(unknown) == 1 else '',
                   '; '.join('%s: %s' % (host, said[host]) for host in unknown), 'it' if len(unknown) == 1 else 'them', path)]
    return []
