# Copyright: Contributors to the stackroll.lifecycle project
# Apache License 2.0 (see LICENSE)
"""The example inventories hold their hosts and pass the checks made before any change; a bad copy fails them.

The checks run as site.yml runs them first: playbooks/checks.yml, which
site.yml imports, is one play on localhost without facts. Its hosts are
the inventory's only through groups and hostvars, so none of the example
hosts (addresses of 192.0.2.0/24, which answer nobody) is reached.
"""

import os
import shutil
import subprocess
import sys

import pytest
import yaml

COLLECTION = os.path.abspath(os.path.join(os.path.dirname(__file__), '..', '..', '..'))
INVENTORIES = os.path.join(COLLECTION, 'inventories')
CHECKS = os.path.join(COLLECTION, 'playbooks', 'checks.yml')
BIN = os.path.dirname(sys.executable)
EXAMPLES = {
    'example-single': {'controllers': ['ctl1'], 'computes': ['cmp1', 'cmp2']},
    'example-ha': {'controllers': ['ctl1', 'ctl2', 'ctl3'], 'computes': ['cmp1', 'cmp2']},
}


def ansible(command, *arguments):
    """The run of ansible-playbook or ansible-inventory of this venv."""
    return subprocess.run([os.path.join(BIN, command)] + list(arguments), capture_output=True, text=True, check=False,
                          env=dict(os.environ, ANSIBLE_NOCOLOR='1', ANSIBLE_FORCE_COLOR='0'))


def graph(text):
    """{group: [hosts]} of ansible-inventory --graph."""
    groups = {}
    group = None
    for line in text.splitlines():
        name = line.strip(' |').removeprefix('--')
        if name.startswith('@'):
            group = groups.setdefault(name[1:].rstrip(':'), [])
        elif group is not None and name:
            group.append(name)
    return groups


def assert_no_host_reached(output):
    assert 'UNREACHABLE' not in output
    assert 'Gathering Facts' not in output
    # The recap names localhost only.
    recap = output.split('PLAY RECAP', 1)[1].split('\n')[1:]
    assert [line.split()[0] for line in recap if ':' in line and 'ok=' in line] == ['localhost']


@pytest.mark.parametrize('example', sorted(EXAMPLES))
def test_the_groups_hold_the_hosts(example):
    result = ansible('ansible-inventory', '-i', os.path.join(INVENTORIES, example), '--graph')
    assert result.returncode == 0, result.stderr
    groups = graph(result.stdout)
    for group, hosts in EXAMPLES[example].items():
        assert groups[group] == hosts


@pytest.mark.parametrize('example', sorted(EXAMPLES))
def test_the_checks_pass_without_reaching_a_host(example):
    result = ansible('ansible-playbook', '-i', os.path.join(INVENTORIES, example), CHECKS)
    output = result.stdout + result.stderr
    assert result.returncode == 0, output
    assert "Check the control plane's settings] ***" in output
    assert 'failed=0' in output
    assert_no_host_reached(output)


def test_site_runs_these_checks_first():
    with open(os.path.join(COLLECTION, 'playbooks', 'site.yml'), encoding='utf-8') as handle:
        first = yaml.safe_load(handle)[0]
    assert first['ansible.builtin.import_playbook'] == 'checks.yml'


def ha_copy(tmp_path, controllers):
    """A copy of example-ha whose controllers are those named."""
    inventory = tmp_path / 'inventory'
    shutil.copytree(os.path.join(INVENTORIES, 'example-ha'), inventory)
    hosts = yaml.safe_load((inventory / 'hosts.yml').read_text())
    hosts['controllers']['hosts'] = {name: hosts['controllers']['hosts'][name] for name in controllers}
    (inventory / 'hosts.yml').write_text(yaml.safe_dump(hosts))
    return str(inventory)


@pytest.mark.parametrize('controllers, extra, expected', [
    (['ctl1', 'ctl2'], [], '(1) 2 controllers (ctl1, ctl2), an even number, and no openstack_galera_arbitrator'),
    (['ctl1', 'ctl2', 'ctl3'], ['-e', 'openstack_vip_address=198.51.100.10'],
     '(1) openstack_vip_address 198.51.100.10 is outside the management network 192.0.2.0/24'),
])
def test_a_bad_ha_inventory_fails_the_checks_before_any_host_is_reached(tmp_path, controllers, extra, expected):
    result = ansible('ansible-playbook', '-i', ha_copy(tmp_path, controllers), CHECKS, *extra)
    output = result.stdout + result.stderr
    assert result.returncode != 0
    assert "The control plane's settings in the inventory do not hold; nothing was changed. Problems found: " in output
    assert expected in output
    assert_no_host_reached(output)
