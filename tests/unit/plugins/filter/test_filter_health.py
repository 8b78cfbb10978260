# Copyright: Contributors to the stackroll.lifecycle project
# Apache License 2.0 (see LICENSE)
"""The health judges of a RabbitMQ node and a MariaDB server: each problem, word for word.

The cluster judges (Galera, quorum queues, OVN) are tested in test_filter_cluster_health.py."""
from __future__ import annotations

import json

import pytest
from ansible.errors import AnsibleFilterError
from jinja2 import Environment
from jinja2.filters import do_truncate

from ansible_collections.stackroll.lifecycle.plugins.filter.health import FilterModule

RABBITMQ = FilterModule().filters()['rabbitmq_health_problems']
MARIADB = FilterModule().filters()['mariadb_health_problems']
MEMBERS = ['rabbit@ctl1', 'rabbit@ctl2', 'rabbit@ctl3']
IGNORE = ['^reply_', '_fanout_']


# RabbitMQ

def command(rc=0, stdout='', stderr=''):
    return {'rc': rc, 'stdout': stdout, 'stderr': stderr, 'changed': False}


def cluster(**status):
    """A cluster_status read, healthy but for what status sets."""
    healthy = {'disk_nodes': MEMBERS, 'ram_nodes': [], 'running_nodes': MEMBERS, 'partitions': {}, 'alarms': []}
    return command(stdout=json.dumps(dict(healthy, **status)))


def queue(name, messages=0, consumers=1):
    return {'name': name, 'messages': messages, 'consumers': consumers}


def queues(*listed):
    return command(stdout=json.dumps(list(listed)))


def rabbitmq(read_cluster=None, read_queues=None, ignore_queues=None, max_messages=1000):
    return RABBITMQ(read_cluster or cluster(), read_queues or queues(), host='ctl1', vhost='/',
                    ignore_queues=IGNORE if ignore_queues is None else ignore_queues, max_messages=max_messages)


def no_consumer(name, messages):
    return ('RabbitMQ queue %s (vhost /, %s messages) has no consumer; start the service that reads it,'
            ' or delete the queue (rabbitmqctl delete_queue) if that service is gone' % (name, messages))


def backlog(name, messages):
    return ('RabbitMQ queue %s (vhost /) holds %s messages, over 1000; its consumers do not keep up:'
            ' check the services that read it' % (name, messages))


def test_a_healthy_rabbitmq_has_no_problem():
    # oslo.messaging's reply and fanout queues outlive their consumers.
    listed = queues(queue('compute', 3), queue('reply_4f1c', 0, 0), queue('scheduler_fanout_9a2b', 0, 0),
                    queue('conductor', 1000))
    assert rabbitmq(read_queues=listed) == []


def test_a_rabbitmq_node_that_does_not_answer_is_one_problem():
    down = command(rc=69, stdout='', stderr='\nError: unable to perform an operation on node rabbit@ctl1.\n')
    assert rabbitmq(down, command(rc=69, stderr='Error')) == [
        'RabbitMQ on ctl1 does not answer; start it or check its node:'
        ' Error: unable to perform an operation on node rabbit@ctl1.']


def test_without_an_error_its_output_is_quoted():
    assert rabbitmq(command(rc=2, stdout=' said this ')) == [
        'RabbitMQ on ctl1 does not answer; start it or check its node: said this']


@pytest.mark.parametrize('said', ['word ' * 61, 'word ' * 80, 'x' * 400, 'a' * 296 + ' ' + 'b' * 20])
def test_what_it_said_is_cut_at_a_word_as_jinja_truncate_cuts(said):
    problem, = rabbitmq(command(rc=69, stderr=said))
    assert problem == ('RabbitMQ on ctl1 does not answer; start it or check its node: '
                       + do_truncate(Environment(), said.strip(), 300))


