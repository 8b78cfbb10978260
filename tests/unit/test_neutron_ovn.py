# Copyright: Contributors to the stackroll.lifecycle project
# Apache License 2.0 (see LICENSE)
"""The neutron role's OVN settings, rendered from its defaults: with one
controller the connection strings of before and no ovn-ctl options; with
three, every controller in each connection string, and each controller's
/etc/default/ovn-central."""
from __future__ import annotations

import os
import shlex

import jinja2
import pytest
import yaml
from jinja2.nativetypes import NativeEnvironment

from ansible_collections.stackroll.lifecycle.plugins.filter.addresses import host_address
from ansible_collections.stackroll.lifecycle.plugins.filter.ovn import ovn_ctl_options, ovn_remotes

ROLE = os.path.join(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))), 'roles', 'neutron')
HOSTVARS = {
    'ctl1': {'ansible_facts': {'default_ipv4': {'address': '192.0.2.11'}}},
    'ctl2': {'ansible_facts': {'default_ipv4': {'address': '192.0.2.12'}}},
    'ctl3': {'ansible_facts': {'default_ipv4': {'address': '198.51.100.13'}}, 'openstack_host_address': '192.0.2.13'},
}
FILTERS = {
    'bool': lambda value: value if isinstance(value, bool) else str(value).lower() in ('true', 'yes', '1'),
    'stackroll.lifecycle.host_address': host_address,
    'stackroll.lifecycle.ovn_remotes': ovn_remotes,
    'stackroll.lifecycle.ovn_ctl_options': ovn_ctl_options,
}
# What neutron_ovn_nb_connection and neutron_ovn_sb_connection were before the clusters.
BEFORE = {
    'neutron_ovn_nb_connection': "tcp:{{ openstack_controller_host | stackroll.lifecycle.host_address(hostvars) }}:{{ neutron_ovn_nb_port }}",
    'neutron_ovn_sb_connection': "tcp:{{ openstack_controller_host | stackroll.lifecycle.host_address(hostvars) }}:{{ neutron_ovn_sb_port }}",
}
# The defaults these read, in an order where each needs only those before it.
ORDER = ['neutron_ovn_nb_port', 'neutron_ovn_sb_port', 'neutron_ovn_nb_raft_port', 'neutron_ovn_sb_raft_port',
         'neutron_ovn_cluster', 'neutron_ovn_central_hosts', 'neutron_ovn_nb_connection', 'neutron_ovn_sb_connection']


def defaults():
    with open(os.path.join(ROLE, 'defaults', 'main.yml'), encoding='utf-8') as handle:
        return yaml.safe_load(handle)


def settings(controllers, host=None, **overrides):
    """The role's OVN defaults as Ansible renders them on host, for an inventory of controllers."""
    environment = NativeEnvironment(undefined=jinja2.StrictUndefined)
    environment.filters.update(FILTERS)
    variables = {'groups': {'controllers': controllers}, 'hostvars': HOSTVARS, 'openstack_controller_host': controllers[0],
                 'inventory_hostname': host or controllers[0]}
    variables.update(overrides)
    values = defaults()
    for name in ORDER:
        if name not in overrides:
            value = values[name]
            variables[name] = environment.from_string(value).render(variables) if isinstance(value, str) else value
    return variables


def test_one_controller_keeps_its_connection_strings():
    one = settings(['ctl1'])
    assert one['neutron_ovn_cluster'] is False and one['neutron_ovn_central_hosts'] == ['ctl1']
    assert one['neutron_ovn_nb_connection'] == 'tcp:192.0.2.11:6641'
    assert one['neutron_ovn_sb_connection'] == 'tcp:192.0.2.11:6642'
    environment = NativeEnvironment(undefined=jinja2.StrictUndefined)
    environment.filters.update(FILTERS)
    for name, before in BEFORE.items():
        assert one[name] == environment.from_string(before).render(one)


def test_three_controllers_give_every_server():
    three = settings(['ctl1', 'ctl2', 'ctl3'])
    assert three['neutron_ovn_cluster'] is True
    assert three['neutron_ovn_nb_connection'] == 'tcp:192.0.2.11:6641,tcp:192.0.2.12:6641,tcp:192.0.2.13:6641'
    assert three['neutron_ovn_sb_connection'] == 'tcp:192.0.2.11:6642,tcp:192.0.2.12:6642,tcp:192.0.2.13:6642'


def test_the_cluster_is_one_setting():
    assert settings(['ctl1', 'ctl2', 'ctl3'], neutron_ovn_cluster=False)['neutron_ovn_sb_connection'] == 'tcp:192.0.2.11:6642'


def render_options(host):
    """/etc/default/ovn-central as Ansible renders it on host, but for ansible_managed."""
    environment = jinja2.Environment(loader=jinja2.FileSystemLoader(os.path.join(ROLE, 'templates')),
                                     undefined=jinja2.StrictUndefined, keep_trailing_newline=True)
    environment.filters.update(FILTERS)
    variables = dict(settings(['ctl1', 'ctl2', 'ctl3'], host), ansible_managed='managed')
    return environment.get_template('ovn-central.j2').render(variables)


@pytest.mark.parametrize('host', ['ctl1', 'ctl2', 'ctl3'])
def test_each_controller_options_are_one_shell_assignment(host):
    text = render_options(host)
    lines = [line for line in text.splitlines() if line and not line.startswith('#')]
    assert len(lines) == 1 and lines[0].startswith('OVN_CTL_OPTS="') and text.endswith('"\n')
    # As the units read it: EnvironmentFile, then $OVN_CTL_OPTS split on spaces.
    assignment = shlex.split(lines[0])
    assert len(assignment) == 1
    options = assignment[0][len('OVN_CTL_OPTS='):].split(' ')
    assert options == ovn_ctl_options(host, HOSTVARS, ['ctl1', 'ctl2', 'ctl3'])
    assert ('--db-nb-cluster-remote-addr=192.0.2.11' in options) == (host != 'ctl1')


def test_the_databases_files_and_sockets_are_ovn_ctl_s():
    databases = defaults()['_neutron_ovn_databases']
    assert [(db['name'], db['file'], db['ctl']) for db in databases] == [
        ('OVN_Northbound', '/var/lib/ovn/ovnnb_db.db', '/var/run/ovn/ovnnb_db.ctl'),
        ('OVN_Southbound', '/var/lib/ovn/ovnsb_db.db', '/var/run/ovn/ovnsb_db.ctl')]
