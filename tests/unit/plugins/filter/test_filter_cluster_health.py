# Copyright: Contributors to the stackroll.lifecycle project
# Apache License 2.0 (see LICENSE)
"""The health judges of clusters: RabbitMQ's quorum queues and whether a node may stop, Galera and OVN's RAFT
databases: each problem, word for word."""
from __future__ import annotations

import json

import pytest
from ansible.errors import AnsibleFilterError

from ansible_collections.stackroll.lifecycle.plugins.filter.cluster_health import FilterModule

GALERA_STATUS = FilterModule().filters()['galera_health_problems']
QUORUM_QUEUES = FilterModule().filters()['rabbitmq_quorum_queue_problems']
STOP = FilterModule().filters()['rabbitmq_stop_problems']
MEMBERS = ['rabbit@ctl1', 'rabbit@ctl2', 'rabbit@ctl3']
GALERA = {'wsrep_cluster_size': '3', 'wsrep_cluster_status': 'Primary', 'wsrep_local_state_comment': 'Synced',
          'wsrep_ready': 'ON', 'wsrep_connected': 'ON'}


def command(rc=0, stdout='', stderr=''):
    return {'rc': rc, 'stdout': stdout, 'stderr': stderr, 'changed': False}


def wsrep(wsrep_on='ON', **status):
    """The replication status, as a mysql_query reads it, of a healthy Galera node but for what status sets."""
    rows = [{'Variable_name': key, 'Value': value} for key, value in dict(GALERA, **status).items() if value is not None]
    return {'changed': False, 'query_result': [[{'Variable_name': 'wsrep_on', 'Value': wsrep_on}], rows]}


# RabbitMQ quorum queues: rabbitmqctl list_queues --formatter json name type leader members online

def quorum_queue(name, leader='rabbit@ctl1', members=None, online=None):
    """A row as rabbit_quorum_queue answers: the leader node or '' where none is alive, members and online as lists."""
    members = list(MEMBERS) if members is None else members
    return {'name': name, 'type': 'quorum', 'leader': leader, 'members': members,
            'online': list(members) if online is None else online}


# Classic queues as 4.1 answers (leader and members from the queue record) and as 3.13 did ('' for keys it lacks):
# neither is judged here.
CLASSIC = [{'name': 'reply_4f1c', 'type': 'classic', 'leader': 'rabbit@ctl2', 'members': ['rabbit@ctl2'],
            'online': ['rabbit@ctl2']},
           {'name': 'scheduler_fanout_9a2b', 'type': 'classic', 'leader': '', 'members': '', 'online': ''}]


def quorum(*rows, rc=0, stderr=''):
    return QUORUM_QUEUES(command(rc=rc, stdout=json.dumps(list(rows)), stderr=stderr), host='ctl1', vhost='/')


def minority(names, down, plural=False):
    if plural:
        return ('RabbitMQ quorum queues %s (vhost /) have fewer than a majority of their members online, so they neither'
                ' take nor deliver messages; start RabbitMQ on %s, or remove a member gone for good'
                ' (rabbitmq-queues delete_member)' % (names, down))
    return ('RabbitMQ quorum queue %s (vhost /) has fewer than a majority of its members online, so it neither takes nor'
            ' delivers messages; start RabbitMQ on %s, or remove a member gone for good (rabbitmq-queues delete_member)'
            % (names, down))


def test_healthy_quorum_queues_have_no_problem():
    assert quorum(quorum_queue('conductor'), quorum_queue('compute.cmp1', 'rabbit@ctl3'), *CLASSIC) == []
    assert quorum() == []
    # One member down of three: the majority holds.
    assert quorum(quorum_queue('conductor', online=['rabbit@ctl1', 'rabbit@ctl3'])) == []
    # A queue of one member (x-quorum-initial-group-size 1) that is online.
    assert quorum(quorum_queue('notifications.info', members=['rabbit@ctl2'])) == []


def test_a_quorum_queue_without_a_majority_online_names_the_nodes_to_start():
    assert quorum(quorum_queue('conductor', '', online=['rabbit@ctl1'])) == [
        minority('conductor', 'rabbit@ctl2 and rabbit@ctl3')]
    assert quorum(quorum_queue('scheduler', '', members=['rabbit@ctl1', 'rabbit@ctl2'], online=['rabbit@ctl2'])) == [
        minority('scheduler', 'rabbit@ctl1')]
    assert quorum(quorum_queue('compute', '', online=[])) == [minority('compute', 'rabbit@ctl1, rabbit@ctl2 and rabbit@ctl3')]


