# Copyright: Contributors to the stackroll.lifecycle project
# Apache License 2.0 (see LICENSE)
"""The libvirt hypervisor of a compute: which virt_type its host can run,
judged from what the host shows (hypervisor_info), and libvirt's own
configuration files written from a dict."""

from __future__ import annotations

VIRT_TYPES = ('auto', 'kvm', 'qemu')
# The CPU flags of hardware virtualisation: Intel VT-x, AMD-V.
VIRT_FLAGS = ('vmx', 'svm')


def cpu_virt_flags(cpuinfo):
    """The hardware virtualisation flags in /proc/cpuinfo's text, sorted."""
    found = set()
    for line in cpuinfo.splitlines():
        name, sep, value = line.partition(':')
        if sep and name.strip() == 'flags':
            found.update(flag for flag in value.split() if flag in VIRT_FLAGS)
    return sorted(found)


def kvm_usable(info):
    """Whether KVM can run guests: the CPU shows vmx or svm and /dev/kvm opens.

    A nested paravirtual KVM (kvm_pvm) gives a /dev/kvm that opens on a CPU
    without these flags; stock guest kernels hang under it, so it counts as
    no KVM."""
    return bool(info.get('cpu_virt_flags')) and bool(info.get('kvm_opens'))


def _why_no_kvm(info):
    if not info.get('cpu_virt_flags'):
        return ('its CPU shows neither vmx nor svm (hardware virtualisation is off in the firmware, '
                'or the host is a virtual machine that does not pass it through)')
    if not info.get('kvm_device'):
        return '/dev/kvm does not exist (load the kvm_intel or kvm_amd module)'
    return '/dev/kvm does not open: %s' % (info.get('kvm_error') or 'unknown error')


def virt_type_problems(requested, info, host):
    """Problems of nova_virt_type ``requested`` on ``host``, [] if none."""
    if requested not in VIRT_TYPES:
        return ["nova_virt_type is '%s' on %s; choose one of %s." % (requested, host, ', '.join(VIRT_TYPES))]
    if requested == 'kvm' and not kvm_usable(info):
        return ["nova_virt_type is 'kvm' on %s, but %s. Fix the host, or set nova_virt_type to 'auto' "
                "(it chooses qemu there) or 'qemu'." % (host, _why_no_kvm(info))]
    return []


def virt_type(requested, info):
    """The virt_type to run: ``auto`` is kvm where KVM is usable, else qemu."""
    if requested == 'auto':
        return 'kvm' if kvm_usable(info) else 'qemu'
    return requested


def libvirt_options(requested, info):
    """nova.conf's [libvirt] virt_type and cpu_mode for this host.

    Under KVM, nova's own default, host-model. Under qemu (TCG), QEMU's
    default model: TCG cannot emulate every feature of the host's CPU, and
    the same model on every compute keeps them all live-migratable."""
    chosen = virt_type(requested, info)
    return {'virt_type': chosen, 'cpu_mode': 'host-model' if chosen == 'kvm' else 'none'}


def conf_value(value):
    """A value in the syntax of libvirtd.conf and qemu.conf."""
    if isinstance(value, bool):
        return '1' if value else '0'
    if isinstance(value, int):
        return str(value)
    if isinstance(value, (list, tuple)):
        return '[ %s ]' % ', '.join(conf_value(item) for item in value) if value else '[ ]'
    return '"%s"' % str(value).replace('\\', '\\\\').replace('"', '\\"')


def conf_text(settings):
    """A libvirt configuration file's lines from {key: value}, in key order."""
    return ''.join('%s = %s\n' % (key, conf_value(settings[key])) for key in sorted(settings))


def known_hosts(existing, entries):
    """An SSH known_hosts file's text: ``entries`` ({names, key}, each host's
    names and "type base64" key) replace every line that names one of their
    hosts; lines of other hosts in ``existing`` stay, so that a run limited to
    some hosts keeps what it does not know. Sorted by the first name, so that
    a rerun writes the same text."""
    lines = {}
    for line in existing.splitlines():
        fields = line.split()
        if len(fields) >= 3 and not line.startswith('#'):
            lines[fields[0]] = ' '.join(fields[:3])
    taken = {name for entry in entries for name in entry['names']}
    lines = {names: line for names, line in lines.items() if not taken & set(names.split(','))}
    for entry in entries:
        names = ','.join(entry['names'])
        lines[names] = '%s %s' % (names, ' '.join(entry['key'].split()[:2]))
    return ''.join(lines[names] + '\n' for names in sorted(lines))
