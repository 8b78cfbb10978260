# Copyright: Contributors to the stackroll.lifecycle project
# Apache License 2.0 (see LICENSE)
"""OVN's central databases as RAFT clusters: their clients' remotes, each
controller's ovn-ctl options, and the plan judged from the controllers'
database files before ovn-central starts with them."""
from __future__ import annotations

import inspect
import os

import pytest
import yaml
from ansible.errors import AnsibleFilterError

from ansible_collections.stackroll.lifecycle.plugins.filter import ovn as ovn_filters
from ansible_collections.stackroll.lifecycle.plugins.filter.ovn import FilterModule

FILTERS = FilterModule().filters()
REMOTES = FILTERS['ovn_remotes']
OPTIONS = FILTERS['ovn_ctl_options']
PLAN = FILTERS['ovn_cluster_plan']


def facts(address):
    return {'ansible_facts': {'default_ipv4': {'address': address, 'interface': 'eth0'}}}


CONTROLLERS = ['ctl1', 'ctl2', 'ctl3']
# ctl3's services listen on another address than its default route's.
HOSTVARS = {
    'ctl1': facts('192.0.2.11'),
    'ctl2': facts('192.0.2.12'),
    'ctl3': dict(facts('198.51.100.13'), openstack_host_address='192.0.2.13'),
    'cmp1': facts('192.0.2.21'),
}
V6 = {'ctl1': {'openstack_host_address': '2001:db8::11'}, 'ctl2': {'openstack_host_address': '2001:db8::12'}}


# ovn_remotes

def test_one_controller_is_the_connection_string_of_before():
    # What neutron_ovn_nb_connection was with one controller: tcp:ADDRESS:PORT.
    assert REMOTES(['ctl1'], HOSTVARS, 6641) == 'tcp:192.0.2.11:6641'


def test_every_controller_in_order():
    assert REMOTES(CONTROLLERS, HOSTVARS, 6642) == 'tcp:192.0.2.11:6642,tcp:192.0.2.12:6642,tcp:192.0.2.13:6642'
    assert REMOTES(['ctl3', 'ctl1'], HOSTVARS, '6641') == 'tcp:192.0.2.13:6641,tcp:192.0.2.11:6641'


def test_ipv6_addresses_in_brackets():
    assert REMOTES(['ctl1', 'ctl2'], V6, 6641) == 'tcp:[2001:db8::11]:6641,tcp:[2001:db8::12]:6641'


@pytest.mark.parametrize('hosts, port, message', [
    ([], 6641, 'the hosts as a list of at least one inventory host'),
    ('ctl1', 6641, 'the hosts as a list of strings'),
    (['ctl1'], 'sixty', 'port as a whole number'),
    (['ctl9'], 6641, 'ctl9 is not a host of the inventory'),
    (['ctl1'], None, 'port as a whole number'),
])
def test_remotes_refuse_what_they_cannot_use(hosts, port, message):
    with pytest.raises(AnsibleFilterError, match=message):
        REMOTES(hosts, HOSTVARS, port)


# ovn_ctl_options

NORTHD = ['--ovn-northd-nb-db=tcp:192.0.2.11:6641,tcp:192.0.2.12:6641,tcp:192.0.2.13:6641',
          '--ovn-northd-sb-db=tcp:192.0.2.11:6642,tcp:192.0.2.12:6642,tcp:192.0.2.13:6642']


def test_the_first_controller_creates_the_clusters():
    assert OPTIONS('ctl1', HOSTVARS, CONTROLLERS) == [
        '--db-nb-addr=192.0.2.11', '--db-nb-port=6641', '--db-nb-create-insecure-remote=yes',
        '--db-nb-cluster-local-addr=192.0.2.11', '--db-nb-cluster-local-port=6643',
        '--db-sb-addr=192.0.2.11', '--db-sb-port=6642', '--db-sb-create-insecure-remote=yes',
        '--db-sb-cluster-local-addr=192.0.2.11', '--db-sb-cluster-local-port=6644'] + NORTHD