def test_quorum_queues_of_one_outage_are_named_together_by_name():
    rows = [quorum_queue(name, '', online=['rabbit@ctl1']) for name in ('scheduler', 'Conductor', 'compute.cmp1')]
    rows.append(quorum_queue('cinder-volume', '', online=['rabbit@ctl3']))
    # Each outage where its first queue goes by name.
    assert quorum(*rows) == [
        minority('cinder-volume', 'rabbit@ctl1 and rabbit@ctl2'),
        minority('compute.cmp1, Conductor, scheduler', 'rabbit@ctl2 and rabbit@ctl3', plural=True)]


def test_many_queues_are_counted_past_five():
    rows = [quorum_queue('q%02d' % number, '', online=['rabbit@ctl2']) for number in range(12)]
    assert quorum(*rows) == [minority('q00, q01, q02, q03, q04 and 7 more', 'rabbit@ctl1 and rabbit@ctl3', plural=True)]


def test_a_quorum_queue_without_leader_but_a_majority_online():
    assert quorum(quorum_queue('conductor', '')) == [
        'RabbitMQ quorum queue conductor (vhost /) has no leader though a majority of its members is online, so it neither'
        ' takes nor delivers messages until one is elected; if that lasts, read the RabbitMQ logs of its members'
        ' (rabbitmq-queues quorum_status names them)']
    assert quorum(quorum_queue('b', ''), quorum_queue('a', '', online=MEMBERS[1:])) == [
        'RabbitMQ quorum queues a, b (vhost /) have no leader though a majority of their members is online, so they'
        ' neither take nor deliver messages until one is elected; if that lasts, read the RabbitMQ logs of their members'
        ' (rabbitmq-queues quorum_status names them)']


def test_minority_before_leaderless_each_queue_once():
    # b lost its majority, and so its leader: named once, for what to start.
    problems = quorum(quorum_queue('a', ''), quorum_queue('b', '', online=['rabbit@ctl1']))
    assert problems[0] == minority('b', 'rabbit@ctl2 and rabbit@ctl3')
    assert problems[1].startswith('RabbitMQ quorum queue a (vhost /) has no leader though a majority')
    assert len(problems) == 2


def test_quorum_queues_that_cannot_be_listed():
    assert quorum(rc=69, stderr='Error: unable to perform an operation on node rabbit@ctl1.') == [
        'Could not list the queues of RabbitMQ on ctl1: Error: unable to perform an operation on node rabbit@ctl1.']


@pytest.mark.parametrize('change, message', [
    ({'read': {'stdout': '[]'}}, 'list_queues result as the registered result of a command'),
    ({'host': 1}, 'host as a string'),
    ({'vhost': None}, 'vhost as a string'),
    ({'read': command(stdout='Timeout: 60.0 seconds ...')}, 'list_queues as a JSON list'),
    ({'read': command(stdout='[{"name": "conductor"}]')}, r'\{name, type, leader, members, online\}'),
    ({'read': command(stdout=json.dumps([dict(quorum_queue('a'), online='rabbit@ctl1')]))},
     r'\{name, type, leader, members, online\}'),
    ({'read': command(stdout=json.dumps([dict(quorum_queue('a'), leader=None)]))}, r'\{name, type, leader, members, online\}'),
])
def test_quorum_queue_judge_takes_only_what_its_task_reads(change, message):
    arguments = dict({'read': command(stdout='[]'), 'host': 'ctl1', 'vhost': '/'}, **change)
    with pytest.raises(AnsibleFilterError, match=message):
        QUORUM_QUEUES(arguments.pop('read'), **arguments)


# RabbitMQ: may this node stop? rabbitmq-queues check_if_node_is_quorum_critical --formatter json

def critical(*names, node='rabbit@ctl2'):
    """The check's failure: exit code 69 (unavailable), its JSON on stderr, as its CLI prints a failed check."""
    verdict = {'result': 'error', 'message': 'Node %s reported local queues with minimum online quorum' % node,
               'queues': [{'name': name, 'readable_name': "queue '%s' in vhost '/'" % name, 'type': 'quorum',
                           'virtual_host': '/'} for name in names]}
    return command(rc=69, stderr=json.dumps(verdict) + '\n')


def test_a_node_no_quorum_queue_needs_may_stop():
    assert STOP(command(stdout='{"result":"ok"}\n'), host='ctl2') == []


