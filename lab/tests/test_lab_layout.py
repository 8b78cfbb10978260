# Copyright: Contributors to the stackroll.lifecycle project
# Apache License 2.0 (see LICENSE)
"""The lab's hosts, addresses, CPU weights and inventory (the filters of
lab/filter_plugins/lab_layout.py that lab/create.yml uses), and the
Makefile's check of CONTROLLERS and COMPUTES."""

import importlib.util
import ipaddress
import os
import subprocess
import sys

import pytest
import yaml
from ansible.errors import AnsibleFilterError

HERE = os.path.dirname(os.path.abspath(__file__))
LAB = os.path.dirname(HERE)
ROOT = os.path.dirname(LAB)
CHECKS = os.path.join(ROOT, 'playbooks', 'checks.yml')
BIN = os.path.dirname(sys.executable)
SUBNET = '10.89.42.0/24'
KEY = '/lab/.state/id_ed25519'


def _load(name, path):
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


layout_module = _load('lab_layout_filters', os.path.join(LAB, 'filter_plugins', 'lab_layout.py'))
lab_layout = layout_module.lab_layout
lab_layout_problems = layout_module.lab_layout_problems
lab_inventory = layout_module.lab_inventory


def addresses(layout):
    return {host['name']: host['address'] for host in layout['hosts']}


def test_one_controller_as_every_lab_before():
    layout = lab_layout(SUBNET, 1, 3)
    assert addresses(layout) == {'ctl1': '10.89.42.10', 'cmp1': '10.89.42.11', 'cmp2': '10.89.42.12',
                                 'cmp3': '10.89.42.13'}
    # Four times the three computes' 1024 each.
    assert layout['hosts'][0] == {'name': 'ctl1', 'group': 'controllers', 'address': '10.89.42.10',
                                  'cpu_shares': 12288}
    assert all('cpu_shares' not in host for host in layout['hosts'][1:])
    assert layout['vip'] == ''


def test_one_controller_inventory_sets_nothing_new():
    inventory = lab_inventory(lab_layout(SUBNET, 1, 2), KEY)
    assert inventory == {'lab': {
        'vars': {'ansible_user': 'root', 'ansible_ssh_private_key_file': KEY,
                 'ansible_ssh_common_args': '-o StrictHostKeyChecking=no -o UserKnownHostsFile=/dev/null'
                                            ' -o LogLevel=ERROR',
                 'ansible_pipelining': True, 'ansible_python_interpreter': '/usr/bin/python3'},
        'children': {'controllers': {'hosts': {'ctl1': {'ansible_host': '10.89.42.10'}}},
                     'computes': {'hosts': {'cmp1': {'ansible_host': '10.89.42.11'},
                                            'cmp2': {'ansible_host': '10.89.42.12'}}},
                     'lab_fake_driver': {'hosts': {'cmp1': {}, 'cmp2': {}}}}}}


def test_the_computes_are_in_their_drivers_group():
    children = lab_inventory(lab_layout(SUBNET, 3, 2), KEY, 'libvirt')['lab']['children']
    assert children['lab_libvirt_driver'] == {'hosts': {'cmp1': {}, 'cmp2': {}}}
    assert 'lab_fake_driver' not in children
    with pytest.raises(AnsibleFilterError, match="lab_driver must be one of fake, libvirt \\(got 'xen'\\)"):
        lab_inventory(lab_layout(SUBNET, 1, 2), KEY, 'xen')


def test_three_controllers_away_from_the_computes_and_a_vip():
    layout = lab_layout(SUBNET, '3', '3')  # as -e passes them
    assert addresses(layout) == {'ctl1': '10.89.42.10', 'ctl2': '10.89.42.202', 'ctl3': '10.89.42.203',
                                 'cmp1': '10.89.42.11', 'cmp2': '10.89.42.12', 'cmp3': '10.89.42.13'}
    assert [host['group'] for host in layout['hosts']] == ['controllers'] * 3 + ['computes'] * 3
    assert (layout['vip'], layout['network']) == ('10.89.42.250', SUBNET)
    inventory = lab_inventory(layout, KEY)
    assert list(inventory) == ['all', 'lab']
    assert inventory['all'] == {'vars': {'openstack_vip_address': '10.89.42.250',
                                         'openstack_management_network': SUBNET}}
    assert list(inventory['lab']['children']['controllers']['hosts']) == ['ctl1', 'ctl2', 'ctl3']


