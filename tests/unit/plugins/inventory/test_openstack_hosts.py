# Copyright: Contributors to the stackroll.lifecycle project
# Apache License 2.0 (see LICENSE)
"""The openstack_hosts inventory: nova's records turned into hosts and groups."""
from __future__ import annotations

from types import SimpleNamespace

import pytest
from ansible.errors import AnsibleParserError
from ansible.inventory.data import InventoryData
from ansible.parsing.dataloader import DataLoader
from ansible.template import trust_as_template

from ansible_collections.stackroll.lifecycle.plugins.inventory.openstack_hosts import (
    InventoryModule,
    cloud_config,
    clouds_yaml_problem,
    is_config_path,
    missing_files_problem,
    requested_cloud,
)
from ansible_collections.stackroll.lifecycle.plugins.module_utils._host_inventory import (
    aggregate_record,
    build_inventory,
    group_name,
    hypervisor_record,
)


def service(host, binary='nova-compute', state='up', status='enabled',
            reason=None, forced_down=False, zone='nova'):
    return {'host': host, 'binary': binary, 'state': state, 'status': status,
            'disabled_reason': reason, 'forced_down': forced_down,
            'availability_zone': zone if binary == 'nova-compute' else 'internal',
            'updated_at': '2026-12-06T10:00:00.000000'}


def hypervisor(host, running=0, name=None, host_ip=None):
    return {'name': name or host, 'host': host, 'host_ip': host_ip or '10.0.0.%s' % host[-1],
            'hypervisor_type': 'QEMU', 'running_vms': running}


# The lab: one controller, three computes, cmp2 disabled, cmp3 down.
LAB_SERVICES = [
    service('ctl1', 'nova-scheduler'),
    service('ctl1', 'nova-conductor'),
    service('cmp1'),
    service('cmp2', status='disabled', reason='maintenance, ticket 4711'),
    service('cmp3', state='down'),
]
LAB_HYPERVISORS = [hypervisor('cmp1', 3), hypervisor('cmp2', 0), hypervisor('cmp3', 1)]


def lab(**options):
    return build_inventory(LAB_SERVICES, LAB_HYPERVISORS, [], **options)


@pytest.mark.parametrize('prefix, name, expected', [
    ('az_', 'nova', 'az_nova'),
    ('az_', 'zone-1', 'az_zone_1'),
    ('aggregate_', 'GPU hosts.v2', 'aggregate_GPU_hosts_v2'),
    ('az_', 'zürich', 'az_z_rich'),
    ('rack-', 'a', 'rack_a'),
    ('', 'nova', 'nova'),
    ('', '2fast', '_2fast'),
    ('', '', '_'),
    (None, 'x', 'x'),
])
def test_group_name(prefix, name, expected):
    assert group_name(prefix, name) == expected


@pytest.mark.parametrize('path, expected', [
    ('/srv/inventory/openstack_hosts.yml', True),
    ('/srv/inventory/prod.openstack_hosts.yaml', True),
    ('lab-openstack_hosts.yml', True),
    ('/srv/inventory/openstack.yml', False),
    ('/srv/inventory/openstack_hosts.yml.bak', False),
    ('/srv/inventory/openstack_hosts.json', False),
])
def test_is_config_path(path, expected):
    assert is_config_path(path) is expected


@pytest.mark.parametrize('name, exists, expected', [
    ('lab.openstack_hosts.yml', True, True),
    ('openstack_hosts.yaml', True, True),
    ('hosts.yml', True, False),
    ('lab.openstack_hosts.yml', False, False),
])
def test_verify_file(tmp_path, name, exists, expected):
    path = tmp_path / name
    if exists:
        path.write_text('plugin: stackroll.lifecycle.openstack_hosts\n')
    assert InventoryModule().verify_file(str(path)) is expected


def test_lab_groups():
    groups = lab()['groups']
    assert groups['computes'] == ['cmp1', 'cmp2', 'cmp3']
    assert groups['computes_disabled'] == ['cmp2']
    assert groups['computes_down'] == ['cmp3']
    assert groups['az_nova'] == ['cmp1', 'cmp2', 'cmp3']
    assert 'controllers' not in groups


