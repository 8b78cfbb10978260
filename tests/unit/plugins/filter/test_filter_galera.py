# Copyright: Contributors to the stackroll.lifecycle project
# Apache License 2.0 (see LICENSE)
"""galera_bootstrap: which node starts MariaDB's Galera cluster, in what order the others join or restart, and
where no choice is safe, each problem word for word."""
from __future__ import annotations

import pytest
from ansible.errors import AnsibleFilterError

from ansible_collections.stackroll.lifecycle.plugins.filter.galera import FilterModule
from ansible_collections.stackroll.lifecycle.plugins.module_utils._galera import grastate

BOOTSTRAP = FilterModule().filters()['galera_bootstrap']
CONTROLLERS = ['ctl1', 'ctl2', 'ctl3']
UUID = '5981f182-a4cc-11e6-98cc-77fabedd360d'
SYSTEM = ['information_schema', 'mysql', 'performance_schema', 'sys']
OPENSTACK = ['keystone', 'nova']


def grastate_dat(seqno, safe=0, uuid=UUID):
    """A grastate.dat as Galera 4 writes it."""
    return ('# GALERA saved state\nversion: 2.1\nuuid:    %s\nseqno:   %s\nsafe_to_bootstrap: %s\n'
            % (uuid, seqno, safe))


def read(wsrep_on='ON', status='Primary', databases=tuple(SYSTEM)):
    """What the role's mysql_query reads of a running node."""
    variables = [{'Variable_name': 'wsrep_on', 'Value': wsrep_on}]
    wsrep = [{'Variable_name': 'wsrep_cluster_status', 'Value': status},
             {'Variable_name': 'wsrep_local_state_comment', 'Value': 'Synced'}]
    return {'changed': False, 'query_result': [variables, wsrep, [{'Database': name} for name in databases]]}


def member(changed=False):
    """A running node Synced in a Primary component; its grastate.dat has seqno -1 while it runs."""
    return {'running': True, 'read': read(), 'grastate': grastate_dat(-1), 'config_changed': changed}


def standalone(databases=tuple(SYSTEM), changed=True):
    """MariaDB running without Galera: as the package starts it, or a single controller's."""
    return {'running': True, 'read': read('OFF', 'Disconnected', databases), 'grastate': '', 'config_changed': changed}


def stopped(text='', changed=False):
    return {'running': False, 'read': {'skipped': True}, 'grastate': text, 'config_changed': changed}


def plan(**states):
    return BOOTSTRAP(states, CONTROLLERS)


def joins(*pairs):
    return [{'host': host, 'cluster_size': size} for host, size in pairs]


def test_grastate_fields():
    assert grastate(grastate_dat(1234, 1)) == {'version': '2.1', 'uuid': UUID, 'seqno': '1234', 'safe_to_bootstrap': '1'}
    assert grastate('') == {}


def test_three_new_controllers_bootstrap_the_first_then_join_one_at_a_time():
    assert plan(ctl1=standalone(), ctl2=standalone(), ctl3=standalone()) == {
        'problems': [], 'bootstrap': 'ctl1', 'mark_safe': False, 'members': [],
        'join': joins(('ctl2', 2), ('ctl3', 3)), 'restart': [],
        'reason': 'ctl1 bootstraps a new cluster: the first controller, as no node has data yet; then ctl2, ctl3 join it'
                  ' one at a time'}
    # Where the package did not start MariaDB, the same.
    assert plan(ctl1=stopped(), ctl2=stopped(), ctl3=standalone())['bootstrap'] == 'ctl1'


def test_a_single_controller_grown_to_three_bootstraps_from_its_data():
    result = plan(ctl1=standalone(SYSTEM + OPENSTACK), ctl2=standalone(), ctl3=stopped())
    assert (result['bootstrap'], result['join']) == ('ctl1', joins(('ctl2', 2), ('ctl3', 3)))
    assert result['reason'].startswith('ctl1 bootstraps a new cluster: it alone holds databases (keystone, nova), which'
                                       ' the other nodes receive by state transfer')
    # The one node with data bootstraps, wherever it is in the order.
    assert plan(ctl1=standalone(), ctl2=standalone(OPENSTACK), ctl3=standalone())['bootstrap'] == 'ctl2'


def test_a_running_cluster_is_not_bootstrapped_and_a_stopped_node_just_starts():
    assert plan(ctl1=member(), ctl2=stopped(grastate_dat(4711)), ctl3=member()) == {
        'problems': [], 'bootstrap': '', 'mark_safe': False, 'members': ['ctl1', 'ctl3'],
        'join': joins(('ctl2', 3)), 'restart': [], 'reason': 'ctl1, ctl3 already form the Primary component; ctl2 joins it'}