def test_a_node_a_quorum_queue_needs_may_not_stop():
    assert STOP(critical('conductor'), host='ctl2') == [
        "RabbitMQ on ctl2 may not be stopped now: queue 'conductor' in vhost '/' would lose its quorum; wait until its"
        " other members are online again (rabbitmq-queues quorum_status), then stop it"]
    assert STOP(critical('conductor', 'scheduler'), host='ctl2') == [
        "RabbitMQ on ctl2 may not be stopped now: queue 'conductor' in vhost '/', queue 'scheduler' in vhost '/' would"
        " lose their quorum; wait until their other members are online again (rabbitmq-queues quorum_status), then stop it"]


def test_every_critical_queue_counts_and_components_too():
    names = ['q%d' % number for number in range(8)]
    problem, = STOP(critical(*names), host='ctl2')
    assert "queue 'q4' in vhost '/' and 3 more would lose their quorum" in problem
    # RabbitMQ 4's own Raft components (Khepri's metadata store) are listed by name, type process.
    verdict = {'result': 'error', 'message': 'Node rabbit@ctl2 reported local queues with minimum online quorum',
               'queues': [{'name': 'rabbitmq_metadata', 'readable_name': 'rabbitmq_metadata', 'type': 'process',
                           'virtual_host': '-'}, {'name': 'plain'}, 'odd']}
    assert STOP(command(rc=69, stderr=json.dumps(verdict)), host='ctl2') == [
        'RabbitMQ on ctl2 may not be stopped now: rabbitmq_metadata, plain, odd would lose their quorum; wait until their'
        ' other members are online again (rabbitmq-queues quorum_status), then stop it']


@pytest.mark.parametrize('rc, stderr, said', [
    (69, "Error: unable to perform an operation on node 'rabbit@ctl2'. Please see diagnostics information and"
         " suggestions below.\n", "Error: unable to perform an operation on node 'rabbit@ctl2'. Please see diagnostics"
                                  " information and suggestions below."),
    (64, "Error: this command requires the 'rabbit' app to be running on the target node. Start it with 'rabbitmqctl"
         " start_app'.", "Error: this command requires the 'rabbit' app to be running on the target node. Start it with"
                         " 'rabbitmqctl start_app'."),
    (69, '{"result": "error", "queues": []}', '{"result": "error", "queues": []}'),
    (69, '', ''),
])
def test_a_node_that_cannot_tell_may_not_stop(rc, stderr, said):
    assert STOP(command(rc=rc, stderr=stderr), host='ctl2') == [
        'Could not ask RabbitMQ on ctl2 whether a quorum queue needs it; find out why before stopping it: ' + said]


def test_a_verdict_printed_to_stdout_counts_too():
    assert STOP(command(rc=69, stdout=critical('conductor')['stderr']), host='ctl2')[0].startswith(
        "RabbitMQ on ctl2 may not be stopped now: queue 'conductor' in vhost '/' would lose its quorum")


@pytest.mark.parametrize('read, host, message', [
    ({'stdout': '{"result":"ok"}'}, 'ctl2', 'check_if_node_is_quorum_critical result as the registered result of a command'),
    (command(), None, 'host as a string'),
])
def test_stop_judge_takes_only_what_its_task_reads(read, host, message):
    with pytest.raises(AnsibleFilterError, match=message):
        STOP(read, host=host)


# Galera, read by mariadb -N -B (a name, a tab, a value a line)

def lines(**variables):
    return ''.join('%s\t%s\n' % item for item in variables.items())


# SHOW GLOBAL VARIABLES LIKE 'wsrep_on'; SHOW GLOBAL STATUS LIKE 'wsrep_%' on a
# synced member of three, with the example values of Galera's status variables
# reference (codership/documentation, galerastatusvariables.rst); the server
# lists its status variables by name.
SYNCED = lines(
    wsrep_on='ON', wsrep_apply_oooe='0.671120', wsrep_apply_oool='0.195248', wsrep_apply_window='5.163966',
    wsrep_cert_deps_distance='23.88889', wsrep_cert_index_size='30936', wsrep_cluster_conf_id='34',
    wsrep_cluster_size='3', wsrep_cluster_state_uuid='e2c9a15e-5485-11e0-0800-6bbb637e7211', wsrep_cluster_status='Primary',
    wsrep_connected='ON', wsrep_flow_control_paused='0.184353', wsrep_last_committed='409745', wsrep_local_bf_aborts='960',
    wsrep_local_cert_failures='333', wsrep_local_commits='14981', wsrep_local_index='1', wsrep_local_recv_queue='0',
    wsrep_local_send_queue='1', wsrep_local_state='4', wsrep_local_state_comment='Synced',
    wsrep_local_state_uuid='e2c9a15e-5485-11e0-0800-6bbb637e7211', wsrep_provider_name='Galera', wsrep_provider_vendor='',
    wsrep_ready='ON')
