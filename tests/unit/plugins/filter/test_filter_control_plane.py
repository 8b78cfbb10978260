# Copyright: Contributors to the stackroll.lifecycle project
# Apache License 2.0 (see LICENSE)
"""The control plane's settings judged before any change: each problem, word for word, and the settings that have none."""
from __future__ import annotations

import pytest
from ansible.errors import AnsibleFilterError

from ansible_collections.stackroll.lifecycle.plugins.filter.control_plane import FilterModule

PROBLEMS = FilterModule().filters()['control_plane_problems']
NETWORK = '192.0.2.0/24'
THREE = ['ctl1', 'ctl2', 'ctl3']
# The inventory of example-ha, as checks.yml passes it: each host with its ansible_host.
HOSTS = {'ctl1': '192.0.2.11', 'ctl2': '192.0.2.12', 'ctl3': '192.0.2.13', 'cmp1': '192.0.2.21', 'cmp2': '192.0.2.22'}


def judge(controllers=None, vip='192.0.2.10', network=NETWORK, hosts=None, arbitrator=''):
    """The problems of the example-ha settings but for what the arguments change."""
    return PROBLEMS(list(THREE) if controllers is None else controllers, vip=vip, management_network=network,
                    host_addresses=dict(HOSTS) if hosts is None else hosts, arbitrator=arbitrator)


EVEN = ('2 controllers (ctl1, ctl2), an even number, and no openstack_galera_arbitrator: Galera keeps its quorum only with'
        ' more than half of its nodes, so losing half of the controllers stops the database; run an odd number of'
        ' controllers, or name a host outside the controllers for a Galera arbitrator (garbd) in'
        ' openstack_galera_arbitrator')


# No problem

def test_one_controller_without_vip_is_as_before():
    assert judge(controllers=['ctl1'], vip='', network='', hosts={'ctl1': '192.0.2.11', 'cmp1': '192.0.2.21'}) == []


def test_three_controllers_with_a_vip_inside_the_network():
    assert judge() == []


def test_one_controller_with_a_vip():
    assert judge(controllers=['ctl1']) == []


def test_two_controllers_with_an_arbitrator_outside_them():
    assert judge(controllers=['ctl1', 'ctl2'], hosts=dict(HOSTS, arb1='192.0.2.31'), arbitrator='arb1') == []


def test_an_ipv6_vip_inside_an_ipv6_network():
    assert judge(vip='2001:db8::10', network='2001:db8::/64', hosts={'ctl1': '2001:db8::11'}) == []


def test_unset_settings_read_as_null_are_empty():
    assert judge(controllers=['ctl1'], vip=None, network=None, arbitrator=None) == []


def test_no_controller_is_left_to_the_inventory_check():
    assert judge(controllers=[], vip='', hosts={}) == []


def test_host_names_and_hosts_without_an_address_are_not_compared():
    # ctl1 is reached at its name, which is no IP address; names are not resolved.
    assert judge(hosts={'ctl1': '', 'ctl2': 'ctl2.example.net', 'ctl3': None}) == []


# Each problem

def test_an_even_number_of_controllers_without_an_arbitrator():
    assert judge(controllers=['ctl1', 'ctl2']) == [EVEN]


def test_four_controllers_without_an_arbitrator():
    assert judge(controllers=['ctl1', 'ctl2', 'ctl3', 'ctl4'])[0].startswith(
        '4 controllers (ctl1, ctl2, ctl3, ctl4), an even number, and no openstack_galera_arbitrator')


def test_more_than_one_controller_without_a_vip():
    assert judge(vip='') == [
        '3 controllers (ctl1, ctl2, ctl3) but no openstack_vip_address: the APIs, MariaDB and RabbitMQ would be reached at'
        ' one controller only, and lost with it; set openstack_vip_address to a free address of the management network,'
        ' which the load balancer moves between the controllers']


def test_two_controllers_and_nothing_set_is_both_problems_in_order():
    problems = judge(controllers=['ctl1', 'ctl2'], vip='', network='')
    assert problems[0] == EVEN
    assert problems[1].startswith('2 controllers (ctl1, ctl2) but no openstack_vip_address')
    assert len(problems) == 2


def test_a_vip_outside_the_management_network():
    assert judge(vip='198.51.100.10') == [
        'openstack_vip_address 198.51.100.10 is outside the management network 192.0.2.0/24 (openstack_management_network);'
        ' choose a free address inside it, or correct openstack_management_network']


def test_a_vip_of_the_other_ip_version_is_outside():
    assert judge(vip='2001:db8::10')[0].startswith('openstack_vip_address 2001:db8::10 is outside the management network'
                                                   ' 192.0.2.0/24')


def test_a_network_given_with_a_host_address_is_its_network():
    assert judge(network='192.0.2.1/24') == []
    assert judge(vip='192.0.3.10', network='192.0.2.1/24')[0].startswith(
        'openstack_vip_address 192.0.3.10 is outside the management network 192.0.2.0/24')


