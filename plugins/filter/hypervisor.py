# Copyright: Contributors to the stackroll.lifecycle project
# Apache License 2.0 (see LICENSE)
"""The computes' libvirt hypervisor: which virt_type a host can run, and
libvirt's configuration files. The judgement is in
module_utils/_hypervisor.py.

Each filter is documented in the ``<filter>.yml`` file beside this one.
"""

from __future__ import annotations

from ansible.errors import AnsibleFilterError

from ansible_collections.stackroll.lifecycle.plugins.module_utils import _hypervisor


def _check_info(info):
    if not isinstance(info, dict):
        raise AnsibleFilterError('expected the result of stackroll.lifecycle.hypervisor_info, got %s'
                                 % type(info).__name__)


def nova_virt_type_problems(requested, info, host):
    """nova_virt_type | nova_virt_type_problems(hypervisor_info_result, host) -> problems."""
    _check_info(info)
    return _hypervisor.virt_type_problems(requested, info, host)


def nova_libvirt_options(requested, info):
    """nova_virt_type | nova_libvirt_options(hypervisor_info_result) -> {virt_type, cpu_mode}."""
    _check_info(info)
    problems = _hypervisor.virt_type_problems(requested, info, 'this host')
    if problems:
        raise AnsibleFilterError(' '.join(problems))
    return _hypervisor.libvirt_options(requested, info)


def libvirt_conf(settings):
    """{key: value} | libvirt_conf -> the text of libvirtd.conf or qemu.conf."""
    if not isinstance(settings, dict):
        raise AnsibleFilterError('libvirt_conf expects a dict, got %s' % type(settings).__name__)
    return _hypervisor.conf_text(settings)


def ssh_known_hosts(existing, entries):
    """existing_text | ssh_known_hosts([{names, key}]) -> the known_hosts text."""
    if not isinstance(existing, str) or not isinstance(entries, list):
        raise AnsibleFilterError('ssh_known_hosts expects the current text and a list of {names, key}')
    try:
        return _hypervisor.known_hosts(existing, entries)
    except (KeyError, TypeError, AttributeError) as error:
        raise AnsibleFilterError('ssh_known_hosts: each entry needs names (a list) and key (a string): %s' % error) from error


class FilterModule:
    """stackroll.lifecycle's filters of the computes' hypervisor."""

    def filters(self):
        return {
            'nova_virt_type_problems': nova_virt_type_problems,
            'nova_libvirt_options': nova_libvirt_options,
            'libvirt_conf': libvirt_conf,
            'ssh_known_hosts': ssh_known_hosts,
        }
