# Copyright: Contributors to the stackroll.lifecycle project
# Apache License 2.0 (see LICENSE)
"""host_address: a host's own management address, from the inventory or its facts; memcached_servers: the
controllers' memcached, each at that address, as the services list them."""
from __future__ import annotations

import inspect
import os

import jinja2
import pytest
import yaml
from ansible.errors import AnsibleFilterError

from ansible_collections.stackroll.lifecycle.plugins.filter import addresses
from ansible_collections.stackroll.lifecycle.plugins.filter.addresses import FilterModule

HOST_ADDRESS = FilterModule().filters()['host_address']
MEMCACHED_SERVERS = FilterModule().filters()['memcached_servers']
OPENSTACK_DEFAULTS = os.path.join(os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(
    os.path.abspath(__file__)))))), 'roles', 'openstack', 'defaults', 'main.yml')


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


# memcached_servers

def test_every_controller_at_its_own_address_in_the_order_given():
    assert MEMCACHED_SERVERS(['ctl1', 'ctl2', 'ctl3'], HOSTVARS) == '192.0.2.11:11211,192.0.2.12:11211,192.0.2.13:11211'
    # Every service lists them in the order of the controllers group, whichever host it runs on.
    assert MEMCACHED_SERVERS(['ctl3', 'ctl1'], HOSTVARS) == '192.0.2.13:11211,192.0.2.11:11211'


def test_one_controller_is_its_own_address_alone():
    assert MEMCACHED_SERVERS(['ctl1'], HOSTVARS) == '192.0.2.11:11211'


@pytest.mark.parametrize('port', [11212, '11212'])
def test_another_port(port):
    assert MEMCACHED_SERVERS(['ctl1', 'ctl2'], HOSTVARS, port=port) == '192.0.2.11:11212,192.0.2.12:11212'


def test_an_ipv6_address_takes_the_family_prefix_oslo_cache_documents():
    hostvars = dict(HOSTVARS, ctl2={'openstack_host_address': '2001:db8::12'})
    assert MEMCACHED_SERVERS(['ctl1', 'ctl2'], hostvars) == '192.0.2.11:11211,inet6:[2001:db8::12]:11211'


def test_a_controller_whose_address_is_not_known_says_how_to_know_it():
    with pytest.raises(AnsibleFilterError, match='The address of ctl4 is not known'):
        MEMCACHED_SERVERS(['ctl1', 'ctl4'], dict(HOSTVARS, ctl4={}))


@pytest.mark.parametrize('hosts, port, message', [
    ('ctl1', 11211, 'a list of inventory host names'),
    ([], 11211, 'a list of inventory host names'),
    (['ctl1', ''], 11211, 'a list of inventory host names'),
    (['ctl1'], 0, 'port as a TCP port number'),
    (['ctl1'], 'http', 'port as a TCP port number'),
    (['ctl1'], True, 'port as a TCP port number'),
    (['ctl1'], 70000, 'port as a TCP port number'),
])
def test_memcached_servers_say_what_they_expect(hosts, port, message):
    with pytest.raises(AnsibleFilterError, match=message):
        MEMCACHED_SERVERS(hosts, HOSTVARS, port=port)


def _openstack_memcached_servers(controllers, hostvars, controller_host=None):
    """openstack_memcached_servers as the openstack role's default renders it."""
    with open(OPENSTACK_DEFAULTS, encoding='utf-8') as handle:
        expression = yaml.safe_load(handle)['openstack_memcached_servers']
    environment = jinja2.Environment(undefined=jinja2.StrictUndefined)
    environment.filters['stackroll.lifecycle.memcached_servers'] = MEMCACHED_SERVERS
    environment.filters['stackroll.lifecycle.host_address'] = HOST_ADDRESS
    return environment.from_string(expression).render(
        groups={'controllers': controllers}, hostvars=hostvars, openstack_controller_host=controller_host or controllers[0])


def test_the_default_lists_every_controller():
    assert _openstack_memcached_servers(['ctl1', 'ctl2', 'ctl3'], HOSTVARS) == (
        '192.0.2.11:11211,192.0.2.12:11211,192.0.2.13:11211')


def test_the_default_with_one_controller_is_as_before():
    # What the default was before every controller ran memcached: the first controller's address, port 11211.
    assert _openstack_memcached_servers(['ctl3'], HOSTVARS) == HOST_ADDRESS('ctl3', HOSTVARS) + ':11211'


@pytest.mark.parametrize('name, function', [('host_address', HOST_ADDRESS), ('memcached_servers', MEMCACHED_SERVERS)])
def test_documented_beside_it(name, function):
    with open(os.path.join(os.path.dirname(addresses.__file__), name + '.yml'), encoding='utf-8') as handle:
        doc = yaml.safe_load(handle)
    assert doc['DOCUMENTATION']['name'] == name
    assert set(doc['DOCUMENTATION']['options']) == {'_input'} | set(list(inspect.signature(function).parameters)[1:])
    assert 'stackroll.lifecycle.' + name in doc['EXAMPLES']