def test_each_member_not_running_is_named_in_the_cluster_status_order():
    status = cluster(disk_nodes=['rabbit@ctl3', 'rabbit@ctl1'], ram_nodes=['rabbit@ctl2', 'rabbit@ctl3'],
                     running_nodes=['rabbit@ctl1'])
    assert rabbitmq(status) == [
        'RabbitMQ cluster member %s is not running; start it, or remove it with rabbitmqctl forget_cluster_node'
        ' if it is gone' % member for member in ('rabbit@ctl3', 'rabbit@ctl2')]


def test_partitions_are_shown_as_json():
    status = cluster(partitions={'rabbit@ctl1': ['rabbit@ctl3'], 'rabbit@ctl2': ['rabbit@ctl3']})
    assert rabbitmq(status) == [
        'RabbitMQ has network partitions ({"rabbit@ctl1": ["rabbit@ctl3"], "rabbit@ctl2": ["rabbit@ctl3"]});'
        ' restart the nodes of the minority side so they rejoin']


@pytest.mark.parametrize('alarm, expected', [
    ({'type': 'resource_limit', 'resource': 'memory', 'node': 'rabbit@ctl2'},
     "RabbitMQ's memory alarm is raised on rabbit@ctl2, so it blocks every publisher and OpenStack's RPC stalls;"
     " free memory there, or raise vm_memory_high_watermark"),
    ({'type': 'resource_limit', 'resource': 'disk', 'node': 'rabbit@ctl1'},
     "RabbitMQ's disk alarm is raised on rabbit@ctl1, so it blocks every publisher and OpenStack's RPC stalls;"
     " free disk space there, or lower disk_free_limit"),
    ({'type': 'resource_limit', 'resource': 'file_descriptors', 'node': 'rabbit@ctl3'},
     "RabbitMQ's file descriptor alarm is raised on rabbit@ctl3: it refuses new connections;"
     " raise the open files limit (LimitNOFILE) of rabbitmq-server"),
    ({'resource': 'quorum', 'node': 'rabbit@ctl1'}, "RabbitMQ's quorum alarm is raised on rabbit@ctl1; clear its cause"),
    ({'type': 'resource_limit'}, "RabbitMQ's unknown alarm is raised on ?; clear its cause"),
    ({'resource': 'memory'}, "RabbitMQ's memory alarm is raised on ?, so it blocks every publisher and OpenStack's RPC stalls;"
                             " free memory there, or raise vm_memory_high_watermark"),
    ('file_descriptor_limit', "RabbitMQ's unknown alarm is raised on ?; clear its cause"),
])
def test_each_alarm_says_what_to_do(alarm, expected):
    assert rabbitmq(cluster(alarms=[alarm])) == [expected]


def test_queues_that_cannot_be_listed():
    assert rabbitmq(read_queues=command(rc=2, stdout='', stderr='Error: vhost /nova does not exist\n')) == [
        'Could not list the queues of RabbitMQ on ctl1: Error: vhost /nova does not exist']


def test_a_queue_without_consumer_is_named_with_what_it_holds():
    assert rabbitmq(read_queues=queues(queue('compute.ctl2', 12, 0))) == [no_consumer('compute.ctl2', 12)]


def test_a_backlog_is_over_max_messages():
    listed = queues(queue('conductor', 1001, 2), queue('scheduler', 1000, 1))
    assert rabbitmq(read_queues=listed) == [backlog('conductor', 1001)]
    assert rabbitmq(read_queues=listed, max_messages='999') == [
        backlog('conductor', 1001).replace('over 1000', 'over 999'),
        backlog('scheduler', 1000).replace('over 1000', 'over 999')]


def test_queues_go_by_name_without_consumer_first_each_once():
    listed = queues(queue('scheduler', 5000, 1), queue('Conductor', 7, 0), queue('compute', 5000, 0), queue('cinder', 2000, 1))
    assert rabbitmq(read_queues=listed) == [
        no_consumer('compute', 5000), no_consumer('Conductor', 7), backlog('cinder', 2000), backlog('scheduler', 5000)]