def test_controllers_left_out_unless_asked():
    assert sorted(lab()['hosts']) == ['cmp1', 'cmp2', 'cmp3']
    built = lab(controllers=True)
    assert built['groups']['controllers'] == ['ctl1']
    assert sorted(built['hosts']) == ['cmp1', 'cmp2', 'cmp3', 'ctl1']
    # nova's internal zone is not an availability zone of the computes.
    assert 'az_internal' not in built['groups']


def test_compute_host_vars():
    cmp2 = lab()['hosts']['cmp2']
    assert 'ansible_host' not in cmp2
    assert cmp2['stackroll_host'] == {
        'host': 'cmp2',
        'state': 'up',
        'status': 'disabled',
        'disabled_reason': 'maintenance, ticket 4711',
        'forced_down': False,
        'availability_zone': 'nova',
        'aggregates': [],
        'hypervisors': ['cmp2'],
        'hypervisor_type': 'QEMU',
        'host_ip': '10.0.0.2',
        'running_vms': 0,
        'services': {'nova-compute': {
            'state': 'up', 'status': 'disabled',
            'disabled_reason': 'maintenance, ticket 4711', 'forced_down': False,
            'availability_zone': 'nova', 'updated_at': '2026-12-06T10:00:00.000000'}},
    }
    assert lab()['hosts']['cmp1']['stackroll_host']['running_vms'] == 3


def test_controller_host_vars():
    ctl1 = lab(controllers=True)['hosts']['ctl1']['stackroll_host']
    assert sorted(ctl1['services']) == ['nova-conductor', 'nova-scheduler']
    assert (ctl1['state'], ctl1['status'], ctl1['disabled_reason']) == ('up', 'enabled', None)
    assert ctl1['availability_zone'] is None
    assert ctl1['running_vms'] is None
    assert ctl1['hypervisors'] == []


def test_controller_down_or_disabled_when_one_service_is():
    services = [service('ctl1', 'nova-scheduler', status='disabled', reason='moving racks'),
                service('ctl1', 'nova-conductor', state='down')]
    ctl1 = build_inventory(services, [], [], controllers=True)['hosts']['ctl1']['stackroll_host']
    assert (ctl1['state'], ctl1['status'], ctl1['disabled_reason']) == ('down', 'disabled', 'moving racks')
    assert ctl1['services']['nova-conductor']['state'] == 'down'


def test_all_in_one_host_in_both_groups_with_its_compute_state():
    services = [service('aio', 'nova-conductor', state='down'), service('aio')]
    built = build_inventory(services, [hypervisor('aio', 2)], [], controllers=True)
    assert built['groups']['computes'] == ['aio']
    assert built['groups']['controllers'] == ['aio']
    assert built['groups']['computes_down'] == []
    assert built['hosts']['aio']['stackroll_host']['state'] == 'up'


def test_forced_down_counts_as_down():
    built = build_inventory([service('cmp1', forced_down=True)], [], [])
    assert built['groups']['computes_down'] == ['cmp1']


def test_empty_cloud_keeps_the_compute_groups():
    assert build_inventory([], [], []) == {
        'hosts': {}, 'groups': {'computes': [], 'computes_disabled': [], 'computes_down': []},
        'warnings': []}
    assert build_inventory([], [], [], controllers=True)['groups']['controllers'] == []


def test_records_without_host_or_binary_are_skipped():
    services = [service(None), dict(service('cmp1'), binary=None), service('cmp2')]
    assert list(build_inventory(services, [], [])['hosts']) == ['cmp2']


