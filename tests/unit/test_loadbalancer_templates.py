# Copyright: Contributors to the stackroll.lifecycle project
# Apache License 2.0 (see LICENSE)
"""The loadbalancer role's haproxy.cfg and keepalived.conf, rendered for the
three controllers of example-ha with the role's defaults: every API at the
VIP with every controller's own address behind it, MariaDB's Galera cluster
with one node taking the connections, and each controller's VRRP priority
and peers."""
from __future__ import annotations

import os

import jinja2
import pytest
import yaml

from ansible_collections.stackroll.lifecycle.plugins.filter.addresses import host_address

ROLE = os.path.join(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))), 'roles', 'loadbalancer')
CONTROLLERS = ['ctl1', 'ctl2', 'ctl3']
# ctl3's services listen on another address than its default route's.
HOSTVARS = {
    'ctl1': {'ansible_facts': {'default_ipv4': {'address': '192.0.2.11', 'interface': 'eth0'}}},
    'ctl2': {'ansible_facts': {'default_ipv4': {'address': '192.0.2.12', 'interface': 'eth0'}}},
    'ctl3': {'ansible_facts': {'default_ipv4': {'address': '198.51.100.13', 'interface': 'eth1'}},
             'openstack_host_address': '192.0.2.13'},
}


def defaults():
    with open(os.path.join(ROLE, 'defaults', 'main.yml'), encoding='utf-8') as handle:
        return yaml.safe_load(handle)


def render(template, host, **extra):
    """The template as Ansible renders it on host, but for ansible_managed."""
    environment = jinja2.Environment(loader=jinja2.FileSystemLoader(os.path.join(ROLE, 'templates')),
                                     undefined=jinja2.StrictUndefined, trim_blocks=True, keep_trailing_newline=True)
    environment.filters['stackroll.lifecycle.host_address'] = host_address
    environment.filters['split'] = lambda text, separator: text.split(separator)
    environment.filters['bool'] = bool
    variables = dict(defaults(), ansible_managed='managed', inventory_hostname=host, groups={'controllers': CONTROLLERS},
                     hostvars=HOSTVARS, openstack_vip_address='192.0.2.10', openstack_db_galera=True,
                     openstack_management_network='192.0.2.0/24', openstack_host_address=host_address(host, HOSTVARS),
                     loadbalancer_vrrp_interface=HOSTVARS[host]['ansible_facts']['default_ipv4']['interface'])
    variables.update(extra)
    return environment.get_template(template).render(variables)


def proxies(text):
    """{proxy: [its lines]} of a haproxy.cfg."""
    found, lines = {}, None
    for line in text.splitlines():
        if line.startswith('listen '):
            lines = found.setdefault(line.split()[1], [])
        elif line and not line.startswith((' ', '#')):
            lines = None
        elif lines is not None and line.strip() and not line.strip().startswith('#'):
            lines.append(line.strip())
    return found


def sections(text):
    """[(section line, [its lines])] of a haproxy.cfg, comments left out."""
    found = []
    for line in text.splitlines():
        if line and not line.startswith((' ', '#')):
            found.append((line, []))
        elif found and line.strip() and not line.strip().startswith('#'):
            found[-1][1].append(line.strip())
    return found


def test_every_api_at_the_vip_with_every_controller_behind_it():
    found = proxies(render('haproxy.cfg.j2', 'ctl2'))
    assert list(found) == ['keystone', 'placement', 'glance', 'neutron', 'nova-api', 'mariadb']
    for name, port in [('keystone', 5000), ('placement', 8778), ('glance', 9292), ('neutron', 9696), ('nova-api', 8774)]:
        assert found[name][0] == 'bind 192.0.2.10:%d' % port
        assert [line for line in found[name] if line.startswith('server ')] == [
            'server ctl1 192.0.2.11:%d' % port, 'server ctl2 192.0.2.12:%d' % port, 'server ctl3 192.0.2.13:%d' % port]