def test_ignored_queues_are_searched_by_pattern():
    listed = queues(queue('reply_1', 5000, 0), queue('compute_fanout_2', 0, 0), queue('notifications.info', 3000, 0))
    assert rabbitmq(read_queues=listed) == [no_consumer('notifications.info', 3000)]
    assert rabbitmq(read_queues=listed, ignore_queues=['^notifications[.]', 'fanout', '^reply_']) == []
    assert rabbitmq(read_queues=listed, ignore_queues=[]) == [
        no_consumer('compute_fanout_2', 0), no_consumer('notifications.info', 3000), no_consumer('reply_1', 5000)]


def test_every_problem_in_its_order():
    status = cluster(running_nodes=MEMBERS[:2], partitions={'rabbit@ctl1': ['rabbit@ctl3']},
                     alarms=[{'resource': 'disk', 'node': 'rabbit@ctl1'}, {'resource': 'memory', 'node': 'rabbit@ctl2'}])
    problems = rabbitmq(status, queues(queue('b', 2000, 1), queue('a', 1, 0)))
    assert [problem.split(' ', 3)[:3] for problem in problems] == [
        ['RabbitMQ', 'cluster', 'member'], ['RabbitMQ', 'has', 'network'], ["RabbitMQ's", 'disk', 'alarm'],
        ["RabbitMQ's", 'memory', 'alarm'], ['RabbitMQ', 'queue', 'a'], ['RabbitMQ', 'queue', 'b']]


@pytest.mark.parametrize('change, message', [
    ({'read_cluster': {'stdout': '{}'}}, 'cluster_status result as the registered result of a command'),
    ({'read_queues': ['not', 'a', 'result']}, 'list_queues result as the registered result of a command'),
    ({'host': None}, 'host as a string'),
    ({'vhost': 1}, 'vhost as a string'),
    ({'ignore_queues': '^reply_'}, 'ignore_queues as a list of strings'),
    ({'ignore_queues': ['(']}, 'ignore_queues holds an invalid regular expression'),
    ({'max_messages': 'many'}, 'max_messages as a whole number'),
    ({'max_messages': True}, 'max_messages as a whole number'),
    ({'read_cluster': command(stdout='Cluster status of node rabbit@ctl1')}, 'cluster_status as a JSON object'),
    ({'read_queues': command(stdout='{}')}, 'list_queues as a JSON list'),
    ({'read_queues': queues({'name': 'compute'})}, r'list_queues as \{name, messages, consumers\}'),
])
def test_rabbitmq_takes_only_what_its_tasks_read(change, message):
    arguments = dict({'read_cluster': cluster(), 'read_queues': queues(), 'host': 'ctl1', 'vhost': '/',
                      'ignore_queues': IGNORE, 'max_messages': 1000}, **change)
    with pytest.raises(AnsibleFilterError, match=message):
        RABBITMQ(arguments.pop('read_cluster'), arguments.pop('read_queues'), **arguments)


# RabbitMQ clusters: the expected members

def listeners(node):
    return [{'node': node, 'interface': '[::]', 'port': 25672, 'protocol': 'clustering',
             'purpose': 'inter-node and CLI tool communication'},
            {'node': node, 'interface': '[::]', 'port': 5672, 'protocol': 'amqp', 'purpose': 'AMQP 0-9-1 and AMQP 1.0'}]