def test_zones_and_aggregates():
    services = [service('cmp1', zone='zone-a'), service('cmp2', zone='zone-b'),
                service('cmp3', zone='zone-b'), service('ctl1', 'nova-scheduler')]
    aggregates = [{'name': 'gpu.hosts', 'hosts': ['cmp3', 'cmp1'], 'availability_zone': None},
                  {'name': 'empty', 'hosts': [], 'availability_zone': None},
                  # ctl1 is no inventory host without the controllers option.
                  {'name': 'infra', 'hosts': ['ctl1'], 'availability_zone': None},
                  {'name': 'zone-b', 'hosts': ['cmp2', 'cmp3', 'gone'], 'availability_zone': 'zone-b'}]
    built = build_inventory(services, [], aggregates)
    groups = built['groups']
    assert groups['az_zone_a'] == ['cmp1']
    assert groups['az_zone_b'] == ['cmp2', 'cmp3']
    assert groups['aggregate_gpu_hosts'] == ['cmp1', 'cmp3']
    assert groups['aggregate_empty'] == []
    assert groups['aggregate_infra'] == []
    assert groups['aggregate_zone_b'] == ['cmp2', 'cmp3']
    assert 'gone' not in built['hosts']
    assert built['hosts']['cmp3']['stackroll_host']['aggregates'] == ['gpu.hosts', 'zone-b']
    assert built['warnings'] == []


def test_group_prefixes():
    aggregates = [{'name': 'gpu', 'hosts': ['cmp1'], 'availability_zone': None}]
    built = build_inventory([service('cmp1')], [], aggregates,
                            zone_group_prefix='zone_', aggregate_group_prefix='')
    assert built['groups']['zone_nova'] == ['cmp1']
    assert built['groups']['gpu'] == ['cmp1']
    assert 'az_nova' not in built['groups']


def test_names_that_sanitize_alike_are_warned_about():
    aggregates = [{'name': 'gpu-a', 'hosts': ['cmp1'], 'availability_zone': None},
                  {'name': 'gpu_a', 'hosts': ['cmp2'], 'availability_zone': None}]
    built = build_inventory([service('cmp1'), service('cmp2')], [], aggregates)
    assert built['groups']['aggregate_gpu_a'] == ['cmp1', 'cmp2']
    assert built['warnings'] == [
        "aggregate 'gpu-a' and aggregate 'gpu_a' share the group aggregate_gpu_a; rename one of them."]


@pytest.mark.parametrize('host_address, expected', [
    (None, None),
    ('host_ip', '10.0.0.1'),
    ('hypervisor_hostname', 'cmp1.lab.example'),
])
def test_host_address(host_address, expected):
    built = build_inventory([service('cmp1'), service('ctl1', 'nova-conductor')],
                            [hypervisor('cmp1', name='cmp1.lab.example')], [],
                            controllers=True, host_address=host_address)
    assert built['hosts']['cmp1'].get('ansible_host') == expected
    assert 'ansible_host' not in built['hosts']['ctl1']


def test_hypervisor_found_by_name_when_its_service_host_is_missing():
    found = dict(hypervisor('cmp1', 4, name='cmp1.lab.example'), host=None)
    stray = dict(hypervisor('cmp9', 9), host=None)
    built = build_inventory([service('cmp1')], [found, stray], [])
    assert built['hosts']['cmp1']['stackroll_host']['running_vms'] == 4
    assert list(built['hosts']) == ['cmp1']


def test_running_vms_summed_over_a_hosts_hypervisors():
    hypervisors = [hypervisor('ironic1', 1, name='node-b'), hypervisor('ironic1', 2, name='node-a')]
    details = build_inventory([service('ironic1')], hypervisors, [])['hosts']['ironic1']['stackroll_host']
    assert details['running_vms'] == 3
    assert details['hypervisors'] == ['node-a', 'node-b']


def _sdk_hypervisor(running_vms=None, servers=None):
    # The attributes of openstacksdk's Hypervisor the record reads.
    return SimpleNamespace(name='cmp1.lab', service_details={'host': 'cmp1', 'id': 7},
                           host_ip='10.0.0.1', hypervisor_type='QEMU',
                           running_vms=running_vms, servers=servers)