@pytest.mark.parametrize('name, path', [
    ('keystone', '/healthcheck'), ('glance', '/healthcheck'), ('neutron', '/healthcheck'),
    ('placement', '/'), ('nova-api', '/'),
])
def test_each_controller_checked_with_its_service_check(name, path):
    lines = proxies(render('haproxy.cfg.j2', 'ctl1'))[name]
    assert lines.index('option httpchk') < lines.index('http-check send meth GET uri %s' % path)
    assert 'http-check expect rstatus ^[23]' in lines


def test_checks_and_timeouts():
    text = render('haproxy.cfg.j2', 'ctl1')
    assert '    default-server check inter 2s fall 2 rise 2\n' in text
    assert '    balance leastconn\n' in text
    assert '    timeout server 2m\n' in text
    # Image transfers get longer.
    assert 'timeout server 1h' in proxies(text)['glance']
    assert 'timeout server 1h' not in proxies(text)['keystone']
    assert '    stats socket /run/haproxy/admin.sock mode 660 level admin expose-fd listeners\n' in text


def test_galera_at_the_vip_one_node_at_a_time_checked_by_its_galera_check():
    text = render('haproxy.cfg.j2', 'ctl3')
    lines = proxies(text)['mariadb']
    assert lines == [
        'bind 192.0.2.10:3306',
        'option httpchk',
        'http-check send meth GET uri /',
        'http-check expect status 200',
        # The first controller takes the connections; the others are backups, used one at a time.
        'server ctl1 192.0.2.11:3306',
        'server ctl2 192.0.2.12:3306 backup',
        'server ctl3 192.0.2.13:3306 backup',
    ]
    assert 'option allbackups' not in text


def test_galera_in_tcp_with_long_timeouts_and_sessions_cut_on_each_switch():
    # The database's listen section follows a defaults section of its own: the APIs' HTTP defaults do not apply.
    found = sections(render('haproxy.cfg.j2', 'ctl1'))
    names = [section[0] for section in found]
    assert names == ['global', 'defaults'] + ['listen %s' % name for name in
                                              ('keystone', 'placement', 'glance', 'neutron', 'nova-api')] + [
        'defaults', 'listen mariadb']
    database = found[-2][1]
    assert 'mode tcp' in database and 'option tcplog' in database
    assert not [line for line in database if 'http' in line or 'forwardfor' in line]
    # Longer than oslo.db's connection_recycle_time (3600 s): the pools' idle connections are not cut.
    assert 'timeout client 90m' in database and 'timeout server 90m' in database
    assert ('default-server check port 9200 inter 2s fall 2 rise 2 on-marked-down shutdown-sessions'
            ' on-marked-up shutdown-backup-sessions') in database


def test_one_controller_with_a_vip_has_no_database_section():
    text = render('haproxy.cfg.j2', 'ctl1', groups={'controllers': ['ctl1']}, openstack_db_galera=False)
    assert 'mariadb' not in text and 'mode tcp' not in text
    assert text.endswith('    server ctl1 192.0.2.11:8774\n')


def test_the_same_haproxy_on_every_controller():
    assert render('haproxy.cfg.j2', 'ctl1') == render('haproxy.cfg.j2', 'ctl3')


@pytest.mark.parametrize('host, priority, source, peers, interface', [
    ('ctl1', 150, '192.0.2.11', ['192.0.2.12', '192.0.2.13'], 'eth0'),
    ('ctl2', 149, '192.0.2.12', ['192.0.2.11', '192.0.2.13'], 'eth0'),
    ('ctl3', 148, '192.0.2.13', ['192.0.2.11', '192.0.2.12'], 'eth1'),
])
def test_vrrp_by_the_controllers_order_unicast_to_the_others(host, priority, source, peers, interface):
    text = render('keepalived.conf.j2', host)
    lines = [line.strip() for line in text.splitlines()]
    assert 'priority %d' % priority in lines
    assert 'unicast_src_ip %s' % source in lines
    start = lines.index('unicast_peer {')
    assert lines[start + 1:start + 1 + len(peers) + 1] == peers + ['}']
    assert 'interface %s' % interface in lines
    assert '192.0.2.10/24 dev %s' % interface in lines
    assert 'virtual_router_id 51' in lines
    assert lines.index('track_script {') + 1 == lines.index('haproxy_running')
    # No VRRP password to leak.
    assert 'auth_type' not in text and 'auth_pass' not in text