def cluster_4x(running=None, **status):
    """rabbitmq-diagnostics cluster_status --formatter json of RabbitMQ 4.x (keys as its ClusterStatusCommand
    makes them: no ram_nodes since 4.0), healthy but for what status sets."""
    running = list(MEMBERS) if running is None else running
    healthy = {
        'alarms': [], 'cluster_name': 'rabbit@ctl1', 'cluster_tags': {}, 'cpu_cores': {node: 4 for node in running},
        'disk_nodes': MEMBERS,
        'feature_flags': [{'name': 'khepri_db', 'state': 'enabled', 'stability': 'stable', 'desc': 'New Raft-based metadata store.',
                           'doc_url': '', 'provided_by': 'rabbit'}],
        'listeners': {node: listeners(node) for node in running},
        'maintenance_status': {node: 'not under maintenance' for node in running},
        'partitions': {}, 'running_nodes': running,
        'versions': {node: {'rabbitmq_name': 'RabbitMQ', 'rabbitmq_version': '4.1.3', 'erlang_version': '26.2.5.14'}
                     for node in running},
    }
    return command(stdout=json.dumps(dict(healthy, **status)))


def not_joined(member, join='rabbit@ctl1'):
    return ('RabbitMQ node %s is not in the cluster of ctl1; join it: on its host rabbitmqctl stop_app, rabbitmqctl'
            ' join_cluster %s, rabbitmqctl start_app' % (member, join))


def not_running(member):
    return ('RabbitMQ cluster member %s is not running; start it, or remove it with rabbitmqctl forget_cluster_node'
            ' if it is gone' % (member,))


def cluster_of(read_cluster, members=tuple(MEMBERS)):
    """The judge's problems, with the members expected (the three by default)."""
    members = list(members) if isinstance(members, tuple) else members
    return RABBITMQ(read_cluster, queues(), host='ctl1', vhost='/', ignore_queues=IGNORE, max_messages=1000, members=members)


def test_a_healthy_cluster_of_three_has_no_problem():
    assert cluster_of(cluster_4x()) == []
    assert cluster_of(cluster()) == []
    assert cluster_of(cluster_4x(), members=[]) == []


def test_each_expected_member_not_running_is_named():
    assert cluster_of(cluster_4x(running=['rabbit@ctl1'])) == [not_running('rabbit@ctl2'), not_running('rabbit@ctl3')]


def test_an_expected_node_that_never_joined_is_named_with_how_to_join():
    # ctl3 was deployed on its own: the cluster of ctl1 and ctl2 does not know it.
    status = cluster_4x(running=MEMBERS[:2], disk_nodes=MEMBERS[:2])
    assert cluster_of(status) == [not_joined('rabbit@ctl3')]
    assert cluster_of(cluster_4x(running=[], disk_nodes=[])) == [
        not_joined(member, 'a running member') for member in MEMBERS]
    # Without expected members, as before: only the cluster's own are judged.
    assert cluster_of(status, members=None) == []


def test_a_node_that_does_not_answer_names_no_member():
    down = command(rc=69, stderr='Error: unable to perform an operation on node rabbit@ctl1.')
    assert cluster_of(down) == [
        'RabbitMQ on ctl1 does not answer; start it or check its node: Error: unable to perform an operation on node'
        ' rabbit@ctl1.']


def test_running_nodes_run_together_as_rabbitmq_4_1_3_prints_them():
    # rabbitmq-server#14398: running_nodes came out as one string in 4.1.0 to 4.1.3.
    assert cluster_of(cluster_4x(running_nodes='rabbit@ctl2rabbit@ctl1rabbit@ctl3')) == []
    assert cluster_of(cluster_4x(running_nodes='rabbit@ctl3rabbit@ctl1')) == [not_running('rabbit@ctl2')]
    members = ['rabbit@ctl1', 'rabbit@ctl10']
    assert cluster_of(cluster_4x(running_nodes='rabbit@ctl10', disk_nodes=members), members) == [not_running('rabbit@ctl1')]
    assert cluster_of(cluster_4x(running_nodes='', disk_nodes=members), members) == [not_running(m) for m in members]
    assert cluster_of(cluster_4x(running_nodes='rabbit@ctl1', disk_nodes=['rabbit@ctl1']), []) == []


def test_members_must_be_node_names():
    with pytest.raises(AnsibleFilterError, match='members as a list of strings'):
        cluster_of(cluster_4x(), members='rabbit@ctl1')


