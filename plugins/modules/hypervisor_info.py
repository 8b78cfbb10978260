#!/usr/bin/python
# Copyright: Contributors to the stackroll.lifecycle project
# Apache License 2.0 (see LICENSE)

DOCUMENTATION = r'''
module: hypervisor_info
short_description: Read whether a host can run KVM guests
version_added: 0.1.0
author: stackroll.lifecycle contributors (@stackroll)
description:
  - Runs on a compute (no cloud connection, Python's standard library only)
    and changes nothing.
  - Reads the hardware virtualisation flags of the CPU (C(vmx), C(svm)) from
    C(/proc/cpuinfo), whether C(/dev/kvm) exists and opens for reading and
    writing (as QEMU opens it), and which C(kvm) modules are loaded.
  - The filters P(stackroll.lifecycle.nova_virt_type_problems#filter) and
    P(stackroll.lifecycle.nova_libvirt_options#filter) judge the result; the
    role P(stackroll.lifecycle.nova#role) runs it before it deploys libvirt.
options: {}
attributes:
  check_mode:
    description: Reads the same.
    support: full
  diff_mode:
    description: Has no diff.
    support: none
  idempotent:
    description: Reads only.
    support: full
'''

EXAMPLES = r'''
- name: Read whether this compute can run KVM
  stackroll.lifecycle.hypervisor_info:
  register: hypervisor

- name: Choose nova's virt_type
  ansible.builtin.debug:
    msg: "{{ 'auto' | stackroll.lifecycle.nova_libvirt_options(hypervisor) }}"
'''

RETURN = r'''
cpu_virt_flags:
  description: The hardware virtualisation flags the CPU shows, of C(vmx) and C(svm).
  returned: always
  type: list
  elements: str
  sample: [vmx]
kvm_device:
  description: Whether C(/dev/kvm) exists.
  returned: always
  type: bool
  sample: true
kvm_opens:
  description: Whether C(/dev/kvm) opens for reading and writing.
  returned: always
  type: bool
  sample: true
kvm_error:
  description: Why C(/dev/kvm) does not open, empty if it does.
  returned: always
  type: str
  sample: "[Errno 2] No such file or directory: '/dev/kvm'"
kvm_modules:
  description: The loaded kernel modules whose name starts with C(kvm), such as C(kvm_intel) or C(kvm_pvm).
  returned: always
  type: list
  elements: str
  sample: [kvm, kvm_intel]
'''

import os

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.stackroll.lifecycle.plugins.module_utils._hypervisor import cpu_virt_flags

KVM_DEVICE = '/dev/kvm'


def read_text(path):
    try:
        with open(path, encoding='utf-8', errors='replace') as handle:
            return handle.read()
    except OSError:
        return ''


def kvm_opens():
    """(opens, error): whether /dev/kvm opens as QEMU opens it."""
    try:
        os.close(os.open(KVM_DEVICE, os.O_RDWR | os.O_CLOEXEC))
    except OSError as error:
        return False, str(error)
    return True, ''


def main():
    module = AnsibleModule(argument_spec={}, supports_check_mode=True)
    opens, error = kvm_opens()
    modules = sorted(line.split()[0] for line in read_text('/proc/modules').splitlines()
                     if line.startswith('kvm'))
    module.exit_json(changed=False, cpu_virt_flags=cpu_virt_flags(read_text('/proc/cpuinfo')),
                     kvm_device=os.path.exists(KVM_DEVICE), kvm_opens=opens, kvm_error=error,
                     kvm_modules=modules)


if __name__ == '__main__':
    main()