# What a MariaDB built with wsrep reports without Galera (as read in the wild:
# cluster size 0, Disconnected, neither connected nor ready).
STANDALONE = lines(
    wsrep_on='OFF', wsrep_applier_thread_count='0', wsrep_cluster_capabilities='', wsrep_cluster_conf_id='18446744073709551615',
    wsrep_cluster_size='0', wsrep_cluster_state_uuid='', wsrep_cluster_status='Disconnected', wsrep_connected='OFF',
    wsrep_local_bf_aborts='0', wsrep_local_index='18446744073709551615', wsrep_provider_name='', wsrep_ready='OFF')


def galera(stdout=SYNCED, cluster_size=3, rc=0, stderr=''):
    return GALERA_STATUS(command(rc=rc, stdout=stdout, stderr=stderr), host='ctl2', cluster_size=cluster_size)


def changed(text, **variables):
    """text with the values of variables changed, or their lines left out where None."""
    out = []
    for line in text.splitlines(keepends=True):
        variable = line.split('\t', 1)[0]
        if variable not in variables:
            out.append(line)
        elif variables[variable] is not None:
            out.append('%s\t%s\n' % (variable, variables[variable]))
    return ''.join(out)


def test_a_synced_galera_member_read_by_the_client_has_no_problem():
    assert galera() == []
    assert galera(cluster_size='3') == []


def test_without_galera_the_client_read_is_not_judged():
    assert galera(STANDALONE) == []
    assert galera(STANDALONE, cluster_size=1) == []
    # No wsrep variable at all: a server without wsrep.
    assert galera('') == []
    assert galera('\n') == []


def test_without_wsrep_on_galera_is_judged_where_a_cluster_is_expected():
    status = changed(STANDALONE, wsrep_on=None)
    assert [problem[:40] for problem in galera(status)] == [
        "MariaDB's Galera cluster, seen from ctl2", "MariaDB's Galera cluster, seen from ctl2",
        'MariaDB on ctl2 is unknown in its Galera', 'MariaDB on ctl2 has wsrep_ready OFF: it ',
        'MariaDB on ctl2 has wsrep_connected OFF:']
    # One database host: as without Galera.
    assert galera(status, cluster_size=1) == []
    assert galera(changed(SYNCED, wsrep_on=None)) == []


@pytest.mark.parametrize('variables, expected', [
    ({'wsrep_cluster_size': '2'},
     "MariaDB's Galera cluster, seen from ctl2, has 2 members, not 3 (mariadb_health_cluster_size); bring missing nodes back"
     " (they rejoin by state transfer), or set mariadb_health_cluster_size to the database hosts there are"),
    ({'wsrep_cluster_size': '4'},
     "MariaDB's Galera cluster, seen from ctl2, has 4 members, more than 3 (mariadb_health_cluster_size); set"
     " mariadb_health_cluster_size to the database hosts there are, or stop the node that is not meant to be in it and"
     " take it out of wsrep_cluster_address"),
    ({'wsrep_cluster_status': 'non-Primary'},
     "MariaDB's Galera cluster, seen from ctl2, is not Primary (non-Primary): it lost quorum and refuses writes;"
     " restore the network between the nodes, or bootstrap the most advanced node (pc.bootstrap=YES)"),
    ({'wsrep_local_state_comment': 'Joining: receiving State Transfer'},
     'MariaDB on ctl2 is Joining: receiving State Transfer in its Galera cluster, not Synced; wait for its state transfer'
     ' to finish'),
    ({'wsrep_ready': 'OFF'},
     'MariaDB on ctl2 has wsrep_ready OFF: it refuses queries until it is back in a Primary component'),
    ({'wsrep_connected': 'OFF'},
     'MariaDB on ctl2 has wsrep_connected OFF: it reaches no other Galera node; check that the nodes reach each other on'
     ' the Galera port (4567) and that wsrep_cluster_address names them'),
])
def test_each_galera_problem_read_by_the_client(variables, expected):
    assert galera(changed(SYNCED, **variables)) == [expected]


def test_a_lone_galera_node_has_every_problem_in_order():
    # A node cut off from the other two: a non-Primary component of one.
    status = changed(SYNCED, wsrep_cluster_size='1', wsrep_cluster_status='non-Primary', wsrep_connected='OFF',
                     wsrep_local_state_comment='Initialized', wsrep_ready='OFF')
    problems = galera(status)
    assert [problem[:40] for problem in problems] == [
        "MariaDB's Galera cluster, seen from ctl2", "MariaDB's Galera cluster, seen from ctl2",
        'MariaDB on ctl2 is Initialized in its Ga', 'MariaDB on ctl2 has wsrep_ready OFF: it ',
        'MariaDB on ctl2 has wsrep_connected OFF:']
    assert ' has 1 members, not 3 ' in problems[0] and ' is not Primary (non-Primary)' in problems[1]


