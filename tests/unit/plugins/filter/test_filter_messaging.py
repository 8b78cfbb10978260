# Copyright: Contributors to the stackroll.lifecycle project
# Apache License 2.0 (see LICENSE)
"""RabbitMQ for OpenStack: the services' transport_url and [oslo_messaging_rabbit] options, and a cluster's node names,
their resolution and which node must join."""
from __future__ import annotations

import json

import pytest
from ansible.errors import AnsibleFilterError

from ansible_collections.stackroll.lifecycle.plugins.filter.messaging import FilterModule
from ansible_collections.stackroll.lifecycle.plugins.module_utils._release_data import release

FILTERS = FilterModule().filters()
TRANSPORT_URL = FILTERS['transport_url']
OPTIONS = FILTERS['oslo_messaging_rabbit']
NODES = FILTERS['rabbitmq_nodes']
NAME_PROBLEMS = FILTERS['rabbitmq_name_problems']
MUST_JOIN = FILTERS['rabbitmq_must_join']
QUORUM = {'rabbit_quorum_queue': True, 'rabbit_transient_quorum_queue': True}


def command(rc=0, stdout='', stderr='', **extra):
    return dict({'rc': rc, 'stdout': stdout, 'stderr': stderr, 'changed': False}, **extra)


# transport_url

def test_one_node_is_the_url_a_single_node_always_had():
    # As nova's and neutron's defaults wrote it before: rabbit://USER:PASSWORD@ADDRESS:5672/
    password = 'Zq3xT9aLw0pR7vN2mK5cY8bE1hU4jD6s'
    assert TRANSPORT_URL(['10.89.42.10'], 'nova', password) == 'rabbit://nova:%s@10.89.42.10:5672/' % password
    assert TRANSPORT_URL('10.89.42.10', 'nova', password) == 'rabbit://nova:%s@10.89.42.10:5672/' % password


def test_every_node_with_the_same_user_in_their_order():
    assert TRANSPORT_URL(['192.0.2.11', '192.0.2.12', '192.0.2.13'], 'neutron', 'pw', port=5673) == (
        'rabbit://neutron:pw@192.0.2.11:5673,neutron:pw@192.0.2.12:5673,neutron:pw@192.0.2.13:5673/')


def test_credentials_are_quoted_and_ipv6_is_bracketed():
    assert TRANSPORT_URL(['2001:db8::11', 'rabbit1.example.com'], 'no va', 'p@ss:w/rd%') == (
        'rabbit://no%20va:p%40ss%3Aw%2Frd%25@[2001:db8::11]:5672,no%20va:p%40ss%3Aw%2Frd%25@rabbit1.example.com:5672/')


@pytest.mark.parametrize('addresses, user, password, port, message', [
    ([], 'nova', 'pw', 5672, 'a non-empty list of addresses'),
    ([' '], 'nova', 'pw', 5672, 'a non-empty list of addresses'),
    ([1], 'nova', 'pw', 5672, 'a list of strings'),
    (['192.0.2.11'], '', 'pw', 5672, 'user as a non-empty string'),
    (['192.0.2.11'], 'nova', None, 5672, 'password as a string'),
    (['192.0.2.11'], 'nova', 'pw', 0, 'a port number'),
    (['192.0.2.11'], 'nova', 'pw', '5672', 'a port number'),
])
def test_transport_url_refuses_what_it_cannot_write(addresses, user, password, port, message):
    with pytest.raises(AnsibleFilterError, match=message):
        TRANSPORT_URL(addresses, user, password, port=port)


# [oslo_messaging_rabbit]

@pytest.mark.parametrize('series', ['2025.1', '2025.2', '2026.1', '2026.2'])
def test_a_cluster_gets_quorum_queues_in_every_release(series):
    assert OPTIONS(release(series), cluster=True, options=QUORUM) == QUORUM


def test_a_single_node_gets_no_section():
    assert OPTIONS(release('2026.2'), cluster=False, options=QUORUM) == {}
    assert OPTIONS(release('2026.2'), cluster=False, options={'no_such_option': True}) == {}


def test_an_option_set_to_null_is_left_out():
    assert OPTIONS(release('2026.1'), cluster=True, options=dict(QUORUM, use_queue_manager=None)) == QUORUM