@pytest.mark.parametrize('controllers, computes, shares', [
    (1, 3, 12288),
    (1, 4, 16384),
    (3, 3, 4096),
    (3, 4, 5461),
    (5, 2, 1638),
    # The kernel's highest weight.
    (1, 100, 262144),
])
def test_the_controllers_together_weigh_four_times_all_the_computes(controllers, computes, shares):
    layout = lab_layout(SUBNET, controllers, computes)
    weights = [host['cpu_shares'] for host in layout['hosts'] if host['group'] == 'controllers']
    assert weights == [shares] * controllers
    if shares < 262144:
        assert 4 * 1024 * computes - controllers < sum(weights) <= 4 * 1024 * computes


@pytest.mark.parametrize('controllers', [1, 3, 5, 7, 9])
def test_no_two_hosts_and_the_vip_share_an_address(controllers):
    for computes in range(1, 190):
        layout = lab_layout(SUBNET, controllers, computes)
        taken = list(addresses(layout).values()) + ([layout['vip']] if layout['vip'] else [])
        assert len(set(taken)) == len(taken) == controllers + computes + (controllers > 1)
        network = ipaddress.ip_network(SUBNET)
        assert all(ipaddress.ip_address(address) in network for address in taken)


@pytest.mark.parametrize('controllers, computes, expected', [
    (2, 3, 'lab_controllers must be an odd number, such as 1 or 3 (got 2)'),
    (0, 3, "lab_controllers must be a whole number of controllers, 1 or more (got 0)."),
    ('three', 3, "lab_controllers must be a whole number of controllers, 1 or more (got 'three')."),
    (True, 3, 'lab_controllers must be a whole number of controllers, 1 or more (got True).'),
    (1, 0, 'lab_computes must be 1 or more (got 0).'),
    (1, '-1', "lab_computes must be 1 or more (got '-1')."),
    # cmp192 and cmp193 would take ctl2's and ctl3's addresses.
    (3, 193, '3 controllers and 193 computes do not fit in lab_subnet 10.89.42.0/24, where ctl1 is .10, cmpN'
             ' .10+N, ctlK .200+K and the VIP .250: ctl2 and cmp192 share .202; ctl3 and cmp193 share .203.'
             ' Ask for fewer hosts, or give a larger lab_subnet.'),
    # .255 is the broadcast address.
    (1, 245, 'cmp245 at .255 is outside its hosts.'),
])
def test_a_lab_that_cannot_be_is_refused(controllers, computes, expected):
    problems = lab_layout_problems(SUBNET, controllers, computes)
    assert len(problems) == 1 and expected in problems[0]
    with pytest.raises(AnsibleFilterError, match='^lab_|^[0-9]+ controller'):
        lab_layout(SUBNET, controllers, computes)


def test_a_long_list_of_misfits_is_cut_short():
    # cmp245 to cmp260 outside the subnet's hosts, 3 hosts sharing an address.
    problems = lab_layout_problems(SUBNET, 3, 260)
    assert problems[0].count(' at .') == 3
    assert 'cmp247 at .257 is outside its hosts; 16 more. Ask for fewer hosts' in problems[0]


@pytest.mark.parametrize('subnet', ['10.89.42.1/24', 'lab', 'fd00::/64'])
def test_the_subnet_is_an_ipv4_network(subnet):
    assert lab_layout_problems(subnet, 1, 3) == [
        'lab_subnet must be an IPv4 network in CIDR, such as 10.89.42.0/24 (got %r).' % subnet]


TUNNEL = '10.89.43.0/24'


def test_a_libvirt_labs_computes_tunnel_in_a_subnet_of_their_own():
    layout = lab_layout(SUBNET, 1, 2, TUNNEL)
    assert [(host['name'], host.get('tunnel_cidr')) for host in layout['hosts']] == [
        ('ctl1', None), ('cmp1', '10.89.43.11/24'), ('cmp2', '10.89.43.12/24')]
    assert layout['hosts'][1]['tunnel_address'] == '10.89.43.11'
    hosts = lab_inventory(layout, KEY, 'libvirt')['lab']['children']['computes']['hosts']
    assert hosts['cmp2'] == {'ansible_host': '10.89.42.12', 'neutron_ovs_tunnel_address': '10.89.43.12/24'}