def test_the_others_join_the_first_at_their_own_address():
    assert OPTIONS('ctl3', HOSTVARS, CONTROLLERS) == [
        '--db-nb-addr=192.0.2.13', '--db-nb-port=6641', '--db-nb-create-insecure-remote=yes',
        '--db-nb-cluster-local-addr=192.0.2.13', '--db-nb-cluster-local-port=6643',
        '--db-nb-cluster-remote-addr=192.0.2.11', '--db-nb-cluster-remote-port=6643',
        '--db-sb-addr=192.0.2.13', '--db-sb-port=6642', '--db-sb-create-insecure-remote=yes',
        '--db-sb-cluster-local-addr=192.0.2.13', '--db-sb-cluster-local-port=6644',
        '--db-sb-cluster-remote-addr=192.0.2.11', '--db-sb-cluster-remote-port=6644'] + NORTHD


def test_other_ports_and_ipv6():
    options = OPTIONS('ctl2', V6, ['ctl1', 'ctl2'], nb_port=16641, sb_port='16642', nb_raft_port=16643, sb_raft_port=16644)
    assert '--db-nb-addr=[2001:db8::12]' in options and '--db-nb-port=16641' in options
    assert '--db-sb-cluster-remote-addr=[2001:db8::11]' in options and '--db-sb-cluster-remote-port=16644' in options
    assert options[-1] == '--ovn-northd-sb-db=tcp:[2001:db8::11]:16642,tcp:[2001:db8::12]:16642'


def test_no_option_has_a_space():
    # OVN_CTL_OPTS is split on spaces by the units' $OVN_CTL_OPTS.
    assert not [option for option in OPTIONS('ctl2', HOSTVARS, CONTROLLERS) if ' ' in option]


@pytest.mark.parametrize('host, hosts, extra, message', [
    ('cmp1', CONTROLLERS, {}, r"the host as one of the hosts \['ctl1', 'ctl2', 'ctl3'\], got 'cmp1'"),
    ('ctl1', [], {}, 'the hosts as a list of at least one inventory host'),
    ('ctl1', CONTROLLERS, {'sb_raft_port': 'x'}, 'sb_raft_port as a whole number'),
])
def test_options_refuse_what_they_cannot_use(host, hosts, extra, message):
    with pytest.raises(AnsibleFilterError, match=message):
        OPTIONS(host, HOSTVARS, hosts, **extra)


# ovn_cluster_plan: what ovsdb-tool db-cid FILE said on each controller (ovsdb/ovsdb-tool.c)

NB = {'name': 'OVN_Northbound', 'file': '/var/lib/ovn/ovnnb_db.db', 'raft_port': 6643}
SB = {'name': 'OVN_Southbound', 'file': '/var/lib/ovn/ovnsb_db.db', 'raft_port': 6644}
CID = '5b24d5ab-b0fa-4ab0-86fd-e92a92d84463'
OTHER_CID = 'e75fa340-49ed-45ab-990e-26cb865ebc85'


def said(state, database):
    path = database['file']
    return {
        'member': {'rc': 0, 'stdout': CID + '\n', 'stderr': ''},
        'other': {'rc': 0, 'stdout': OTHER_CID + '\n', 'stderr': ''},
        'joining': {'rc': 2, 'stdout': '', 'stderr': '%s: cluster ID not yet known\n' % path},
        'standalone': {'rc': 1, 'stdout': '', 'stderr': 'ovsdb-tool: %s: not a clustered database\n' % path},
        # The command module with removes: FILE, where there is none (ansible-core 2.19).
        'absent': {'rc': 0, 'stdout': 'skipped, since %s does not exist' % path, 'stderr': '',
                   'msg': "Did not run command since '%s' does not exist" % path},
        # ovsdb-tool's own, should the file go between the module's look and its run.
        'gone': {'rc': 1, 'stdout': '',
                 'stderr': 'ovsdb-tool: I/O error: %s: open failed (No such file or directory)\n' % path},
        # The command module where the file is but ovsdb-tool is not (failed_when: false).
        'no-tool': {'rc': 2, 'stdout': '', 'stderr': '', 'cmd': ['ovsdb-tool', 'db-cid', path],
                    'msg': 'Error executing command.'},
        'unreachable': {'unreachable': True, 'changed': False,
                        'msg': 'Failed to connect to the host via ssh: ssh: connect to host 192.0.2.12 port 22: Connection refused'},
        'denied': {'rc': 1, 'stdout': '',
                   'stderr': 'ovsdb-tool: I/O error: %s: open failed (Permission denied)\n' % path},
    }[state]


def readings(*states, databases=(NB, SB)):
    """The registered loop over controllers x databases, each controller's file in the state given."""
    return {'changed': False, 'results': [
        dict(said(state, database), item=[host, database], changed=False)
        for host, state in zip(CONTROLLERS, states) for database in databases]}