def test_a_mariadb_client_that_cannot_connect_is_one_problem():
    said = "ERROR 2002 (HY000): Can't connect to local server through socket '/run/mysqld/mysqld.sock' (2)\n"
    assert galera('', rc=1, stderr=said) == [
        "MariaDB on ctl2 does not answer; start it or check its log: ERROR 2002 (HY000): Can't connect to local server"
        " through socket '/run/mysqld/mysqld.sock' (2)"]


def test_galera_judges_a_mysql_query_read_as_well():
    assert GALERA_STATUS(wsrep(), host='ctl1', cluster_size=3) == []
    assert GALERA_STATUS(wsrep(wsrep_cluster_size='2'), host='ctl1', cluster_size=3)[0].startswith(
        "MariaDB's Galera cluster, seen from ctl1, has 2 members, not 3")
    assert GALERA_STATUS(wsrep('OFF', wsrep_cluster_size='0'), host='ctl1', cluster_size=3) == []
    assert GALERA_STATUS({'failed': True, 'msg': 'Access denied'}, host='ctl1', cluster_size=3) == [
        'Could not read the replication status of MariaDB on ctl1: Access denied']


def test_galera_required_where_the_role_just_configured_it():
    # The mariadb role's wait after a node starts: a node without Galera is not one that joined.
    assert GALERA_STATUS(wsrep('OFF', wsrep_cluster_size='0'), host='ctl1', cluster_size=1, required=True) == [
        'MariaDB on ctl1 runs without Galera (wsrep_on OFF); check wsrep_on and wsrep_provider in its configuration and'
        ' its log']
    assert galera(STANDALONE, cluster_size=1) == []
    assert GALERA_STATUS(command(stdout=STANDALONE), host='ctl2', cluster_size=1, required=True)[0].startswith(
        'MariaDB on ctl2 runs without Galera (wsrep_on OFF)')
    assert GALERA_STATUS(command(stdout=''), host='ctl2', cluster_size=1, required=True) == [
        'MariaDB on ctl2 runs without Galera (wsrep_on not read); check wsrep_on and wsrep_provider in its'
        ' configuration and its log']
    # A bootstrapped node alone, and a member: no problem.
    assert GALERA_STATUS(wsrep(wsrep_cluster_size='1'), host='ctl1', cluster_size=1, required=True) == []
    assert GALERA_STATUS(wsrep(), host='ctl1', cluster_size=3, required=True) == []
    # A node that does not answer is that problem, as without required.
    assert GALERA_STATUS({'failed': True, 'msg': 'Access denied'}, host='ctl1', cluster_size=3, required=True) == [
        'Could not read the replication status of MariaDB on ctl1: Access denied']


@pytest.mark.parametrize('change, message', [
    ({'read': ['wsrep_on', 'ON']}, 'replication status result as the registered result of a command or of a mysql_query'),
    ({'read': {'rc': 0}}, 'the output of mariadb as a text'),
    ({'read': command(stdout='+-----------+\n| wsrep_on  |\n')}, 'lines of a name, a tab and a value'),
    ({'host': None}, 'host as a string'),
    ({'cluster_size': 'three'}, 'cluster_size as a whole number'),
    ({'required': 'yes'}, 'required as a boolean'),
])
def test_galera_takes_only_what_its_tasks_read(change, message):
    arguments = dict({'read': command(stdout=SYNCED), 'host': 'ctl2', 'cluster_size': 3}, **change)
    with pytest.raises(AnsibleFilterError, match=message):
        GALERA_STATUS(arguments.pop('read'), **arguments)


# OVN's RAFT databases: ovs-appctl -t /var/run/ovn/ovnXX_db.ctl cluster/status DATABASE

OVN = FilterModule().filters()['ovn_cluster_problems']

