# Copyright: Contributors to the stackroll.lifecycle project
# Apache License 2.0 (see LICENSE)
"""What the module reads of this machine's CPU and /dev/kvm, checked against
the files themselves; and a device path that does not exist."""
from __future__ import annotations

import json
import os
import pathlib

import pytest
from ansible.module_utils.testing import patch_module_args

from ansible_collections.stackroll.lifecycle.plugins.module_utils._hypervisor import cpu_virt_flags
from ansible_collections.stackroll.lifecycle.plugins.modules import hypervisor_info


def run(capsys, check_mode=False):
    with patch_module_args({'_ansible_check_mode': check_mode}), pytest.raises(SystemExit) as exited:
        hypervisor_info.main()
    assert exited.value.code == 0
    return json.loads(capsys.readouterr().out)


@pytest.mark.parametrize('check_mode', [False, True])
def test_reads_this_machine(capsys, check_mode):
    result = run(capsys, check_mode)
    assert result['changed'] is False
    with open('/proc/cpuinfo', encoding='utf-8') as cpuinfo:
        assert result['cpu_virt_flags'] == cpu_virt_flags(cpuinfo.read())
    assert result['kvm_device'] is os.path.exists('/dev/kvm')
    assert result['kvm_opens'] is (result['kvm_error'] == '')
    if not result['kvm_device']:
        assert result['kvm_opens'] is False
    # Some machines (containers) have no /proc/modules: no module is listed then.
    modules = pathlib.Path('/proc/modules').read_text(encoding='utf-8') if os.path.exists('/proc/modules') else ''
    assert result['kvm_modules'] == sorted(line.split()[0] for line in modules.splitlines() if line.startswith('kvm'))


def test_a_missing_device_gives_its_error(capsys, monkeypatch, tmp_path):
    monkeypatch.setattr(hypervisor_info, 'KVM_DEVICE', str(tmp_path / 'kvm'))
    result = run(capsys)
    assert result['kvm_device'] is False
    assert result['kvm_opens'] is False
    assert 'No such file or directory' in result['kvm_error']