# RabbitMQ clusters: how many members, and the cluster alone (a rolling restart's wait)

def sized(read_cluster, cluster_size, read_queues=None):
    return RABBITMQ(read_cluster, read_queues, host='ctl1', vhost='/', ignore_queues=IGNORE, max_messages=1000,
                    cluster_size=cluster_size)


def test_a_cluster_of_its_size_has_no_problem():
    assert sized(cluster(), 3) == []
    assert sized(cluster(), '3') == []
    assert sized(cluster(disk_nodes=['rabbit@ctl1'], running_nodes=['rabbit@ctl1']), 1) == []


def test_a_cluster_with_a_member_missing_says_how_to_join_it():
    status = cluster(disk_nodes=MEMBERS[:2], running_nodes=MEMBERS[:2])
    assert sized(status, 3) == [
        "RabbitMQ's cluster, seen from ctl1, has 2 members (rabbit@ctl1, rabbit@ctl2), not 3; join the node of each"
        ' controller missing: on its host rabbitmqctl stop_app, rabbitmqctl reset, rabbitmqctl join_cluster with a'
        ' member, rabbitmqctl start_app (site.yml does it)']


def test_a_cluster_with_a_member_gone_for_good_says_how_to_forget_it():
    members = MEMBERS + ['rabbit@ctl4']
    assert sized(cluster(disk_nodes=members, running_nodes=MEMBERS), 3) == [
        not_running('rabbit@ctl4'),
        "RabbitMQ's cluster, seen from ctl1, has 4 members (rabbit@ctl1, rabbit@ctl2, rabbit@ctl3, rabbit@ctl4), more"
        ' than 3; remove each node gone for good (rabbitmqctl forget_cluster_node on a member)']


def test_a_node_that_does_not_answer_is_not_counted():
    down = command(rc=69, stderr='Error: unable to perform an operation on node rabbit@ctl1.')
    assert sized(down, 3) == ['RabbitMQ on ctl1 does not answer; start it or check its node: Error: unable to perform'
                              ' an operation on node rabbit@ctl1.']


def test_without_queues_only_the_node_and_its_cluster_are_judged():
    # A restarted node's clients reconnect: their queues are not judged meanwhile.
    listed = queues(queue('compute.ctl2', 12, 0), queue('conductor', 5000, 1))
    assert sized(cluster(), 3, listed) == [no_consumer('compute.ctl2', 12), backlog('conductor', 5000)]
    assert sized(cluster(), 3) == []
    assert sized(cluster(running_nodes=MEMBERS[1:], partitions={'rabbit@ctl2': ['rabbit@ctl1']}), 3) == [
        not_running('rabbit@ctl1'),
        'RabbitMQ has network partitions ({"rabbit@ctl2": ["rabbit@ctl1"]}); restart the nodes of the minority side'
        ' so they rejoin']


@pytest.mark.parametrize('size', ['three', True, [3]])
def test_a_cluster_size_is_a_whole_number(size):
    with pytest.raises(AnsibleFilterError, match='cluster_size as a whole number'):
        sized(cluster(), size)


# MariaDB

DATABASES = ['keystone', 'glance', 'nova']
GALERA = {'wsrep_cluster_size': '3', 'wsrep_cluster_status': 'Primary', 'wsrep_local_state_comment': 'Synced',
          'wsrep_ready': 'ON', 'wsrep_connected': 'ON'}


def tables(*names):
    return {'changed': False, 'query_result': [[{'name': name, 'tables': 40} for name in names]], 'rowcount': [len(names)]}


def wsrep(wsrep_on='ON', **status):
    """The replication status, of a healthy Galera node but for what status sets."""
    rows = [{'Variable_name': key, 'Value': value} for key, value in dict(GALERA, **status).items() if value is not None]
    return {'changed': False, 'query_result': [[{'Variable_name': 'wsrep_on', 'Value': wsrep_on}], rows]}


