# Copyright: Contributors to the stackroll.lifecycle project
# Apache License 2.0 (see LICENSE)
"""Venvs, units and infrastructure versions as a host holds them."""
from __future__ import annotations

import pytest

from ansible_collections.stackroll.lifecycle.plugins.modules.host_versions_facts import (
    INFRASTRUCTURE,
    exec_start,
    infrastructure_version,
    parse_metadata,
    parse_venv_name,
    read_service_package,
    read_units,
    read_venvs,
    summarise,
    venv_of,
)


@pytest.mark.parametrize('name, parsed', [
    ('nova-2026.2', ('nova', '2026.2')),
    ('keystone-2026.1', ('keystone', '2026.1')),
    ('neutron-ovn-2026.1', ('neutron-ovn', '2026.1')),
    ('nova', None),
    ('nova-34.0.0', None),
    ('nova-2026.2.bak', None),
])
def test_parse_venv_name(name, parsed):
    assert parse_venv_name(name) == parsed


@pytest.mark.parametrize('text, expected', [
    ('Metadata-Version: 2.1\nName: nova\nVersion: 34.0.0\nSummary: x\n',
     ('nova', '34.0.0')),
    ('Metadata-Version: 2.4\nName: openstack-placement\nVersion: 16.0.0\n\n'
     'Name: not-this\nVersion: 0.0.1\n', ('openstack-placement', '16.0.0')),
    ('Name: nova\n', ('nova', None)),
    ('', (None, None)),
])
def test_parse_metadata(text, expected):
    assert parse_metadata(text) == expected


UNIT = '''[Unit]
Description=OpenStack nova-compute (2026.2)

[Service]
Type=simple
ExecStart=/openstack/venvs/nova-2026.2/bin/nova-compute --config-file /etc/nova/nova.conf
Restart=on-failure
'''


@pytest.mark.parametrize('texts, program', [
    ([UNIT], '/openstack/venvs/nova-2026.2/bin/nova-compute'),
    ([UNIT.replace('ExecStart=', 'ExecStart=-')],
     '/openstack/venvs/nova-2026.2/bin/nova-compute'),
    # a drop-in resets ExecStart, then sets another
    ([UNIT, '[Service]\nExecStart=\nExecStart=/openstack/venvs/nova-2026.1/'
      'bin/nova-compute\n'], '/openstack/venvs/nova-2026.1/bin/nova-compute'),
    ([UNIT, '[Service]\nExecStart=\n'], None),
    (['[Unit]\nExecStart=/not/a/service\n'], None),
    (['[Service]\nType=oneshot\n'], None),
])
def test_exec_start(texts, program):
    assert exec_start(texts) == program


@pytest.mark.parametrize('program, venv', [
    ('/openstack/venvs/nova-2026.2/bin/gunicorn', 'nova-2026.2'),
    ('/openstack/venvs//keystone-2026.1/bin/gunicorn', 'keystone-2026.1'),
    ('/usr/bin/python3', None),
    ('/openstack/venvsX/nova-2026.2/bin/x', None),
    (None, None),
])
def test_venv_of(program, venv):
    assert venv_of(program, '/openstack/venvs/') == venv


@pytest.mark.parametrize('tool, index, output, version', [
    ('mariadb', 0, 'mariadbd  Ver 10.11.14-MariaDB-0+deb12u2 for debian-linux-gnu '
     'on x86_64 (Debian 12)\n', '10.11.14'),
    ('mariadb', 1, '/usr/sbin/mysqld  Ver 8.0.39 for Linux on x86_64 (MySQL '
     'Community Server - GPL)\n', '8.0.39'),
    ('rabbitmq', 0, '3.10.8\n', '3.10.8'),
    ('rabbitmq', 1, '3.10.8-1.1+deb12u1', '3.10.8'),
    ('rabbitmq', 0, 'Error: unable to perform an operation\n', None),
    ('erlang', 0, '25.2.3', '25.2.3'),
    ('erlang', 0, '25', '25'),
    ('libvirt', 0, 'libvirtd (libvirt) 9.0.0\n', '9.0.0'),
    ('qemu', 0, 'QEMU emulator version 7.2.19 (Debian 1:7.2+dfsg-7+deb12u13)\n'
     'Copyright (c) 2003-2022 Fabrice Bellard\n', '7.2.19'),
    ('qemu', 0, '', None),
])
def test_infrastructure_version(tool, index, output, version):
    assert infrastructure_version(output, INFRASTRUCTURE[tool][index][1]) \
        == version