def test_a_vip_that_is_a_hosts_address():
    assert judge(vip='192.0.2.12') == [
        'openstack_vip_address 192.0.2.12 is already the address of ctl2 in the inventory: the host and the load balancer'
        ' would both claim it; choose an address no host has']


def test_a_vip_that_is_the_address_of_several_hosts_and_a_host_named_by_it():
    hosts = {'ctl1': '192.0.2.11', 'ctl2': '192.0.2.11', '192.0.2.11': '', 'ctl3': '192.0.2.13'}
    assert judge(vip='192.0.2.11', hosts=hosts) == [
        'openstack_vip_address 192.0.2.11 is already the address of 192.0.2.11, ctl1, ctl2 in the inventory: the host and'
        ' the load balancer would both claim it; choose an address no host has']


def test_addresses_are_compared_as_addresses():
    assert judge(vip='2001:db8::11', network='2001:db8::/64', hosts={'ctl1': '2001:DB8:0::11'})[0].startswith(
        'openstack_vip_address 2001:db8::11 is already the address of ctl1')


@pytest.mark.parametrize('vip', ['192.0.2.10/24', 'vip.example.net', '192.0.2.300'])
def test_a_vip_that_is_not_an_ip_address(vip):
    assert judge(vip=vip) == [
        'openstack_vip_address %r is not an IP address; set it to one free address of the management network, such as'
        ' 192.0.2.10, without a prefix length or a host name' % (vip,)]


def test_a_vip_without_a_management_network():
    assert judge(network='') == [
        'openstack_vip_address 192.0.2.10 is set but openstack_management_network is not: the VIP cannot be checked'
        ' against the management network before any change; set openstack_management_network, in CIDR (such as'
        ' 192.0.2.0/24), to the network that holds the VIP']


def test_a_management_network_that_is_not_one():
    assert judge(network='192.0.2.0/33') == [
        "openstack_management_network '192.0.2.0/33' is not a network in CIDR; set it to the management network, such as"
        " 192.0.2.0/24"]


def test_an_arbitrator_that_is_a_controller():
    assert judge(controllers=['ctl1', 'ctl2'], arbitrator='ctl2') == [
        "openstack_galera_arbitrator ctl2 is a controller: its vote would be lost with that controller's Galera node;"
        " name a host outside the controllers group"]


def test_an_arbitrator_that_is_no_inventory_host():
    assert judge(controllers=['ctl1', 'ctl2'], arbitrator='arb1') == [
        'openstack_galera_arbitrator arb1 is not a host of the inventory, so nothing can run the arbitrator there; add it'
        ' to the inventory, or correct the name']


def test_an_arbitrator_with_an_odd_number_of_controllers():
    assert judge(hosts=dict(HOSTS, arb1='192.0.2.31'), arbitrator='arb1') == [
        'openstack_galera_arbitrator arb1 is set with 3 controllers, an odd number: its vote makes 4 votes, an even number,'
        ' so a split into two halves stops the database, which the controllers alone would survive; leave'
        ' openstack_galera_arbitrator empty, or use it with an even number of controllers']


def test_an_arbitrator_beside_one_controller():
    assert judge(controllers=['ctl1'], hosts=dict(HOSTS, arb1=''), arbitrator='arb1')[0].startswith(
        'openstack_galera_arbitrator arb1 is set with 1 controller, an odd number: its vote makes 2 votes')


def test_every_problem_at_once_in_order():
    problems = judge(controllers=['ctl1', 'ctl2', 'ctl3'], vip='192.0.2.11', network='', arbitrator='ctl1')
    assert [problem.split(':')[0] for problem in problems] == [
        'openstack_galera_arbitrator ctl1 is a controller',
        'openstack_galera_arbitrator ctl1 is set with 3 controllers, an odd number',
        'openstack_vip_address 192.0.2.11 is set but openstack_management_network is not',
        'openstack_vip_address 192.0.2.11 is already the address of ctl1 in the inventory',
    ]


# Wrong arguments

@pytest.mark.parametrize('arguments, message', [
    ({'controllers': 'ctl1'}, "control_plane_problems expects controllers as a list of strings, got 'ctl1'."),
    ({'vip': 10}, 'control_plane_problems expects vip as a string, got 10.'),
    ({'network': ['192.0.2.0/24']}, "control_plane_problems expects management_network as a string, got ['192.0.2.0/24']."),
    ({'arbitrator': ['arb1']}, "control_plane_problems expects arbitrator as a string, got ['arb1']."),
    ({'hosts': ['ctl1']}, 'control_plane_problems expects host_addresses as a mapping of inventory host names to their'
                          " address (or \"\"), got ['ctl1']."),
    ({'hosts': {'ctl1': 11}}, 'control_plane_problems expects host_addresses as a mapping of inventory host names to their'
                              " address (or \"\"), got {'ctl1': 11}."),
])
def test_wrong_arguments_fail_the_filter(arguments, message):
    with pytest.raises(AnsibleFilterError) as error:
        judge(**arguments)
    assert str(error.value) == message
