# Copyright: Contributors to the stackroll.lifecycle project
# Apache License 2.0 (see LICENSE)
"""Which virt_type a compute runs, judged from what its host shows, and
libvirt's configuration files."""
from __future__ import annotations

import pytest
from ansible.errors import AnsibleFilterError

from ansible_collections.stackroll.lifecycle.plugins.filter.hypervisor import FilterModule
from ansible_collections.stackroll.lifecycle.plugins.module_utils._hypervisor import cpu_virt_flags

FILTERS = FilterModule().filters()
KVM_HOST = {'cpu_virt_flags': ['vmx'], 'kvm_device': True, 'kvm_opens': True, 'kvm_error': '', 'kvm_modules': ['kvm', 'kvm_intel']}
# This machine: a nested paravirtual KVM whose /dev/kvm opens, with no vmx or svm.
PVM_HOST = {'cpu_virt_flags': [], 'kvm_device': True, 'kvm_opens': True, 'kvm_error': '', 'kvm_modules': ['kvm', 'kvm_pvm']}
NO_DEVICE = {'cpu_virt_flags': ['svm'], 'kvm_device': False, 'kvm_opens': False,
             'kvm_error': "[Errno 2] No such file or directory: '/dev/kvm'", 'kvm_modules': []}
DENIED = {'cpu_virt_flags': ['vmx'], 'kvm_device': True, 'kvm_opens': False,
          'kvm_error': "[Errno 13] Permission denied: '/dev/kvm'", 'kvm_modules': ['kvm', 'kvm_intel']}


def test_cpu_flags_are_read_from_every_flags_line():
    cpuinfo = ('processor\t: 0\nflags\t\t: fpu vme sse2 vmx ept\n\nprocessor\t: 1\nflags\t\t: fpu vmx\n'
               'vmx flags\t: vnmi preemption_timer\n')
    assert cpu_virt_flags(cpuinfo) == ['vmx']
    assert cpu_virt_flags('flags\t: fpu svm\n') == ['svm']
    assert cpu_virt_flags('flags\t: fpu sse2 hypervisor\n') == []
    assert cpu_virt_flags('') == []


@pytest.mark.parametrize('requested, info, chosen', [
    ('auto', KVM_HOST, {'virt_type': 'kvm', 'cpu_mode': 'host-model'}),
    ('auto', PVM_HOST, {'virt_type': 'qemu', 'cpu_mode': 'none'}),
    ('auto', NO_DEVICE, {'virt_type': 'qemu', 'cpu_mode': 'none'}),
    ('auto', DENIED, {'virt_type': 'qemu', 'cpu_mode': 'none'}),
    ('qemu', KVM_HOST, {'virt_type': 'qemu', 'cpu_mode': 'none'}),
    ('kvm', KVM_HOST, {'virt_type': 'kvm', 'cpu_mode': 'host-model'}),
])
def test_auto_chooses_kvm_only_where_it_runs(requested, info, chosen):
    assert FILTERS['nova_libvirt_options'](requested, info) == chosen
    assert FILTERS['nova_virt_type_problems'](requested, info, 'cmp1') == []


@pytest.mark.parametrize('info, why', [
    (PVM_HOST, 'its CPU shows neither vmx nor svm (hardware virtualisation is off in the firmware, or the host is a'
               ' virtual machine that does not pass it through)'),
    (NO_DEVICE, '/dev/kvm does not exist (load the kvm_intel or kvm_amd module)'),
    (DENIED, "/dev/kvm does not open: [Errno 13] Permission denied: '/dev/kvm'"),
])
def test_kvm_without_kvm_says_why_and_what_fixes_it(info, why):
    assert FILTERS['nova_virt_type_problems']('kvm', info, 'cmp1') == [
        "nova_virt_type is 'kvm' on cmp1, but %s. Fix the host, or set nova_virt_type to 'auto' (it chooses qemu"
        " there) or 'qemu'." % why]
    with pytest.raises(AnsibleFilterError, match="nova_virt_type is 'kvm' on this host, but"):
        FILTERS['nova_libvirt_options']('kvm', info)


def test_an_unknown_virt_type_is_refused():
    assert FILTERS['nova_virt_type_problems']('xen', KVM_HOST, 'cmp2') == [
        "nova_virt_type is 'xen' on cmp2; choose one of auto, kvm, qemu."]
    with pytest.raises(AnsibleFilterError, match="'xen'"):
        FILTERS['nova_libvirt_options']('xen', KVM_HOST)


@pytest.mark.parametrize('name', ['nova_virt_type_problems', 'nova_libvirt_options'])
def test_info_must_be_the_modules_result(name):
    with pytest.raises(AnsibleFilterError, match='hypervisor_info, got str'):
        FILTERS[name]('auto', 'kvm', *(['cmp1'] if name.endswith('problems') else []))


def test_libvirt_conf_writes_libvirts_syntax_sorted():
    text = FILTERS['libvirt_conf']({
        'unix_sock_group': 'libvirt', 'remember_owner': False, 'max_clients': 5000,
        'cgroup_controllers': [], 'namespaces': ['mount'], 'odd': 'a "quoted" \\ value', 'enabled': True})
    assert text == ('cgroup_controllers = [ ]\nenabled = 1\nmax_clients = 5000\nnamespaces = [ "mount" ]\n'
                    'odd = "a \\"quoted\\" \\\\ value"\nremember_owner = 0\nunix_sock_group = "libvirt"\n')
    assert FILTERS['libvirt_conf']({}) == ''
    with pytest.raises(AnsibleFilterError, match='expects a dict, got list'):
        FILTERS['libvirt_conf'](['a'])


def test_known_hosts_replaces_the_run_hosts_and_keeps_the_others():
    existing = ('192.0.2.21,cmp1 ssh-ed25519 OLD1\n192.0.2.23,cmp3 ssh-ed25519 KEY3\n'
                '# a comment\nbroken\n')
    entries = [{'names': ['192.0.2.22', 'cmp2'], 'key': 'ssh-ed25519 KEY2 root@cmp2\n'},
               {'names': ['192.0.2.21', 'cmp1'], 'key': 'ssh-ed25519 NEW1'}]
    text = FILTERS['ssh_known_hosts'](existing, entries)
    assert text == ('192.0.2.21,cmp1 ssh-ed25519 NEW1\n192.0.2.22,cmp2 ssh-ed25519 KEY2\n'
                    '192.0.2.23,cmp3 ssh-ed25519 KEY3\n')
    # A rerun writes the same; a host renamed at the same address replaces its line.
    assert FILTERS['ssh_known_hosts'](text, entries) == text
    renamed = FILTERS['ssh_known_hosts'](text, [{'names': ['192.0.2.23', 'cmp9'], 'key': 'ssh-ed25519 KEY9'}])
    assert '192.0.2.23,cmp9 ssh-ed25519 KEY9\n' in renamed and 'KEY3' not in renamed


def test_known_hosts_refuses_bad_entries():
    with pytest.raises(AnsibleFilterError, match='names'):
        FILTERS['ssh_known_hosts']('', [{'key': 'ssh-ed25519 A'}])
    with pytest.raises(AnsibleFilterError, match='current text'):
        FILTERS['ssh_known_hosts'](None, [])