def test_a_rerun_changes_nothing():
    assert plan(ctl1=member(), ctl2=member(), ctl3=member()) == {
        'problems': [], 'bootstrap': '', 'mark_safe': False, 'members': CONTROLLERS, 'join': [], 'restart': [],
        'reason': 'ctl1, ctl2, ctl3 already form the Primary component; no node joins it'}


def test_changed_members_restart_one_at_a_time_the_writer_last():
    assert plan(ctl1=member(True), ctl2=member(True), ctl3=member(True))['restart'] == ['ctl2', 'ctl3', 'ctl1']
    assert plan(ctl1=member(True), ctl2=member(), ctl3=member())['restart'] == ['ctl1']
    assert plan(ctl1=member(), ctl2=member(), ctl3=member(True))['restart'] == ['ctl3']
    # A node that joins starts with its new configuration: it is not restarted again.
    assert plan(ctl1=member(), ctl2=stopped(grastate_dat(7), changed=True), ctl3=member())['restart'] == []


def test_a_new_node_running_alone_joins_a_running_cluster():
    result = plan(ctl1=member(), ctl2=member(), ctl3=standalone())
    assert (result['bootstrap'], result['join']) == ('', joins(('ctl3', 3)))


def test_a_cluster_stopped_cleanly_bootstraps_from_the_last_node_to_leave():
    result = plan(ctl1=stopped(grastate_dat(100)), ctl2=stopped(grastate_dat(120, safe=1)), ctl3=stopped(grastate_dat(90)))
    assert (result['bootstrap'], result['mark_safe'], result['join']) == ('ctl2', False, joins(('ctl1', 2), ('ctl3', 3)))
    assert result['reason'] == ('ctl2 bootstraps the cluster: it was the last node to leave it (safe_to_bootstrap: 1 in its'
                                ' grastate.dat); then ctl1, ctl3 join it one at a time')


def test_without_a_safe_node_the_highest_seqno_bootstraps_once_marked_safe():
    result = plan(ctl1=stopped(grastate_dat(100)), ctl2=stopped(grastate_dat(90)), ctl3=stopped(grastate_dat(120)))
    assert (result['bootstrap'], result['mark_safe']) == ('ctl3', True)
    assert result['reason'].startswith('ctl3 bootstraps the cluster: its saved position (seqno 120 in its grastate.dat) is'
                                       ' the most advanced')
    # On a tie, the first in the controllers' order.
    assert plan(ctl1=stopped(grastate_dat(5)), ctl2=stopped(grastate_dat(9)), ctl3=stopped(grastate_dat(9)))['bootstrap'] == 'ctl2'


def test_a_new_node_does_not_count_beside_the_nodes_that_were_in_the_cluster():
    result = plan(ctl1=standalone(), ctl2=stopped(grastate_dat(12, safe=1)), ctl3=stopped(grastate_dat(11)))
    assert (result['bootstrap'], result['join']) == ('ctl2', joins(('ctl1', 2), ('ctl3', 3)))
    # A grastate.dat of a node that never was in a cluster.
    never = grastate_dat(-1, uuid='00000000-0000-0000-0000-000000000000')
    assert plan(ctl1=stopped(never), ctl2=stopped(grastate_dat(3)), ctl3=stopped(never))['bootstrap'] == 'ctl2'


def problems(**states):
    result = plan(**states)
    assert (result['bootstrap'], result['join'], result['restart']) == ('', [], [])
    return result['problems']


def test_after_a_crash_the_unknown_positions_need_galera_recovery():
    assert problems(ctl1=stopped(grastate_dat(-1)), ctl2=stopped(grastate_dat(-1)), ctl3=stopped(grastate_dat(100))) == [
        'MariaDB on ctl1, ctl2 stopped without saving its Galera position (seqno -1 in /var/lib/mysql/grastate.dat, as'
        ' after a crash), and no node is marked safe_to_bootstrap: 1, so the most advanced node is not known and none is'
        ' bootstrapped; on each of them run galera_recovery (it prints --wsrep_start_position=UUID:SEQNO), compare those'
        " seqnos with the others' grastate.dat, set safe_to_bootstrap: 1 in the grastate.dat of the node with the"
        ' highest, and run again']
    # Once the operator marked the most advanced one, it bootstraps.
    assert plan(ctl1=stopped(grastate_dat(-1, safe=1)), ctl2=stopped(grastate_dat(-1)),
                ctl3=stopped(grastate_dat(100)))['bootstrap'] == 'ctl1'