@pytest.mark.parametrize('tunnel, expected', [
    ('fd00::/64', "lab_tunnel_subnet must be an IPv4 network in CIDR, such as 10.89.43.0/24 (got 'fd00::/64')."),
    ('10.89.42.128/25', 'lab_tunnel_subnet 10.89.42.128/25 overlaps lab_subnet 10.89.42.0/24; give it a subnet'
                        ' of its own.'),
    ('10.89.43.0/29', '3 computes do not fit in lab_tunnel_subnet 10.89.43.0/29, where cmpN is .10+N; give it a'
                      ' larger subnet.'),
])
def test_a_tunnel_subnet_that_cannot_be_is_refused(tunnel, expected):
    assert lab_layout_problems(SUBNET, 1, 3, tunnel) == [expected]
    with pytest.raises(AnsibleFilterError, match='lab_tunnel_subnet'):
        lab_layout(SUBNET, 1, 3, tunnel)


def _ansible(command, *arguments):
    return subprocess.run([os.path.join(BIN, command)] + list(arguments), capture_output=True, text=True,
                          check=False, env=dict(os.environ, ANSIBLE_NOCOLOR='1', ANSIBLE_FORCE_COLOR='0'))


@pytest.mark.parametrize('controllers', [1, 3])
def test_the_inventory_passes_the_checks_before_any_change(tmp_path, controllers):
    hosts = tmp_path / 'hosts.yml'
    hosts.write_text(yaml.safe_dump(lab_inventory(lab_layout(SUBNET, controllers, 2), KEY), sort_keys=False))
    listed = _ansible('ansible-inventory', '-i', str(hosts), '--list')
    assert listed.returncode == 0, listed.stderr
    groups = yaml.safe_load(listed.stdout)
    assert groups['controllers']['hosts'] == ['ctl1', 'ctl2', 'ctl3'][:controllers]
    assert groups['computes']['hosts'] == ['cmp1', 'cmp2']
    variables = groups['_meta']['hostvars']['cmp1']
    assert variables.get('openstack_vip_address') == ('10.89.42.250' if controllers > 1 else None)
    # site.yml's first play, on the control node: it reads the VIP there.
    result = _ansible('ansible-playbook', '-i', str(hosts), CHECKS)
    output = result.stdout + result.stderr
    assert result.returncode == 0, output
    assert "Check the control plane's settings] ***" in output
    assert 'failed=0' in output and 'UNREACHABLE' not in output


def _make(*arguments):
    """make in the repository, without the variables of a make that runs these tests."""
    env = {name: value for name, value in os.environ.items() if name not in ('MAKEFLAGS', 'MFLAGS', 'MAKELEVEL')}
    return subprocess.run(['make', '--no-print-directory', '-s', '-C', ROOT, 'check-args'] + list(arguments),
                          capture_output=True, text=True, check=False, env=env)


@pytest.mark.parametrize('argument, expected', [
    ('CONTROLLERS=2', "CONTROLLERS must be an odd number of controllers, such as 1 or 3 (got '2')"),
    ('CONTROLLERS=0', "CONTROLLERS must be an odd number of controllers, such as 1 or 3 (got '0')"),
    ('CONTROLLERS=three', "CONTROLLERS must be an odd number of controllers, such as 1 or 3 (got 'three')"),
    ('COMPUTES=0', "COMPUTES must be a whole number of compute hosts, 1 or more (got '0')."),
    ('LAB_DRIVER=xen', "LAB_DRIVER must be fake or libvirt (got 'xen')."),
])
def test_make_refuses_a_wrong_number_of_hosts(argument, expected):
    result = _make(argument)
    assert result.returncode == 2
    assert expected in result.stderr


@pytest.mark.parametrize('arguments', [[], ['CONTROLLERS=3'], ['CONTROLLERS=5', 'COMPUTES=2'], ['LAB_DRIVER=libvirt']])
def test_make_takes_an_odd_number_of_controllers(arguments):
    result = _make(*arguments)
    assert result.returncode == 0, result.stderr