# A follower of three (openvswitch/ovs-issues#177).
FOLLOWER = '''6378
Name: OVN_Southbound
Cluster ID: cd96 (cd9609bd-1755-4c95-959a-243e8e549a55)
Server ID: 6378 (63787ff6-d572-45bb-9a9f-32aa7f4b1264)
Address: tcp:10.0.0.113:5002
Status: cluster member
Role: follower
Term: 17
Leader: b8af
Vote: b8af
Election timer: 1000

Log: [100, 100]
Entries not yet committed: 0
Entries not yet applied: 0
Connections: ->b8af <-0000 <-b8af <-0000 ->3e6e <-3e6e
Servers:
    3e6e (3e6e at tcp:10.0.0.102:5002)
    b8af (b8af at tcp:10.0.0.114:5002)
    6378 (6378 at tcp:10.0.0.113:5002) (self)
'''
# The leader of the same cluster's northbound database (ibid.; its own line as ovsdb/raft.c prints it).
LEADER = '''d9a0
Name: OVN_Northbound
Cluster ID: 5b24 (5b24d5ab-b0fa-4ab0-86fd-e92a92d84463)
Server ID: d9a0 (d9a025ef-6955-4977-9963-f238ceadafbf)
Address: tcp:10.0.0.113:5001
Status: cluster member
Role: leader
Term: 76
Leader: self
Vote: self
Election timer: 1000

Log: [206, 206]
Entries not yet committed: 0
Entries not yet applied: 0
Connections: ->5fd3 <-0000 <-a20b ->a20b <-5fd3 <-0000
Servers:
    a20b (a20b at tcp:10.0.0.114:5001) next_index=206 match_index=205
    5fd3 (5fd3 at tcp:10.0.0.102:5001) next_index=206 match_index=205
    d9a0 (d9a0 at tcp:10.0.0.113:5001) (self) next_index=205 match_index=205
'''
# A leader as newer releases print it, addresses in brackets, elections and last messages (kube-ovn's docs).
LEADER_NEWER = '''9182
Name: OVN_Northbound
Cluster ID: e75f (e75fa340-49ed-45ab-990e-26cb865ebc85)
Server ID: 9182 (9182e8dd-b5b0-4dd8-8518-598cc1e374f3)
Address: tcp:[10.0.128.61]:6643
Status: cluster member
Role: leader
Term: 1454
Leader: self
Vote: self

Last Election started 1732603 ms ago, reason: timeout
Last Election won: 1732587 ms ago
Election timer: 1000
Log: [7332, 12512]
Entries not yet committed: 1
Entries not yet applied: 1
Connections: ->f080 <-f080 <-e631 ->e631
Disconnections: 1
Servers:
    f080 (f080 at tcp:[10.0.129.139]:6643) next_index=12512 match_index=12510 last msg 63 ms ago
    9182 (9182 at tcp:[10.0.128.61]:6643) (self) next_index=10394 match_index=12510
    e631 (e631 at tcp:[10.0.131.173]:6643) next_index=12512 match_index=0
'''
# A leader whose third server never finished joining (ovn-org/ovn#235).
ADDING = '''396d
Name: OVN_Southbound
Cluster ID: e15f (e15f359e-f899-4e18-9188-6b38acdb0b3f)
Server ID: 396d (396d6421-31e0-4a4a-b50f-73db4e7898a5)
Address: tcp:ovn-ovsdb-sb-0.ovn-ovsdb-sb-discovery.openstack.svc.cluster.local:6644
Status: cluster member
Adding server ad90 (ad90 at tcp:ovn-ovsdb-sb-2.ovn-ovsdb-sb-discovery.openstack.svc.cluster.local:6644) (adding: catchup)
Role: leader
Term: 4
Leader: self
Vote: self

Last Election started 5449532 ms ago, reason: timeout
Last Election won: 5449524 ms ago
Election timer: 8000
Log: [2, 17]
Entries not yet committed: 0
Entries not yet applied: 0
Connections: <-248e ->248e <-ad90
Disconnections: 0
Servers:
    396d (396d at tcp:ovn-ovsdb-sb-0.ovn-ovsdb-sb-discovery.openstack.svc.cluster.local:6644) (self) next_index=8 match_index=16
    248e (248e at tcp:ovn-ovsdb-sb-1.ovn-ovsdb-sb-discovery.openstack.svc.cluster.local:6644) next_index=17 match_index=16 last msg 475 ms ago
'''
# A candidate that knows no leader, its cluster still listing two servers of rebuilt controllers
# (openvswitch/ovs-issues#242).
CANDIDATE = '''bc77
Name: OVN_Southbound
Cluster ID: a309 (a3090f2b-0246-4daa-a14e-40e369dd955e)
Server ID: bc77 (bc77a898-f5f1-4f4a-b049-f1926274d4f3)
Address: ssl:172.16.200.147:6644
Status: cluster member
Role: candidate
Term: 8272
Leader: unknown
Vote: self

Election timer: 4000
Log: [12918559, 12918559]
Entries not yet committed: 0
Entries not yet applied: 0
Connections: (->7e27) ->b550 (->affb) (->f8be) <-b550 <-02e8
Servers:
    7e27 (7e27 at ssl:172.16.200.86:6644)
    bc77 (bc77 at ssl:172.16.200.147:6644) (self) (voted for bc77)
    b550 (b550 at ssl:172.16.200.133:6644) (voted for bc77)
    affb (affb at ssl:172.16.200.124:6644)
    f8be (f8be at ssl:172.16.200.85:6644)
'''