def test_an_option_the_release_lacks_is_refused_with_those_it_has():
    entry = dict(release('2025.1'))
    entry['oslo_messaging'] = {'version': '16.1.2', 'rabbit_queue_options': ['rabbit_quorum_queue', 'rabbit_ha_queues']}
    with pytest.raises(AnsibleFilterError) as error:
        OPTIONS(entry, cluster=True, options=QUORUM)
    assert str(error.value) == (
        'oslo_messaging_rabbit: the oslo.messaging of release 2025.1 (16.1.2) has no [oslo_messaging_rabbit] option'
        ' rabbit_transient_quorum_queue; the options of its queues it has are rabbit_quorum_queue, rabbit_ha_queues.')


@pytest.mark.parametrize('options, message', [
    (dict(QUORUM, rabbit_stream_fanout=True),
     'refuses to start with rabbit_stream_fanout = true unless rabbit_qos_prefetch_count is over 0 \\(it is not set\\)'),
    (dict(QUORUM, rabbit_stream_fanout=True, rabbit_qos_prefetch_count=0),
     'unless rabbit_qos_prefetch_count is over 0 \\(it is 0\\)'),
    ({'rabbit_quorum_queue': True, 'rabbit_stream_fanout': True, 'rabbit_qos_prefetch_count': 10},
     'unless rabbit_transient_quorum_queue is true \\(it is not set\\)'),
    ({'rabbit_quorum_queue': True, 'rabbit_ha_queues': True},
     'both rabbit_quorum_queue and rabbit_ha_queues'),
])
def test_what_oslo_messaging_refuses_to_start_with_is_refused(options, message):
    with pytest.raises(AnsibleFilterError, match=message):
        OPTIONS(release('2026.2'), cluster=True, options=options)


def test_stream_fanout_with_what_it_needs_is_taken():
    options = dict(QUORUM, rabbit_stream_fanout=True, rabbit_qos_prefetch_count=10)
    assert OPTIONS(release('2025.2'), cluster=True, options=options) == options


@pytest.mark.parametrize('entry, cluster, options, message', [
    ({'series': '2026.2'}, True, QUORUM, "the release as the release map's entry"),
    (release('2026.2'), 'yes', QUORUM, 'cluster as a boolean'),
    (release('2026.2'), True, ['rabbit_quorum_queue'], 'options as a mapping'),
])
def test_oslo_messaging_rabbit_refuses_wrong_arguments(entry, cluster, options, message):
    with pytest.raises(AnsibleFilterError, match=message):
        OPTIONS(entry, cluster=cluster, options=options)


# rabbitmq_nodes

HOSTVARS = {
    'ctl1': {'ansible_facts': {'hostname': 'ctl1', 'default_ipv4': {'address': '192.0.2.11'}}},
    'ctl2.example.com': {'ansible_facts': {'hostname': 'ctl2', 'default_ipv4': {'address': '198.51.100.12'}},
                         'openstack_host_address': '192.0.2.12'},
    'ctl3': {'openstack_host_address': '192.0.2.13'},
}


def test_each_host_is_named_after_its_short_host_name_at_its_own_address():
    assert NODES(['ctl1', 'ctl2.example.com'], HOSTVARS) == [
        {'host': 'ctl1', 'name': 'ctl1', 'node': 'rabbit@ctl1', 'address': '192.0.2.11'},
        {'host': 'ctl2.example.com', 'name': 'ctl2', 'node': 'rabbit@ctl2', 'address': '192.0.2.12'}]


def test_a_host_without_facts_has_no_known_name():
    with pytest.raises(AnsibleFilterError, match='The host name of ctl3 is not known: its facts have no hostname'):
        NODES(['ctl1', 'ctl3'], HOSTVARS)


@pytest.mark.parametrize('hosts, hostvars, message', [
    ('ctl1', HOSTVARS, 'a list of strings'),
    (['ctl1'], ['ctl1'], 'hostvars as its argument'),
    (['ctl9'], HOSTVARS, 'ctl9 is not a host of the inventory'),
])
def test_rabbitmq_nodes_refuses_wrong_arguments(hosts, hostvars, message):
    with pytest.raises(AnsibleFilterError, match=message):
        NODES(hosts, hostvars)


# rabbitmq_name_problems

CLUSTER = [{'host': 'ctl%d' % n, 'name': 'ctl%d' % n, 'node': 'rabbit@ctl%d' % n, 'address': '192.0.2.1%d' % n}
           for n in (1, 2, 3)]


def getent(node, *addresses, rc=0):
    """What `getent ahostsv4 NAME` prints: each address three times (one per socket type), the name on the first line."""
    lines = []
    for address in addresses:
        lines += ['%s STREAM %s' % (address, node['name']) if not lines else '%s STREAM' % address,
                  '%s DGRAM' % address, '%s RAW' % address]
    return command(rc=rc, stdout='\n'.join(lines), item=node)


