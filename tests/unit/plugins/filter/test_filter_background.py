# Copyright: Contributors to the stackroll.lifecycle project
# Apache License 2.0 (see LICENSE)
"""background_command: the prefix of the roles' background work, per host."""
from __future__ import annotations

import os
import subprocess

import pytest
import yaml
from ansible.errors import AnsibleFilterError

from ansible_collections.stackroll.lifecycle.plugins.filter import background
from ansible_collections.stackroll.lifecycle.plugins.filter.background import FilterModule

PREFIX = FilterModule().filters()['background_command']


def test_under_systemd_a_scope_with_the_lowest_weights():
    assert PREFIX({'service_mgr': 'systemd', 'hostname': 'ctl1'}) == [
        'systemd-run', '--scope', '--quiet', '--collect', '--property=CPUWeight=1', '--property=IOWeight=1',
        '--nice=19', '--', 'ionice', '-c', '3']


@pytest.mark.parametrize('facts', [{'service_mgr': 'sysvinit'}, {'service_mgr': 'service'}, {}])
def test_otherwise_or_without_facts_nice_and_idle_io(facts):
    assert PREFIX(facts) == ['nice', '-n', '19', 'ionice', '-c', '3']


def test_the_prefix_without_systemd_runs_at_nice_19_in_the_idle_class():
    argv = PREFIX({}) + ['sh', '-c', 'nice; ionice']
    assert subprocess.run(argv, capture_output=True, text=True, check=True).stdout.split() == ['19', 'idle']


@pytest.mark.parametrize('facts', [None, 'systemd', ['systemd']])
def test_not_facts_says_what_is_expected(facts):
    with pytest.raises(AnsibleFilterError, match="a host's ansible_facts"):
        PREFIX(facts)


def test_documented_beside_it():
    path = os.path.join(os.path.dirname(background.__file__), 'background_command.yml')
    with open(path, encoding='utf-8') as handle:
        assert yaml.safe_load(handle)['DOCUMENTATION']['name'] == 'background_command'