def ovn(stdout=FOLLOWER, servers=3, rc=0, stderr='', database='OVN_Southbound'):
    return OVN(command(rc=rc, stdout=stdout, stderr=stderr), host='ctl1', database=database, servers=servers)


def test_healthy_raft_members_have_no_problem():
    assert ovn() == []
    assert ovn(LEADER, database='OVN_Northbound') == []
    assert ovn(LEADER_NEWER, servers='3', database='OVN_Northbound') == []


@pytest.mark.parametrize('standalone', [
    # ovsdb-server's answer for a database that is not clustered (okd-project/okd#367).
    'unknown cluster\novn-appctl: /var/run/ovn/ovnnb_db.ctl: server returned an error\n',
    # And where it serves no clustered database at all, as a single controller's does: no such command (lib/unixctl.c).
    '"cluster/status" is not a valid command (use "list-commands" to see a list of valid commands)\n'
    'ovs-appctl: /var/run/ovn/ovnnb_db.ctl: server returned an error\n',
])
def test_a_standalone_database_is_no_problem_where_one_server_is_expected(standalone):
    assert ovn('', servers=1, rc=2, stderr=standalone, database='OVN_Northbound') == []
    assert ovn('', servers=3, rc=2, stderr=standalone, database='OVN_Northbound') == [
        'OVN_Northbound on ctl1 is not a cluster member: it runs standalone (cluster/status knows no cluster); make it'
        ' a RAFT cluster of the 3 controllers (ovsdb-tool create-cluster from its file on one, ovsdb-tool join-cluster on'
        ' the others)']


def test_a_controller_that_could_not_be_reached_is_not_checked():
    # A loop delegated to each controller, with ignore_unreachable.
    unreachable = {'unreachable': True, 'changed': False,
                   'msg': 'Failed to connect to the host via ssh: ssh: connect to host 10.89.42.12 port 22: No route to host'}
    assert OVN(unreachable, host='ctl2', database='OVN_Southbound', servers=3) == [
        'OVN_Southbound on ctl2 was not checked: the host could not be reached (Failed to connect to the host via ssh:'
        ' ssh: connect to host 10.89.42.12 port 22: No route to host); bring it back, or check the connection to it']
    assert OVN({'unreachable': True}, host='ctl2', database='OVN_Southbound', servers=3)[0].startswith(
        'OVN_Southbound on ctl2 was not checked: the host could not be reached (unreachable)')


def test_a_database_server_that_does_not_answer_is_one_problem():
    # ovn-central not running (openshift/cluster-network-operator#896).
    said = ('2021-01-05T14:30:27Z|00001|unixctl|WARN|failed to connect to /var/run/ovn/ovnnb_db.ctl\n'
            'ovn-appctl: cannot connect to "/var/run/ovn/ovnnb_db.ctl" (No such file or directory)\n')
    assert ovn('', rc=1, stderr=said, database='OVN_Northbound') == [
        "OVN_Northbound's ovsdb-server on ctl1 does not answer; start ovn-central there, or check its log:"
        ' 2021-01-05T14:30:27Z|00001|unixctl|WARN|failed to connect to /var/run/ovn/ovnnb_db.ctl\novn-appctl: cannot connect'
        ' to "/var/run/ovn/ovnnb_db.ctl" (No such file or directory)']


def test_a_leader_that_cannot_add_its_third_server():
    assert ovn(ADDING) == [
        'OVN_Southbound, seen from ctl1, has 2 servers, not 3 (396d at'
        ' tcp:ovn-ovsdb-sb-0.ovn-ovsdb-sb-discovery.openstack.svc.cluster.local:6644, 248e at'
        ' tcp:ovn-ovsdb-sb-1.ovn-ovsdb-sb-discovery.openstack.svc.cluster.local:6644); join the database of each missing'
        ' controller to the cluster (ovsdb-tool join-cluster there)']
    assert ovn(ADDING, servers=2) == []