def plan(*states, restarting=(), **kwargs):
    return PLAN(readings(*states, **kwargs), HOSTVARS, CONTROLLERS, restarting=list(restarting))


def servers(result):
    return [(step['host'], step['servers']['OVN_Northbound'], step['servers']['OVN_Southbound']) for step in result['steps']]


@pytest.mark.parametrize('states', [
    ('absent', 'absent', 'absent'),  # a new cloud, ovn-central not started yet (or not installed: --check)
    ('gone', 'absent', 'gone'),
    ('standalone', 'standalone', 'standalone'),  # installed: Debian's package started it standalone
    ('standalone', 'absent', 'absent'),  # one controller made three: ctl1's data becomes the cluster's
])
def test_a_new_cluster_forms_one_controller_at_a_time(states):
    result = plan(*states, restarting=CONTROLLERS)
    assert result['problems'] == []
    assert servers(result) == [('ctl1', 1, 1), ('ctl2', 2, 2), ('ctl3', 3, 3)]


def test_a_rolling_restart_of_a_cluster_waits_for_all_three_each_time():
    result = plan('member', 'member', 'member', restarting=['ctl3', 'ctl1', 'ctl2'])
    assert result['problems'] == []
    assert servers(result) == [('ctl1', 3, 3), ('ctl2', 3, 3), ('ctl3', 3, 3)]
    assert result['states'] == {'OVN_Northbound': dict.fromkeys(CONTROLLERS, 'member'),
                                'OVN_Southbound': dict.fromkeys(CONTROLLERS, 'member')}


def test_nothing_changed_nothing_restarts():
    assert plan('member', 'member', 'member') == {
        'problems': [], 'steps': [], 'states': {'OVN_Northbound': dict.fromkeys(CONTROLLERS, 'member'),
                                                'OVN_Southbound': dict.fromkeys(CONTROLLERS, 'member')}}


def test_a_rebuilt_controller_joins_the_cluster_of_the_others():
    assert servers(plan('member', 'member', 'absent', restarting=['ctl3'])) == [('ctl3', 3, 3)]
    assert plan('member', 'member', 'standalone', restarting=['ctl3'])['problems'] == []


def test_a_joining_server_is_in_the_cluster():
    result = plan('member', 'joining', 'absent', restarting=['ctl3'])
    assert result['problems'] == [] and servers(result) == [('ctl3', 3, 3)]
    assert result['states']['OVN_Southbound'] == {'ctl1': 'member', 'ctl2': 'joining', 'ctl3': 'absent'}


def test_only_the_hosts_of_the_run_restart():
    # ctl3 is out of the run (--limit) and not in the cluster yet.
    assert servers(plan('absent', 'absent', 'absent', restarting=['ctl1', 'ctl2'])) == [('ctl1', 1, 1), ('ctl2', 2, 2)]
    assert servers(plan('absent', 'absent', 'absent', restarting=['cmp1'])) == []


def test_each_database_counts_its_own_members():
    # ctl3 joined the northbound cluster, not yet the southbound one.
    result = PLAN({'results': readings('member', 'member', 'member', databases=[NB])['results']
                   + readings('member', 'member', 'absent', databases=[SB])['results']},
                  HOSTVARS, CONTROLLERS, restarting=['ctl2'])
    assert servers(result) == [('ctl2', 3, 2)]


@pytest.mark.parametrize('state, seen', [('absent', 'absent'), ('standalone', 'standalone'), ('gone', 'absent')])
def test_a_first_controller_that_lost_its_database_would_make_a_second_cluster(state, seen):
    problems = plan(state, 'member', 'member', databases=[NB])['problems']
    assert problems == [
        'OVN_Northbound on ctl1, the first controller, has no clustered database (%s) while ctl2 and ctl3 are in its'
        ' cluster %s: started with its options it would create a second cluster. Join it to theirs first: stop'
        ' ovn-central on ctl1, move /var/lib/ovn/ovnnb_db.db aside, run "ovsdb-tool join-cluster /var/lib/ovn/ovnnb_db.db'
        ' OVN_Northbound tcp:192.0.2.11:6643 tcp:192.0.2.12:6643 tcp:192.0.2.13:6643" there, start ovn-central, and'
        ' remove the server it was from the cluster (ovs-appctl cluster/kick OVN_Northbound SERVER_ID on a member;'
        ' cluster/status lists the servers); then run this playbook again' % (seen, CID)]