def test_one_controller_with_a_vip_has_no_peer():
    text = render('keepalived.conf.j2', 'ctl1', groups={'controllers': ['ctl1']})
    assert 'unicast_peer' not in text
    assert 'priority 150' in text


def test_site_runs_it_on_the_controllers_before_the_services_only_with_a_vip():
    with open(os.path.join(os.path.dirname(ROLE), '..', 'playbooks', 'site.yml'), encoding='utf-8') as handle:
        plays = yaml.safe_load(handle)
    facts, balancer, control_plane = plays[1], plays[2], plays[3]
    # Facts of every host first: the balancer's play reads the controllers' addresses.
    assert facts['hosts'] == 'controllers:computes' and facts['gather_subset'] == ['network']
    assert balancer['gather_facts'] is False
    assert balancer['hosts'] == control_plane['hosts'] == 'controllers'
    assert balancer['roles'] == [{'role': 'stackroll.lifecycle.loadbalancer',
                                  'when': "openstack_vip_address | default('', true) | length > 0"}]
    assert control_plane['roles'][0] == {'role': 'stackroll.lifecycle.mariadb'}


def directives(text):
    """The non-comment lines of a unit file."""
    return [line for line in text.splitlines() if line.strip() and not line.startswith('#')]


def test_haproxy_keeps_its_dev_log_where_the_host_can_bind_it():
    # Debian's BindReadOnlyPaths=/dev/log:/var/lib/haproxy/dev/log, reset and
    # set again with '-': skipped, not fatal, where /dev/log does not exist.
    assert directives(render('haproxy-dev-log.conf.j2', 'ctl1', _loadbalancer_bind_dev_log=True)) == [
        '[Service]', 'BindReadOnlyPaths=', 'BindReadOnlyPaths=-/dev/log:/var/lib/haproxy/dev/log']


def test_haproxy_starts_without_a_bind_mount_where_the_host_cannot_make_one():
    # A host without mount namespaces for its services (a container without
    # CAP_SYS_ADMIN): systemd would refuse any bind mount (226/NAMESPACE).
    assert directives(render('haproxy-dev-log.conf.j2', 'ctl1', _loadbalancer_bind_dev_log=False)) == [
        '[Service]', 'BindReadOnlyPaths=']


def test_the_drop_in_is_there_before_the_package_starts_haproxy_and_reloads_systemd():
    with open(os.path.join(ROLE, 'tasks', 'main.yml'), encoding='utf-8') as handle:
        tasks = yaml.safe_load(handle)
    names = [task['name'] for task in tasks]
    detect = tasks[names.index('Read whether this host can give a service a mount namespace of its own')]
    assert detect['ansible.builtin.command'] == 'unshare --mount true'
    assert (detect['changed_when'], detect['failed_when'], detect['check_mode']) == (False, False, False)
    drop_in = next(task for task in tasks if task.get('ansible.builtin.template', {}).get('src') == 'haproxy-dev-log.conf.j2')
    assert drop_in['ansible.builtin.template']['dest'] == '/etc/systemd/system/haproxy.service.d/stackroll-dev-log.conf'
    assert drop_in['vars'] == {'_loadbalancer_bind_dev_log': '{{ _loadbalancer_mount_namespace.rc == 0 }}'}
    assert names.index(detect['name']) < names.index(drop_in['name']) < names.index('Install haproxy and keepalived')
    start = tasks[names.index('Start haproxy')]['ansible.builtin.systemd_service']
    assert start['daemon_reload'] == "{{ %s | default({}) is changed }}" % drop_in['register']
    # Every tag that runs the start runs the drop-in's task too.
    assert set(tasks[names.index('Start haproxy')]['tags']) <= set(drop_in['tags'])