def test_a_candidate_without_leader_in_a_cluster_of_stale_servers():
    servers = ('7e27 at ssl:172.16.200.86:6644, bc77 at ssl:172.16.200.147:6644, b550 at ssl:172.16.200.133:6644,'
               ' affb at ssl:172.16.200.124:6644, f8be at ssl:172.16.200.85:6644')
    assert ovn(CANDIDATE) == [
        'OVN_Southbound, seen from ctl1, knows no leader (role candidate, term 8272), so it takes no write; a majority of'
        ' its servers (%s) must be running and reach each other: start ovn-central where it is down, or restore the network'
        ' between them' % servers,
        'OVN_Southbound, seen from ctl1, has 5 servers, more than 3 (%s), and those gone still count toward its majority;'
        ' remove each gone one (ovs-appctl cluster/kick OVN_Southbound SERVER_ID on a member)' % servers]
    assert ovn(CANDIDATE, servers=5)[0].startswith('OVN_Southbound, seen from ctl1, knows no leader (role candidate')


def test_a_leader_line_missing_is_no_leader_known():
    problems = ovn(FOLLOWER.replace('Leader: b8af\n', ''))
    assert problems == [problems[0]] and problems[0].startswith(
        'OVN_Southbound, seen from ctl1, knows no leader (role follower, term 17), so it takes no write')


def test_a_server_its_cluster_does_not_list():
    assert ovn(FOLLOWER.replace(' (self)', '')) == [
        'OVN_Southbound on ctl1 (server 6378 at tcp:10.0.0.113:5002) is not a cluster member: its cluster does not list it'
        ' (it was removed from it); remove its database file and join it again (ovsdb-tool join-cluster), then restart'
        ' ovn-central there']


WHERE = 'OVN_Southbound on ctl1 (server 6378 at tcp:10.0.0.113:5002)'


@pytest.mark.parametrize('state, extra, expected', [
    ('joining cluster', 'Remotes for joining: tcp:10.0.0.102:5002 tcp:10.0.0.114:5002\n',
     WHERE + ' is still joining its cluster, not a cluster member yet; wait, and if it stays so check that it reaches the'
             ' servers it joins'),
    ('leaving cluster', '',
     WHERE + ' is leaving its cluster, not a cluster member; once it has left, remove its database file and join it again'
             ' (ovsdb-tool join-cluster), then restart ovn-central there'),
    ('left cluster', '',
     WHERE + ' has left its cluster, not a cluster member; remove its database file and join it again (ovsdb-tool'
             ' join-cluster), then restart ovn-central there'),
    ('failed', '',
     WHERE + ' failed in its cluster, not a cluster member; read the ovsdb-server log there, then remove its database file'
             ' and join it again (ovsdb-tool join-cluster)'),
    ('disconnected from the cluster (election timeout)', '',
     WHERE + ' is disconnected from its cluster (election timeout), not a cluster member: it reaches no majority of its'
             ' servers (3e6e at tcp:10.0.0.102:5002, b8af at tcp:10.0.0.114:5002, 6378 at tcp:10.0.0.113:5002); start'
             ' ovn-central where it is down, or restore the network between them'),
    ('catching up', '', WHERE + ' is catching up, not a cluster member; read the ovsdb-server log there'),
])
def test_each_status_but_cluster_member_is_that_one_problem(state, extra, expected):
    # Its own view of leader and servers is not judged: a candidate knowing no leader, say.
    status = FOLLOWER.replace('Status: cluster member\n', 'Status: %s\n%s' % (state, extra)).replace('Leader: b8af', 'Leader: unknown')
    assert ovn(status) == [expected]


def test_a_joining_server_that_lists_no_server_yet():
    status = FOLLOWER.split('Servers:', maxsplit=1)[0].replace('Status: cluster member', 'Status: disconnected from the cluster (election timeout)')
    assert ovn(status + 'Servers:\n')[0].endswith('it reaches no majority of its servers (none listed); start ovn-central'
                                                  ' where it is down, or restore the network between them')


@pytest.mark.parametrize('change, message', [
    ({'read': {'stdout': FOLLOWER}}, 'cluster/status result as the registered result of a command'),
    ({'host': None}, 'host as a string'),
    ({'database': ['OVN_Southbound']}, 'database as a string'),
    ({'servers': 'three'}, 'servers as a whole number'),
    ({'read': {'rc': 0}}, 'the output of cluster/status as a text'),
    ({'read': command(stdout='OVN_Southbound: standalone')}, 'a RAFT status with a Status and a Role'),
])
def test_ovn_judge_takes_only_what_its_task_reads(change, message):
    arguments = dict({'read': command(stdout=FOLLOWER), 'host': 'ctl1', 'database': 'OVN_Southbound', 'servers': 3}, **change)
    with pytest.raises(AnsibleFilterError, match=message):
        OVN(arguments.pop('read'), **arguments)