@pytest.mark.parametrize('running_vms, servers, expected', [
    (5, None, 5),                                    # up to 2.87
    (None, [{'name': 'a', 'uuid': '1'}, {'name': 'b', 'uuid': '2'}], 2),   # 2.88 with_servers
    (None, None, 0),                                 # 2.88, no servers
    (0, [], 0),
])
def test_hypervisor_record_running_vms(running_vms, servers, expected):
    record = hypervisor_record(_sdk_hypervisor(running_vms, servers))
    assert record == {'name': 'cmp1.lab', 'host': 'cmp1', 'host_ip': '10.0.0.1',
                      'hypervisor_type': 'QEMU', 'running_vms': expected}


def test_hypervisor_record_without_service_details():
    record = hypervisor_record(SimpleNamespace(name='cmp1', service_details=None, host_ip=None,
                                               hypervisor_type=None, running_vms=1, servers=None))
    assert record['host'] is None


def test_aggregate_record():
    record = aggregate_record(SimpleNamespace(name='gpu', hosts=None, availability_zone='az1'))
    assert record == {'name': 'gpu', 'hosts': [], 'availability_zone': 'az1'}


@pytest.mark.parametrize('text, expected', [
    ('clouds:\n  lab:\n    auth: {auth_url: http://x}\n', None),
    ('clouds:\n  lab: [\n', '/etc/clouds.yaml is not valid YAML at line 3, column 1: '
                            'while parsing a flow node expected the node content'),
    ('- lab\n', '/etc/clouds.yaml has no mapping of clouds at its top'),
    ('', '/etc/clouds.yaml has no mapping of clouds at its top'),
    ('client: {force_ipv4: true}\n', '/etc/clouds.yaml has no mapping of clouds at its top'),
    ('clouds: [lab]\n', '/etc/clouds.yaml has no mapping of clouds at its top'),
])
def test_clouds_yaml_problem(text, expected):
    problem = clouds_yaml_problem('/etc/clouds.yaml', text)
    if expected is None:
        assert problem is None
    else:
        assert problem.startswith(expected)
        assert problem.endswith('Fix the file.')


def test_missing_files_problem(tmp_path):
    present = tmp_path / 'clouds.yaml'
    present.write_text('clouds: {}\n')
    assert missing_files_problem([str(present)], 'Direct') is None
    assert missing_files_problem([], None) is None
    missing = str(tmp_path / 'nope.yaml')
    assert missing_files_problem([str(present), missing], 'Direct') == (
        'No such clouds.yaml: %s (from clouds_yaml_path). Point clouds_yaml_path at an '
        'existing clouds.yaml, or unset it to use the standard paths.' % missing)
    assert '(from OS_CLIENT_CONFIG_FILE). Point OS_CLIENT_CONFIG_FILE at' in missing_files_problem(
        [missing], 'env: OS_CLIENT_CONFIG_FILE')


@pytest.mark.parametrize('value, origin, expected', [
    ('prod', 'Direct', 'prod'),
    ('prod', 'env: OS_CLOUD', None),
    (None, 'default', None),
])
def test_requested_cloud(value, origin, expected):
    assert requested_cloud(value, origin) == expected


def test_cloud_config_named_cloud(clouds_yaml):
    _config, name = cloud_config('prod', [str(clouds_yaml)], option='the cloud option')
    assert name == 'prod'


def test_cloud_config_from_os_cloud(clouds_yaml, monkeypatch):
    monkeypatch.setenv('OS_CLOUD', 'lab')
    monkeypatch.setenv('OS_CLIENT_CONFIG_FILE', str(clouds_yaml))
    config, name = cloud_config(None, [], option='the cloud option')
    assert name == 'lab'
    assert config.config_filename == str(clouds_yaml)


def test_unknown_cloud_names_the_known_ones(clouds_yaml):
    with pytest.raises(AnsibleParserError) as failed:
        cloud_config('nosuchcloud', [str(clouds_yaml)], option='the cloud option of inv.openstack_hosts.yml')
    message = str(failed.value)
    assert ("Cloud 'nosuchcloud' (from the cloud option of inv.openstack_hosts.yml) is not defined in %s"
            % clouds_yaml) in message
    assert 'Known clouds: lab, prod. Use one of them' in message