def lookups(*results):
    return {'changed': False, 'results': list(results)}


def test_names_that_resolve_to_their_nodes_are_no_problem():
    assert NAME_PROBLEMS(lookups(*(getent(node, node['address']) for node in CLUSTER)), host='ctl1') == []


def test_a_name_that_resolves_elsewhere_first_or_not_at_all():
    found = lookups(getent(CLUSTER[0], '127.0.1.1', '192.0.2.11'), getent(CLUSTER[1], rc=2),
                    getent(CLUSTER[2], '192.0.2.13', '127.0.1.1'))
    assert NAME_PROBLEMS(found, host='ctl1') == [
        'ctl1 resolves to 127.0.1.1 on ctl1, not to 192.0.2.11, its management address: RabbitMQ reaches node rabbit@ctl1'
        ' at the address of its name. Name it there in /etc/hosts (rabbitmq_manage_etc_hosts) or DNS, and remove what'
        ' names it otherwise first (such as a 127.0.1.1 line with the host name)',
        'ctl2 does not resolve on ctl1, not to 192.0.2.12, its management address: RabbitMQ reaches node rabbit@ctl2'
        ' at the address of its name. Name it there in /etc/hosts (rabbitmq_manage_etc_hosts) or DNS, and remove what'
        ' names it otherwise first (such as a 127.0.1.1 line with the host name)']


@pytest.mark.parametrize('found, message', [
    ([], 'the registered results of a loop'),
    ({'results': [{'stdout': ''}]}, 'each lookup as the registered result of a command'),
    ({'results': [command(item='ctl1')]}, 'the item of each lookup as a node of rabbitmq_nodes'),
])
def test_rabbitmq_name_problems_refuses_wrong_arguments(found, message):
    with pytest.raises(AnsibleFilterError, match=message):
        NAME_PROBLEMS(found, host='ctl1')


# rabbitmq_must_join

def status(disk_nodes, ram_nodes=(), running_nodes=None):
    """A cluster_status read as rabbitmqctl --formatter json prints it."""
    return command(stdout=json.dumps({
        'disk_nodes': list(disk_nodes), 'ram_nodes': list(ram_nodes),
        'running_nodes': list(disk_nodes) if running_nodes is None else running_nodes,
        'partitions': {}, 'alarms': []}))


@pytest.mark.parametrize('read, expected', [
    (status(['rabbit@ctl2']), True),                                   # alone, as installed
    (status(['rabbit@ctl2', 'rabbit@ctl9']), True),                    # in another cluster
    (status(['rabbit@ctl1', 'rabbit@ctl2']), False),                   # a member
    (status(['rabbit@ctl2'], ['rabbit@ctl1']), False),                 # a member with a RAM node seed
    (status(['rabbit@ctl1', 'rabbit@ctl2'], running_nodes=['rabbit@ctl2']), False),  # the seed is down: still a member
    # Only the members count, not running_nodes, which RabbitMQ 4.1.0 to 4.1.3 print as one string.
    (command(stdout=json.dumps({'disk_nodes': ['rabbit@ctl2'], 'ram_nodes': [],
                                'running_nodes': 'rabbit@ctl1rabbit@ctl2'})), True),
    (status(['rabbit@ctl10', 'rabbit@ctl2']), True),
])
def test_a_node_joins_unless_its_cluster_has_the_seed(read, expected):
    assert MUST_JOIN(read, 'rabbit@ctl1') is expected


def test_a_node_that_does_not_answer_cannot_be_judged():
    with pytest.raises(AnsibleFilterError, match='the node does not answer, so whether it must join rabbit@ctl1 is not'
                                                 ' known; start it first: Error: unable to perform'):
        MUST_JOIN(command(rc=69, stderr='Error: unable to perform an operation on node rabbit@ctl2.'), 'rabbit@ctl1')


@pytest.mark.parametrize('read, seed, message', [
    ({'stdout': '{}'}, 'rabbit@ctl1', 'the cluster_status result as the registered result of a command'),
    (status(['rabbit@ctl2']), 'ctl1', 'seed as a RabbitMQ node name'),
    (command(stdout='Cluster status of node rabbit@ctl2'), 'rabbit@ctl1', 'as a JSON object'),
])
def test_rabbitmq_must_join_refuses_wrong_arguments(read, seed, message):
    with pytest.raises(AnsibleFilterError, match=message):
        MUST_JOIN(read, seed)