def _venv(root, name, packages):
    site = root / name / 'lib' / 'python3.11' / 'site-packages'
    site.mkdir(parents=True)
    for package, version in packages:
        dist = site / ('%s-%s.dist-info' % (package.replace('-', '_'), version))
        dist.mkdir()
        (dist / 'METADATA').write_text(
            'Metadata-Version: 2.1\nName: %s\nVersion: %s\n\nLong text.\n'
            % (package, version))


@pytest.fixture
def host(tmp_path):
    """Venvs and units of a compute mid-upgrade, and a controller's."""
    venvs, units = tmp_path / 'venvs', tmp_path / 'units'
    _venv(venvs, 'nova-2026.1', [('oslo.config', '9.8.0'), ('nova', '33.0.2')])
    _venv(venvs, 'nova-2026.2', [('nova', '34.0.0'), ('os-vif', '4.0.0')])
    _venv(venvs, 'placement-2026.2', [('openstack-placement', '16.0.0')])
    _venv(venvs, 'keystone-2026.2', [('keystoneauth1', '5.16.0')])
    _venv(venvs, 'glance-2026.2', [('glance', '99.0.0')])
    (venvs / 'scratch').mkdir()
    units.mkdir()
    for name, venv, program in [
            ('nova-compute', 'nova-2026.2', 'nova-compute'),
            ('nova-conductor', 'nova-2026.1', 'nova-conductor'),
            ('placement-api', 'placement-2026.2', 'gunicorn')]:
        (units / (name + '.service')).write_text(
            '[Service]\nExecStart=%s/%s/bin/%s -c x\n' % (venvs, venv, program))
    (units / 'ssh.service').write_text('[Service]\nExecStart=/usr/sbin/sshd\n')
    return str(venvs), str(units)


def test_read_service_package(host):
    venvs, _units = host
    assert read_service_package(venvs + '/placement-2026.2', 'placement') == (
        'openstack-placement', '16.0.0')
    assert read_service_package(venvs + '/keystone-2026.2', 'keystone') == (
        None, None)


def test_read_venvs(host):
    venvs = read_venvs(host[0])
    assert venvs['nova-2026.1']['version'] == '33.0.2'
    assert venvs['nova-2026.1']['release'] == '2026.1'
    assert venvs['placement-2026.2']['release'] == '2026.2'
    assert venvs['keystone-2026.2']['error'] == 'no keystone package installed'
    assert 'belongs to no release' in venvs['glance-2026.2']['error']
    assert venvs['scratch']['service'] is None
    assert 'not named <service>-<series>' in venvs['scratch']['error']


def test_read_units_keeps_units_that_run_from_a_venv(host):
    units = read_units(host[1], host[0])
    assert sorted(units) == ['nova-compute', 'nova-conductor', 'placement-api']
    assert units['nova-compute']['venv'] == 'nova-2026.2'


def test_summarise(host):
    venvs = read_venvs(host[0])
    services = summarise(venvs, read_units(host[1], host[0]))
    assert services['nova'] == {
        'venvs': ['nova-2026.1', 'nova-2026.2'],
        'units': ['nova-compute', 'nova-conductor'],
        'active_venvs': ['nova-2026.1', 'nova-2026.2'],
        'active_venv': None, 'mixed': True, 'version': None, 'release': None}
    assert services['placement']['active_venv'] == 'placement-2026.2'
    assert (services['placement']['version'],
            services['placement']['release']) == ('16.0.0', '2026.2')
    assert services['keystone']['active_venv'] is None
    assert services['keystone']['units'] == []


def test_summarise_a_unit_whose_venv_is_gone():
    services = summarise({}, {'nova-api': {'venv': 'nova-2026.2',
                                           'exec_start': '/x'}})
    assert services['nova']['active_venv'] == 'nova-2026.2'
    assert services['nova']['version'] is None