def mariadb(read_tables=None, read_wsrep=None, cluster_size=3):
    return MARIADB(read_tables or tables(*DATABASES), read_wsrep or wsrep(), host='ctl1', databases=DATABASES,
                   cluster_size=cluster_size)


def test_a_healthy_galera_node_has_no_problem():
    assert mariadb() == []
    assert mariadb(cluster_size='3') == []


def test_without_galera_its_status_is_not_judged():
    assert mariadb(read_wsrep=wsrep('OFF', wsrep_cluster_size='0', wsrep_cluster_status='Disconnected',
                                    wsrep_local_state_comment=None, wsrep_ready='OFF')) == []
    assert mariadb(read_wsrep={'changed': False, 'query_result': [[], []]}) == []


def test_a_mariadb_that_does_not_answer_is_one_problem():
    down = {'failed': True, 'msg': "unable to connect to database: (2002, \"Can't connect to local server\")"}
    skipped = {'changed': False, 'skipped': True, 'skip_reason': 'Conditional result was False'}
    assert mariadb(down, skipped) == [
        'MariaDB on ctl1 does not answer; start it or check its log:'
        ' unable to connect to database: (2002, "Can\'t connect to local server")']
    assert mariadb({'failed': True}, skipped) == ['MariaDB on ctl1 does not answer; start it or check its log: ']


def test_each_database_without_tables_is_named_in_the_given_order():
    assert mariadb(tables('glance')) == [
        'MariaDB on ctl1 has no tables in database %s; deploy the service that owns it, or restore it' % database
        for database in ('keystone', 'nova')]
    assert mariadb({'changed': False, 'query_result': []})[0].endswith('database keystone; deploy the service that owns it, or restore it')


def test_a_replication_status_that_cannot_be_read():
    assert mariadb(tables('nova'), {'failed': True, 'msg': 'Access denied'}) == [
        'MariaDB on ctl1 has no tables in database keystone; deploy the service that owns it, or restore it',
        'MariaDB on ctl1 has no tables in database glance; deploy the service that owns it, or restore it',
        'Could not read the replication status of MariaDB on ctl1: Access denied']
    assert mariadb(read_wsrep={'skipped': True}) == ['Could not read the replication status of MariaDB on ctl1: ']


@pytest.mark.parametrize('status, expected', [
    ({'wsrep_cluster_size': '2'},
     "MariaDB's Galera cluster, seen from ctl1, has 2 members, not 3 (mariadb_health_cluster_size); bring missing nodes back"
     " (they rejoin by state transfer), or set mariadb_health_cluster_size to the database hosts there are"),
    ({'wsrep_cluster_size': None},
     "MariaDB's Galera cluster, seen from ctl1, has no members, not 3 (mariadb_health_cluster_size); bring missing nodes back"
     " (they rejoin by state transfer), or set mariadb_health_cluster_size to the database hosts there are"),
    ({'wsrep_cluster_status': 'non-Primary'},
     "MariaDB's Galera cluster, seen from ctl1, is not Primary (non-Primary): it lost quorum and refuses writes;"
     " restore the network between the nodes, or bootstrap the most advanced node (pc.bootstrap=YES)"),
    ({'wsrep_cluster_status': None},
     "MariaDB's Galera cluster, seen from ctl1, is not Primary (unknown): it lost quorum and refuses writes;"
     " restore the network between the nodes, or bootstrap the most advanced node (pc.bootstrap=YES)"),
    ({'wsrep_local_state_comment': 'Donor/Desynced'},
     'MariaDB on ctl1 is Donor/Desynced in its Galera cluster, not Synced; wait for its state transfer to finish'),
    ({'wsrep_local_state_comment': None},
     'MariaDB on ctl1 is unknown in its Galera cluster, not Synced; wait for its state transfer to finish'),
    ({'wsrep_ready': 'OFF'},
     'MariaDB on ctl1 has wsrep_ready OFF: it refuses queries until it is back in a Primary component'),
    ({'wsrep_ready': None},
     'MariaDB on ctl1 has wsrep_ready unknown: it refuses queries until it is back in a Primary component'),
    ({'wsrep_connected': 'OFF'},
     'MariaDB on ctl1 has wsrep_connected OFF: it reaches no other Galera node; check that the nodes reach each other on'
     ' the Galera port (4567) and that wsrep_cluster_address names them'),
    ({'wsrep_connected': None},
     'MariaDB on ctl1 has wsrep_connected unknown: it reaches no other Galera node; check that the nodes reach each other on'
     ' the Galera port (4567) and that wsrep_cluster_address names them'),
    ({'wsrep_cluster_size': '4'},
     "MariaDB's Galera cluster, seen from ctl1, has 4 members, more than 3 (mariadb_health_cluster_size); set"
     " mariadb_health_cluster_size to the database hosts there are, or stop the node that is not meant to be in it and"
     " take it out of wsrep_cluster_address"),
])
def test_each_galera_problem_says_what_to_do(status, expected):
    assert mariadb(read_wsrep=wsrep(**status)) == [expected]


