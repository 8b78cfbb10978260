# Copyright: Contributors to the stackroll.lifecycle project
# Apache License 2.0 (see LICENSE)
"""site.yml, upgrade.yml and health.yml refuse bad input before they touch any host.

These run the real playbook with ansible-playbook; the hosts of the
inventories do not exist, so any attempt to reach one would show.
"""

import os
import subprocess
import sys

import pytest

COLLECTION = os.path.abspath(os.path.join(os.path.dirname(__file__), '..', '..', '..'))
SITE = os.path.join(COLLECTION, 'playbooks', 'site.yml')
UPGRADE = os.path.join(COLLECTION, 'playbooks', 'upgrade.yml')
HEALTH = os.path.join(COLLECTION, 'playbooks', 'health.yml')

WITH_CONTROLLER = """
controllers:
  hosts:
    ctl1.invalid: {ansible_host: 192.0.2.1}
computes:
  hosts:
    cmp1.invalid: {ansible_host: 192.0.2.2}
"""
WITHOUT_CONTROLLER = """
computes:
  hosts:
    cmp1.invalid: {ansible_host: 192.0.2.2}
"""


def run_playbook(tmp_path, inventory, *extra, playbook=SITE):
    path = tmp_path / 'hosts.yml'
    path.write_text(inventory)
    bindir = os.path.dirname(sys.executable)
    return subprocess.run(
        [os.path.join(bindir, 'ansible-playbook'), '-i', str(path), playbook] + list(extra),
        capture_output=True, text=True, check=False,
        env=dict(os.environ, ANSIBLE_NOCOLOR='1', ANSIBLE_FORCE_COLOR='0'))


@pytest.mark.parametrize('playbook, inventory, extra, expected', [
    (SITE, WITH_CONTROLLER, ['-e', 'openstack_release=2024.1'],
     "Unknown OpenStack release '2024.1'. Known releases: 2025.1 (epoxy)"),
    (SITE, WITH_CONTROLLER, ['-e', 'openstack_release=zed'], "Unknown OpenStack release 'zed'"),
    (SITE, WITHOUT_CONTROLLER, [], "The inventory has no host in the 'controllers' group"),
    (UPGRADE, WITH_CONTROLLER, [], 'Set upgrade_release to the release to reach'),
    (UPGRADE, WITH_CONTROLLER, ['-e', 'upgrade_release=2027.1'], "Unknown OpenStack release '2027.1'"),
    (UPGRADE, WITHOUT_CONTROLLER, ['-e', 'upgrade_release=2026.2'],
     "The inventory has no host in the 'controllers' group"),
    (HEALTH, WITHOUT_CONTROLLER, [], "The inventory has no host in the 'controllers' group"),
])
def test_bad_input_fails_before_any_host_is_touched(tmp_path, playbook, inventory, extra, expected):
    result = run_playbook(tmp_path, inventory, *extra, playbook=playbook)
    output = result.stdout + result.stderr
    assert result.returncode != 0
    assert expected in output
    assert 'UNREACHABLE' not in output
    assert 'Gathering Facts' not in output