def test_several_safe_nodes_are_refused():
    assert problems(ctl1=stopped(grastate_dat(5, 1)), ctl2=stopped(grastate_dat(5, 1)), ctl3=stopped(grastate_dat(4))) == [
        'MariaDB on ctl1, ctl2 are each marked safe_to_bootstrap: 1 in their grastate.dat, so which one last left the'
        ' cluster is not known; set it to 0 on all but the most advanced (highest seqno, or after galera_recovery on'
        ' each), and run again']


def test_nodes_of_different_clusters_are_refused():
    other = '6a1d2c7e-0000-11e6-98cc-77fabedd360d'
    assert problems(ctl1=stopped(grastate_dat(5)), ctl2=stopped(grastate_dat(5, uuid=other)), ctl3=stopped()) == [
        "The controllers hold the states of 2 different Galera clusters (%s on ctl1, %s on ctl2 in their grastate.dat):"
        " bootstrapping one would throw the others' data away; keep the nodes of one cluster, and empty /var/lib/mysql of"
        " the others (after a backup) so that they join it by state transfer" % (UUID, other)]


def test_a_lost_quorum_is_left_to_the_operator():
    outside = {'running': True, 'read': read(status='non-Primary'), 'grastate': grastate_dat(-1)}
    assert problems(ctl1=outside, ctl2=stopped(grastate_dat(3)), ctl3=stopped(grastate_dat(3))) == [
        'MariaDB on ctl1 runs Galera outside any Primary component (wsrep_cluster_status non-Primary): it lost its quorum'
        ' or its peers; restore the network between the controllers (Galera port 4567), and if it stays so, restart it'
        ' (systemctl restart mariadb) once another node is Primary']


def test_a_running_node_that_does_not_answer_is_refused():
    silent = {'running': True, 'read': {'failed': True, 'msg': 'unable to connect to database'}, 'grastate': ''}
    assert problems(ctl1=member(), ctl2=silent, ctl3=member()) == [
        'MariaDB on ctl2 runs but its Galera state could not be read (unable to connect to database); check that it'
        ' answers on its socket, and run again']


def test_no_bootstrap_without_every_controller():
    assert problems(ctl1=stopped(grastate_dat(5, 1)), ctl3=stopped(grastate_dat(4))) == [
        "No controller in this run is in a Primary component of MariaDB's Galera cluster, and ctl2 is not in the run: the"
        " node to bootstrap the cluster from cannot be chosen without reading every node's state; run on every"
        " controller (without --limit), with each one reachable"]
    # With a Primary component, the nodes of the run join it.
    assert plan(ctl1=member(), ctl3=stopped(grastate_dat(4)))['join'] == joins(('ctl3', 2))


def test_data_a_state_transfer_would_replace_is_refused():
    assert problems(ctl1=member(), ctl2=member(), ctl3=standalone(SYSTEM + ['glance'])) == [
        "MariaDB on ctl3 runs alone with databases of its own (glance) while ctl1, ctl2 form the Galera cluster: joining"
        " would replace them by the cluster's by state transfer; back them up, drop them if the cluster holds the"
        " cloud's data, and run again"]
    assert problems(ctl1=standalone(OPENSTACK), ctl2=standalone(), ctl3=standalone(['glance'])) == [
        "MariaDB runs alone with databases of its own on ctl1, ctl3, and has never been in a Galera cluster: a new"
        " cluster keeps the data of one node only; keep one node's databases (ctl1: keystone, nova; ctl3: glance), back"
        " the others up and drop them, and run again"]
    # A stopped first controller may hold the cloud's data: another's is not taken blindly.
    assert problems(ctl1=stopped(), ctl2=standalone(OPENSTACK), ctl3=standalone()) == [
        'MariaDB runs alone with databases of its own on ctl2, which would bootstrap a new Galera cluster and replace the'
        ' data of the others, but it is stopped on ctl1, whose databases are not known; start MariaDB there without'
        ' Galera to look (or empty its /var/lib/mysql after a backup), and run again']


@pytest.mark.parametrize('states, controllers, message', [
    ([], CONTROLLERS, 'galera_bootstrap expects the states as a mapping of hosts to their states'),
    ({'ctl1': member()}, 'ctl1', 'galera_bootstrap expects controllers as a list of strings'),
    ({}, [], 'galera_bootstrap expects controllers as the controllers, at least one'),
    ({'cmp1': member()}, CONTROLLERS, 'galera_bootstrap expects the states as the states of controllers only'),
    ({'ctl1': {'running': 'yes'}}, CONTROLLERS, 'galera_bootstrap expects the state of ctl1 as {running, read'),
    ({'ctl1': {'running': True, 'grastate': None}}, CONTROLLERS, 'galera_bootstrap expects the state of ctl1 as'),
])
def test_only_what_its_tasks_read(states, controllers, message):
    with pytest.raises(AnsibleFilterError, match=message.replace('{', r'\{')):
        BOOTSTRAP(states, controllers)
