# Copyright: Contributors to the stackroll.lifecycle project
# Apache License 2.0 (see LICENSE)
"""The mariadb role's configuration and the Galera check's unit, rendered with the role's defaults: one controller's
MariaDB exactly as without Galera, and the Galera settings of three controllers, each at its own address."""
from __future__ import annotations

import os

import jinja2
import pytest
import yaml

from ansible_collections.stackroll.lifecycle.plugins.filter.addresses import host_address

ROLE = os.path.join(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))), 'roles', 'mariadb')
CONTROLLERS = ['ctl1', 'ctl2', 'ctl3']
HOSTVARS = {
    'ctl1': {'ansible_facts': {'default_ipv4': {'address': '192.0.2.11'}}},
    'ctl2': {'ansible_facts': {'default_ipv4': {'address': '192.0.2.12'}}},
    # Its services listen on another address than its default route's.
    'ctl3': {'ansible_facts': {'default_ipv4': {'address': '198.51.100.13'}}, 'openstack_host_address': '192.0.2.13'},
}
# What one controller's MariaDB was configured with before Galera came, byte for byte.
SINGLE = """# managed
[mysqld]
bind-address = 192.0.2.11
port = 3306
max_connections = 500
default-storage-engine = innodb
innodb_file_per_table = on
collation-server = utf8_general_ci
character-set-server = utf8
skip-name-resolve
"""


def defaults():
    with open(os.path.join(ROLE, 'defaults', 'main.yml'), encoding='utf-8') as handle:
        return yaml.safe_load(handle)


def render(template, host, galera, controllers=None):
    """The template as Ansible renders it on host, but for ansible_managed."""
    environment = jinja2.Environment(loader=jinja2.FileSystemLoader(os.path.join(ROLE, 'templates')),
                                     undefined=jinja2.StrictUndefined, trim_blocks=True, keep_trailing_newline=True)
    environment.filters['stackroll.lifecycle.host_address'] = host_address
    environment.filters['bool'] = bool
    variables = dict(defaults(), ansible_managed='managed', inventory_hostname=host, hostvars=HOSTVARS,
                     groups={'controllers': controllers or CONTROLLERS}, mariadb_galera=galera,
                     mariadb_bind_address=host_address(host, HOSTVARS), mariadb_socket='/run/mysqld/mysqld.sock')
    return environment.get_template(template).render(variables)


def settings(text, group):
    """{option: value} of one group of a .cnf."""
    found, current = {}, None
    for line in text.splitlines():
        line = line.strip()
        if line.startswith('['):
            current = line.strip('[]')
        elif current == group and line and not line.startswith('#'):
            name, value = line.partition('=')[::2]
            found[name.strip()] = value.strip()
    return found


def test_one_controller_keeps_its_configuration_byte_for_byte():
    assert render('openstack.cnf.j2', 'ctl1', False, ['ctl1']) == SINGLE


@pytest.mark.parametrize('host, address', [('ctl1', '192.0.2.11'), ('ctl3', '192.0.2.13')])
def test_galera_of_every_controller_each_at_its_own_address(host, address):
    text = render('openstack.cnf.j2', host, True)
    assert text.startswith(SINGLE.replace('192.0.2.11', address))
    assert settings(text, 'galera') == {
        'wsrep_on': 'ON',
        'wsrep_provider': '/usr/lib/galera/libgalera_smm.so',
        'wsrep_cluster_name': 'openstack',
        'wsrep_cluster_address': 'gcomm://192.0.2.11,192.0.2.12,192.0.2.13',
        'wsrep_node_name': host,
        'wsrep_node_address': address,
        'wsrep_provider_options': '"gmcast.listen_addr=tcp://%s:4567"' % address,
        'wsrep_sst_method': 'mariabackup',
        # mariadb-backup logs in to the donor as the system user mysql by unix_socket: no password.
        'wsrep_sst_auth': 'mysql:',
        'binlog_format': 'ROW',
        'default_storage_engine': 'InnoDB',
        'innodb_autoinc_lock_mode': '2',
    }


def test_the_galera_check_runs_as_its_own_user_on_the_nodes_address():
    text = render('galera-check.service.j2', 'ctl3', True)
    service = settings(text, 'Service')
    assert service['User'] == service['Group'] == 'galeracheck'
    assert service['ExecStart'] == ('/usr/bin/python3 /usr/local/lib/stackroll/galera_check.py --address 192.0.2.13'
                                    ' --port 9200 --socket /run/mysqld/mysqld.sock')
    assert service['Restart'] == 'always'
    assert service['NoNewPrivileges'] == 'true'
    assert 'password' not in text.lower()
    assert settings(text, 'Install') == {'WantedBy': 'multi-user.target'}
