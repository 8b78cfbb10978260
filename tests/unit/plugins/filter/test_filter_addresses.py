# Copyright: Contributors to the stackroll.lifecycle project
# Apache License 2.0 (see LICENSE)
"""host_address: a host's own management address, from the inventory or its facts."""
from __future__ import annotations

import inspect
import os

import pytest
import yaml
from ansible.errors import AnsibleFilterError

from ansible_collections.stackroll.lifecycle.plugins.filter import addresses
from ansible_collections.stackroll.lifecycle.plugins.filter.addresses import FilterModule

HOST_ADDRESS = FilterModule().filters()['host_address']


def facts(address, interface='eth0'):
    """The facts of a host whose default route leaves from address."""
    return {'ansible_facts': {'default_ipv4': {'address': address, 'interface': interface}}}


# Three controllers: ctl1 and ctl2 known by their facts, ctl3 by the
# inventory's setting (its default route is on another network).
HOSTVARS = {
    'ctl1': facts('192.0.2.11'),
    'ctl2': dict(facts('192.0.2.12'), ansible_host='ctl2.example.org'),
    'ctl3': dict(facts('198.51.100.13', 'eth1'), openstack_host_address='192.0.2.13'),
}


@pytest.mark.parametrize('host, address', [
    ('ctl1', '192.0.2.11'),  # its default route's, as before the setting existed
    ('ctl2', '192.0.2.12'),  # ansible_host is how Ansible reaches it, not where its services listen
    ('ctl3', '192.0.2.13'),  # the inventory's setting wins over the facts
])
def test_the_setting_else_the_default_route(host, address):
    assert HOST_ADDRESS(host, HOSTVARS) == address


def test_mapped_over_the_controllers():
    assert [HOST_ADDRESS(host, HOSTVARS) for host in sorted(HOSTVARS)] == ['192.0.2.11', '192.0.2.12', '192.0.2.13']


@pytest.mark.parametrize('setting', ['', None])
def test_an_empty_setting_is_not_set(setting):
    assert HOST_ADDRESS('ctl1', {'ctl1': dict(facts('192.0.2.11'), openstack_host_address=setting)}) == '192.0.2.11'


def test_the_setting_needs_no_facts():
    assert HOST_ADDRESS('ctl1', {'ctl1': {'openstack_host_address': ' 2001:db8::11 '}}) == '2001:db8::11'


@pytest.mark.parametrize('hostvars', [
    {'ctl1': {}},  # facts not gathered
    {'ctl1': {'ansible_facts': {}}},
    {'ctl1': {'ansible_facts': {'default_ipv4': {}}}},  # no default route
])
def test_without_facts_or_setting_says_how_to_know_it(hostvars):
    with pytest.raises(AnsibleFilterError, match=r'The address of ctl1 is not known: .* Gather its facts first .*'
                                                 r' or set openstack_host_address for it in the inventory'):
        HOST_ADDRESS('ctl1', hostvars)


def test_a_setting_that_is_no_address_says_so():
    with pytest.raises(AnsibleFilterError, match=r"openstack_host_address of ctl1 is 'ctl1.example.org',"
                                                 r' which is not an IP address'):
        HOST_ADDRESS('ctl1', {'ctl1': {'openstack_host_address': 'ctl1.example.org'}})


def test_an_unknown_host_is_named():
    with pytest.raises(AnsibleFilterError, match='ctl9 is not a host of the inventory'):
        HOST_ADDRESS('ctl9', HOSTVARS)


@pytest.mark.parametrize('host, hostvars, message', [
    ('', HOSTVARS, 'an inventory host name'),
    (None, HOSTVARS, 'an inventory host name'),
    ('ctl1', ['ctl1'], 'hostvars as its argument'),
])
def test_wrong_arguments_say_what_is_expected(host, hostvars, message):
    with pytest.raises(AnsibleFilterError, match=message):
        HOST_ADDRESS(host, hostvars)


def test_documented_beside_it():
    with open(os.path.join(os.path.dirname(addresses.__file__), 'host_address.yml'), encoding='utf-8') as handle:
        doc = yaml.safe_load(handle)
    assert doc['DOCUMENTATION']['name'] == 'host_address'
    assert set(doc['DOCUMENTATION']['options']) == {'_input'} | set(list(inspect.signature(HOST_ADDRESS).parameters)[1:])
    assert 'stackroll.lifecycle.host_address' in doc['EXAMPLES']