def test_unknown_cloud_from_os_cloud_says_so(clouds_yaml, monkeypatch):
    monkeypatch.setenv('OS_CLOUD', 'staging')
    monkeypatch.setenv('OS_CLIENT_CONFIG_FILE', str(clouds_yaml))
    with pytest.raises(AnsibleParserError, match=r"Cloud 'staging' \(from OS_CLOUD\) is not defined in .*"
                                                 r"\(from OS_CLIENT_CONFIG_FILE\)"):
        cloud_config(None, [], option='the cloud option')


def test_no_cloud_configured_says_how_to_configure(clouds_yaml):
    with pytest.raises(AnsibleParserError, match='No cloud selected and none configured'):
        cloud_config(None, [], option='the cloud option')


def test_broken_clouds_yaml_is_named_not_skipped(clouds_yaml, tmp_path, monkeypatch):
    broken = tmp_path / 'broken.yaml'
    broken.write_text('clouds:\n  lab: [\n')
    monkeypatch.setenv('OS_CLIENT_CONFIG_FILE', str(broken))
    # openstacksdk alone would skip it and read the next file.
    with pytest.raises(AnsibleParserError, match='%s is not valid YAML at line 3' % broken):
        cloud_config('lab', [str(clouds_yaml)], option='the cloud option')


def test_clouds_yaml_path_searched_first(clouds_yaml, tmp_path):
    other = tmp_path / 'other.yaml'
    other.write_text('clouds:\n  other:\n    auth: {auth_url: http://127.0.0.1:5002/v3}\n')
    config, name = cloud_config('other', [str(other), str(clouds_yaml)], option='the cloud option')
    assert (name, config.config_filename) == ('other', str(other))


class _Plugin(InventoryModule):
    """The plugin with its options given, as its file would set them."""

    def __init__(self, **options):
        super().__init__()
        self._options = dict({
            'controllers': False, 'zone_group_prefix': 'az_',
            'aggregate_group_prefix': 'aggregate_', 'host_address': None,
            'strict': True, 'compose': {}, 'groups': {}, 'keyed_groups': [],
            'use_extra_vars': False, 'leading_separator': True}, **options)
        self.inventory = InventoryData()
        self.loader = DataLoader()
        self._vars = {}


def test_populate_with_constructed_options():
    # Expressions from the plugin's file are trusted templates.
    plugin = _Plugin(
        controllers=True, host_address='host_ip', strict=False,
        compose={'nova_zone': trust_as_template('stackroll_host.availability_zone')},
        groups={'computes_empty': trust_as_template(
            "'computes' in group_names and stackroll_host.running_vms == 0")},
        keyed_groups=[{'key': trust_as_template('stackroll_host.hypervisor_type'), 'prefix': 'hypervisor'}])
    plugin._populate({'services': LAB_SERVICES, 'hypervisors': LAB_HYPERVISORS,
                      'aggregates': [{'name': 'fast', 'hosts': ['cmp1'], 'availability_zone': None}]})
    inventory = plugin.inventory

    def members(group):
        return sorted(h.name for h in inventory.groups[group].get_hosts())

    assert members('computes') == ['cmp1', 'cmp2', 'cmp3']
    assert members('computes_disabled') == ['cmp2']
    assert members('computes_down') == ['cmp3']
    assert members('controllers') == ['ctl1']
    assert members('az_nova') == ['cmp1', 'cmp2', 'cmp3']
    assert members('aggregate_fast') == ['cmp1']
    assert members('computes_empty') == ['cmp2']
    assert members('hypervisor_QEMU') == ['cmp1', 'cmp2', 'cmp3']
    cmp2 = inventory.get_host('cmp2').get_vars()
    assert cmp2['ansible_host'] == '10.0.0.2'
    assert cmp2['nova_zone'] == 'nova'
    assert cmp2['stackroll_host']['disabled_reason'] == 'maintenance, ticket 4711'