def test_one_problem_per_database():
    problems = plan('absent', 'absent', 'joining')['problems']
    assert [problem[:45] for problem in problems] == ['OVN_Northbound on ctl1, the first controller,',
                                                      'OVN_Southbound on ctl1, the first controller,']
    assert ' while ctl3 is in its cluster: ' in problems[0] and 'tcp:192.0.2.13:6643"' in problems[0]
    assert 'tcp:192.0.2.13:6644"' in problems[1]


@pytest.mark.parametrize('state, said_there', [
    ('unreachable', 'ctl2: unreachable: Failed to connect to the host via ssh: ssh: connect to host 192.0.2.12 port 22:'
                    ' Connection refused'),
    ('denied', 'ctl2: ovsdb-tool: I/O error: /var/lib/ovn/ovnsb_db.db: open failed (Permission denied)'),
    ('no-tool', 'ctl2: Error executing command.'),
])
def test_a_first_controller_without_a_cluster_needs_to_know_the_others(state, said_there):
    problems = plan('absent', state, 'absent', databases=[SB])['problems']
    assert problems == [
        'OVN_Southbound on ctl1, the first controller, has no clustered database (absent), so it would create the'
        ' cluster, but whether ctl2 already holds one is not known (%s); make it reachable and its'
        ' /var/lib/ovn/ovnsb_db.db readable, then run this playbook again' % said_there]


def test_an_unknown_controller_does_not_matter_once_the_first_is_in_the_cluster():
    result = plan('member', 'unreachable', 'member', restarting=['ctl1'])
    assert result['problems'] == [] and servers(result) == [('ctl1', 2, 2)]


def test_a_controller_not_read_is_unknown():
    result = PLAN(readings('absent', databases=[NB]), HOSTVARS, CONTROLLERS)
    assert result['states']['OVN_Northbound'] == {'ctl1': 'absent', 'ctl2': 'unknown', 'ctl3': 'unknown'}
    assert 'whether ctl2 and ctl3 already hold one is not known (ctl2: not read; ctl3: not read); make them' in (
        result['problems'][0])


def test_members_of_different_clusters_stay_apart():
    problems = plan('member', 'member', 'other', databases=[NB])['problems']
    assert problems == [
        'The controllers hold OVN_Northbound in 2 different clusters (ctl1 and ctl2 in cluster %s; ctl3 in cluster %s),'
        ' which would stay apart. Keep the one that holds the cloud\'s data: on each controller of the others, stop'
        ' ovn-central and move /var/lib/ovn/ovnnb_db.db aside, then run this playbook again, which joins it to the'
        ' first controller\'s cluster' % (CID, OTHER_CID)]


def test_the_registered_list_is_taken_too():
    assert PLAN(readings('member', 'member', 'member')['results'], HOSTVARS, CONTROLLERS)['problems'] == []


@pytest.mark.parametrize('arguments, message', [
    ((None, HOSTVARS, CONTROLLERS), 'results as a list of registered results'),
    (([{'rc': 0, 'stdout': CID}], HOSTVARS, CONTROLLERS), r'item is \[host, \{name, file, raft_port\}\]'),
    (([dict(said('member', NB), item=['ctl1', {'name': 'OVN_Northbound'}])], HOSTVARS, CONTROLLERS), 'raft_port'),
    ((readings('member', 'member', 'member'), HOSTVARS, 'ctl1'), 'the hosts as a list of strings'),
    ((readings('member', 'member', 'member'), HOSTVARS, CONTROLLERS, 'ctl1'), 'restarting as a list of strings'),
])
def test_the_plan_takes_only_what_its_task_reads(arguments, message):
    with pytest.raises(AnsibleFilterError, match=message):
        PLAN(*arguments)


# Each filter documented beside it, its options its arguments.

@pytest.mark.parametrize('name', sorted(FILTERS))
def test_documented_beside_it(name):
    with open(os.path.join(os.path.dirname(ovn_filters.__file__), name + '.yml'), encoding='utf-8') as handle:
        doc = yaml.safe_load(handle)
    assert doc['DOCUMENTATION']['name'] == name
    assert set(doc['DOCUMENTATION']['options']) == {'_input'} | set(list(inspect.signature(FILTERS[name]).parameters)[1:])
    assert 'stackroll.lifecycle.' + name in doc['EXAMPLES']