def test_a_cluster_size_counts_as_a_number():
    assert mariadb(read_wsrep=wsrep(wsrep_cluster_size='3.0')) == []
    assert mariadb(read_wsrep=wsrep(wsrep_cluster_size='1'), cluster_size='1') == []


def test_every_galera_problem_in_its_order():
    problems = mariadb(tables('glance', 'nova'), wsrep(wsrep_cluster_size='1', wsrep_cluster_status='non-Primary',
                                                       wsrep_local_state_comment='Initialized', wsrep_ready='OFF',
                                                       wsrep_connected='OFF'))
    assert [problem[:40] for problem in problems] == [
        'MariaDB on ctl1 has no tables in databas', "MariaDB's Galera cluster, seen from ctl1",
        "MariaDB's Galera cluster, seen from ctl1", 'MariaDB on ctl1 is Initialized in its Ga',
        'MariaDB on ctl1 has wsrep_ready OFF: it ', 'MariaDB on ctl1 has wsrep_connected OFF:']
    assert ' has 1 members, not 3 ' in problems[1] and ' is not Primary (non-Primary)' in problems[2]


@pytest.mark.parametrize('change, message', [
    ({'read_tables': None}, 'table count result as a registered mysql_query result'),
    ({'read_tables': {'query_result': 'keystone'}}, 'table count result as a registered mysql_query result'),
    ({'read_wsrep': []}, 'replication status result as a registered mysql_query result'),
    ({'host': ['ctl1']}, 'host as a string'),
    ({'databases': 'keystone'}, 'databases as a list of strings'),
    ({'cluster_size': None}, 'cluster_size as a whole number'),
    ({'cluster_size': 'three'}, 'cluster_size as a whole number'),
])
def test_mariadb_takes_only_what_its_tasks_read(change, message):
    arguments = dict({'read_tables': tables(*DATABASES), 'read_wsrep': wsrep(), 'host': 'ctl1', 'databases': DATABASES,
                      'cluster_size': 3}, **change)
    with pytest.raises(AnsibleFilterError, match=message):
        MARIADB(arguments.pop('read_tables'), arguments.pop('read_wsrep'), **arguments)


def test_a_single_node_with_galera_is_judged_as_before():
    # One controller: Galera on, a cluster of one, as today.
    assert mariadb(read_wsrep=wsrep(wsrep_cluster_size='1'), cluster_size=1) == []
    assert mariadb(read_wsrep=wsrep(wsrep_cluster_size='1', wsrep_local_state_comment='Donor/Desynced'), cluster_size=1) == [
        'MariaDB on ctl1 is Donor/Desynced in its Galera cluster, not Synced; wait for its state transfer to finish']
